// Tests for the process dictionary (otter/core/process.hpp): put/get/erase/get_dictionary with
// `:undefined` for missing keys (Erlang's put/get/erase), its privacy per process, and the
// `$ancestors` / `$callers` entries that spawn_opt sets as proc_lib and Task do.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;

using test_support::a;
using test_support::run_deadline;
using test_support::runtime_kind;

// Every TEST_P runs once on each runtime (tests/support/both_runtimes.hpp).
class DictionaryTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(DictionaryTest);

/// The dictionary printed as a keyword-like list of `{key, value}` tuples.
std::string dictionary_text(const std::vector<std::pair<term, term>>& entries) {
  std::vector<term> items;
  for (const auto& [k, v] : entries) {
    items.push_back(tuple(k, v));
  }
  return term::list(std::move(items)).to_string();
}

/// What a child reports about its own dictionary.
struct lineage {
  pid child;
  std::string ancestors;
  std::string callers;
  std::string dictionary;
};

/// The body of a child that reports its `$ancestors`, `$callers` and whole dictionary to `to`.
co<void> report_lineage(pid to) {
  send(to, lineage{self(), get(atoms::ancestors).to_string(), get(atoms::callers).to_string(),
                   dictionary_text(get_dictionary())});
  co_return;
}

// -- put / get / erase
// ---------------------------------------------------------------------------------

// Erlang's put/2 returns the previous value, or :undefined for a new key.
TEST_P(DictionaryTest, PutReturnsThePreviousValueOrUndefined) {
  auto results = run([]() -> co<std::vector<std::string>> {
    std::vector<std::string> out;
    out.push_back(put(a("k"), 1).to_string());
    out.push_back(put(a("k"), 2).to_string());
    out.push_back(put(a("k"), 2).to_string());
    out.push_back(get(a("k")).to_string());
    co_return out;
  });

  EXPECT_EQ(results, (std::vector<std::string>{":undefined", "1", "2", "2"}));
}

TEST_P(DictionaryTest, GetOfAMissingKeyIsUndefined) {
  auto got = run([]() -> co<std::string> { co_return get(a("missing")).to_string(); });

  EXPECT_EQ(got, ":undefined");
}

TEST_P(DictionaryTest, EraseReturnsTheValueAndRemovesTheKey) {
  auto results = run([]() -> co<std::vector<std::string>> {
    (void)put(a("k"), tuple(a("v"), 1));
    std::vector<std::string> out;
    out.push_back(erase(a("k")).to_string());
    out.push_back(get(a("k")).to_string());
    out.push_back(erase(a("k")).to_string());
    out.push_back(dictionary_text(get_dictionary()));
    co_return out;
  });

  EXPECT_EQ(results, (std::vector<std::string>{"{:v, 1}", ":undefined", ":undefined", "[]"}));
}

TEST_P(DictionaryTest, AFreshProcessHasAnEmptyDictionary) {
  auto dict = run([]() -> co<std::string> { co_return dictionary_text(get_dictionary()); });

  EXPECT_EQ(dict, "[]");
}

TEST_P(DictionaryTest, KeysAndValuesMayBeAnyTerm) {
  auto results = run([]() -> co<std::vector<std::string>> {
    (void)put(tuple(a("user"), 7), "alice");
    (void)put(42, list(1, 2, 3));
    (void)put("binary key", 1.5);
    std::vector<std::string> out;
    out.push_back(get(tuple(a("user"), 7)).to_string());
    out.push_back(get(42).to_string());
    out.push_back(get("binary key").to_string());
    out.push_back(get(tuple(a("user"), 8)).to_string());
    co_return out;
  });

  EXPECT_EQ(results, (std::vector<std::string>{R"("alice")", "[1, 2, 3]", "1.5", ":undefined"}));
}

TEST_P(DictionaryTest, GetDictionaryListsEveryPairSortedByKey) {
  auto dict = run([]() -> co<std::string> {
    (void)put(a("zebra"), 1);
    (void)put(a("apple"), 2);
    (void)put(3, a("int"));
    (void)put(a("mango"), 4);
    co_return dictionary_text(get_dictionary());
  });

  // Term order: numbers before atoms; atoms by name.
  EXPECT_EQ(dict, "[{3, :int}, {:apple, 2}, {:mango, 4}, {:zebra, 1}]");
}

