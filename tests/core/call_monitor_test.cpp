// The monitor of a call (message.hpp, call_return; docs/design/signals.md): the request
// carries the caller's monitor, and the server's own reply ends it on both sides without a
// demonitor signal. A reply from anyone else, a dead server and a server that dies holding
// the request behave as with a separate monitor.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

namespace otter {
namespace {

using test_support::a;

class CallMonitorTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(CallMonitorTest);

struct request {
  pid caller;
  ref tag;
  int n = 0;
};

/// Sends `n` to `server` as a call from the calling process; returns the call's ref.
ref send_request(pid server, int n) {
  ref tag = alias();
  pid me = self();
  detail::send_call(
      detail::current_checked("test"), server,
      detail::node_ptr(new detail::call_node<request>({me, tag}, request{me, tag, n})));
  return tag;
}

TEST_P(CallMonitorTest, TheRequestMonitorsTheServerUntilItsReply) {
  run([]() -> co<void> {
    pid server = spawn([]() -> co<void> {
      request r = co_await receive<request>();
      EXPECT_EQ(self_info().monitored_by, std::vector<pid>{r.caller});
      send_to_alias(r.caller, r.tag, r.n + 1);
      // The reply ended the watcher at once: no demonitor is needed to forget the caller.
      EXPECT_TRUE(self_info().monitored_by.empty());
    });
    ref tag = send_request(server, 41);
    EXPECT_EQ(self_info().monitors.size(), 1U);
    EXPECT_EQ(co_await receive<int>(), 42);
    EXPECT_TRUE(self_info().monitors.empty());
    EXPECT_FALSE(demonitor(tag, {.info = true}));  // nothing was left to end
    EXPECT_TRUE(unalias(tag));
  });
}

TEST_P(CallMonitorTest, AReplyFromAnotherProcessLeavesTheMonitorToDemonitor) {
  run([]() -> co<void> {
    pid helper = spawn([]() -> co<void> {
      request r = co_await receive<request>();
      send_to_alias(r.caller, r.tag, r.n + 1);
    });
    pid server = spawn([helper]() -> co<void> {
      request r = co_await receive<request>();
      send(helper, r);  // GenServer.reply from elsewhere
      (void)co_await receive<atom>();
    });
    ref tag = send_request(server, 1);
    EXPECT_EQ(co_await receive<int>(), 2);
    EXPECT_EQ(self_info().monitors.size(), 1U);
    std::optional<process_info_t> before = co_await process_info(server);
    EXPECT_EQ(before->monitored_by, std::vector<pid>{self()});
    EXPECT_TRUE(demonitor(tag, {.info = true}));
    std::optional<process_info_t> after = co_await process_info(server);
    EXPECT_TRUE(after->monitored_by.empty());
    send(server, a("stop"));
  });
}

TEST_P(CallMonitorTest, ARequestToADeadServerGetsADownNoproc) {
  run([]() -> co<void> {
    pid server = spawn([]() -> co<void> { co_return; });
    ref watch = monitor(server);
    (void)co_await receive<down_msg>();
    EXPECT_FALSE(demonitor(watch, {.info = true}));
    ref tag = send_request(server, 1);
    down_msg d = co_await receive<down_msg>();
    EXPECT_EQ(d.monitor, tag);
    EXPECT_EQ(d.object, term(server));
    EXPECT_EQ(d.reason, term(atoms::noproc));
    EXPECT_TRUE(self_info().monitors.empty());
  });
}

TEST_P(CallMonitorTest, AServerThatDiesHoldingTheRequestSendsItsReason) {
  run([]() -> co<void> {
    pid server = spawn([]() -> co<void> {
      (void)co_await receive<request>();
      otter::exit(a("boom"));
    });
    ref tag = send_request(server, 1);
    down_msg d = co_await receive<down_msg>();
    EXPECT_EQ(d.monitor, tag);
    EXPECT_EQ(d.reason, term(a("boom")));
  });
}

}  // namespace
}  // namespace otter
