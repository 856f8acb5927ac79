// notifier/service/node.hpp: one running notifier: the store, Otter's runtime, the I/O
// threads, the process tree and the HTTP API, started and stopped in order.
//
//   notifier::node n(options);        // opens and migrates the store, starts everything
//   std::printf("%s\n", n.url().c_str());
//   ...                               // until SIGTERM, say
//   n.stop();                         // the API first, then the tree, the runtime, the I/O
//
// Start order: the store is opened and migrated on the calling thread (a bad location or a
// newer schema fails here, before any process starts); then the runtime, the I/O threads, the
// tree (application.hpp: the starter goes on in the background, see boot()), and last the
// HTTP listener, so that no request arrives before the tree can serve it. Stop is the reverse.
// If the tree ends by itself (its restart intensity exceeded), `on_tree_exit` is called; the
// executable then stops the node and exits with an error.
//
// Thread safety: construct, stop and destroy from one thread (main); the accessors are
// @threadsafe.

#pragma once

#include "notifier/service/env.hpp"
#include "otter/core/runtime.hpp"
#include "otter/core/term.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace notifier {

struct node_options {
  /// The store: "sqlite:PATH", "PATH" or "postgres://..." (store/open_store.hpp).
  std::string db = "sqlite:notifier.db";
  /// Where the HTTP API listens; port 0 picks a free port (see node::port()).
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  /// Bearer token of POST /users. Empty: the node makes one (see node::admin_token()).
  std::string admin_token{};
  service_config service{};
  /// Otter's scheduler threads (0: one per core) and blocking-pool threads (store calls).
  unsigned schedulers = 0;
  unsigned blocking_threads = 4;
  /// Serve the HTTP API (benchmarks of the tree alone turn it off).
  bool http = true;
  /// Called on a scheduler thread when the tree ends by itself.
  std::function<void(const otter::term&)> on_tree_exit{};
};

class node {
public:
  /// Starts the node; throws std::runtime_error with a message for operators when the store
  /// cannot be opened or migrated, the tree does not start or the address cannot be bound.
  explicit node(node_options options);
  node(const node&) = delete;
  node& operator=(const node&) = delete;
  ~node();

  /// Stops the API, the tree, the runtime and the I/O threads. Idempotent.
  void stop();

  /// The bound HTTP port (0 without HTTP).
  [[nodiscard]] std::uint16_t port() const noexcept;
  /// "http://ADDRESS:PORT".
  [[nodiscard]] std::string url() const;
  [[nodiscard]] const std::string& admin_token() const noexcept;
  [[nodiscard]] const boot_progress& boot() const noexcept;
  [[nodiscard]] const service_stats& stats() const noexcept;
  [[nodiscard]] otter::runtime& runtime() noexcept;
  [[nodiscard]] const notifier::env& env() const noexcept;

private:
  struct parts;
  std::unique_ptr<parts> parts_;
};

}  // namespace notifier
