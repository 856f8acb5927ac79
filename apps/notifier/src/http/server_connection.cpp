// The connection's state machine (server_connection.hpp). Every member function below runs on
// strand_: handlers are bound to it (the stream's executor), and the any-thread entry points
// post to it first.

#include "http/server_connection.hpp"

#include "http/server_core.hpp"
#include "http/server_handler.hpp"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <utility>

namespace notifier::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// How long a closing connection drains what the client still sends, and how much it reads.
constexpr std::chrono::milliseconds linger_time{1000};
constexpr std::size_t linger_bytes = 256 * 1024;

}  // namespace

connection::connection(std::shared_ptr<server_core> core, asio::ip::tcp::socket socket,
                       std::uint64_t id)
    : core_(std::move(core)),
      id_(id),
      // The socket was accepted onto a strand of its own (server.cpp): its executor is that
      // strand, and so are the stream's and the timer's.
      strand_(socket.get_executor()),
      stream_(std::move(socket)),
      handler_timer_(stream_.get_executor()) {}

connection::~connection() {
  core_->unregister_connection(id_);  // idempotent; covers a connection never closed
}

void connection::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void connection::read_request() {
  state_ = state::reading;
  parser_.emplace();
  parser_->body_limit(core_->options().max_body_bytes);
  stream_.expires_after(core_->options().request_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void connection::on_header(beast::error_code ec) {
  if (state_ != state::reading) {
    return;  // closed meanwhile
  }
  if (ec) {
    on_read_error(ec);
    return;
  }
  // A client that waits for "100 Continue" before sending its body gets it; the body limit
  // has been checked against Content-Length already (the header read fails with body_limit).
  const auto& req = parser_->get();
  if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
    continue_ = {};
    continue_.version(req.version());
    continue_.result(http::status::continue_);
    http::async_write(stream_, continue_,
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec) {
                          self->close();
                        } else if (self->state_ == state::reading) {
                          self->read_body();
                        }
                      });
    return;
  }
  read_body();
}

void connection::read_body() {
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
}

void connection::on_request(beast::error_code ec) {
  if (state_ != state::reading) {
    return;
  }
  if (ec) {
    on_read_error(ec);
    return;
  }
  stream_.expires_never();
  spawn_handler();
}

void connection::on_read_error(beast::error_code ec) {
  cut_short_ = true;  // whatever it is, the rest of the request was not read
  version_ = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
  head_ = false;
  if (ec == http::error::body_limit) {
    write(error_response(413, "payload_too_large",
                         "the body is larger than "
                             + std::to_string(core_->options().max_body_bytes) + " bytes"),
          true);
  } else if (ec == http::error::header_limit) {
    write(error_response(431, "headers_too_large", "the request's header is too large"), true);
  } else if (ec.category() == http::make_error_code(http::error::bad_target).category()
             && ec != http::error::end_of_stream && ec != http::error::partial_message) {
    // The bytes are not HTTP (a bad method, target, version or field): Beast's parse errors.
    write(error_response(400, "bad_request", "the request is not valid HTTP/1.1"), true);
  } else {
    // The client went away or kept us waiting (end_of_stream, partial_message, timeout,
    // reset, cancelled by close()): nobody to answer.
    close();
  }
}

void connection::spawn_handler() {
  auto message = parser_->release();
  parser_.reset();
  version_ = message.version();
  keep_alive_ = message.keep_alive();
  head_ = message.method() == http::verb::head;
  api_request req;
  req.method = message.method();
  req.target = std::string(message.target());
  req.authorization = std::string(message[http::field::authorization]);
  req.content_type = std::string(message[http::field::content_type]);
  req.body = std::move(message.body());

  state_ = state::handling;
  const std::uint64_t seq = ++seq_;
  handler_timer_.expires_after(core_->options().request_timeout);
  handler_timer_.async_wait([self = shared_from_this(), seq](beast::error_code tec) {
    self->on_handler_timeout(seq, tec);
  });
  auto out = std::make_shared<responder>(core_, shared_from_this(), seq);
  spawn_request_process(core_->runtime(), std::move(req), std::move(out));
}

