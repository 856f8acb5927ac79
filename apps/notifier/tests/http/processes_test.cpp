// The request processes: one per request, suspended (not blocking a thread) while the backend
// works, and answering 500 however they end badly.

#include "otter/core/logger.hpp"

#include "http/server_test_fixture.hpp"

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace notifier::testing {
namespace {

/// Collects the runtime's error reports while alive (and keeps them out of the test output).
class report_collector {
public:
  report_collector() {
    previous_ = otter::set_log_sink([this](const otter::log_event& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
      cv_.notify_all();
    });
  }
  report_collector(const report_collector&) = delete;
  report_collector& operator=(const report_collector&) = delete;
  ~report_collector() { otter::set_log_sink(previous_); }

  /// The first report of `kind`, waiting for it up to 10 s.
  std::optional<otter::log_event> wait_for(std::string_view kind) {
    std::unique_lock<std::mutex> lock(mu_);
    std::optional<otter::log_event> found;
    cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const auto& e : events_) {
        if (e.kind == kind) {
          found = e;
          return true;
        }
      }
      return false;
    });
    return found;
  }

private:
  otter::log_sink previous_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<otter::log_event> events_;
};

const otter::term* field(const otter::log_event& e, std::string_view name) {
  for (const auto& [k, v] : e.fields) {
    if (k == name) {
      return &v;
    }
  }
  return nullptr;
}

// The hook throws inside find_task: the client gets a 500 at once, the runtime reports the
// process's crash with the exception as its exit reason, and the connection serves the next
// request.
TEST_F(HttpServerTest, AHandlerThatThrowsAnswers500AndTheServerGoesOn) {
  report_collector reports;
  auto token = create_user("ada");
  std::mutex mu;
  otter::pid thrower;
  backend_.set_hook([&](std::string_view call) -> otter::co<void> {
    if (call == "find_task") {
      {
        std::lock_guard<std::mutex> lock(mu);
        thrower = otter::self();
      }
      throw std::runtime_error("boom in find_task");
    }
    co_return;
  });
  http_test_client c(server_->port());
  auto r = c.request("GET", "/tasks/1", "", token);
  EXPECT_EQ(r.status, 500U);
  EXPECT_EQ(r.error_code(), "internal");
  EXPECT_EQ(r.json["error"]["message"], "internal error") << "no internals leak";
  EXPECT_TRUE(r.keep_alive);

  auto report = reports.wait_for("emulator error_in_process");
  ASSERT_TRUE(report.has_value());
  const otter::term* who = field(*report, "pid");
  const otter::term* reason = field(*report, "reason");
  ASSERT_TRUE(who != nullptr && reason != nullptr);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(*who, otter::term(thrower));
  }
  EXPECT_TRUE(contains(reason->to_string(), "boom in find_task")) << reason->to_string();

  backend_.set_hook({});
  EXPECT_EQ(c.request("GET", "/tasks", "", token).status, 200U);
}

// A request process killed while it waits in the backend cannot answer itself: the responder
// in its frame answers 500 when the frame is destroyed.
TEST_F(HttpServerTest, AKilledHandlerStillAnswers500) {
  auto token = create_user("ada");
  backend_.set_hook(gate_.hook_for("find_task"));
  http_test_client c(server_->port());
  c.send("GET", "/tasks/1", "", token);
  ASSERT_TRUE(gate_.wait_for_waiters(1));
  rt_.exit(gate_.waiters().front(), otter::term(otter::atoms::kill));
  auto r = c.receive();
  EXPECT_EQ(r.status, 500U);
  EXPECT_EQ(r.error_code(), "internal");
}

// Eight requests wait inside the backend (more than the runtime's scheduler and blocking
// threads, and the server has one I/O thread): their processes are suspended, so a request on
// another connection is served meanwhile; then the eight are answered.
TEST_F(HttpServerTest, SlowBackendCallsDoNotBlockOtherConnections) {
  auto token = create_user("ada");
  auto id = create_task(token, "Pay rent");
  backend_.set_hook(gate_.hook_for("list_tasks"));
  std::vector<std::unique_ptr<http_test_client>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(connect());
    slow.back()->send("GET", "/tasks", "", token);
  }
  ASSERT_TRUE(gate_.wait_for_waiters(8));

  http_test_client fast(server_->port());
  EXPECT_EQ(fast.request("GET", "/tasks/" + std::to_string(id), "", token).status, 200U);
  EXPECT_EQ(fast.request("POST", "/tasks", R"({"title":"meanwhile"})", token).status, 201U);
  EXPECT_EQ(fast.request("GET", "/health").status, 200U);
  EXPECT_FALSE(slow.front()->readable_within(std::chrono::milliseconds(0)));

  gate_.open(rt_);
  for (auto& c : slow) {
    auto r = c->receive();
    EXPECT_EQ(r.status, 200U);
    EXPECT_EQ(r.json["tasks"].size(), 2U);
  }
}

// A handler that has not answered within request_timeout is answered for (503 "timeout") and
// the connection closes; its own answer, when it comes, is dropped, and the server goes on.
TEST_F(HttpServerTest, AHandlerSlowerThanTheRequestTimeoutGets503) {
  server_options options;
  options.request_timeout = std::chrono::milliseconds(300);
  start_server(options);
  auto token = create_user("ada");
  backend_.set_hook(gate_.hook_for("find_task"));
  http_test_client c(server_->port());
  c.send("GET", "/tasks/1", "", token);
  ASSERT_TRUE(gate_.wait_for_waiters(1));
  auto r = c.receive();
  EXPECT_EQ(r.status, 503U);
  EXPECT_EQ(r.error_code(), "timeout");
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.closed_by_server());

  gate_.open(rt_);
  backend_.set_hook({});
  http_test_client next(server_->port());
  EXPECT_EQ(next.request("GET", "/tasks", "", token).status, 200U);
}

}  // namespace
}  // namespace notifier::testing
