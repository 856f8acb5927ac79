// The fixture of the HTTP server tests: a threaded Otter runtime (2 schedulers), one I/O
// thread, an in-memory backend and a server on a loopback port picked by the system; plus a
// gate that holds request processes inside a backend call until the test opens it.
//
// Nothing here sleeps to synchronise: tests wait for conditions (a process reaching the gate,
// a response) with deadlines.

#pragma once

#include "notifier/http/server.hpp"
#include "notifier/io/io_runner.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/runtime.hpp"

#include "support/http_test_client.hpp"
#include "support/memory_backend.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace notifier::testing {

inline constexpr std::string_view admin_token = "admin-secret";

[[nodiscard]] inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

/// Holds request processes inside a backend call (memory_backend's hook) until open().
class gate {
public:
  struct release {};

  /// The hook: for `call`, the process records itself and waits for open(); other calls pass.
  memory_backend::hook hook_for(std::string call) {
    return [this, call = std::move(call)](std::string_view c) -> otter::co<void> {
      return pass_or_wait(c == call);
    };
  }

  /// Waits until `n` processes wait at the gate (false after `timeout`).
  bool wait_for_waiters(std::size_t n,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return waiting_.size() >= n; });
  }

  /// The processes waiting at the gate, in arrival order.
  std::vector<otter::pid> waiters() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_;
  }

  /// Lets every waiting process go on.
  void open(otter::runtime& rt) {
    for (otter::pid p : waiters()) {
      rt.send(p, release{});
    }
  }

private:
  otter::co<void> pass_or_wait(bool wait) {
    if (!wait) {
      co_return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      waiting_.push_back(otter::self());
    }
    cv_.notify_all();
    co_await otter::receive<release>();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<otter::pid> waiting_;
};

class HttpServerTest : public ::testing::Test {
protected:
  HttpServerTest() : rt_(otter::runtime_options{.schedulers = 2}), io_(1) {}

  void SetUp() override { start_server({}); }

  void TearDown() override {
    gate_.open(rt_);  // processes a test left at the gate
    if (server_) {
      server_->stop();
    }
    rt_.shutdown();
  }

  /// (Re)starts the server with `options` (admin_token defaults to admin_token above).
  void start_server(server_options options) {
    if (server_) {
      server_->stop();
      server_.reset();
    }
    if (options.admin_token.empty()) {
      options.admin_token = std::string(admin_token);
    }
    server_ = std::make_unique<http_server>(rt_, io_, backend_, std::move(options));
  }

  [[nodiscard]] std::unique_ptr<http_test_client> connect() const {
    return std::make_unique<http_test_client>(server_->port());
  }

  /// Creates a user through the API and returns its token.
  std::string create_user(std::string_view name) {
    http_test_client c(server_->port());
    nlohmann::json body{{"name", name}};
    auto r = c.request("POST", "/users", body.dump(), admin_token);
    EXPECT_EQ(r.status, 201U) << r.body;
    return r.json.value("token", "");
  }

  /// Creates a task through the API and returns its id.
  std::int64_t create_task(std::string_view token, std::string_view title) {
    http_test_client c(server_->port());
    nlohmann::json body{{"title", title}};
    auto r = c.request("POST", "/tasks", body.dump(), token);
    EXPECT_EQ(r.status, 201U) << r.body;
    return r.json.value("id", std::int64_t{0});
  }

  otter::runtime rt_;
  io_runner io_;
  memory_backend backend_;
  gate gate_;
  std::unique_ptr<http_server> server_;
};

}  // namespace notifier::testing
