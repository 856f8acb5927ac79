// Tests for otter/core/atom.hpp and otter/core/term.hpp: interning, term order, printing,
// construction and the value semantics of terms.

#include "otter/core/term.hpp"

#include "otter/core/atom.hpp"
#include "otter/core/message.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/ref.hpp"
#include "otter/core/term_hash.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace otter {
namespace {

static_assert(sizeof(term) == 16);

// -- atoms -------------------------------------------------------------------------------

TEST(AtomTest, PredefinedAtomsHaveTheirNames) {
  const std::array<std::pair<atom, std::string_view>, atoms::predefined_count> expected = {{
      {atoms::nil, "nil"},
      {atoms::true_, "true"},
      {atoms::false_, "false"},
      {atoms::ok, "ok"},
      {atoms::error, "error"},
      {atoms::normal, "normal"},
      {atoms::shutdown, "shutdown"},
      {atoms::kill, "kill"},
      {atoms::killed, "killed"},
      {atoms::noproc, "noproc"},
      {atoms::timeout, "timeout"},
      {atoms::undefined, "undefined"},
      {atoms::infinity, "infinity"},
      {atoms::badarg, "badarg"},
      {atoms::nocatch, "nocatch"},
      {atoms::EXIT, "EXIT"},
      {atoms::DOWN, "DOWN"},
      {atoms::process, "process"},
      {atoms::nonode, "nonode@nohost"},
      {atoms::message, "message"},
      {atoms::no_message, "no_message"},
      {atoms::noconnection, "noconnection"},
      {atoms::system_limit, "system_limit"},
      {atoms::ancestors, "$ancestors"},
      {atoms::callers, "$callers"},
      {atoms::initial_call, "$initial_call"},
  }};
  for (std::uint32_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(expected[i].first.index(), i);
    EXPECT_EQ(expected[i].first.name(), expected[i].second);
  }
}

TEST(AtomTest, InterningAPredefinedNameGivesThePredefinedAtom) {
  EXPECT_EQ(atom("ok"), atoms::ok);
  EXPECT_EQ(atom("nonode@nohost"), atoms::nonode);
  EXPECT_EQ(atom("$callers"), atoms::callers);
  EXPECT_EQ(atom("nil"), atom());
}

TEST(AtomTest, InterningTheSameNameTwiceGivesEqualAtoms) {
  const atom a("atom_test_same_name");
  const atom b(std::string("atom_test_same_") + "name");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.index(), b.index());
  EXPECT_EQ(a.name(), "atom_test_same_name");
}

TEST(AtomTest, AtomLiteralIsTheInternedAtom) {
  using namespace otter::literals;
  EXPECT_EQ("atom_literal_test"_atom, atom("atom_literal_test"));
  EXPECT_EQ("atom_literal_test"_atom.name(), "atom_literal_test");
  EXPECT_EQ("ok"_atom, atoms::ok);  // a predefined name gives the predefined atom
  EXPECT_NE("atom_literal_a"_atom, "atom_literal_b"_atom);
  EXPECT_EQ(""_atom.name(), "");
}

TEST(AtomTest, AtomLiteralInternedFirstByManyThreadsIsOneAtom) {
  using namespace otter::literals;
  std::vector<atom> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = "atom_literal_raced"_atom; });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (atom a : seen) {
    EXPECT_EQ(a, atom("atom_literal_raced"));
  }
}

TEST(AtomTest, DifferentNamesGiveDifferentAtoms) {
  EXPECT_NE(atom("atom_test_one"), atom("atom_test_two"));
  EXPECT_NE(atom("atom_test_one"), atoms::ok);
}

TEST(AtomTest, NameOutlivesTheStringItWasInternedFrom) {
  std::string_view view;
  {
    std::string source = "atom_test_temporary_source";
    view = atom(source).name();
    source.assign(source.size(), 'x');
  }
  EXPECT_EQ(view, "atom_test_temporary_source");
}

