// http_server and its core: the acceptor, the connection registry and the stop protocol
// (server_core.hpp). Connections are in server_connection.cpp, request processes in
// server_handler.cpp, route logic in api_handlers.cpp.

#include "notifier/http/server.hpp"

#include "notifier/domain/token.hpp"

#include "http/server_connection.hpp"
#include "http/server_core.hpp"
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>

#include <stdexcept>
#include <utility>
#include <vector>

namespace notifier {

namespace detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::atomic<std::uint64_t> next_connection_id{1};

/// How long stop steps 2 and 4 wait for the I/O threads (which may have been stopped).
constexpr std::chrono::milliseconds force_wait{1000};

}  // namespace

server_core::server_core(otter::runtime& rt, io_runner& io, api::backend& backend,
                         server_options options)
    : rt_(rt),
      io_(io),
      options_(std::move(options)),
      acceptor_strand_(asio::make_strand(io.context())),
      acceptor_(acceptor_strand_) {
  if (options_.default_page_size == 0 || options_.max_page_size == 0
      || options_.default_page_size > options_.max_page_size || options_.max_connections == 0) {
    throw std::invalid_argument(
        "notifier::http_server: page sizes and max_connections must be positive, and "
        "default_page_size <= max_page_size");
  }
  context_.backend = &backend;
  context_.admin_token_hash = options_.admin_token.empty() ? "" : hash_token(options_.admin_token);
  context_.default_page_size = options_.default_page_size;
  context_.max_page_size = options_.max_page_size;
}

void server_core::start() {
  // Accepting has not begun, so no other thread touches the acceptor yet.
  tcp::endpoint endpoint(asio::ip::make_address(options_.address), options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  asio::post(acceptor_strand_, [self = shared_from_this()] { self->accept_next(); });
}

void server_core::accept_next() {
  if (!acceptor_.is_open()) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (connections_.size() >= options_.max_connections) {
      // Clients wait in the listen backlog; unregister_connection() resumes.
      accept_paused_ = true;
      return;
    }
  }
  // Each connection gets a strand of its own: its handlers never run concurrently.
  acceptor_.async_accept(
      asio::make_strand(io_.context()),
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) {
          return;  // stop() closed the acceptor
        }
        if (!ec) {
          auto id = next_connection_id.fetch_add(1, std::memory_order_relaxed);
          auto c = std::make_shared<connection>(self, std::move(socket), id);
          if (self->register_connection(id, c)) {
            c->start();
          }  // else stopping: `c` dies here and closes its socket
        }
        // Errors such as EMFILE are not the acceptor's end: keep accepting.
        self->accept_next();
      });
}

bool server_core::register_connection(std::uint64_t id, const std::shared_ptr<connection>& c) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) {
    return false;
  }
  connections_.emplace(id, c);
  return true;
}

void server_core::unregister_connection(std::uint64_t id) {
  bool resume = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (connections_.erase(id) == 0) {
      return;
    }
    if (accept_paused_ && !stopping_) {
      accept_paused_ = false;
      resume = true;
    }
    done_.notify_all();
  }
  if (resume) {
    asio::post(acceptor_strand_, [self = shared_from_this()] { self->accept_next(); });
  }
}

void server_core::handler_created() noexcept {
  handlers_.fetch_add(1, std::memory_order_seq_cst);
}

void server_core::handler_ended() noexcept {
  // Wake-up argument: stop() stores stopping_flag_ (seq_cst) before it reads handlers_ under
  // mu_. If the load below sees false, it comes before that store in the single total order,
  // so stop()'s read of handlers_ comes after our decrement and sees it: no wake-up is lost.
  if (handlers_.fetch_sub(1, std::memory_order_seq_cst) == 1
      && stopping_flag_.load(std::memory_order_seq_cst)) {
    std::lock_guard<std::mutex> lock(mu_);
    done_.notify_all();
  }
}

bool server_core::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return done_.wait_for(lock, timeout, [this] {
    return connections_.empty() && handlers_.load(std::memory_order_seq_cst) == 0;
  });
}

void server_core::stop() {
  // Step 1.
  std::vector<std::shared_ptr<connection>> open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    stopping_flag_.store(true, std::memory_order_seq_cst);
    accept_paused_ = false;
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) {
        open.push_back(std::move(c));
      }
    }
  }
  // Step 2.
  asio::post(acceptor_strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->acceptor_closed_ = true;
    self->done_.notify_all();
  });
  for (auto& c : open) {
    c->on_server_stop();
  }
  if (!io_.context().stopped()) {
    std::unique_lock<std::mutex> lock(mu_);
    (void)done_.wait_for(lock, force_wait, [this] { return acceptor_closed_; });
  }
  // Step 3. (An io_runner stopped first runs no handler any more: nothing can progress.)
  if (io_.context().stopped() || wait_idle(options_.stop_timeout)) {
    return;
  }
  // Step 4.
  for (auto& c : open) {
    c->on_force_stop();
  }
  (void)wait_idle(force_wait);
}

}  // namespace detail

http_server::http_server(otter::runtime& rt, io_runner& io, api::backend& backend,
                         server_options options)
    : core_(std::make_shared<detail::server_core>(rt, io, backend, std::move(options))) {
  core_->start();
}

http_server::~http_server() {
  stop();
}

std::uint16_t http_server::port() const noexcept {
  return core_->port();
}

const server_options& http_server::options() const noexcept {
  return core_->options();
}

void http_server::stop() {
  core_->stop();
}

}  // namespace notifier
