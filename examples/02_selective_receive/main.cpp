// Example 02: selective receive: typed clauses, guards, timeouts, messages left for later.
//
// receive(clauses...) scans the mailbox from the oldest message. The first message that some
// clause accepts is taken (for each message the clauses are tried in order); a message that no
// clause accepts is NOT dropped: it stays in the mailbox, in order, for a later receive.
// after(t, f) ends the wait after t (after(0, f) polls without waiting).
//
// Expected output:
//      mailbox: [%Job{id: 1, urgent: false}, %Note{text: "hello"}, %Job{id: 2, urgent: true},
//                %Job{id: 3, urgent: false}, 42]        (one line)
//   1. guard: took urgent job 2
//   2. two clauses: took job 1 (older than the note, although the note clause comes first)
//   3. after(0): nothing
//   4. after(50ms): timed out; the late note is still on its way
//   5. no after: got the late note
//   6. receive_for<int>: 42
//      mailbox: [%Note{text: "hello"}, %Job{id: 3, urgent: false}]
//   7. receive_any drained: %Note{text: "hello"}, %Job{id: 3, urgent: false}

#include "otter/otter.hpp"

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

using namespace std::chrono_literals;

// A to_term() member is optional; it makes a message printable (process_info, traces).
struct job {
  int id;
  bool urgent;
  [[nodiscard]] otter::term to_term() const {
    return otter::term::structure("Job",
                                  {{otter::atom("id"), id}, {otter::atom("urgent"), urgent}});
  }
};
struct note {
  std::string text;
  [[nodiscard]] otter::term to_term() const {
    return otter::term::structure("Note", {{otter::atom("text"), text}});
  }
};

// Prints the calling process's mailbox (process_info's :messages, oldest first).
void show_mailbox() {
  std::string line;
  for (const otter::term& m : otter::self_info().messages) {
    line += (line.empty() ? "" : ", ") + m.to_string();
  }
  std::printf("   mailbox: [%s]\n", line.c_str());
}

otter::co<void> demo() {
  const otter::pid me = otter::self();
  // Messages from one sender (here: ourselves) arrive in the order they were sent.
  otter::send(me, job{1, false});
  otter::send(me, note{"hello"});
  otter::send(me, job{2, true});
  otter::send(me, job{3, false});
  otter::send(me, 42);
  show_mailbox();

  // [docs:selective-guard]
  // 1. A guard: the first *urgent* job, wherever it is in the mailbox.
  int urgent = co_await otter::receive(
      otter::on<job>([](const job& j) { return j.urgent; }, [](job& j) { return j.id; }));
  std::printf("1. guard: took urgent job %d\n", urgent);
  // [docs:selective-guard-end]

  // [docs:selective-order]
  // 2. Several clauses: the oldest acceptable message wins, not the first clause.
  std::string taken =
      co_await otter::receive(otter::on<note>([](note& n) { return "note " + n.text; }),
                              otter::on<job>([](job& j) { return "job " + std::to_string(j.id); }));
  std::printf(
      "2. two clauses: took %s (older than the note, although the note clause comes first)\n",
      taken.c_str());
  // [docs:selective-order-end]

  // [docs:selective-after]
  // 3. after(0): look once, never wait.
  std::string polled =
      co_await otter::receive(otter::on<std::string>([](std::string& s) { return s; }),
                              otter::after(0, [] { return std::string("nothing"); }));
  std::printf("3. after(0): %s\n", polled.c_str());

  // 4. after(50ms): a helper sends a note in 150 ms; we give up after 50 ms.
  otter::spawn([me]() -> otter::co<void> {
    co_await otter::sleep(150ms);
    otter::send(me, note{"late"});
  });
  auto is_late = [](const note& n) {
    return n.text == "late";
  };
  bool got = co_await otter::receive(otter::on<note>(is_late, [](note&) { return true; }),
                                     otter::after(50ms, [] { return false; }));
  std::printf("4. after(50ms): %s\n",
              got ? "got it" : "timed out; the late note is still on its way");
  // [docs:selective-after-end]

  // 5. Without after(), the receive waits as long as it takes.
  note late = co_await otter::receive(otter::on<note>(is_late, [](note& n) { return n; }));
  std::printf("5. no after: got the %s note\n", late.text.c_str());

  // 6. Typed helpers: receive_for<T>(timeout) returns std::optional<T>.
  std::optional<int> n = co_await otter::receive_for<int>(100ms);
  std::printf("6. receive_for<int>: %d\n", n.value_or(-1));

  // 7. What no clause took is still here, in order; receive_any takes anything.
  show_mailbox();
  std::string drained;
  while (std::optional<otter::message> m = co_await otter::receive_any(0)) {
    drained += (drained.empty() ? "" : ", ") + m->to_term().to_string();
  }
  std::printf("7. receive_any drained: %s\n", drained.c_str());
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