TEST_P(DictionaryTest, TheDictionaryIsPrivateToItsProcess) {
  auto [child_sees, parent_sees] = run([]() -> co<std::pair<std::string, std::string>> {
    (void)put(a("owner"), a("parent"));
    pid me = self();
    (void)spawn([me]() -> co<void> {
      std::string before = get(a("owner")).to_string();
      (void)put(a("owner"), a("child"));
      send(me, before);
      co_return;
    });
    std::string c = co_await receive<std::string>();
    co_return std::pair<std::string, std::string>{c, get(a("owner")).to_string()};
  });

  EXPECT_EQ(child_sees, ":undefined");
  EXPECT_EQ(parent_sees, ":parent");
}

TEST_P(DictionaryTest, ProcessInfoShowsAnotherProcessDictionary) {
  auto dict = run([]() -> co<std::string> {
    pid me = self();
    pid p = spawn([me]() -> co<void> {
      (void)put(a("shown"), 1);
      send(me, a("ready"));
      (void)co_await receive<atom>();
    });
    (void)co_await receive<atom>();
    auto info = co_await process_info(p);
    send(p, a("done"));
    co_return info ? dictionary_text(info->dictionary) : "dead";
  });

  EXPECT_EQ(dict, "[{:shown, 1}]");
}

// -- $ancestors and $callers
// ---------------------------------------------------------------------------

// proc_lib sets $ancestors to [parent | parent's $ancestors].
TEST_P(DictionaryTest, AncestryOptionSetsAncestorsToTheParent) {
  auto [child_report, parent] = run([]() -> co<std::pair<lineage, pid>> {
    pid me = self();
    (void)spawn_opt({.ancestry = true}, [me]() -> co<void> { co_await report_lineage(me); });
    lineage l = co_await receive<lineage>();
    co_return std::pair<lineage, pid>{l, me};
  });

  EXPECT_EQ(child_report.ancestors, list(parent).to_string());
  EXPECT_EQ(child_report.callers, ":undefined");
}

TEST_P(DictionaryTest, AncestorsOfAGrandchildListParentThenGrandparent) {
  auto [grandchild_report, child, root] = run([]() -> co<std::tuple<lineage, pid, pid>> {
    pid me = self();
    pid c = spawn_opt({.ancestry = true}, [me]() -> co<void> {
      (void)spawn_opt({.ancestry = true}, [me]() -> co<void> { co_await report_lineage(me); });
      co_return;
    });
    lineage l = co_await receive<lineage>();
    co_return std::tuple<lineage, pid, pid>{l, c, me};
  });

  EXPECT_EQ(grandchild_report.ancestors, list(child, root).to_string());
}

// proc_lib records the registered name of a parent that has one, instead of its pid.
TEST_P(DictionaryTest, AncestorsUseTheRegisteredNameOfANamedParent) {
  auto [child_report, grandchild_report, child] =
      run([]() -> co<std::tuple<lineage, lineage, pid>> {
        pid me = self();
        (void)register_name(a("dictionary_test_root"), me);
        pid c = spawn_opt({.ancestry = true}, [me]() -> co<void> {
          co_await report_lineage(me);
          (void)spawn_opt({.ancestry = true}, [me]() -> co<void> { co_await report_lineage(me); });
        });
        lineage first = co_await receive<lineage>();
        lineage second = co_await receive<lineage>();
        co_return std::tuple<lineage, lineage, pid>{first, second, c};
      });

  EXPECT_EQ(child_report.ancestors, "[:dictionary_test_root]");
  EXPECT_EQ(grandchild_report.ancestors, list(child, a("dictionary_test_root")).to_string());
}

