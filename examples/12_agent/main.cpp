// Example 12: Agent, a process that holds a value.
//
// An agent keeps one value (here a word count) and changes it only through the functions it
// is sent: get reads, update replaces, get_and_update does both at once, cast updates without
// waiting. Each function runs INSIDE the agent process, one at a time, so concurrent clients
// never see a half-done update, and no lock is needed. The agent is a GenServer underneath:
// calls have a timeout, a dead agent makes them fail with :noproc, and a function that raises
// crashes the agent (not the client that sent it, which exits unless it uses the try_ forms).
//
// Expected output:
//   counted by 3 clients: and=3 cat=3 the=6
//   most frequent, now removed: the (6)
//   left: and=3 cat=3
//   a slow get with a 10 ms timeout: {:timeout, {GenServer, :call, [:words, {:get, #Fun}, 10]}}
//   the agent still answers: 2 words
//   stop: :ok; get after stop fails with: noproc

#include "otter/otp/agent.hpp"
#include "otter/otter.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>

using counts = std::map<std::string, int>;

std::string show(const counts& c) {
  std::string out;
  for (const auto& [word, n] : c) {
    out += (out.empty() ? "" : " ") + word + "=" + std::to_string(n);
  }
  return out;
}

// A client counts the words of one line. cast returns at once; the agent applies the
// function later, in the order the casts arrived.
otter::co<void> client(otter::pid parent, std::string line) {
  auto count_line = [line](counts c) {
    std::istringstream in(line);
    for (std::string w; in >> w;) {
      ++c[w];
    }
    return c;
  };
  otter::agent::cast<counts>(otter::atom("words"), count_line);
  otter::send(parent, otter::atom("done"));
  co_return;
}

otter::co<void> demo() {
  const otter::atom words("words");
  // [docs:agent-start]
  // The start function runs in the new agent; its result is the state (and fixes its type).
  otter::start_result a =
      co_await otter::agent::start_link([] { return counts{}; }, {.name = words});
  // [docs:agent-start-end]

  for (const char* line : {"the cat and the", "the cat and the", "and the cat the"}) {
    otter::spawn(client, otter::self(), std::string(line));
  }
  for (int i = 0; i < 3; ++i) {
    co_await otter::receive<otter::atom>();
  }
  // A call queues behind the casts already sent by the clients (each client sent its cast
  // before telling us it was done).
  // [docs:agent-get]
  counts now = co_await otter::agent::get<counts>(words, [](const counts& c) { return c; });
  std::printf("counted by 3 clients: %s\n", show(now).c_str());
  // [docs:agent-get-end]

  // get_and_update: the reply and the new state come from one function, atomically.
  auto pop_top = [](counts c) {
    auto top = std::max_element(c.begin(), c.end(),
                                [](const auto& x, const auto& y) { return x.second < y.second; });
    std::pair<std::string, int> best = *top;
    c.erase(top);
    return std::pair(best, std::move(c));
  };
  auto [word, n] = co_await otter::agent::get_and_update<counts>(words, pop_top);
  std::printf("most frequent, now removed: %s (%d)\n", word.c_str(), n);
  now = co_await otter::agent::get<counts>(words, [](const counts& c) { return c; });
  std::printf("left: %s\n", show(now).c_str());

  // A function may be a coroutine; this one is slower than the caller's patience. try_get
  // returns the failure (get would exit the caller with the same reason). The reply that
  // comes later is dropped, and the agent carries on.
  auto slow_size = [](const counts& c) -> otter::co<std::size_t> {
    co_await otter::sleep(50);
    co_return c.size();
  };
  auto late = co_await otter::agent::try_get<counts>(words, slow_size, 10);
  std::printf("a slow get with a 10 ms timeout: %s\n", late.error().reason.to_string().c_str());
  std::size_t size =
      co_await otter::agent::get<counts>(words, [](const counts& c) { return c.size(); });
  std::printf("the agent still answers: %zu words\n", size);

  otter::atom stopped = co_await otter::agent::stop(words);
  auto gone = co_await otter::agent::try_get<counts>(*a, [](const counts& c) { return c; });
  std::printf("stop: %s; get after stop fails with: %s\n", otter::term(stopped).to_string().c_str(),
              std::string(otter::to_string(gone.error().code)).c_str());
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
