// Tests for otter/core/term_hash.hpp: equal terms hash alike, different kinds of equal value do
// not collide by construction. phash2's golden values are in term_phash2_test.cpp.

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
  EXPECT_EQ(phash2_32(a), phash2_32(b));
}

TEST(TermHashTest, AnIntegerAndAnEqualFloatAreDifferentKeys) {
  EXPECT_NE(hash_term(term(1)), hash_term(term(1.0)));
  EXPECT_NE(phash2_32(term(1)), phash2_32(term(1.0)));
}

TEST(TermHashTest, SmallIntegersSpreadOverTheLowBits) {
  // Tables take slices of the hash: 1,000 keys must not pile into a few of 256 buckets.
  std::set<std::uint64_t> low;
  for (int i = 0; i < 1000; ++i) {
    low.insert(hash_term(term(i)) & 0xFF);
  }
  EXPECT_GT(low.size(), 200U);
}

}  // namespace
}  // namespace otter
