// One accepted HTTP connection: reads requests, spawns a request process for each
// (server_handler.hpp) and writes what it answers.
//
// States (every transition on the connection's strand):
//
//   reading  --request read-->  handling  --answer or timeout-->  writing  --written-->  reading
//      |                           |                                 |    (keep-alive)
//      |                           +--force stop: 503---------------->    |
//      +--EOF, timeout, stop------> closed <--close, error, stop-------+--> lingering --> closed
//
//   reading    waiting for (or parsing) a request, under the request_timeout deadline; a
//              malformed or too large request is answered 400/413/431 and the connection
//              lingers; on_server_stop() closes a reading connection at once
//   handling   a request process runs; the connection reads nothing (no pipelining: the next
//              request waits in the socket). The first of deliver(seq) and the handler timer
//              wins; a late deliver() for an older seq is dropped
//   writing    the response goes out; then reading again, or lingering when the response
//              closes the connection (Connection: close, HTTP/1.0, an error, or stop)
//   lingering  the send side is shut down and what the client still sends is read and
//              dropped for a short while, so that unread request bytes do not make the kernel
//              reset the connection before the client has read the response (Apache's
//              lingering close). Only when bytes may be unread: a request cut short, or
//              pipelined bytes; otherwise the connection closes at once
//
// Lifetime: the connection is owned by shared_ptrs: its pending I/O handlers and the request
// process's responder each hold one, so it lives until both are done.
//
// Thread safety: on_server_stop(), on_force_stop() and deliver() may be called from any thread
// (they post to the strand); everything else runs on the strand.

#pragma once

#include "http/api_response.hpp"
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace notifier::detail {

class server_core;

class connection : public std::enable_shared_from_this<connection> {
public:
  /// `socket` must have been accepted onto a strand of its own: its executor is the
  /// connection's strand.
  connection(std::shared_ptr<server_core> core, boost::asio::ip::tcp::socket socket,
             std::uint64_t id);
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  /// Starts reading the first request (call once, after registering).
  void start();

  // -- any thread ----------------------------------------------------------------------------
  /// Hands the answer of request `seq` to the connection.
  void deliver(std::uint64_t seq, api_response response);
  /// Stop step 2 (server_core.hpp): close when reading, else close after the response.
  void on_server_stop();
  /// Stop step 4: answer a request in flight 503, and close.
  void on_force_stop();

private:
  enum class state : std::uint8_t { reading, handling, writing, lingering, closed };

  void read_request();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_request(boost::beast::error_code ec);
  void on_read_error(boost::beast::error_code ec);
  void spawn_handler();
  void on_handler_timeout(std::uint64_t seq, boost::beast::error_code ec);
  void write(api_response response, bool close);
  void on_written(boost::beast::error_code ec);
  void linger();
  void on_drained(boost::beast::error_code ec, std::size_t bytes);
  void close();

  // Constant after construction.
  const std::shared_ptr<server_core> core_;
  const std::uint64_t id_;
  const boost::asio::any_io_executor strand_;

  // Touched on strand_ only.
  boost::beast::tcp_stream stream_;
  boost::asio::steady_timer handler_timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::array<char, 4096> drain_{};
  std::size_t drained_ = 0;
  state state_ = state::reading;
  std::uint64_t seq_ = 0;   // the request being handled (numbered from 1)
  unsigned version_ = 11;   // of the request being handled
  bool keep_alive_ = true;  // of the request being handled
  bool stopping_ = false;   // on_server_stop() ran: close after the response
  bool head_ = false;       // the request being handled is a HEAD: answer without a body
  bool cut_short_ = false;  // a request was not read to its end: drain before closing
};

}  // namespace notifier::detail