// Children of one parent share one $ancestors list (spawn keeps the last one it built);
// each child still sees the parent as it is when the child is spawned: its name, or its
// $ancestors after a put, down to the sign of a zero float (0.0 == -0.0 as terms).
TEST_P(DictionaryTest, EachChildSeesTheParentsLineageAsItWasAtItsSpawn) {
  auto [reports, root] = run([]() -> co<std::pair<std::vector<std::string>, pid>> {
    pid me = self();
    auto child = [me]() -> co<void> {
      co_await report_lineage(me);
    };
    std::vector<std::string> out;
    auto spawn_and_report = [&]() -> co<void> {
      (void)spawn_opt({.ancestry = true}, child);
      out.push_back((co_await receive<lineage>()).ancestors);
    };
    co_await spawn_and_report();
    co_await spawn_and_report();
    (void)register_name(a("dictionary_test_lineage"), me);
    co_await spawn_and_report();
    (void)put(atoms::ancestors, list(0.0));
    co_await spawn_and_report();
    (void)put(atoms::ancestors, list(-0.0));
    co_await spawn_and_report();
    (void)unregister(a("dictionary_test_lineage"));
    co_await spawn_and_report();
    co_return std::pair<std::vector<std::string>, pid>{out, me};
  });

  EXPECT_EQ(reports, (std::vector<std::string>{
                         list(root).to_string(), list(root).to_string(),
                         "[:dictionary_test_lineage]", "[:dictionary_test_lineage, 0.0]",
                         "[:dictionary_test_lineage, -0.0]", list(root, -0.0).to_string()}));
}

// Task sets $callers to [caller | caller's $callers]; callers are always pids.
TEST_P(DictionaryTest, CallersOptionSetsCallersToTheParentChain) {
  auto [child_report, grandchild_report, child, root] =
      run([]() -> co<std::tuple<lineage, lineage, pid, pid>> {
        pid me = self();
        (void)register_name(a("dictionary_test_caller"), me);  // callers keep pids anyway
        pid c = spawn_opt({.callers = true}, [me]() -> co<void> {
          co_await report_lineage(me);
          (void)spawn_opt({.callers = true}, [me]() -> co<void> { co_await report_lineage(me); });
        });
        lineage first = co_await receive<lineage>();
        lineage second = co_await receive<lineage>();
        co_return std::tuple<lineage, lineage, pid, pid>{first, second, c, me};
      });

  EXPECT_EQ(child_report.callers, list(root).to_string());
  EXPECT_EQ(child_report.ancestors, ":undefined");
  EXPECT_EQ(grandchild_report.callers, list(child, root).to_string());
}

TEST_P(DictionaryTest, AncestryAndCallersCanBeSetTogether) {
  auto [report, parent] = run([]() -> co<std::pair<lineage, pid>> {
    pid me = self();
    (void)spawn_opt({.ancestry = true, .callers = true},
                    [me]() -> co<void> { co_await report_lineage(me); });
    lineage l = co_await receive<lineage>();
    co_return std::pair<lineage, pid>{l, me};
  });

  EXPECT_EQ(report.ancestors, list(parent).to_string());
  EXPECT_EQ(report.callers, list(parent).to_string());
  EXPECT_EQ(report.dictionary, "[{:\"$ancestors\", " + list(parent).to_string() + "}, "
                                   + "{:\"$callers\", " + list(parent).to_string() + "}]");
}

// Elixir's spawn/1 (unlike Task and proc_lib) sets neither key, even under a parent that has
// them.
TEST_P(DictionaryTest, PlainSpawnSetsNeitherAncestorsNorCallers) {
  auto [plain_child, plain_grandchild] = run([]() -> co<std::pair<lineage, lineage>> {
    pid me = self();
    (void)spawn(report_lineage, me);
    lineage first = co_await receive<lineage>();
    (void)spawn_opt({.ancestry = true, .callers = true}, [me]() -> co<void> {
      (void)spawn(report_lineage, me);  // the parent has both keys; the child gets neither
      co_return;
    });
    lineage second = co_await receive<lineage>();
    co_return std::pair<lineage, lineage>{first, second};
  });

  EXPECT_EQ(plain_child.dictionary, "[]");
  EXPECT_EQ(plain_grandchild.ancestors, ":undefined");
  EXPECT_EQ(plain_grandchild.callers, ":undefined");
  EXPECT_EQ(plain_grandchild.dictionary, "[]");
}

TEST_P(DictionaryTest, ALinkedOrMonitoredSpawnOptSetsNeitherKeyUnlessAsked) {
  auto report = run([]() -> co<lineage> {
    pid me = self();
    ref m;
    (void)spawn_opt(
        {.link = true, .monitor = true}, [me]() -> co<void> { co_await report_lineage(me); }, &m);
    co_return co_await receive<lineage>();
  });

  EXPECT_EQ(report.dictionary, "[]");
}

}  // namespace
}  // namespace otter
