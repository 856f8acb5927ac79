// Supervisor and DynamicSupervisor edges: a bad spec or bad options stop the new supervisor
// process (start_link returns the reason and the trapping caller gets the EXIT); a start that
// returns {:error, {:already_started, pid}} keeps the child record in start_child's error; a
// temporary child added by start_child keeps no arguments ({m, f, :undefined}); a stray
// message to a Supervisor is logged as text (no report); a DynamicSupervisor lists its
// children in the order their pids were made (a restarted child last), reports a stray
// message as {DynamicSupervisor, :unexpected_msg}, and crashes on an unknown call with
// :function_clause. Trace recorded from Elixir 1.14 / OTP 25 with the suite's trace helper:
//
//   T.start()
//   Process.flag(:trap_exit, true)
//   T.log("start_link duplicate ids", Supervisor.start_link([T.Worker.child_spec(:a),
//     T.Worker.child_spec(:a)], strategy: :one_for_one))
//   T.log("caller gets", T.recv())
//   T.log("start_link max_restarts -1",
//     Supervisor.start_link([], strategy: :one_for_one, max_restarts: -1))
//   T.log("caller gets", T.recv())
//   {:ok, sup} = Supervisor.start_link([], strategy: :one_for_one)
//   T.name(sup, "sup")
//   taken = spawn(fn -> Process.sleep(:infinity) end)
//   T.name(taken, "taken")
//   dup = %{id: :dup, start: {Function, :identity, [{:error, {:already_started, taken}}]}}
//   T.log("start_child already_started", Supervisor.start_child(sup, dup))
//   {:ok, _} = Supervisor.start_child(sup,
//     Supervisor.child_spec(T.Worker.child_spec(:tmp), restart: :temporary))
//   T.log("get_childspec temporary", :supervisor.get_childspec(sup, :tmp))
//   {:ok, _} = Supervisor.start_child(sup,
//     Supervisor.child_spec(T.Worker.child_spec(:trn), restart: :transient))
//   T.log("get_childspec transient", :supervisor.get_childspec(sup, :trn))
//   T.capture_logs(true)
//   send(sup, :hello)
//   T.log("children after a stray message", T.Sup.children(sup))
//   T.capture_logs(false)
//   Supervisor.stop(sup)
//   T.log("caller gets", T.recv())
//   {:ok, dyn} = DynamicSupervisor.start_link(strategy: :one_for_one)
//   T.name(dyn, "dyn")
//   {:ok, _} = DynamicSupervisor.start_child(dyn, T.Worker.child_spec(:x))
//   {:ok, y} = DynamicSupervisor.start_child(dyn, T.Worker.child_spec(:y))
//   {:ok, _} = DynamicSupervisor.start_child(dyn, T.Worker.child_spec(:z))
//   T.log("which_children", DynamicSupervisor.which_children(dyn))
//   GenServer.cast(y, {:exit, :crash})
//   T.eventually(fn -> length(for {_, p, _, _} <- DynamicSupervisor.which_children(dyn),
//     p != y, do: p) == 3 end)
//   T.log("which_children after y restarted", DynamicSupervisor.which_children(dyn))
//   T.capture_logs(true)
//   send(dyn, :hello)
//   T.log("count_children", DynamicSupervisor.count_children(dyn))
//   for {_, p, _, _} <- DynamicSupervisor.which_children(dyn),
//     do: DynamicSupervisor.terminate_child(dyn, p)
//   T.log("unknown call", T.catching(fn -> GenServer.call(dyn, :what) end))
//   T.log("caller gets", T.recv())
//   T.log("end")

#include "otter/otp/dynamic_supervisor.hpp"

#include "conformance/supervisor_scenario.hpp"

