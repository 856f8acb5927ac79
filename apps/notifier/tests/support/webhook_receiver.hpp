// tests/support/webhook_receiver.hpp: a local HTTP(S) server that plays a webhook receiver.
//
//   notifier::test_support::webhook_receiver rx;          // listens on 127.0.0.1:<free port>
//   rx.script({{.status = 503}, {.status = 200}});        // the next two answers, in order
//   ... deliver to rx.url() ...
//   ASSERT_TRUE(rx.wait_for_requests(2));
//   EXPECT_EQ(rx.requests()[1].header("X-Otter-Attempt"), "2");
//
// It answers requests in arrival order with the scripted replies, then with the default reply
// (200, empty body) once the script is used up. A reply with `hang` records the request and
// never answers: the connection stays open until the receiver is destroyed, as a stuck
// endpoint would. Every request is recorded (method, target, headers, body) before it is
// answered, hung or not. Connections are served concurrently, so one hung request does not
// delay the next one. With tls_files it speaks HTTPS only.
//
// Thread safety: the receiver runs on a thread of its own; every member may be called from any
// thread. The destructor stops the thread and closes every connection.

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notifier::test_support {

/// A request as the receiver read it.
struct received_request {
  std::string method{};
  std::string target{};
  std::vector<std::pair<std::string, std::string>> headers{};  // in order, names as sent
  std::string body{};

  /// The first value of header `name` (compared without case), or "" when absent.
  [[nodiscard]] std::string header(std::string_view name) const;
};

/// How the receiver answers one request.
struct scripted_reply {
  int status = 200;
  std::string body{};
  bool hang = false;  // never answer; keep the connection open until the receiver stops
};

/// PEM files of the certificate (chain) and private key an HTTPS receiver presents.
struct tls_files {
  std::string certificate_chain{};
  std::string private_key{};
};

class webhook_receiver {
public:
  /// A plain HTTP receiver on 127.0.0.1, port chosen by the system.
  webhook_receiver();
  /// An HTTPS receiver presenting `tls`. Throws when the files cannot be loaded.
  explicit webhook_receiver(const tls_files& tls);
  webhook_receiver(const webhook_receiver&) = delete;
  webhook_receiver& operator=(const webhook_receiver&) = delete;
  ~webhook_receiver();

  [[nodiscard]] std::uint16_t port() const noexcept;
  /// "http://127.0.0.1:<port><path>" (https:// for a TLS receiver).
  [[nodiscard]] std::string url(std::string_view path = "/hook") const;

  /// Appends replies to the script: each request takes the next one.
  void script(std::vector<scripted_reply> replies);
  /// The reply used once the script is empty (initially 200 with an empty body).
  void set_default_reply(scripted_reply reply);

  /// Every request received so far, in arrival order.
  [[nodiscard]] std::vector<received_request> requests() const;
  [[nodiscard]] std::size_t request_count() const;
  /// Blocks until `n` requests have been received or `timeout` passes; returns whether they
  /// were. (A condition variable, not polling.)
  bool wait_for_requests(std::size_t n,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  struct state;  // shared with the connections (webhook_receiver.cpp)

private:
  std::unique_ptr<state> state_;
};

}  // namespace notifier::test_support
