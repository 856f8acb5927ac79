// tests/domain/token_test.cpp: API tokens and secrets (notifier/domain/token.hpp).

#include "notifier/domain/token.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace notifier {
namespace {

bool is_lower_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST(TokenTest, RandomHexGivesTwoHexCharactersPerByte) {
  EXPECT_EQ(random_hex(0), "");
  const std::string s = random_hex(5);
  EXPECT_EQ(s.size(), 10u);
  EXPECT_TRUE(is_lower_hex(s)) << s;
}

TEST(TokenTest, GeneratedTokensAreSixtyFourHexCharacters) {
  const std::string token = generate_token();
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(is_lower_hex(token)) << token;
}

// 256 random bits: a thousand draws never repeat unless the generator is broken.
TEST(TokenTest, GeneratedTokensDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    seen.insert(generate_token());
    seen.insert(generate_secret());
  }
  EXPECT_EQ(seen.size(), 2000u);
}

// FIPS 180-2's test vectors for SHA-256.
TEST(TokenTest, HashTokenIsTheHexSha256OfTheText) {
  EXPECT_EQ(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hash_token(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TokenTest, HashTokenIsStableAndDiffersFromTheToken) {
  const std::string token = generate_token();
  EXPECT_EQ(hash_token(token), hash_token(token));
  EXPECT_NE(hash_token(token), token);
  EXPECT_NE(hash_token(token), hash_token(generate_token()));
}

}  // namespace
}  // namespace notifier
