// Example 13: ETS-like shared tables.
//
// A table is shared by every process of the runtime: workers count words into one public
// table with update_counter (atomic per key, no server process in between), the owner reads
// the totals in key order from an ordered_set, a protected table refuses writes from others,
// and an heir inherits a table when its owner exits, with an ETS-TRANSFER message.
//
// Expected output:
//   counts: [{"a", 3}, {"b", 2}, {"c", 1}]
//   worker writing the protected table: {:error, :badarg}
//   heir got: {:"ETS-TRANSFER", :config, #PID<owner>, :take_care}
//   heir owns :config, which still holds [{:mode, :fast}]

#include "otter/ets.hpp"
#include "otter/otter.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace ets = otter::ets;

struct done {};

// [docs:ets-counters]
otter::co<void> count_words(ets::table counts, std::vector<std::string> words, otter::pid to) {
  for (const std::string& w : words) {
    // {word, 0} is inserted first when the word is new; then its count goes up by one.
    ets::update_counter(counts, otter::term(w), 1, otter::tuple(w, 0));
  }
  otter::send(to, done{});
  co_return;
}
// [docs:ets-counters-end]

std::string show(const otter::term& t, otter::pid owner) {
  otter::term_printer names;
  names.pid_name = [owner](otter::pid p) {
    return std::string(p == owner ? "owner" : "?");
  };
  return otter::to_string(t, names);
}

otter::co<void> demo() {
  const otter::pid me = otter::self();

  // A public table: every process may write it.
  ets::table counts = ets::new_table(otter::atom("counts"), {.access = ets::protection::public_});
  std::vector<std::string> first{"a", "b", "a"};
  std::vector<std::string> second{"c", "a", "b"};
  otter::spawn(count_words, counts, first, me);
  otter::spawn(count_words, counts, second, me);
  co_await otter::receive<done>();
  co_await otter::receive<done>();

  // Copy into an ordered_set to read the words in order.
  ets::table sorted = ets::new_table(otter::atom("sorted"), {.type = ets::table_type::ordered_set});
  ets::insert(sorted, ets::tab2list(counts));
  std::printf("counts: %s\n", otter::term::list(ets::tab2list(sorted)).to_string().c_str());

  // A protected table (the default): others read it, only the owner writes it.
  ets::table prot = ets::new_table(otter::atom("prot"));
  otter::spawn([prot, me]() -> otter::co<void> {
    try {
      ets::insert(prot, otter::tuple(1, 2));
    } catch (const otter::error_exception& e) {
      std::printf("worker writing the protected table: %s\n",
                  otter::tuple(otter::atoms::error, e.reason()).to_string().c_str());
    }
    otter::send(me, done{});
    co_return;
  });
  co_await otter::receive<done>();

  // [docs:ets-heir]
  // The owner names us as heir; when it exits, the table is ours, with its objects.
  const otter::atom config("config");
  otter::pid owner = otter::spawn([me, config]() -> otter::co<void> {
    ets::table t = ets::new_table(
        config, {.named_table = true, .heir = ets::heir_spec{me, otter::atom("take_care")}});
    ets::insert(t, otter::tuple(otter::atom("mode"), otter::atom("fast")));
    co_return;  // exits: the heir takes over
  });
  ets::transfer_msg m = co_await otter::receive<ets::transfer_msg>();
  // [docs:ets-heir-end]
  std::printf("heir got: %s\n", show(m.to_term(), owner).c_str());
  std::printf("heir owns :config, which still holds %s\n",
              ets::info(config)->owner == me
                  ? otter::term::list(ets::lookup(config, otter::atom("mode"))).to_string().c_str()
                  : "(not ours)");
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
