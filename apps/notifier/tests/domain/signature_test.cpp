// tests/domain/signature_test.cpp: webhook signatures (notifier/domain/signature.hpp).

#include "notifier/domain/signature.hpp"

#include <gtest/gtest.h>

#include <string>

namespace notifier {
namespace {

// RFC 4231, test case 2 (a short key).
TEST(SignatureTest, SignatureIsTheHmacSha256OfTheBody) {
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231, test case 6: a key longer than the block is hashed first.
TEST(SignatureTest, KeysLongerThanABlockAreAccepted) {
  const std::string key(131, '\xaa');
  EXPECT_EQ(webhook_signature(key, "Test Using Larger Than Block-Size Key - Hash Key First"),
            "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(SignatureTest, EmptyBodyAndEmptySecretAreSigned) {
  const std::string s = webhook_signature("", "");
  EXPECT_EQ(s, "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_TRUE(verify_webhook_signature("", "", s));
}

TEST(SignatureTest, VerifyAcceptsTheSignatureOfTheSameBodyAndSecret) {
  const std::string body = R"({"event":"task.reminder"})";
  EXPECT_TRUE(verify_webhook_signature("secret", body, webhook_signature("secret", body)));
}

TEST(SignatureTest, VerifyRejectsAnyChange) {
  const std::string body = R"({"event":"task.reminder"})";
  const std::string good = webhook_signature("secret", body);
  EXPECT_FALSE(verify_webhook_signature("secret", body + " ", good));
  EXPECT_FALSE(verify_webhook_signature("secreT", body, good));
  EXPECT_FALSE(verify_webhook_signature("secret", body, good.substr(0, good.size() - 1)));
  EXPECT_FALSE(verify_webhook_signature("secret", body, good + "0"));
  EXPECT_FALSE(verify_webhook_signature("secret", body, ""));
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(verify_webhook_signature("secret", body, flipped));
}

}  // namespace
}  // namespace notifier
