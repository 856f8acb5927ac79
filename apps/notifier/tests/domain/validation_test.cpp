// tests/domain/validation_test.cpp: input rules and the stored forms of the enums
// (notifier/domain/user.hpp, task.hpp, notification.hpp).

#include "notifier/domain/notification.hpp"
#include "notifier/domain/task.hpp"
#include "notifier/domain/user.hpp"

#include <gtest/gtest.h>

#include <string>

namespace notifier {
namespace {

TEST(ValidationTest, AUserNeedsANonEmptyNameOfBoundedLength) {
  EXPECT_FALSE(validate(new_user{.name = "ada"}));
  EXPECT_TRUE(validate(new_user{.name = ""}));
  EXPECT_TRUE(validate(new_user{.name = std::string(max_name_bytes + 1, 'a')}));
  EXPECT_FALSE(validate(new_user{.name = std::string(max_name_bytes, 'a')}));
  EXPECT_TRUE(validate(new_user{.name = std::string("a\0b", 3)}));
}

TEST(ValidationTest, AWebhookUrlMustBeHttpWithAHost) {
  auto with_url = [](std::string url) {
    return validate(new_user{.name = "u", .webhook_url = url});
  };
  EXPECT_FALSE(with_url("https://hooks.example.com/otter"));
  EXPECT_FALSE(with_url("http://127.0.0.1:8080/x"));
  EXPECT_TRUE(with_url("ftp://example.com/"));
  EXPECT_TRUE(with_url("https://"));
  EXPECT_TRUE(with_url("https:///path"));
  EXPECT_TRUE(with_url("https://example.com/a b"));
  EXPECT_TRUE(with_url("https://example.com/\n"));
  EXPECT_TRUE(with_url("https://example.com/" + std::string(max_url_bytes, 'a')));
}

TEST(ValidationTest, ATaskNeedsATitleAndBoundedDetails) {
  EXPECT_FALSE(validate(new_task{.title = "Pay rent"}));
  EXPECT_FALSE(validate(new_task{.title = "t", .details = ""}));
  EXPECT_TRUE(validate(new_task{.title = ""}));
  EXPECT_TRUE(validate(new_task{.title = std::string(max_title_bytes + 1, 'x')}));
  EXPECT_TRUE(validate(new_task{.title = "t", .details = std::string(max_details_bytes + 1, 'x')}));
  EXPECT_TRUE(validate(new_task{.title = "t", .details = std::string("\0", 1)}));
}

TEST(ValidationTest, TheWebhookChannelIsForUsersWithAUrl) {
  EXPECT_EQ(channel_for(user{}), channel::log);
  EXPECT_EQ(channel_for(user{.webhook_url = "https://example.com/"}), channel::webhook);
}

TEST(ValidationTest, EnumsRoundTripThroughTheirStoredForms) {
  for (auto s : {task_status::open, task_status::completed}) {
    EXPECT_EQ(parse_task_status(to_string(s)), s);
  }
  for (auto c : {channel::log, channel::webhook}) {
    EXPECT_EQ(parse_channel(to_string(c)), c);
  }
  for (auto o : {attempt_outcome::delivered, attempt_outcome::failed}) {
    EXPECT_EQ(parse_attempt_outcome(to_string(o)), o);
  }
  EXPECT_FALSE(parse_task_status("Open"));
  EXPECT_FALSE(parse_channel("email"));
  EXPECT_FALSE(parse_attempt_outcome(""));
}

}  // namespace
}  // namespace notifier
