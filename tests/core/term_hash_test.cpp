// Tests for otter/core/term_hash.hpp: equal terms hash alike, different kinds of equal value do
// not collide by construction, and the stable hash does not depend on atom indexes.

#include "otter/core/term_hash.hpp"

#include "otter/otter.hpp"

#include <gtest/gtest.h>

#include <set>

namespace otter {
namespace {

TEST(TermHashTest, EqualTermsBuiltSeparatelyHashAlike) {
  term a = tuple(atom("k"), 1, term::list({term(2), term("x")}));
  term b = tuple(atom("k"), 1, term::list({term(2), term("x")}));
  ASSERT_EQ(a, b);
  EXPECT_EQ(hash_term(a), hash_term(b));
  EXPECT_EQ(stable_hash_term(a), stable_hash_term(b));
}

TEST(TermHashTest, AnIntegerAndAnEqualFloatAreDifferentKeys) {
  EXPECT_NE(hash_term(term(1)), hash_term(term(1.0)));
  EXPECT_NE(stable_hash_term(term(1)), stable_hash_term(term(1.0)));
}

TEST(TermHashTest, SmallIntegersSpreadOverTheLowBits) {
  // Tables take slices of the hash: 1,000 keys must not pile into a few of 256 buckets.
  std::set<std::uint64_t> low;
  for (int i = 0; i < 1000; ++i) {
    low.insert(hash_term(term(i)) & 0xFF);
  }
  EXPECT_GT(low.size(), 200U);
}

TEST(TermHashTest, TheStableHashOfAnAtomIsTheHashOfItsName) {
  // Interning order decides an atom's index; the stable hash must not see it. Two atoms with
  // the same name are one atom, so compare across the atom and a tuple holding it.
  const atom fresh("otter_term_hash_test_fresh_atom");
  EXPECT_EQ(stable_hash_term(term(fresh)),
            stable_hash_term(term(atom("otter_term_hash_test_fresh_atom"))));
  EXPECT_NE(stable_hash_term(term(fresh)), stable_hash_term(term(atom("another_name"))));
  // Golden value: the stable hash is part of how PartitionSupervisor routes keys, which must
  // not change between runs or releases without notice.
  EXPECT_EQ(stable_hash_term(term(atom("a"))), 7464139797653757920ULL);
}

}  // namespace
}  // namespace otter
