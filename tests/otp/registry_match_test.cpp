// Match specifications of Registry.match/select (src/otp/registry_match.hpp): patterns,
// guards and bodies, checked against what ETS does with the same specification.

#include "otp/registry_match.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

namespace otter::registry::detail {
namespace {

using test_support::a;

bool matches(const term& pattern, const term& value) {
  bindings b;
  return match_pattern(pattern, value, b);
}

/// The value of `expr` with $1 = `one`, or `:error` when it fails.
term eval1(const term& expr, const term& one = term()) {
  bindings b;
  b.bind(1, one);
  std::optional<term> v = evaluate(expr, b, tuple(a("whole")));
  return v ? *v : term(a("error"));
}

TEST(RegistryMatchTest, PatternsMatchLiteralsWildcardsAndStructure) {
  EXPECT_TRUE(matches(a("_"), tuple(1, 2)));
  EXPECT_TRUE(matches(term(1), term(1)));
  EXPECT_FALSE(matches(term(1), term(1.0)));  // exact, as =:=
  EXPECT_TRUE(matches(tuple(a("user"), a("_")), tuple(a("user"), "bob")));
  EXPECT_FALSE(matches(tuple(a("user"), a("_")), tuple(a("user"), "bob", 1)));
  EXPECT_TRUE(matches(list(1, a("_")), list(1, 2)));
  EXPECT_FALSE(matches(list(1, a("_")), list(1, 2, 3)));
  EXPECT_FALSE(matches(list(1), tuple(1)));
  // A map pattern matches a map that holds its keys (and maybe more).
  term m = term::map({{a("a"), 1}, {a("b"), 2}});
  EXPECT_TRUE(matches(term::map({{a("a"), a("$1")}}), m));
  EXPECT_TRUE(matches(term::map({}), m));
  EXPECT_FALSE(matches(term::map({{a("c"), a("_")}}), m));
  EXPECT_FALSE(matches(term::map({}), list()));
}

TEST(RegistryMatchTest, VariablesBindAndARepeatedVariableMustBeEqual) {
  bindings b;
  EXPECT_TRUE(match_pattern(tuple(a("$1"), a("$2"), a("$1")), tuple(1, "x", 1), b));
  EXPECT_EQ(*b.find(1), term(1));
  EXPECT_EQ(*b.find(2), term("x"));
  EXPECT_EQ(b.all(), list(1, "x"));
  EXPECT_FALSE(matches(tuple(a("$1"), a("$1")), tuple(1, 2)));
  EXPECT_FALSE(matches(tuple(a("$1"), a("$1")), tuple(1, 1.0)));
  EXPECT_TRUE(matches(a("$0"), term(5)));
  EXPECT_TRUE(matches(a("$abc"), a("$abc")));  // not a variable: a literal atom
}

TEST(RegistryMatchTest, GuardsTestTypesAndCompareNumbersByValue) {
  EXPECT_EQ(eval1(tuple(a("is_integer"), a("$1")), 3), term(true));
  EXPECT_EQ(eval1(tuple(a("is_integer"), a("$1")), 3.0), term(false));
  EXPECT_EQ(eval1(tuple(a("is_number"), a("$1")), 3.0), term(true));
  EXPECT_EQ(eval1(tuple(a("is_atom"), a("$1")), a("x")), term(true));
  EXPECT_EQ(eval1(tuple(a("is_binary"), a("$1")), "x"), term(true));
  EXPECT_EQ(eval1(tuple(a("is_tuple"), a("$1")), tuple()), term(true));
  EXPECT_EQ(eval1(tuple(a("is_list"), a("$1")), list()), term(true));
  EXPECT_EQ(eval1(tuple(a("is_map"), a("$1")), term::map({})), term(true));
  EXPECT_EQ(eval1(tuple(a("is_pid"), a("$1")), pid(1, 1)), term(true));
  EXPECT_EQ(eval1(tuple(a("=="), a("$1"), 1.0), 1), term(true));
  EXPECT_EQ(eval1(tuple(a("=:="), a("$1"), 1.0), 1), term(false));
  EXPECT_EQ(eval1(tuple(a("/="), a("$1"), 1.0), 1), term(false));
  EXPECT_EQ(eval1(tuple(a("=/="), a("$1"), 1.0), 1), term(true));
  EXPECT_EQ(eval1(tuple(a("<"), a("$1"), 1.0), 1), term(false));
  EXPECT_EQ(eval1(tuple(a("=<"), a("$1"), 1.0), 1), term(true));
  EXPECT_EQ(eval1(tuple(a(">"), a("$1"), 50), 60), term(true));
  EXPECT_EQ(eval1(tuple(a(">="), a("$1"), 2.5), 2), term(false));
  // Term order across kinds: a number is smaller than an atom.
  EXPECT_EQ(eval1(tuple(a("<"), a("$1"), a("z")), 1000), term(true));
}

TEST(RegistryMatchTest, BooleanOperatorsAndFailuresMakeAGuardFalse) {
  term both = tuple(a("andalso"), tuple(a("is_integer"), a("$1")), tuple(a(">"), a("$1"), 1));
  EXPECT_EQ(eval1(both, 5), term(true));
  EXPECT_EQ(eval1(both, a("x")), term(false));  // short-circuit: the comparison never runs
  // orelse stops at the first true, even before a failing operand.
  term either = tuple(a("orelse"), tuple(a("is_atom"), a("$1")), tuple(a("+"), a("$1"), 1));
  EXPECT_EQ(eval1(either, a("x")), term(true));
  EXPECT_EQ(eval1(tuple(a("not"), tuple(a("is_atom"), a("$1"))), 1), term(true));
  EXPECT_EQ(eval1(tuple(a("and"), true, false)), term(false));
  EXPECT_EQ(eval1(tuple(a("xor"), true, false)), term(true));
  // An error (here adding to an atom, or an unbound variable) fails the evaluation ...
  EXPECT_EQ(eval1(tuple(a("+"), a("$1"), 1), a("x")), term(a("error")));
  EXPECT_EQ(eval1(a("$9")), term(a("error")));
  // ... and a failed guard, or one that is not exactly true, does not hold.
  bindings b;
  b.bind(1, a("x"));
  std::vector<term> fails{tuple(a(">"), tuple(a("+"), a("$1"), 1), 0)};
  EXPECT_FALSE(guards_hold(fails, b, term()));
  std::vector<term> not_boolean{term(1)};
  EXPECT_FALSE(guards_hold(not_boolean, b, term()));
  std::vector<term> none;
  EXPECT_TRUE(guards_hold(none, b, term()));
}

TEST(RegistryMatchTest, ExpressionsComputeAndBuildTerms) {
  EXPECT_EQ(eval1(tuple(a("+"), a("$1"), 2), 40), term(42));
  EXPECT_EQ(eval1(tuple(a("*"), a("$1"), 1.5), 2), term(3.0));
  EXPECT_EQ(eval1(tuple(a("div"), a("$1"), 2), 7), term(3));
  EXPECT_EQ(eval1(tuple(a("rem"), a("$1"), 2), 7), term(1));
  EXPECT_EQ(eval1(tuple(a("div"), a("$1"), 0), 7), term(a("error")));
  EXPECT_EQ(eval1(tuple(a("element"), 2, a("$1")), tuple(a("a"), a("b"))), term(a("b")));
  EXPECT_EQ(eval1(tuple(a("element"), 3, a("$1")), tuple(a("a"), a("b"))), term(a("error")));
  EXPECT_EQ(eval1(tuple(a("hd"), a("$1")), list(1, 2)), term(1));
  EXPECT_EQ(eval1(tuple(a("tl"), a("$1")), list(1, 2)), list(2));
  EXPECT_EQ(eval1(tuple(a("length"), a("$1")), list(1, 2)), term(2));
  EXPECT_EQ(eval1(tuple(a("tuple_size"), a("$1")), tuple(1, 2, 3)), term(3));
  EXPECT_EQ(eval1(tuple(a("abs"), a("$1")), -4), term(4));
  EXPECT_EQ(eval1(tuple(a("map_get"), a("k"), a("$1")), term::map({{a("k"), 1}})), term(1));
  EXPECT_EQ(eval1(tuple(a("is_map_key"), a("j"), a("$1")), term::map({{a("k"), 1}})), term(false));
  // {{a, b}} builds a tuple; {:const, x} is x unevaluated; a list evaluates its elements.
  EXPECT_EQ(eval1(tuple(tuple(a("$1"), a("ok"))), 7), tuple(7, a("ok")));
  EXPECT_EQ(eval1(tuple(a("const"), tuple(a("$1"))), 7), tuple(a("$1")));
  EXPECT_EQ(eval1(list(a("$1"), a("$1")), 7), list(7, 7));
  EXPECT_EQ(eval1(a("$_")), tuple(a("whole")));
  EXPECT_EQ(eval1(a("$$"), 7), list(7));
  EXPECT_EQ(eval1(a("plain")), term(a("plain")));
}

TEST(RegistryMatchTest, ASpecReturnsTheBodyOfTheFirstClauseThatMatches) {
  std::vector<spec_clause> spec{
      {tuple(a("$1"), a("_")), {tuple(a("is_atom"), a("$1"))}, {term(a("atom"))}},
      {tuple(a("$1"), a("$2")), {}, {a("$2"), tuple(tuple(a("$2"), a("$1")))}},
  };
  EXPECT_EQ(run_spec(spec, tuple(a("x"), 1)), std::optional<term>(a("atom")));
  EXPECT_EQ(run_spec(spec, tuple(1, 2)), std::optional<term>(tuple(2, 1)));
  EXPECT_FALSE(run_spec(spec, tuple(1, 2, 3)).has_value());
}

}  // namespace
}  // namespace otter::registry::detail