void connection::deliver(std::uint64_t seq, api_response response) {
  asio::post(strand_, [self = shared_from_this(), seq, r = std::move(response)]() mutable {
    // Only the answer to the request being handled counts: a late answer (after the timeout
    // answered for it) finds seq_ moved on, or the state changed.
    if (self->state_ != state::handling || seq != self->seq_) {
      return;
    }
    self->handler_timer_.cancel();
    self->write(std::move(r), self->stopping_ || !self->keep_alive_);
  });
}

void connection::on_handler_timeout(std::uint64_t seq, beast::error_code ec) {
  if (ec || state_ != state::handling || seq != seq_) {
    return;  // cancelled: the answer came first
  }
  // The process goes on; its answer will be dropped. The connection closes: the client cannot
  // know whether the request took effect, and a fresh connection is a clean start.
  write(error_response(503, "timeout", "the request took too long; its outcome is unknown"), true);
}

void connection::write(api_response r, bool close_after) {
  state_ = state::writing;
  response_ = {};
  response_.version(version_);
  response_.result(r.status);
  response_.set(http::field::content_type, "application/json");
  // Answers carry tokens and per-user data: no cache may keep them.
  response_.set(http::field::cache_control, "no-store");
  for (auto& [name, value] : r.headers) {
    response_.set(name, value);
  }
  response_.body() = std::move(r.body);
  response_.keep_alive(!close_after);
  response_.prepare_payload();
  if (head_) {
    // A HEAD answer has the header of the full answer but no body (RFC 9110 9.3.2); a body
    // would be read as the start of the next response on a keep-alive connection.
    response_.body().clear();
  }
  stream_.expires_after(core_->options().request_timeout);
  http::async_write(
      stream_, response_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
}

void connection::on_written(beast::error_code ec) {
  if (state_ != state::writing) {
    return;
  }
  if (ec) {
    close();
  } else if (response_.keep_alive() && !stopping_) {
    read_request();
  } else {
    linger();
  }
}

void connection::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  // Drain only when the client may still be sending: a request cut short (413, 431, 400) or
  // bytes already here (pipelined requests). Otherwise nothing is unread, and closing now
  // sends a plain FIN after the response.
  beast::error_code aec;
  if (!cut_short_ && buffer_.size() == 0 && stream_.socket().available(aec) == 0 && !aec) {
    close();
    return;
  }
  state_ = state::lingering;
  stream_.expires_after(
      std::min<std::chrono::milliseconds>(core_->options().request_timeout, linger_time));
  stream_.async_read_some(asio::buffer(drain_),
                          [self = shared_from_this()](beast::error_code rec, std::size_t n) {
                            self->on_drained(rec, n);
                          });
}

void connection::on_drained(beast::error_code ec, std::size_t bytes) {
  if (state_ != state::lingering) {
    return;
  }
  drained_ += bytes;
  if (ec || drained_ >= linger_bytes) {
    close();  // EOF (the client read the answer and closed), timeout, or enough
    return;
  }
  stream_.async_read_some(asio::buffer(drain_),
                          [self = shared_from_this()](beast::error_code rec, std::size_t n) {
                            self->on_drained(rec, n);
                          });
}

void connection::on_server_stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->state_ == state::reading || self->state_ == state::lingering) {
      self->close();
    }
  });
}

void connection::on_force_stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->state_ == state::handling) {
      self->handler_timer_.cancel();
      self->write(error_response(503, "shutting_down", "the server is stopping"), true);
      return;
    }
    if (self->state_ != state::writing) {
      self->close();
    }
  });
}

void connection::close() {
  if (state_ == state::closed) {
    return;
  }
  state_ = state::closed;
  handler_timer_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();  // cancels pending operations; their handlers see state_ == closed
  core_->unregister_connection(id_);
}

}  // namespace notifier::detail