TEST(AtomTest, ConcurrentInterningOfTheSameNamesGivesEqualAtoms) {
  constexpr int thread_count = 8;
  constexpr int name_count = 500;
  std::vector<std::vector<atom>> seen(thread_count, std::vector<atom>(name_count));
  std::vector<std::thread> threads;
  threads.reserve(thread_count);
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([t, &seen] {
      // Each thread walks the names in its own order, so first insertions race.
      for (int k = 0; k < name_count; ++k) {
        const int i = (k * 7 + t * 61) % name_count;
        const atom a("atom_test_concurrent_" + std::to_string(i));
        seen[t][i] = a;
        (void)a.name();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (int i = 0; i < name_count; ++i) {
    for (int t = 1; t < thread_count; ++t) {
      EXPECT_EQ(seen[t][i], seen[0][i]) << "name " << i << " thread " << t;
    }
    EXPECT_EQ(seen[0][i].name(), "atom_test_concurrent_" + std::to_string(i));
  }
}

TEST(AtomTest, AtomsOrderByNameNotByInterningOrder) {
  const atom later("atom_test_order_b");
  const atom earlier("atom_test_order_a");
  EXPECT_LT(earlier, later);
  EXPECT_GT(atoms::ok, atoms::error);
  EXPECT_LT(atoms::DOWN, atoms::EXIT);
  EXPECT_EQ(atoms::ok <=> atom("ok"), std::strong_ordering::equal);
}

// -- construction and inspection ----------------------------------------------------------

TEST(TermTest, DefaultTermIsNil) {
  const term t;
  EXPECT_TRUE(t.is(atoms::nil));
  EXPECT_EQ(t.type(), term::kind::atom);
  EXPECT_EQ(t, term(atoms::nil));
}

TEST(TermTest, SameIsIdentityOfTheValueNotEquality) {
  const term list = term::list({term(1), term(2)});
  const term copy = list;  // shares the block
  const term equal = term::list({term(1), term(2)});
  EXPECT_TRUE(list.same(copy));
  EXPECT_TRUE(list == equal);
  EXPECT_FALSE(list.same(equal)) << "a list built separately is another block";
  EXPECT_TRUE(term(atom("a")).same(term(atom("a"))));
  EXPECT_TRUE(term(pid(7, 1)).same(term(pid(7, 1))));
  EXPECT_FALSE(term(pid(7, 1)).same(term(pid(7, 2))));
  EXPECT_FALSE(term(0.0).same(term(-0.0))) << "the bit patterns differ";
  EXPECT_FALSE(term(1).same(term(1.0))) << "the kinds differ";
  EXPECT_TRUE(term().same(term(atoms::nil)));
}

TEST(TermTest, BoolsAreTheAtomsTrueAndFalse) {
  EXPECT_TRUE(term(true).is(atoms::true_));
  EXPECT_TRUE(term(false).is(atoms::false_));
  EXPECT_EQ(term(true), term(atom("true")));
}

TEST(TermTest, ScalarAccessorsReturnWhatWasStored) {
  EXPECT_EQ(term(-7).as_int(), -7);
  EXPECT_EQ(term(std::numeric_limits<long long>::min()).as_int(),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(term(4000000000U).as_int(), 4000000000);
  EXPECT_EQ(term(2.5).as_double(), 2.5);
  EXPECT_EQ(term(atoms::ok).as_atom(), atoms::ok);
  EXPECT_EQ(term(pid(3, 1)).as_pid(), pid(3, 1));
  EXPECT_EQ(term(pid(0xFFFFFFFF, 0xFFFFFFFE)).as_pid(), pid(0xFFFFFFFF, 0xFFFFFFFE));
  EXPECT_EQ(term(ref(99)).as_ref(), ref(99));
  EXPECT_EQ(term("text").as_string(), "text");
  EXPECT_EQ(term(std::string("str")).as_string(), "str");
  EXPECT_EQ(term(std::string_view("")).as_string(), "");
  EXPECT_EQ(term::opaque("#Fun").as_string(), "#Fun");
}

TEST(TermTest, KindPredicatesMatchTheKind) {
  EXPECT_TRUE(term(1).is_integer());
  EXPECT_TRUE(term(atoms::ok).is_atom());
  EXPECT_TRUE(term(pid(1, 1)).is_pid());
  EXPECT_TRUE(term(ref(1)).is_ref());
  EXPECT_TRUE(tuple().is_tuple());
  EXPECT_TRUE(list().is_list());
  EXPECT_TRUE(term("").is_binary());
  EXPECT_EQ(term(1.5).type(), term::kind::floating);
  EXPECT_EQ(term::map({}).type(), term::kind::map);
  EXPECT_EQ(term::structure("S", {}).type(), term::kind::structure);
  EXPECT_EQ(term::opaque("#Fun").type(), term::kind::opaque);
  EXPECT_FALSE(term(1).is_atom());
}

TEST(TermTest, ElementsOfTuplesAndListsAreIndexable) {
  const term t = tuple(atoms::ok, 1, "two");
  ASSERT_EQ(t.size(), 3U);
  EXPECT_TRUE(t[0].is(atoms::ok));
  EXPECT_EQ(t[1].as_int(), 1);
  EXPECT_EQ(t[2].as_string(), "two");
  const term l = list(1, 2);
  EXPECT_EQ(l.elements().size(), 2U);
  EXPECT_EQ(l[1], term(2));
  EXPECT_TRUE(term(1).elements().empty());
  EXPECT_EQ(tuple().size(), 0U);
}

TEST(TermTest, WrongKindAccessorAbortsWithTheKindInTheMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH((void)term(1).as_atom(), "term: as_atom\\(\\) on an integer");
  EXPECT_DEATH((void)tuple(1).as_int(), "term: as_int\\(\\) on a tuple");
}

TEST(TermTest, IsTaggedChecksTagAndSize) {
  const term exit = tuple(atoms::EXIT, pid(1, 1), atoms::normal);
  EXPECT_TRUE(exit.is_tagged(atoms::EXIT, 3));
  EXPECT_FALSE(exit.is_tagged(atoms::EXIT, 2));
  EXPECT_FALSE(exit.is_tagged(atoms::DOWN, 3));
  EXPECT_FALSE(list(atoms::EXIT, 1, 2).is_tagged(atoms::EXIT, 3));
  EXPECT_FALSE(tuple().is_tagged(atoms::nil, 0));
  EXPECT_FALSE(tuple(1, atoms::EXIT).is_tagged(atoms::EXIT, 2));
  EXPECT_FALSE(term(atoms::EXIT).is_tagged(atoms::EXIT, 1));
}

TEST(TermTest, FindLooksUpMapKeysAndStructFields) {
  const term m = term::map({{atoms::ok, 1}, {"key", 2}, {3, atoms::error}});
  ASSERT_NE(m.find(atoms::ok), nullptr);
  EXPECT_EQ(*m.find(atoms::ok), term(1));
  EXPECT_EQ(*m.find("key"), term(2));
  EXPECT_EQ(*m.find(3), term(atoms::error));
  EXPECT_EQ(m.find(3.0), nullptr);
  EXPECT_EQ(m.find(atoms::error), nullptr);

  const term s = term::structure("RuntimeError", {{atom("message"), "boom"}});
  ASSERT_NE(s.find(atom("message")), nullptr);
  EXPECT_EQ(s.find(atom("message"))->as_string(), "boom");
  EXPECT_EQ(s.find(atom("other")), nullptr);
  EXPECT_EQ(s.struct_name(), "RuntimeError");

  EXPECT_EQ(tuple(atoms::ok, 1).find(atoms::ok), nullptr);
  EXPECT_EQ(term::map({}).find(1), nullptr);
}

TEST(TermTest, MapSortsKeysAndKeepsTheLastValueOfARepeatedKey) {
  const term m = term::map({{"b", 1}, {atoms::ok, 2}, {"b", 3}, {5, 4}, {atoms::ok, 5}});
  const auto entries = m.entries();
  ASSERT_EQ(entries.size(), 3U);
  EXPECT_EQ(entries[0].first, term(5));
  EXPECT_EQ(entries[0].second, term(4));
  EXPECT_EQ(entries[1].first, term(atoms::ok));
  EXPECT_EQ(entries[1].second, term(5));
  EXPECT_EQ(entries[2].first, term("b"));
  EXPECT_EQ(entries[2].second, term(3));
}

TEST(TermTest, MapKeepsIntegerAndFloatKeysApart) {
  const term m = term::map({{1.0, atom("float")}, {1, atom("int")}});
  ASSERT_EQ(m.entries().size(), 2U);
  EXPECT_EQ(*m.find(1), term(atom("int")));
  EXPECT_EQ(*m.find(1.0), term(atom("float")));
  EXPECT_EQ(m.entries()[0].first.type(), term::kind::integer);
}

TEST(TermTest, MapSortsIntegerKeysBeforeFloatKeysAsErlangDoes) {
  const term m = term::map({{atom("x"), 1}, {1.5, atom("a")}, {2, atom("b")}});
  ASSERT_EQ(m.entries().size(), 3U);
  EXPECT_EQ(m.entries()[0].first, term(2));
  EXPECT_EQ(m.entries()[1].first, term(1.5));
  EXPECT_EQ(*m.find(2), term(atom("b")));
  EXPECT_EQ(*m.find(1.5), term(atom("a")));
  EXPECT_EQ(m.to_string(), "%{2 => :b, 1.5 => :a, :x => 1}");
}

TEST(TermTest, StructureSortsFieldsByNameAndKeepsTheLastOfARepeatedField) {
  const term s =
      term::structure("Point", {{atom("z"), 3}, {atom("x"), 1}, {atom("y"), 2}, {atom("x"), 10}});
  const auto fields = s.entries();
  ASSERT_EQ(fields.size(), 3U);
  EXPECT_EQ(fields[0].first, term(atom("x")));
  EXPECT_EQ(fields[0].second, term(10));
  EXPECT_EQ(fields[1].first, term(atom("y")));
  EXPECT_EQ(fields[2].first, term(atom("z")));
}

// -- value semantics ---------------------------------------------------------------------

TEST(TermTest, CopySharesTheBlockAndKeepsTheValue) {
  const term original = tuple(atoms::ok, list(1, 2, 3), "payload");
  const term copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy, original);
  EXPECT_EQ(copy.elements().data(), original.elements().data());
  EXPECT_EQ(original[1][2], term(3));
}

TEST(TermTest, CopyOutlivesTheOriginal) {
  term copy;
  {
    const term original = term::map({{"k", list("a", "b")}});
    copy = original;
  }
  EXPECT_EQ(copy.to_string(), R"(%{"k" => ["a", "b"]})");
}

TEST(TermTest, MoveLeavesNilBehindAndKeepsTheBlock) {
  term source = list(1, "two", tuple(3));
  const term* const data = source.elements().data();
  term moved = std::move(source);
  EXPECT_TRUE(source.is(atoms::nil));  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(moved.elements().data(), data);
  term assigned;
  assigned = std::move(moved);
  EXPECT_TRUE(moved.is(atoms::nil));  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(assigned.elements().data(), data);
  EXPECT_EQ(assigned, list(1, "two", tuple(3)));
}

TEST(TermTest, AssigningAPartOfATermToItselfKeepsThePart) {
  term t = tuple(tuple(1, "inner"), 2);
  t = t[0];
  EXPECT_EQ(t, tuple(1, "inner"));
  term u = list(list("a"));
  u = term(u[0]);
  EXPECT_EQ(u, list("a"));
  term& alias = t;
  t = alias;
  EXPECT_EQ(t, tuple(1, "inner"));
}

TEST(TermTest, AssignmentReplacesEveryKind) {
  term t = "binary";
  t = 1;
  EXPECT_EQ(t, term(1));
  t = term::structure("S", {{atom("a"), 1}});
  t = 2.5;
  EXPECT_EQ(t.as_double(), 2.5);
  t = term::opaque("#Fun");
  t = pid(1, 2);
  EXPECT_EQ(t.as_pid(), pid(1, 2));
}

TEST(TermTest, CopiesMayBeMadeAndDroppedFromManyThreads) {
  const term shared = tuple(atoms::ok, list("a", "b"), term::map({{1, "one"}}));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&shared] {
      for (int i = 0; i < 1000; ++i) {
        term copy = shared;
        term other = copy[1];
        EXPECT_EQ(other[0].as_string(), "a");
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(shared[1], list("a", "b"));
}

// -- order -------------------------------------------------------------------------------

TEST(TermTest, KindsOrderAsInErlang) {
  const std::vector<term> ascending = {
      1,
      term(atom("a")),
      term(ref(1)),
      term::opaque("#Fun"),
      term(pid(1, 1)),
      tuple(),
      term::map({}),
      term::structure("S", {}),
      list(),
      term("b"),
  };
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_LT(ascending[i], ascending[i + 1]) << i;
    EXPECT_GT(ascending[i + 1], ascending[i]) << i;
  }
}

TEST(TermTest, NumbersCompareByValueAcrossIntegersAndFloats) {
  EXPECT_LT(term(1), term(1.5));
  EXPECT_LT(term(1.5), term(2));
  EXPECT_LT(term(-1), term(-0.5));
  EXPECT_LT(term(2.5), term(3));
  EXPECT_GT(term(std::numeric_limits<std::int64_t>::max()), term(9.2e18));
  EXPECT_LT(term(std::numeric_limits<std::int64_t>::max()), term(9.3e18));
  EXPECT_GT(term(std::numeric_limits<std::int64_t>::min()), term(-1.0e19));
  EXPECT_LT(term(9007199254740993LL), term(9007199254740994.0));
  EXPECT_GT(term(9007199254740993LL), term(9007199254740992.0));
  EXPECT_LT(term(1.0e300), term(atoms::nil));
}

TEST(TermTest, EqualIntegerAndFloatAreDifferentTermsOrderedIntegerFirst) {
  EXPECT_NE(term(1), term(1.0));
  EXPECT_LT(term(1), term(1.0));
  EXPECT_GT(term(1.0), term(1));
  EXPECT_LT(term(1.0), term(2));
  EXPECT_EQ(term(1.0), term(1.0));
}

TEST(TermTest, EqualityComparesContentsNotBlocksAndNaNEqualsItself) {
  // Equal contents in two blocks (the out-of-line path), one block shared (the inline one).
  term a = tuple(1, atom("x"), list(2.5, "s"));
  term b = tuple(1, atom("x"), list(2.5, "s"));
  EXPECT_FALSE(a.same(b));
  EXPECT_EQ(a, b);
  term c = a;
  EXPECT_EQ(a, c);
  EXPECT_NE(a, tuple(1, atom("x"), list(2.5, "t")));
  EXPECT_NE(term(1), term(1.0));
  EXPECT_NE(term(atom("x")), term(atom("y")));
  // Erlang makes no NaN, but a term may hold one: equality of floats is by representation
  // (or two zeros), not IEEE's ==, so it equals itself.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(term(nan), term(nan));
  EXPECT_NE(term(1.5), term(2.5));
}

TEST(TermTest, ZeroAndNegativeZeroAreEqualAsInOtp25) {
  // OTP 25 (erl): 0.0 == -0.0 and 0.0 =:= -0.0 are true, -0.0 < 0.0 is false,
  // lists:usort([0.0, -0.0]) is [0.0] and #{0.0 => a, -0.0 => b} is #{0.0 => b}.
  EXPECT_EQ(term(0.0), term(-0.0));
  EXPECT_EQ(term(0.0) <=> term(-0.0), std::strong_ordering::equal);
  EXPECT_FALSE(term(-0.0) < term(0.0));
  EXPECT_EQ(tuple(-0.0, 1), tuple(0.0, 1));
  EXPECT_EQ(list(-0.0), list(0.0));
  EXPECT_LT(term(-0.0), term(5e-324));  // the zeros still order among the other floats
  EXPECT_GT(term(-0.0), term(-5e-324));
  EXPECT_LT(term(0), term(-0.0));  // an integer of equal value still orders first
  const term m = term::map({{0.0, atom("a")}, {-0.0, atom("b")}});
  EXPECT_EQ(m.entries().size(), 1U);
  EXPECT_EQ(m.to_string(), "%{0.0 => :b}");
  EXPECT_EQ(*m.find(term(-0.0)), term(atom("b")));
  EXPECT_EQ(term::map({{-0.0, 1}}), term::map({{0.0, 1}}));
  // Equal terms hash alike, in both hashes.
  EXPECT_EQ(hash_term(term(-0.0)), hash_term(term(0.0)));
  EXPECT_EQ(hash_term(tuple(-0.0)), hash_term(tuple(0.0)));
  EXPECT_EQ(phash2(term(-0.0)), phash2(term(0.0)));
  // Each keeps its sign when printed.
  EXPECT_EQ(term(-0.0).to_string(), "-0.0");
  // A NaN (which Erlang does not have) stays equal to itself.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(term(nan), term(nan));
}

TEST(TermTest, AtomsInTermsOrderByName) {
  const term zebra = atom("term_test_zebra");  // interned first: a higher index
  const term apple = atom("term_test_apple");
  EXPECT_LT(apple, zebra);
  EXPECT_LT(term(atoms::error), term(atoms::ok));
  EXPECT_LT(term(atoms::EXIT), term(atoms::ok));  // uppercase before lowercase
}

TEST(TermTest, TuplesOrderBySizeThenElements) {
  EXPECT_LT(tuple(atom("z")), tuple(atom("a"), atom("a")));
  EXPECT_LT(tuple(1, 2), tuple(1, 3));
  EXPECT_LT(tuple(1, "a"), tuple(2, atoms::ok));
  EXPECT_EQ(tuple(1, tuple(2)), tuple(1, tuple(2)));
}

TEST(TermTest, ListsOrderLexicographically) {
  EXPECT_LT(list(), list(1));
  EXPECT_LT(list(1, 2), list(1, 3));
  EXPECT_LT(list(1, 3), list(2));
  EXPECT_LT(list(1), list(1, 0));
}

TEST(TermTest, MapsOrderBySizeThenKeysThenValues) {
  const term small = term::map({{atom("z"), 1}});
  const term big = term::map({{atom("a"), 1}, {atom("b"), 1}});
  EXPECT_LT(small, big);
  EXPECT_LT(term::map({{1, atom("z")}}), term::map({{2, atom("a")}}));
  EXPECT_LT(term::map({{1, 1}, {2, 9}}), term::map({{1, 2}, {2, 0}}));
  EXPECT_EQ(term::map({{1, 2}, {3, 4}}), term::map({{3, 4}, {1, 2}}));
}

TEST(TermTest, MapsCompareKeysInMapKeyOrder) {
  // As Erlang: #{2 => a} < #{1.5 => b}, since every integer key sorts before every float key,
  // while the values compare in term order.
  EXPECT_LT(term::map({{2, atom("a")}}), term::map({{1.5, atom("b")}}));
  EXPECT_LT(term::map({{tuple(2), 1}}), term::map({{tuple(1.5), 1}}));
  EXPECT_GT(term::map({{1, 2}}), term::map({{1, 1.5}}));
}

TEST(TermTest, BinariesOrderBytewise) {
  EXPECT_LT(term(""), term("a"));
  EXPECT_LT(term("a"), term("ab"));
  EXPECT_LT(term("ab"), term("b"));
  EXPECT_LT(term("z"), term("\xff"));
  EXPECT_EQ(term("same"), term(std::string("same")));
}

TEST(TermTest, OrderIsConsistentWithEquality) {
  const std::vector<term> values = {1,
                                    1.0,
                                    -0.0,
                                    0.0,
                                    term(atoms::ok),
                                    term(ref(2)),
                                    term(pid(2, 1)),
                                    tuple(1),
                                    list(1),
                                    term::map({{1, 1}}),
                                    term::structure("A", {{atom("f"), 1}}),
                                    term("x"),
                                    term::opaque("#Fun")};
  for (const term& a : values) {
    for (const term& b : values) {
      EXPECT_EQ(a == b, (a <=> b) == 0) << a.to_string() << " vs " << b.to_string();
      EXPECT_EQ((a <=> b) < 0, (b <=> a) > 0) << a.to_string() << " vs " << b.to_string();
    }
  }
}

// -- printing ----------------------------------------------------------------------------

TEST(TermTest, PrintsAtomsAsElixirDoes) {
  EXPECT_EQ(term(atoms::ok).to_string(), ":ok");
  EXPECT_EQ(term(atoms::callers).to_string(), ":\"$callers\"");
  EXPECT_EQ(term(atoms::nonode).to_string(), ":nonode@nohost");
  EXPECT_EQ(term(atoms::EXIT).to_string(), ":EXIT");
  EXPECT_EQ(term(atoms::DOWN).to_string(), ":DOWN");
  EXPECT_EQ(term(atom("valid?")).to_string(), ":valid?");
  EXPECT_EQ(term(atom("with space")).to_string(), ":\"with space\"");
  EXPECT_EQ(term(atom("")).to_string(), ":\"\"");
  EXPECT_EQ(term(atom("GenServer")).to_string(), ":GenServer");
  EXPECT_EQ(term(atom("say \"hi\"")).to_string(), R"(:"say \"hi\"")");
}

TEST(TermTest, PrintsNilTrueAndFalseBare) {
  EXPECT_EQ(term().to_string(), "nil");
  EXPECT_EQ(term(true).to_string(), "true");
  EXPECT_EQ(term(false).to_string(), "false");
}

TEST(TermTest, PrintsElixirModuleAtomsAsAliases) {
  EXPECT_EQ(term(atom("Elixir.GenServer")).to_string(), "GenServer");
  EXPECT_EQ(term(atom("Elixir.Task.Supervisor")).to_string(), "Task.Supervisor");
  EXPECT_EQ(term(atom("Elixir")).to_string(), "Elixir");
  EXPECT_EQ(term(atom("Elixir.lower")).to_string(), ":\"Elixir.lower\"");
}

TEST(TermTest, PrintsIntegers) {
  EXPECT_EQ(term(42).to_string(), "42");
  EXPECT_EQ(term(-1).to_string(), "-1");
  EXPECT_EQ(term(0).to_string(), "0");
  EXPECT_EQ(term(std::numeric_limits<long long>::min()).to_string(), "-9223372036854775808");
}

TEST(TermTest, PrintsFloatsAsElixirDoes) {
  EXPECT_EQ(term(1.0).to_string(), "1.0");
  EXPECT_EQ(term(0.5).to_string(), "0.5");
  EXPECT_EQ(term(-2.5).to_string(), "-2.5");
  EXPECT_EQ(term(0.1).to_string(), "0.1");
  EXPECT_EQ(term(123.456).to_string(), "123.456");
  EXPECT_EQ(term(1000.0).to_string(), "1000.0");
  EXPECT_EQ(term(1.0e15).to_string(), "1000000000000000.0");
  EXPECT_EQ(term(1.0e16).to_string(), "1.0e16");
  EXPECT_EQ(term(1.0e20).to_string(), "1.0e20");
  EXPECT_EQ(term(1.5e300).to_string(), "1.5e300");
  EXPECT_EQ(term(0.001).to_string(), "0.001");
  EXPECT_EQ(term(0.0001).to_string(), "0.0001");
  EXPECT_EQ(term(0.00012).to_string(), "1.2e-4");
  EXPECT_EQ(term(1.0e-10).to_string(), "1.0e-10");
  EXPECT_EQ(term(1.25e-7).to_string(), "1.25e-7");
  EXPECT_EQ(term(0.0).to_string(), "0.0");
  EXPECT_EQ(term(-0.0).to_string(), "-0.0");
}

TEST(TermTest, PrintsBinariesAsElixirStrings) {
  EXPECT_EQ(term("text").to_string(), "\"text\"");
  EXPECT_EQ(term("").to_string(), "\"\"");
  EXPECT_EQ(term("q\"b\\s").to_string(), R"("q\"b\\s")");
  EXPECT_EQ(term("l\nt\tr\re\x1b").to_string(), R"("l\nt\tr\re\e")");
  EXPECT_EQ(term("#{x}").to_string(), R"("\#{x}")");
  EXPECT_EQ(term("h\xC3\xA9llo").to_string(), "\"h\xC3\xA9llo\"");
}

TEST(TermTest, PrintsUnprintableBinariesAsBytes) {
  EXPECT_EQ(term(std::string_view("\x00\x01", 2)).to_string(), "<<0, 1>>");
  EXPECT_EQ(term("a\xff").to_string(), "<<97, 255>>");
}

TEST(TermTest, PrintsTuplesAndLists) {
  EXPECT_EQ(tuple().to_string(), "{}");
  EXPECT_EQ(list().to_string(), "[]");
  EXPECT_EQ(tuple(atoms::ok, 1, "a").to_string(), R"({:ok, 1, "a"})");
  EXPECT_EQ(list(1, list(2, tuple(3)), tuple()).to_string(), "[1, [2, {3}], {}]");
}

// The trace format (T.f/1) has no keyword shorthand: lists of pairs print as tuples.
TEST(TermTest, PrintsKeywordListsAsListsOfTuples) {
  EXPECT_EQ(list(tuple(atom("a"), 1), tuple(atoms::callers, list())).to_string(),
            R"([{:a, 1}, {:"$callers", []}])");
  EXPECT_EQ(list(tuple(atom("a"), 1), 2).to_string(), "[{:a, 1}, 2]");
  EXPECT_EQ(list(tuple(atom("Elixir.Foo"), 1)).to_string(), "[{Foo, 1}]");
}

TEST(TermTest, PrintsMapsWithSortedKeys) {
  EXPECT_EQ(term::map({}).to_string(), "%{}");
  EXPECT_EQ(term::map({{"b", 2}, {1, atoms::ok}, {atoms::error, 3.5}}).to_string(),
            R"(%{1 => :ok, :error => 3.5, "b" => 2})");
  EXPECT_EQ(term::map({{atom("b"), 2}, {atom("a"), tuple()}}).to_string(), "%{:a => {}, :b => 2}");
}

TEST(TermTest, PrintsStructsWithSortedFields) {
  EXPECT_EQ(term::structure("RuntimeError", {{atom("message"), "boom"}}).to_string(),
            R"(%RuntimeError{message: "boom"})");
  EXPECT_EQ(term::structure("Name", {{atom("other"), 1}, {atom("field"), atoms::ok}}).to_string(),
            "%Name{field: :ok, other: 1}");
  EXPECT_EQ(term::structure("Empty", {}).to_string(), "%Empty{}");
}

TEST(TermTest, PrintsOpaqueTextVerbatim) {
  const term reason = tuple(term::structure("RuntimeError", {{atom("message"), "boom"}}),
                            term::opaque("#Stacktrace"));
  EXPECT_EQ(reason.to_string(), R"({%RuntimeError{message: "boom"}, #Stacktrace})");
}

TEST(TermTest, PrintsPidsAndRefsByDefault) {
  EXPECT_EQ(term(pid(12, 3)).to_string(), "#PID<0.12.3>");
  EXPECT_EQ(term(ref(7)).to_string(), "#Ref<0.0.0.7>");
}

TEST(TermTest, PrintsTheDownMessage) {
  const term down = tuple(atoms::DOWN, ref(5), atoms::process, pid(3, 1), atoms::normal);
  EXPECT_EQ(to_string(down), "{:DOWN, #Ref<0.0.0.5>, :process, #PID<0.3.1>, :normal}");
}

TEST(TermTest, PrinterNamesPidsAndRefs) {
  term_printer printer;
  printer.pid_name = [](pid p) {
    return "worker" + std::to_string(p.index());
  };
  printer.ref_name = [](ref r) {
    return "mon" + std::to_string(r.id());
  };
  const term exit = tuple(atoms::EXIT, pid(4, 1), list(ref(9)));
  EXPECT_EQ(to_string(exit, printer), "{:EXIT, #PID<worker4>, [#Ref<mon9>]}");
}

// An immortal term is what hot paths keep in statics (a request's printed form): copies made
// and dropped on several threads at once must leave it intact and equal (run under TSan and
// ASan in CI, which would report a racy or freed block).
TEST(TermTest, AnImmortalTermStaysIntactWhileThreadsCopyAndDropIt) {
  static const term shared =
      term::immortal(term::tuple({term(atom("request")), term::opaque("#Message<inc>")}));
  const term expected = term::tuple({term(atom("request")), term::opaque("#Message<inc>")});
  auto churn = [&] {
    for (int i = 0; i < 10000; ++i) {
      term copy = shared;
      term moved = std::move(copy);
      EXPECT_EQ(moved, expected);
    }
  };
  std::thread other(churn);
  churn();
  other.join();
  EXPECT_EQ(to_string(shared), "{:request, #Message<inc>}");
}

namespace shop {
struct add_item {
  int quantity = 0;
};
}  // namespace shop

// Exit reasons and crash reports show a request without to_term() by its C++ type, readable.
TEST(TermTest, AValueWithoutATermFormPrintsAsItsDemangledType) {
  EXPECT_EQ(to_string(detail::as_term(shop::add_item{2})),
            "#Message<otter::(anonymous namespace)::shop::add_item>");
}

}  // namespace
}  // namespace otter
