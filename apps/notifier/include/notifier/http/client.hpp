// notifier/http/client.hpp: an HTTP/1.1 client for one POST at a time (webhooks), on the
// service's I/O threads (io_runner, Boost.Beast).
//
//   http_request req{.url = "https://hooks.example.com/otter", .body = payload,
//                    .headers = {{"Content-Type", "application/json"}}};
//   http_result r = co_await notifier::http::post(io, std::move(req));   // inside a process
//   if (r && r->status / 100 == 2) { ... } else if (!r) { log(r.error().message); }
//
// One request is one connection (`Connection: close`): resolve, connect, TLS handshake (https:
// SNI, and the peer's certificate verified against the system's default CA paths and the
// request's host name), write, read. `timeout` bounds the whole exchange, from the call to the
// result: when it passes, the exchange is abandoned (sockets closed, the resolver cancelled)
// and the result is a `timeout` failure at once, even if name resolution is still blocked in the
// system resolver. Redirects are not followed; any status is a response (`status`, `body`); a
// failure is a value (http_failure) that says at which step it failed.
//
// Two ways in:
//   - async_post(io, request, callback): the callback runs once, on an I/O thread, with the
//     result. It must not block or throw (it runs on the I/O threads that every socket of the
//     service shares).
//   - post(io, request), @in_process: starts the exchange and waits, in a selective receive, for
//     the result message, which carries a fresh alias of the caller (process.hpp, alias()).
//     Other messages in the mailbox are neither taken nor reordered. The timeout makes the
//     result arrive; should the I/O threads have stopped, the wait still ends a little after the
//     timeout with a `timeout` failure, and the alias is dropped so that nothing arrives later.
//     A process that dies while waiting leaves only a message to a dead pid, which is dropped.
//
// Edge cases: a URL that parse_http_url rejects is a `bad_url` failure (delivered like any
// other result, never thrown); a response body above max_response_bytes is `too_large`. A
// request header whose name or value holds CR, LF or NUL is a caller's bug and throws
// std::invalid_argument from async_post / post (it would split the request).
//
// Runtime requirement: post() sends the result from an I/O thread into the caller's runtime,
// so the runtime must outlive the io_runner's work (create the runtime first, stop the
// io_runner first), and it must accept messages from foreign threads: use the threaded
// runtime; the deterministic runtime is driven by one thread only (its tests inject a fake
// poster instead, see notifier/channels/webhook.hpp).
//
// Thread safety: async_post and parse_http_url are @threadsafe; post is @in_process. Values
// (requests, results) are plain data.

#pragma once

#include "notifier/domain/url.hpp"
#include "notifier/io/io_runner.hpp"
#include "otter/core/co.hpp"
#include "otter/core/expected.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notifier::http {

/// One POST to make.
struct http_request {
  std::string url{};   // http://host[:port][/path][?query] or https://...; see parse_http_url
  std::string body{};  // sent as is, with its Content-Length
  /// Extra headers, sent as given (a name given twice is sent twice). Host, Content-Length and
  /// Connection are the client's; a User-Agent given here replaces the default one.
  std::vector<std::pair<std::string, std::string>> headers{};
  std::chrono::milliseconds timeout{5000};  // the whole exchange
  std::size_t max_response_bytes = 64 * 1024;
  /// A PEM file of extra trusted CA certificates (a private CA, a test's self-signed
  /// certificate), used besides the system's default paths. Empty: the defaults only.
  std::string ca_file{};
};

/// The answer: any status (2xx or not) is a response.
struct http_response {
  int status = 0;
  std::string body{};
};

/// The step at which an exchange failed.
enum class http_failure_kind : std::uint8_t {
  bad_url,    // the URL is not one parse_http_url accepts; nothing was sent
  resolve,    // the host name did not resolve
  connect,    // no address accepted a connection (refused, unreachable)
  tls,        // the TLS handshake failed (certificate not trusted, wrong host, protocol)
  timeout,    // the timeout passed first
  io,         // the connection failed while writing or reading, or the answer was not HTTP
  too_large,  // the response (headers or body) exceeded its limit
};

/// "bad_url", "resolve", ...
[[nodiscard]] std::string_view to_string(http_failure_kind kind) noexcept;

/// Why there is no response. `message` is for people: "connection refused (127.0.0.1:8080)",
/// "timeout after 5000 ms", "certificate verify failed".
struct http_failure {
  http_failure_kind kind = http_failure_kind::io;
  std::string message{};
};

using http_result = otter::expected<http_response, http_failure>;
using http_callback = std::function<void(http_result)>;

// The URL splitter lives with the input rules (notifier/domain/url.hpp): what the store lets in
// is what the client can use.
using notifier::http_url;
using notifier::parse_http_url;

/// Starts the exchange on `io`'s threads; `done` is called once with the result, on an I/O
/// thread (never inline). If `io` is stopped before the exchange ends, `done` is not called.
/// @threadsafe
void async_post(io_runner& io, http_request request, http_callback done);

/// Makes the exchange and returns its result, waiting in the calling process (see the top of
/// this file). @in_process
[[nodiscard]] otter::co<http_result> post(io_runner& io, http_request request);

}  // namespace notifier::http
