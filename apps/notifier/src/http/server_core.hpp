// The state an http_server shares with its connections and request processes, and the
// acceptor. Owned by shared_ptr: the server, each connection and each request process hold
// it, so none of them can outlive what it uses.
//
// Stop protocol (stop(), server.cpp), in numbered steps:
//   1. Under mu_: stopping_ = true and take the registered connections. From here on
//      register_connection() refuses newcomers, so no connection escapes step 2.
//   2. Close the acceptor (on its strand) and post on_server_stop() to every connection (on its
//      strand): a connection waiting for a request closes; one with a request in flight closes
//      after writing its response (server_connection.hpp). Wait (1 s at most) for the acceptor
//      to be closed, so that nobody can connect once stop() returns.
//   3. Wait on done_ until no connection is registered and no request process is alive, for at
//      most options.stop_timeout.
//   4. Post on_force_stop() to the connections left: a request still in flight is answered 503
//      "shutting_down", then every connection closes. Wait (1 s at most) for the connections
//      and the request processes.
// The waits are bounded so that stop() returns even when a backend call hangs, and skipped
// when the io_runner was stopped first (its handlers never run again, so nothing can close).
// A request process still running then ends on its own (or at the runtime's shutdown), and
// its answer is dropped.
//
// Request processes are counted with an atomic (a per-request lock would serialize every
// request of the server); connections, which open and close far less often, are registered
// under mu_.
//
// Thread safety: @threadsafe; the acceptor's state is touched on acceptor_strand_ only.

#pragma once

#include "notifier/api/backend.hpp"
#include "notifier/http/server.hpp"
#include "notifier/io/io_runner.hpp"
#include "otter/core/runtime.hpp"

#include "http/api_handlers.hpp"
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace notifier::detail {

class connection;

class server_core : public std::enable_shared_from_this<server_core> {
public:
  server_core(otter::runtime& rt, io_runner& io, api::backend& backend, server_options options);
  server_core(const server_core&) = delete;
  server_core& operator=(const server_core&) = delete;

  // -- lifecycle (the http_server) -----------------------------------------------------------
  /// Binds, listens and starts accepting. Throws boost::system::system_error.
  void start();
  /// The stop protocol above. Idempotent. @blocking
  void stop();

  // -- properties (constant after construction) ----------------------------------------------
  [[nodiscard]] const server_options& options() const noexcept { return options_; }
  [[nodiscard]] const api_context& context() const noexcept { return context_; }
  [[nodiscard]] otter::runtime& runtime() const noexcept { return rt_; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  // -- connections (any thread) --------------------------------------------------------------
  /// Records `c` as open; false once stop() has begun (the caller then closes it).
  [[nodiscard]] bool register_connection(std::uint64_t id, const std::shared_ptr<connection>& c);
  /// Forgets connection `id` (idempotent) and resumes accepting if the limit held it back.
  void unregister_connection(std::uint64_t id);

  // -- request processes (any thread) --------------------------------------------------------
  /// A request process is about to be spawned (counted from here, so stop() waits for it).
  void handler_created() noexcept;
  /// A request process ended, or was never spawned.
  void handler_ended() noexcept;

private:
  void accept_next();  // on acceptor_strand_
  bool wait_idle(std::chrono::milliseconds timeout);

  // Constant after construction.
  otter::runtime& rt_;
  io_runner& io_;
  server_options options_;
  api_context context_;
  std::uint16_t port_ = 0;

  // Touched on acceptor_strand_ only (and by start() before accepting begins).
  boost::asio::strand<boost::asio::io_context::executor_type> acceptor_strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  bool accept_paused_ = false;  // the connection limit is reached; unregister resumes

  // Request processes created and not ended. Ordering: seq_cst with stopping_flag_ (the
  // wake-up argument is at handler_ended(), server.cpp).
  std::atomic<std::size_t> handlers_{0};
  std::atomic<bool> stopping_flag_{false};

  // Protected by mu_.
  std::mutex mu_;
  std::condition_variable done_;  // notified when connections_ or handlers_ shrink
  bool stopping_ = false;
  bool acceptor_closed_ = false;  // set on acceptor_strand_ by stop step 2
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> connections_;
};

}  // namespace notifier::detail