#include <memory>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(start_link duplicate ids: {:error, {:start_spec, {:duplicate_child_name, :a}}}
caller gets: {:EXIT, #PID<pid1>, {:start_spec, {:duplicate_child_name, :a}}}
start_link max_restarts -1: {:error, {:supervisor_data, {:invalid_intensity, -1}}}
caller gets: {:EXIT, #PID<pid2>, {:supervisor_data, {:invalid_intensity, -1}}}
start_child already_started: {:error, {{:already_started, #PID<taken>}, {:child, :undefined, :dup, {Function, :identity, [{:error, {:already_started, #PID<taken>}}]}, :permanent, false, 5000, :worker, [Function]}}}
start tmp1
get_childspec temporary: {:ok, %{:id => :tmp, :modules => [T.Worker], :restart => :temporary, :shutdown => 5000, :significant => false, :start => {T.Worker, :start_link, :undefined}, :type => :worker}}
start trn1
get_childspec transient: {:ok, %{:id => :trn, :modules => [T.Worker], :restart => :transient, :shutdown => 5000, :significant => false, :start => {T.Worker, :start_link, [:trn]}, :type => :worker}}
children after a stray message: [{:trn, #PID<trn1>}, {:tmp, #PID<tmp1>}]
terminate trn1: :shutdown
terminate tmp1: :shutdown
caller gets: {:EXIT, #PID<sup>, :normal}
start x1
start y1
start z1
which_children: [{:undefined, #PID<x1>, :worker, [T.Worker]}, {:undefined, #PID<y1>, :worker, [T.Worker]}, {:undefined, #PID<z1>, :worker, [T.Worker]}]
terminate y1: :crash
start y2
which_children after y restarted: [{:undefined, #PID<x1>, :worker, [T.Worker]}, {:undefined, #PID<z1>, :worker, [T.Worker]}, {:undefined, #PID<y2>, :worker, [T.Worker]}]
LOG[error] report label={DynamicSupervisor, :unexpected_msg}
count_children: %{:active => 3, :specs => 3, :supervisors => 0, :workers => 3}
terminate x1: :shutdown
terminate z1: :shutdown
terminate y2: :shutdown
LOG[error] gen_server terminate name=#PID<dyn> last_message=:what reason={:function_clause, #Stacktrace}
LOG[error] proc_lib crash_report pid=#PID<dyn> registered_name=[] error_info={:error, :function_clause} ancestors=[#PID<main>]
unknown call: {:exit, {{:function_clause, #Stacktrace}, {GenServer, :call, [#PID<dyn>, :what, 5000]}}}
caller gets: {:EXIT, #PID<dyn>, {:function_clause, #Stacktrace}}
end
)";

/// {:ok, spec} / {:error, reason} of get_childspec.
term childspec_term(const otter::expected<child_spec>& r) {
  return r ? tuple(atoms::ok, to_term(*r)) : tuple(atoms::error, r.error().reason);
}

term dyn_children(const std::vector<dynamic_supervisor::child_info>& all) {
  std::vector<term> out;
  for (const auto& c : all) {
    out.push_back(c.to_term());
  }
  return term::list(std::move(out));
}

co<void> scenario(testing::trace& t) {
  test_worker::env e(t);
  std::unique_ptr<testing::log_capture> capture;
  trap_exit(true);
  std::vector<child_spec> twice{t_worker(e, a("a")), t_worker(e, a("a"))};
  t.log("start_link duplicate ids", to_term(co_await supervisor::start_link(std::move(twice))));
  t.log("caller gets", co_await testing::recv());
  supervisor::options bad_intensity;
  bad_intensity.max_restarts = -1;
  t.log("start_link max_restarts -1", to_term(co_await supervisor::start_link({}, bad_intensity)));
  t.log("caller gets", co_await testing::recv());

  start_result started = co_await supervisor::start_link({});
  const pid sup = t.name(*started, "sup");
  const pid taken = spawn([]() -> co<void> { co_await sleep(infinity); });
  t.name(taken, "taken");
  // %{id: :dup, start: {Function, :identity, [{:error, {:already_started, taken}}]}}
  const term returned = tuple(atoms::error, tuple(a("already_started"), taken));
  child_spec dup;
  dup.id = term(a("dup"));
  dup.mfa = tuple(a("Elixir.Function"), a("identity"), list(returned));
  dup.start = start_with([returned]() -> co<start_result> { co_return start_result_of(returned); });
  t.log("start_child already_started",
        supervisor::to_term(co_await supervisor::start_child(sup, dup)));
  (void)co_await supervisor::start_child(sup, t_worker(e, a("tmp"), restart::temporary));
  t.log("get_childspec temporary",
        childspec_term(co_await supervisor::get_childspec(sup, term(a("tmp")))));
  (void)co_await supervisor::start_child(sup, t_worker(e, a("trn"), restart::transient));
  t.log("get_childspec transient",
        childspec_term(co_await supervisor::get_childspec(sup, term(a("trn")))));
  capture = std::make_unique<testing::log_capture>(t);
  send(sup, term(a("hello")));
  t.log("children after a stray message", co_await children(sup));
  capture.reset();
  (void)co_await supervisor::stop(sup);
  t.log("caller gets", co_await testing::recv());

  start_result dyn_started = co_await dynamic_supervisor::start_link();
  const pid dyn = t.name(*dyn_started, "dyn");
  (void)co_await dynamic_supervisor::start_child(dyn, t_worker(e, a("x")));
  const pid y = *co_await dynamic_supervisor::start_child(dyn, t_worker(e, a("y")));
  (void)co_await dynamic_supervisor::start_child(dyn, t_worker(e, a("z")));
  t.log("which_children", dyn_children(co_await dynamic_supervisor::which_children(dyn)));
  stop_worker(y, a("crash"));
  (void)co_await testing::eventually([dyn, y]() -> co<term> {
    int others = 0;
    std::vector<dynamic_supervisor::child_info> now =
        co_await dynamic_supervisor::which_children(dyn);
    for (const auto& c : now) {
      others += c.child != y ? 1 : 0;
    }
    co_return term(others == 3);
  });
  t.log("which_children after y restarted",
        dyn_children(co_await dynamic_supervisor::which_children(dyn)));
  capture = std::make_unique<testing::log_capture>(t);
  send(dyn, term(a("hello")));
  t.log("count_children", (co_await dynamic_supervisor::count_children(dyn)).to_term());
  std::vector<dynamic_supervisor::child_info> left =
      co_await dynamic_supervisor::which_children(dyn);
  for (const auto& c : left) {
    (void)co_await dynamic_supervisor::terminate_child(dyn, c.child);
  }
  t.log("unknown call", co_await testing::catching([dyn]() -> co<term> {
          co_return co_await gen_server::call(dyn, a("what"));
        }));
  t.log("caller gets", co_await testing::recv());
  t.log("end");
}

TEST(ConformanceTest, SupervisorEdges) {
  quiet_logs quiet;
  expect_trace(expected, scenario);
}

}  // namespace
}  // namespace otter::conformance
