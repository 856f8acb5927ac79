// Example 01: spawn a process, send it a message, receive its reply.
//
// A process is a C++20 coroutine returning otter::co<T>. It has a pid and a mailbox; other
// processes talk to it only by sending messages (any movable C++ type). Returning from the
// body ends the process with exit reason `:normal`.
//
// runtime::run() is the bridge from main(): it spawns one process, blocks the calling thread
// until that process returns, and hands back its value.
//
// Expected output:
//   [main] spawned the greeter
//   [greeter] got a greet from main, name "world"
//   [main] reply: Hello, world!
//   [main] the greeter exited with :normal
//   [main] run() returned 13

#include "otter/otter.hpp"

#include <cstdio>
#include <string>

// [docs:hello-messages]
// Messages are plain structs; they are moved into the receiver's mailbox.
struct greet {
  otter::pid from;  // where to send the reply: a pid is a cheap value, copy it freely
  std::string name;
};
struct greeting {
  std::string text;
};
// [docs:hello-messages-end]

// [docs:hello-greeter]
// The greeter waits for one greet, answers it, and returns: exit reason :normal.
otter::co<void> greeter() {
  greet g = co_await otter::receive<greet>();
  std::printf("[greeter] got a greet from main, name \"%s\"\n", g.name.c_str());
  otter::send(g.from, greeting{"Hello, " + g.name + "!"});
}
// [docs:hello-greeter-end]

int main() {
  // [docs:hello-run]
  otter::runtime rt;  // one scheduler thread per core, started here, stopped by ~runtime

  // run() spawns the lambda as a process and waits for it (60 s by default).
  std::size_t length = rt.run([]() -> otter::co<std::size_t> {
    otter::pid p = otter::spawn(greeter);
    std::printf("[main] spawned the greeter\n");

    // A monitor tells us when (and why) the greeter exits: a down_msg arrives.
    otter::ref watch = otter::monitor(p);

    otter::send(p, greet{otter::self(), "world"});
    greeting reply = co_await otter::receive<greeting>();
    std::printf("[main] reply: %s\n", reply.text.c_str());

    otter::down_msg down = co_await otter::receive<otter::down_msg>();
    std::printf("[main] the greeter exited with %s\n", down.reason.to_string().c_str());

    co_return down.monitor == watch ? reply.text.size() : 0;
  });
  // [docs:hello-run-end]

  std::printf("[main] run() returned %zu\n", length);
  return length == 13 ? 0 : 1;
}
