#include "notifier/service/node.hpp"

#include "notifier/domain/token.hpp"
#include "notifier/http/server.hpp"
#include "notifier/io/io_runner.hpp"
#include "notifier/service/application.hpp"
#include "notifier/service/backend.hpp"
#include "notifier/service/repo.hpp"
#include "notifier/store/open_store.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <utility>

namespace notifier {

// Members are declared in start order and destroyed in reverse (stop() does the
// same explicitly first): the store's connections outlive the runtime that uses
// them.
struct node::parts {
  node_options options;
  std::string admin_token;
  boot_progress boot;
  service_stats stats;
  std::unique_ptr<repo> store;
  std::unique_ptr<io_runner> io;
  notifier::env env;
  std::unique_ptr<otter::runtime> rt;
  std::optional<otter::pid> master;
  std::unique_ptr<service_backend> backend;
  std::unique_ptr<http_server> http;
  bool stopped = false;
};

namespace {

std::unique_ptr<store> open_or_throw(const std::string& location) {
  store_result<std::unique_ptr<store>> s = open_store(location);
  if (!s) {
    throw std::runtime_error("cannot open the store " + location + ": " + s.error().message);
  }
  return std::move(*s);
}

}  // namespace

node::node(node_options options) : parts_(std::make_unique<parts>()) {
  parts& p = *parts_;
  p.options = std::move(options);
  p.admin_token = p.options.admin_token.empty() ? generate_token() : p.options.admin_token;

  // The store first, on this thread: a bad location or schema stops the node
  // before anything.
  {
    std::unique_ptr<store> first = open_or_throw(p.options.db);
    store_result<int> version = first->migrate();
    if (!version) {
      throw std::runtime_error("cannot migrate the store " + p.options.db + ": "
                               + version.error().message);
    }
  }
  const std::string location = p.options.db;
  p.store = std::make_unique<repo>([location]() { return open_store(location); });

  p.io = std::make_unique<io_runner>(1);
  p.env.config = p.options.service;
  p.env.names = service_names::under(p.options.service.name);
  p.env.repo = p.store.get();
  p.env.delivery.post = channels::io_poster(*p.io);
  p.env.delivery.now = wall_clock_now;
  p.env.delivery.webhook = p.options.service.webhook;
  p.env.boot = &p.boot;
  p.env.stats = &p.stats;

  otter::runtime_options rt_options;
  rt_options.schedulers = p.options.schedulers;
  rt_options.blocking_threads = p.options.blocking_threads;
  p.rt = std::make_unique<otter::runtime>(rt_options);
  p.master = application::start_master(*p.rt, p.env, p.options.on_tree_exit);

  p.backend = std::make_unique<service_backend>(p.env);
  if (p.options.http) {
    server_options http;
    http.address = p.options.address;
    http.port = p.options.port;
    http.admin_token = p.admin_token;
    try {
      p.http = std::make_unique<http_server>(*p.rt, *p.io, *p.backend, http);
    } catch (const std::exception& e) {
      stop();
      throw std::runtime_error("cannot listen on " + p.options.address + ":"
                               + std::to_string(p.options.port) + ": " + e.what());
    }
  }
}

node::~node() {
  stop();
}

void node::stop() {
  parts& p = *parts_;
  if (p.stopped) {
    return;
  }
  p.stopped = true;
  if (p.http) {
    p.http->stop();
  }
  if (p.master) {
    application::stop_master(*p.rt, *p.master);
  }
  p.rt->shutdown();
  p.io->stop();
}

std::uint16_t node::port() const noexcept {
  return parts_->http ? parts_->http->port() : 0;
}

std::string node::url() const {
  const std::string& host = parts_->options.address;
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port());
}

const std::string& node::admin_token() const noexcept {
  return parts_->admin_token;
}
const boot_progress& node::boot() const noexcept {
  return parts_->boot;
}
const service_stats& node::stats() const noexcept {
  return parts_->stats;
}
otter::runtime& node::runtime() noexcept {
  return *parts_->rt;
}
const notifier::env& node::env() const noexcept {
  return parts_->env;
}

}  // namespace notifier
