// notifier/http/server.hpp: the notifier's HTTP API server (Boost.Beast, JSON bodies).
//
//   notifier::http_server server(rt, io, backend, {.admin_token = "s3cret"});
//   std::cout << "listening on " << server.port() << "\n";
//   ...
//   server.stop();
//
// The routes, JSON shapes, errors and limits are in docs/design/notifier_api.md.
//
// Sockets live on the io_runner's threads; request logic runs in Otter processes. Each
// connection reads one request at a time (HTTP/1.1 keep-alive; pipelined requests wait their
// turn) with Beast's parser under a body limit and a deadline, then spawns one process per
// request. That process authenticates the caller, calls the backend (which may take as long as
// it likes: it suspends the process, never an I/O thread) and hands the response back to the
// connection, which writes it. A process that crashes still answers: the client gets a 500 and
// the exception stays the process's exit reason. A process that has not answered within
// request_timeout is answered for (503 "timeout") and its late answer is dropped; the process
// is not stopped, so the outcome of a write it was making is unknown to the client.
//
// Lifetimes: the runtime, the io_runner and the backend must outlive the server and the
// request processes it spawned. stop() waits for those, but only for a bounded time (see
// there); a process still inside the backend then ends on its own or at the runtime's
// shutdown, so destroy the backend only after runtime::shutdown().
//
// Thread safety: port() and options() are @threadsafe. stop() and the destructor are
// @blocking: call them from a plain thread, or from a process through otter::blocking; never
// from an io_runner thread (they wait for handlers that run there).

#pragma once

#include "notifier/api/backend.hpp"
#include "notifier/io/io_runner.hpp"
#include "otter/core/runtime.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace notifier {

namespace detail {
class server_core;
}  // namespace detail

struct server_options {
  /// The address to listen on (an IPv4 or IPv6 literal).
  std::string address = "127.0.0.1";
  /// The port to listen on; 0 lets the system pick one (port() reports it).
  std::uint16_t port = 0;
  /// The bearer token that POST /users requires. Empty: user creation is disabled (401).
  std::string admin_token{};
  /// Larger request bodies get 413 (checked against Content-Length before the body is read).
  std::size_t max_body_bytes = 64 * 1024;
  /// The time a client has to send a complete request (and that a keep-alive connection may
  /// stay idle), the time a handler has to answer (then 503 "timeout"), and the time a
  /// response has to be written.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  /// Open connections at most; beyond it the server stops accepting (clients wait in the
  /// listen backlog) until one closes.
  std::size_t max_connections = 1024;
  /// Page size of GET /tasks and GET /tasks/{id}/notifications without ?limit=, and the largest
  /// ?limit= accepted.
  std::size_t default_page_size = 100;
  std::size_t max_page_size = 500;
  /// How long stop() waits for requests in flight before answering them 503 and closing.
  std::chrono::milliseconds stop_timeout = std::chrono::seconds(10);
};

/// The HTTP API server. Listens from construction until stop() or destruction.
class http_server {
public:
  /// Binds and listens on options.address:options.port and starts accepting on `io`.
  /// Throws boost::system::system_error when the address cannot be bound, and
  /// std::invalid_argument for options that make no sense (a zero page size or
  /// max_connections, default_page_size > max_page_size).
  http_server(otter::runtime& rt, io_runner& io, api::backend& backend,
              server_options options = {});
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;
  /// stop().
  ~http_server();

  /// The port the server listens on (the one the system picked when options.port was 0).
  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] const server_options& options() const noexcept;

  /// Stops, in this order: (1) stops accepting; (2) closes connections that wait for a request;
  /// a connection with a request in flight closes after writing its response; (3) waits up to
  /// options.stop_timeout for those requests, then answers the ones left 503 and closes their
  /// connections (waiting at most one more second). Request processes still running after that
  /// end on their own (their answers are dropped). Idempotent. @blocking
  void stop();

private:
  std::shared_ptr<detail::server_core> core_;
};

}  // namespace notifier
