// The webhook client's exchange (client.hpp): one connection per request, driven by Beast's
// asynchronous operations on a strand of the io_runner's context.
//
// An exchange is a shared object that every pending handler keeps alive. All its handlers run
// on its strand, so its state needs no lock, although the io_runner may have many threads.
// finish() is the single exit: the first result wins (the response, a step's error, or the
// deadline), marks the exchange finished, cancels the timer and the resolver, closes the
// socket, and calls the callback; handlers that complete afterwards (with operation_aborted,
// mostly) see `finished_` and return. The deadline finishes the exchange itself rather than
// waiting for cancelled operations to report: a resolve blocked in getaddrinfo cannot be
// interrupted, and the caller is promised a result at the timeout.

#include "notifier/http/client.hpp"

#include "http/client_tls.hpp"
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>
#include <type_traits>

namespace notifier::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr std::string_view default_user_agent = "otter-notifier/1";

http_result failed(http_failure_kind kind, std::string message) {
  return otter::unexpected<http_failure>(http_failure{.kind = kind, .message = std::move(message)});
}

// "Connection refused" -> "connection refused": messages are embedded in sentences.
std::string describe(const error_code& ec) {
  std::string text = ec.message();
  if (!text.empty()) {
    text.front() = static_cast<char>(std::tolower(static_cast<unsigned char>(text.front())));
  }
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x))
                  == std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 token characters: a header name is one token.
bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0
         || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void check_headers(const http_request& request) {
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      throw std::invalid_argument("http::post: invalid header name '" + name + "'");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      throw std::invalid_argument("http::post: header " + name + " holds CR, LF or NUL");
    }
    for (std::string_view reserved :
         {"host", "content-length", "connection", "transfer-encoding"}) {
      if (iequals(name, reserved)) {
        throw std::invalid_argument("http::post: header " + name + " is set by the client");
      }
    }
  }
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

template <class Stream>
class exchange : public std::enable_shared_from_this<exchange<Stream>> {
  static constexpr bool tls = !std::is_same_v<Stream, beast::tcp_stream>;

public:
  exchange(asio::any_io_executor strand, http_url url, http_request request, http_callback done,
           std::shared_ptr<ssl::context> tls_context)
      : url_(std::move(url)),
        tls_context_(std::move(tls_context)),
        resolver_(strand),
        stream_(make_stream(strand)),
        deadline_(strand),
        timeout_(request.timeout),
        max_response_bytes_(request.max_response_bytes),
        done_(std::move(done)) {
    request_.method(bhttp::verb::post);
    request_.target(url_.target);
    request_.version(11);
    request_.set(bhttp::field::host, url_.host_header);
    request_.set(bhttp::field::user_agent,
                 beast::string_view(default_user_agent.data(), default_user_agent.size()));
    for (auto& [name, value] : request.headers) {
      if (iequals(name, "user-agent")) {
        request_.set(name, value);
      } else {
        request_.insert(name, value);
      }
    }
    request_.set(bhttp::field::connection, "close");
    request_.body() = std::move(request.body);
    request_.prepare_payload();
    parser_.body_limit(max_response_bytes_);
  }

  // Runs on the strand.
  void start() {
    deadline_.expires_after(timeout_);
    deadline_.async_wait([self = this->shared_from_this()](const error_code& ec) {
      if (ec != asio::error::operation_aborted) {
        self->finish(failed(http_failure_kind::timeout,
                            "timeout after " + std::to_string(self->timeout_.count()) + " ms"));
      }
    });
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        beast::bind_front_handler(&exchange::on_resolve, this->shared_from_this()));
  }

