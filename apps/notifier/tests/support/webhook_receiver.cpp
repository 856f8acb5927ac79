// The test webhook receiver (webhook_receiver.hpp): Beast's asynchronous server on one
// io_context run by one thread of its own. Sessions run on that single thread, so the socket
// work needs no strand; the recorded requests and the script are read by the test's thread too,
// and are guarded by `mu`.

#include "support/webhook_receiver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

namespace notifier::test_support {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct webhook_receiver::state {
  mutable std::mutex mu;
  mutable std::condition_variable changed;
  std::vector<received_request> received;  // guarded by mu
  std::deque<scripted_reply> script;       // guarded by mu
  scripted_reply default_reply;            // guarded by mu

  // Set before the thread starts, read-only afterwards.
  std::optional<asio::ssl::context> tls;
  std::uint16_t port = 0;

  // Destroyed in reverse order: the hung sessions and the acceptor before the context whose
  // destruction drops the other sessions (their pending handlers own them); all of them refer
  // to this state, which outlives them.
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::vector<std::shared_ptr<void>> hung;  // sessions told to hang (I/O thread only)
  std::thread thread;

  scripted_reply record(received_request request) {
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(std::move(request));
    changed.notify_all();
    if (script.empty()) {
      return default_reply;
    }
    scripted_reply next = std::move(script.front());
    script.pop_front();
    return next;
  }
};

namespace {

using state = webhook_receiver::state;

template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
public:
  session(state* s, Stream stream) : state_(s), stream_(std::move(stream)) {}

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) {
                                  self->read();
                                }
                              });
    }
  }

private:
  void read() {
    request_ = {};
    bhttp::async_read(stream_, buffer_, request_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec) {
                          self->answer();
                        }
                      });
  }

  void answer() {
    received_request r;
    r.method = std::string(request_.method_string());
    r.target = std::string(request_.target());
    for (const auto& field : request_) {
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    r.body = request_.body();
    const bool keep_alive = request_.keep_alive();
    scripted_reply reply = state_->record(std::move(r));
    if (reply.hang) {
      state_->hung.push_back(this->shared_from_this());
      return;
    }
    response_ = {};
    response_.result(static_cast<unsigned>(reply.status));
    response_.version(11);
    response_.set(bhttp::field::content_type, "text/plain");
    response_.body() = std::move(reply.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    bhttp::async_write(
        stream_, response_,
        [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
          if (!ec && keep_alive) {
            self->read();
          } else {
            beast::error_code ignored;
            beast::get_lowest_layer(self->stream_)
                .socket()
                .shutdown(tcp::socket::shutdown_send, ignored);
          }
        });
  }

  state* state_;
  Stream stream_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  bhttp::response<bhttp::string_body> response_;
};

void accept(state* s) {
  s->acceptor.async_accept([s](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      return;  // the acceptor was closed: the receiver is stopping
    }
    if (s->tls) {
      using tls_stream = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<session<tls_stream>>(s, tls_stream(std::move(socket), *s->tls))->start();
    } else {
      std::make_shared<session<beast::tcp_stream>>(s, beast::tcp_stream(std::move(socket)))
          ->start();
    }
    accept(s);
  });
}

void listen_and_run(state* s) {
  const tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
  s->acceptor.open(local.protocol());
  s->acceptor.set_option(asio::socket_base::reuse_address(true));
  s->acceptor.bind(local);
  s->acceptor.listen();
  s->port = s->acceptor.local_endpoint().port();
  accept(s);
  s->thread = std::thread([s] { s->io.run(); });
}

}  // namespace

std::string received_request::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    const bool same =
        n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a))
                 == std::tolower(static_cast<unsigned char>(b));
        });
    if (same) {
      return v;
    }
  }
  return {};
}

webhook_receiver::webhook_receiver() : state_(std::make_unique<state>()) {
  listen_and_run(state_.get());
}

webhook_receiver::webhook_receiver(const tls_files& tls) : state_(std::make_unique<state>()) {
  state_->tls.emplace(asio::ssl::context::tls_server);
  state_->tls->use_certificate_chain_file(tls.certificate_chain);
  state_->tls->use_private_key_file(tls.private_key, asio::ssl::context::pem);
  listen_and_run(state_.get());
}

webhook_receiver::~webhook_receiver() {
  // Closing the acceptor on its own thread ends the accept loop, and stop() ends run(); the
  // sessions' sockets close when `hung` is cleared and when the context, destroyed with the
  // state after the join, drops the pending handlers that own the other sessions.
  asio::post(state_->io, [s = state_.get()] {
    beast::error_code ignored;
    s->acceptor.close(ignored);
    s->hung.clear();
    s->io.stop();
  });
  if (state_->thread.joinable()) {
    state_->thread.join();
  }
}

std::uint16_t webhook_receiver::port() const noexcept {
  return state_->port;
}

std::string webhook_receiver::url(std::string_view path) const {
  return std::string(state_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port())
         + std::string(path);
}

void webhook_receiver::script(std::vector<scripted_reply> replies) {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (auto& r : replies) {
    state_->script.push_back(std::move(r));
  }
}

void webhook_receiver::set_default_reply(scripted_reply reply) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->default_reply = std::move(reply);
}

std::vector<received_request> webhook_receiver::requests() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->received;
}

std::size_t webhook_receiver::request_count() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->received.size();
}

bool webhook_receiver::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->received.size() >= n; });
}

}  // namespace notifier::test_support
