// Example 08: a GenServer: a key-value store with typed requests.
//
// A server is a class: `state` names the state its callbacks share, init builds it, and one
// handle_call / handle_cast overload per request type does the work. call() deduces the reply
// type from the handler, so `co_await call<kv>(store, kv::get{"a"})` is a std::optional<int>.
//
// The second half shows what OTP promises when things go wrong: a call that takes too long
// exits the caller with {:timeout, {GenServer, :call, ...}} (try_call returns it instead), and
// the late reply never shows up in the caller's mailbox; a handler that throws stops the server
// with the exception as its reason (and a crash report is logged), and the caller of that
// request gets the same reason.
//
// Expected output:
//   get a: 1
//   get missing: none
//   size after 2 puts and a cast: 3
//   slow call with a 50 ms timeout: {:timeout, {GenServer, :call, [#PID<..>, #Message<..>, 50]}}
//   (a request type without to_term() prints as #Message<its type>)
//   mailbox after the late reply: 0 messages
//   call that makes the server throw: {{%RuntimeError{message: "no such key: zz"}, #Stacktrace},
//   ...} server alive after the crash: false (and, on stderr, the server's terminate and crash
//   reports)

#include "otter/otp/gen_server.hpp"
#include "otter/otter.hpp"

#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace gen_server = otter::gen_server;

// [docs:gen_server-kv]
struct kv {
  using state = std::map<std::string, int>;

  struct put {
    std::string key;
    int value;
  };
  struct get {
    std::string key;
  };
  struct size {};
  struct must_get {  // throws for a missing key
    std::string key;
  };
  struct slow {};

  state init(state initial) { return initial; }

  void handle_cast(put p, state& s) { s[p.key] = p.value; }
  std::optional<int> handle_call(const get& g, const gen_server::from&, state& s) {
    auto it = s.find(g.key);
    return it == s.end() ? std::nullopt : std::optional<int>(it->second);
  }
  std::size_t handle_call(size, const gen_server::from&, state& s) { return s.size(); }
  int handle_call(const must_get& g, const gen_server::from&, state& s) {
    auto it = s.find(g.key);
    if (it == s.end()) {
      throw std::runtime_error("no such key: " + g.key);
    }
    return it->second;
  }
  // A coroutine handler: the server waits (and handles nothing else) while it sleeps.
  otter::co<int> handle_call(slow, const gen_server::from&, state&) {
    co_await otter::sleep(200);
    co_return 0;
  }
};
// [docs:gen_server-kv]

otter::co<void> demo() {
  kv::state initial{{"a", 1}};  // (GCC 12 rejects an initializer list inside co_await)
  otter::start_result started = co_await gen_server::start<kv>(initial);
  otter::pid store = *started;

  // Requests that hold strings are built in their own statement: GCC 12 relocates a braced
  // temporary inside a co_await bitwise, which breaks a std::string (clang is fine).
  kv::get get_a{"a"};
  std::optional<int> a = co_await gen_server::call<kv>(store, get_a);
  std::printf("get a: %d\n", a.value_or(-1));
  kv::get get_zz{"zz"};
  std::optional<int> missing = co_await gen_server::call<kv>(store, get_zz);
  std::printf("get missing: %s\n", missing ? "found" : "none");

  gen_server::cast<kv>(store, kv::put{"b", 2});
  gen_server::cast<kv>(store, kv::put{"c", 3});
  std::size_t n = co_await gen_server::call<kv>(store, kv::size{});  // casts came first
  std::printf("size after 2 puts and a cast: %zu\n", n);

  auto slow = co_await gen_server::try_call<kv>(store, kv::slow{}, 50);
  std::printf("slow call with a 50 ms timeout: %s\n", slow.error().reason.to_string().c_str());
  co_await otter::sleep(300);  // the server replies meanwhile: the reply is dropped
  std::printf("mailbox after the late reply: %zu messages\n", otter::self_info().message_queue_len);

  kv::must_get must_zz{"zz"};
  auto crash = co_await gen_server::try_call<kv>(store, must_zz);
  std::printf("call that makes the server throw: %s\n", crash.error().reason.to_string().c_str());
  std::printf("server alive after the crash: %s\n", otter::alive(store) ? "true" : "false");
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
