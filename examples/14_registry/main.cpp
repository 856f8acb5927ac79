// Example 14: Registry, processes found by key.
//
// A registry maps keys to the processes that registered them. Here a unique registry names
// chat rooms (GenServers started with the name {:via, Registry, {Rooms, "lobby"}}), and a
// duplicate registry is a pub/sub: every member of a room registers under the room's topic,
// and dispatch sends to all of them. An entry vanishes when its process exits, before anyone
// hears of the exit, so a lookup never returns a process whose DOWN you already have.
//
// Expected output:
//   room lobby: 0 messages
//   a second room named lobby: already started
//   members of lobby: ["ada", "bob", "cy"]
//   ada got "hello"
//   bob got "hello"
//   cy got "hello"
//   room lobby: 1 messages
//   members with a two-letter name: 1
//   bob left; members now: ["ada", "cy"]
//   room lobby stopped; whereis: none; entries: 0

#include "otter/otp/gen_server.hpp"
#include "otter/otp/registry.hpp"
#include "otter/otter.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

otter::atom rooms() {
  static const otter::atom name("Elixir.Rooms");
  return name;
}
otter::atom topics() {
  static const otter::atom name("Elixir.Topics");
  return name;
}

// A room counts the messages posted to it.
struct room {
  using state = int;
  struct post {};
  struct count {};
  state init() { return 0; }
  void handle_cast(post, int& n) { ++n; }
  int handle_call(count, const otter::gen_server::from&, int& n) { return n; }
};

// A member subscribes to a room's topic (its value is its name) and reports what it receives.
otter::co<void> member(otter::pid parent, std::string name, std::string topic) {
  (void)otter::registry::register_key(topics(), topic, name);
  otter::send(parent, otter::atom("joined"));
  for (;;) {
    otter::term m = co_await otter::receive<otter::term>();
    if (m.is(otter::atom("leave"))) {
      co_return;
    }
    otter::send(parent, name + " got " + m.to_string());
  }
}

std::vector<std::string> members(const std::string& topic) {
  std::vector<std::string> names;
  for (const auto& e : otter::registry::lookup(topics(), topic)) {
    names.emplace_back(e.value.as_string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string show(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += (out.empty() ? "\"" : ", \"") + n + "\"";
  }
  return "[" + out + "]";
}

otter::co<void> demo() {
  // [docs:registry-start]
  otter::registry::options rooms_opts{
      .keys = otter::registry::kind::unique, .name = rooms(), .partitions = 2};
  otter::registry::options topics_opts{
      .keys = otter::registry::kind::duplicate, .name = topics(), .partitions = 2};
  (void)co_await otter::registry::start_link(rooms_opts);
  (void)co_await otter::registry::start_link(topics_opts);
  // [docs:registry-start-end]

  // [docs:registry-via]
  const otter::server_ref lobby = otter::registry::via(rooms(), "lobby");
  otter::gen_server::start_options opts;
  opts.name = lobby;
  otter::start_result r = co_await otter::gen_server::start<room>(opts);
  int n = co_await otter::gen_server::call<room>(lobby, room::count{});
  std::printf("room lobby: %d messages\n", n);
  // [docs:registry-via-end]
  otter::start_result again = co_await otter::gen_server::start<room>(opts);
  std::printf("a second room named lobby: %s\n",
              !again && again.error().code == otter::errc::already_started ? "already started"
                                                                           : "started?");

  std::vector<otter::pid> ms;
  for (const char* name : {"ada", "bob", "cy"}) {
    ms.push_back(otter::spawn(member, otter::self(), std::string(name), std::string("lobby")));
    co_await otter::receive<otter::atom>();
  }
  std::printf("members of lobby: %s\n", show(members("lobby")).c_str());

  // [docs:registry-dispatch]
  // Broadcast: the function runs in this process, once per partition holding entries.
  auto broadcast = [](const std::vector<otter::registry::entry>& entries) {
    for (const auto& e : entries) {
      otter::send(e.owner, otter::term("hello"));
    }
  };
  (void)otter::registry::dispatch(topics(), "lobby", broadcast);
  (void)otter::gen_server::cast<room>(lobby, room::post{});
  // [docs:registry-dispatch-end]
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    got.push_back(co_await otter::receive<std::string>());
  }
  std::sort(got.begin(), got.end());
  for (const auto& line : got) {
    std::printf("%s\n", line.c_str());
  }
  n = co_await otter::gen_server::call<room>(lobby, room::count{});
  std::printf("room lobby: %d messages\n", n);

  auto two_letters = [](const otter::term& v) {
    return v.as_string().size() == 2;
  };
  std::printf("members with a two-letter name: %lld\n",
              static_cast<long long>(otter::registry::count_match(topics(), "lobby", two_letters)));

  // [docs:registry-exit]
  // bob leaves: by the time its DOWN arrives, its entry is gone.
  otter::ref mon = otter::monitor(ms[1]);
  otter::send(ms[1], otter::term(otter::atom("leave")));
  co_await otter::receive(otter::on<otter::down_msg>([](otter::down_msg&) {}));
  std::printf("bob left; members now: %s\n", show(members("lobby")).c_str());
  // [docs:registry-exit-end]
  (void)mon;

  (void)co_await otter::gen_server::stop(lobby);
  std::printf("room lobby stopped; whereis: %s; entries: %lld\n",
              otter::gen_server::whereis(lobby).is_null() ? "none" : "still there",
              static_cast<long long>(otter::registry::count(rooms())));
  for (otter::pid m : ms) {
    otter::send(m, otter::term(otter::atom("leave")));
  }
  (void)r;
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
