// Example 05: registered names and monitors.
//
// A name (an atom) stands for a pid: register_name / whereis / send(name, msg). The name dies
// with the process, so a restarted server can take it again and clients keep using the name.
// A monitor is a one-way watch: the watcher gets one down_msg with the exit reason when the
// target exits, and (unlike a link) is never killed by it. Monitoring a name watches whichever
// process has it now; the DOWN then names it as {name, :nonode@nohost}.
//
// Expected output:
//   whereis(:kv) is the server: true; registered_name: :kv
//   get "answer" by name: 42
//   DOWN by name: {:DOWN, #Ref<by_name>, :process, {:kv, :nonode@nohost}, :maintenance}
//   DOWN by pid:  {:DOWN, #Ref<by_pid>, :process, #PID<kv>, :maintenance}
//   after the exit: whereis(:kv) is null: true; try_send: false
//   send(:kv, ...) raised error :badarg
//   monitor of a dead pid: {:DOWN, #Ref<late>, :process, #PID<kv>, :noproc}

#include "otter/otter.hpp"

#include <cstdio>
#include <map>
#include <optional>
#include <string>

struct put {
  std::string key;
  int value;
};
struct get {
  otter::pid from;
  std::string key;
};
struct reply {
  std::optional<int> value;
};

std::optional<int> lookup(const std::map<std::string, int>& data, const std::string& key) {
  auto it = data.find(key);
  return it == data.end() ? std::nullopt : std::optional<int>(it->second);
}

// A tiny key-value server: it only answers put and get, forever.
otter::co<void> kv_server() {
  std::map<std::string, int> data;
  for (;;) {
    co_await otter::receive(
        otter::on<put>([&](put& p) { data[p.key] = p.value; }),
        otter::on<get>([&](get& g) { otter::send(g.from, reply{lookup(data, g.key)}); }));
  }
}

otter::co<void> demo() {
  const otter::atom kv("kv");
  otter::pid server = otter::spawn(kv_server);

  // [docs:names-register]
  otter::register_name(kv, server);
  std::printf(
      "whereis(:kv) is the server: %s; registered_name: %s\n",
      otter::whereis(kv) == server ? "true" : "false",
      otter::term(otter::registered_name(server).value_or(otter::atoms::nil)).to_string().c_str());

  otter::send(kv, put{"answer", 42});  // by name: looked up at each send
  otter::send(kv, get{otter::self(), "answer"});
  reply r = co_await otter::receive<reply>();
  std::printf("get \"answer\" by name: %d\n", r.value.value_or(-1));
  // [docs:names-register-end]

  // [docs:monitors-down]
  otter::ref by_name = otter::monitor(kv);
  otter::ref by_pid = otter::monitor(server);

  // An exit signal with a reason other than :normal or :kill kills a process that does not
  // trap exits, with that reason. Both monitors fire with it.
  otter::exit(server, otter::atom("maintenance"));
  auto down_of = [](otter::ref m) {
    return otter::receive(
        otter::on<otter::down_msg>([m](const otter::down_msg& d) { return d.monitor == m; },
                                   [](otter::down_msg& d) { return d; }));
  };
  otter::down_msg d1 = co_await down_of(by_name);
  otter::down_msg d2 = co_await down_of(by_pid);
  // [docs:monitors-down-end]

  // Pids and refs print as numbers that vary between runs; a term_printer gives them names.
  otter::ref late;
  otter::term_printer names{
      .pid_name = [&](otter::pid p) { return std::string(p == server ? "kv" : "?"); },
      .ref_name =
          [&](otter::ref m) {
            return std::string(m == by_name ? "by_name" : m == by_pid ? "by_pid" : "late");
          }};
  std::printf("DOWN by name: %s\n", otter::to_string(d1.to_term(), names).c_str());
  std::printf("DOWN by pid:  %s\n", otter::to_string(d2.to_term(), names).c_str());

  // The name went with the process.
  bool sent = otter::try_send(kv, get{otter::self(), "answer"});
  std::printf("after the exit: whereis(:kv) is null: %s; try_send: %s\n",
              otter::whereis(kv).is_null() ? "true" : "false", sent ? "true" : "false");
  try {
    otter::send(kv, get{otter::self(), "answer"});  // Erlang raises badarg here; so do we
  } catch (const otter::error_exception& e) {
    // Uncaught, this would end the process with {:badarg, #Stacktrace}.
    std::printf("send(:kv, ...) raised error %s\n", e.reason().to_string().c_str());
  }

  // Monitoring something already dead is not an error: the DOWN comes at once, with :noproc.
  late = otter::monitor(server);
  otter::down_msg d3 = co_await down_of(late);
  std::printf("monitor of a dead pid: %s\n", otter::to_string(d3.to_term(), names).c_str());
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
