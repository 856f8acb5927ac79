// Scenario 28_genserver_deferred_reply: handle_call may return noreply and answer later with
// gen_server::reply(from, value) from any process; several callers can be parked; reply may
// also be sent from inside the callback before it returns; reply returns :ok.

#include "otter/otp/gen_server.hpp"
#include "otter/otp/sys.hpp"

#include "conformance/scenario.hpp"

#include <algorithm>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(parked callers: 1
parked callers: 2
parked callers: 3
results sorted by caller: [{:caller_done, 1, {:released, 2}}, {:caller_done, 2, {:released, 1}}, {:caller_done, 3, {:released, 0}}]
reply before returning: :early_reply
GenServer.reply/2 returned: :ok
end
)";

struct barrier {
  struct state {
    testing::trace* t;
    std::size_t need;
    std::vector<gen_server::from> waiting;  // newest first, as the Elixir list
    term reply_result;
  };
  using result = gen_server::call_result<term>;
  state init(testing::trace* t, std::size_t need) { return {t, need, {}, term()}; }
  result handle_call(const term& req, const gen_server::from& from, state& s) {
    if (req.is(a("wait"))) {
      s.waiting.insert(s.waiting.begin(), from);
      s.t->log("parked callers", static_cast<std::int64_t>(s.waiting.size()));
      if (s.waiting.size() == s.need) {
        for (std::size_t i = 0; i < s.waiting.size(); ++i) {
          gen_server::from f = s.waiting[i];
          spawn([f, i]() -> co<void> {
            gen_server::reply(f, tuple(a("released"), static_cast<std::int64_t>(i)));
            co_return;
          });
        }
        s.waiting.clear();
      }
      return result::noreply();
    }
    s.reply_result = gen_server::reply(from, term(a("early_reply")));  // :reply_then_continue
    return result::noreply();
  }
};

co<void> scenario_28(testing::trace& t) {
  start_result started = co_await gen_server::start_link<barrier>(&t, std::size_t{3});
  pid b = t.name(*started, "barrier");
  pid main = self();
  for (std::int64_t i = 1; i <= 3; ++i) {
    pid c = spawn([b, main, i]() -> co<void> {
      term r = co_await gen_server::call(b, a("wait"));
      send(main, tuple(a("caller_done"), i, r));
    });
    t.name(c, "caller" + std::to_string(i));
    auto parked = [b, i]() -> co<term> {
      barrier::state s = co_await sys::get_state<barrier::state>(b);
      co_return term(static_cast<std::int64_t>(s.waiting.size()) == i || i == 3);
    };
    (void)co_await testing::eventually(parked);
  }
  std::vector<term> results;
  for (int i = 0; i < 3; ++i) {
    results.push_back(co_await testing::recv());
  }
  std::sort(results.begin(), results.end());
  t.log("results sorted by caller", term::list(results));
  t.log("reply before returning", co_await gen_server::call(b, a("reply_then_continue")));
  barrier::state s = co_await sys::get_state<barrier::state>(b);
  t.log("GenServer.reply/2 returned", s.reply_result);
  t.log("end");
}

TEST(ConformanceTest, GenServerDeferredReply28) {
  expect_trace(expected, scenario_28);
}

}  // namespace
}  // namespace otter::conformance