private:
  Stream make_stream(const asio::any_io_executor& strand) {
    if constexpr (tls) {
      return Stream(strand, *tls_context_);
    } else {
      return Stream(strand);
    }
  }

  void on_resolve(error_code ec, const tcp::resolver::results_type& endpoints) {
    if (finished_) {
      return;
    }
    if (ec) {
      finish(
          failed(http_failure_kind::resolve, "cannot resolve " + url_.host + ": " + describe(ec)));
      return;
    }
    beast::get_lowest_layer(stream_).async_connect(
        endpoints, beast::bind_front_handler(&exchange::on_connect, this->shared_from_this()));
  }

  void on_connect(error_code ec, const tcp::endpoint& /*endpoint*/) {
    if (finished_) {
      return;
    }
    if (ec) {
      finish(failed(http_failure_kind::connect, describe(ec) + " (" + url_.host_header + ")"));
      return;
    }
    if constexpr (tls) {
      SSL* native = stream_.native_handle();
      // Which name the certificate must carry: OpenSSL checks it during the handshake, so a
      // wrong host fails as "hostname mismatch" rather than after the request is sent.
      if (is_ip_literal(url_.host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), url_.host.c_str());
      } else {
        SSL_set_tlsext_host_name(native, url_.host.c_str());  // SNI (names only, RFC 6066)
        SSL_set1_host(native, url_.host.c_str());
      }
      stream_.async_handshake(
          ssl::stream_base::client,
          beast::bind_front_handler(&exchange::on_handshake, this->shared_from_this()));
    } else {
      send();
    }
  }

  void on_handshake(error_code ec) {
    if (finished_) {
      return;
    }
    if (ec) {
      std::string message = "TLS handshake with " + url_.host_header + " failed: " + describe(ec);
      if constexpr (tls) {
        const long verify = SSL_get_verify_result(stream_.native_handle());
        if (verify != X509_V_OK) {
          message += ": ";
          message += X509_verify_cert_error_string(verify);
        }
      }
      finish(failed(http_failure_kind::tls, std::move(message)));
      return;
    }
    send();
  }

  void send() {
    bhttp::async_write(stream_, request_,
                       beast::bind_front_handler(&exchange::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t /*bytes*/) {
    if (finished_) {
      return;
    }
    if (ec) {
      finish(failed(http_failure_kind::io, "cannot send the request: " + describe(ec)));
      return;
    }
    bhttp::async_read_header(
        stream_, buffer_, parser_,
        beast::bind_front_handler(&exchange::on_header, this->shared_from_this()));
  }

  // The header is read on its own first: Beast 1.74 checks a Content-Length against the body
  // limit when the header ends, but when the same read also parses the body (async_read is
  // eager) that error is lost and the whole body is read. Chunked and read-to-EOF bodies are
  // checked as they arrive, by the parser.
  void on_header(error_code ec, std::size_t /*bytes*/) {
    if (finished_) {
      return;
    }
    if (ec) {
      read_failed(ec);
      return;
    }
    if (const auto length = parser_.content_length(); length && *length > max_response_bytes_) {
      read_failed(bhttp::error::body_limit);
      return;
    }
    bhttp::async_read(stream_, buffer_, parser_,
                      beast::bind_front_handler(&exchange::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t /*bytes*/) {
    if (finished_) {
      return;
    }
    if (ec) {
      read_failed(ec);
      return;
    }
    auto& response = parser_.get();
    finish(http_response{.status = static_cast<int>(response.result_int()),
                         .body = std::move(response.body())});
  }

  void read_failed(const error_code& ec) {
    if (ec == bhttp::error::body_limit) {
      finish(failed(http_failure_kind::too_large,
                    "response body larger than " + std::to_string(max_response_bytes_) + " bytes"));
    } else if (ec == bhttp::error::header_limit) {
      finish(failed(http_failure_kind::too_large, "response headers too large"));
    } else {
      finish(failed(http_failure_kind::io, "cannot read the response: " + describe(ec)));
    }
  }

  void finish(http_result result) {
    if (finished_) {
      return;
    }
    finished_ = true;
    deadline_.cancel();
    resolver_.cancel();
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
    // Moved out first: the callback may be the last owner of things the exchange refers to.
    http_callback done = std::move(done_);
    done(std::move(result));
  }

  http_url url_;
  std::shared_ptr<ssl::context> tls_context_;  // before stream_, which uses it
  tcp::resolver resolver_;
  Stream stream_;
  asio::steady_timer deadline_;
  std::chrono::milliseconds timeout_;
  std::size_t max_response_bytes_;
  bhttp::request<bhttp::string_body> request_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
  http_callback done_;
  bool finished_ = false;
};

// Reports `result` on an I/O thread, never inline: callers may hold locks or be mid-call.
void report_later(io_runner& io, http_callback done, http_result result) {
  asio::post(io.context(), [done = std::move(done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

template <class Stream>
void launch(io_runner& io, http_url url, http_request request, http_callback done,
            std::shared_ptr<ssl::context> tls_context) {
  auto strand = asio::make_strand(io.context());
  auto x = std::make_shared<exchange<Stream>>(strand, std::move(url), std::move(request),
                                              std::move(done), std::move(tls_context));
  asio::post(strand, [x] { x->start(); });
}

}  // namespace

std::string_view to_string(http_failure_kind kind) noexcept {
  switch (kind) {
    case http_failure_kind::bad_url:
      return "bad_url";
    case http_failure_kind::resolve:
      return "resolve";
    case http_failure_kind::connect:
      return "connect";
    case http_failure_kind::tls:
      return "tls";
    case http_failure_kind::timeout:
      return "timeout";
    case http_failure_kind::io:
      return "io";
    case http_failure_kind::too_large:
      return "too_large";
  }
  return "io";
}

void async_post(io_runner& io, http_request request, http_callback done) {
  check_headers(request);
  auto url = parse_http_url(request.url);
  if (!url) {
    report_later(io, std::move(done), failed(http_failure_kind::bad_url, url.error()));
    return;
  }
  if (!url->tls) {
    launch<beast::tcp_stream>(io, std::move(*url), std::move(request), std::move(done), nullptr);
    return;
  }
  auto context = detail::client_tls_context(request.ca_file);
  if (!context) {
    report_later(io, std::move(done), failed(http_failure_kind::tls, context.error()));
    return;
  }
  launch<beast::ssl_stream<beast::tcp_stream>>(io, std::move(*url), std::move(request),
                                               std::move(done), std::move(*context));
}

}  // namespace notifier::http
