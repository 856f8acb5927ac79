// tests/channels/url_test.cpp: the webhook URL parser (notifier/domain/url.hpp),
// and its agreement with the store's validate() (notifier/domain/user.hpp).

#include "notifier/domain/user.hpp"
#include "notifier/http/client.hpp"

#include <gtest/gtest.h>

#include <string>

namespace notifier::http {
namespace {

bool valid_for_store(const std::string& url) {
  return !validate(new_user{.name = "n", .webhook_url = url, .created_at = {}}).has_value();
}

TEST(UrlTest, SplitsSchemeHostPortAndTarget) {
  auto u = parse_http_url("https://hooks.example.com:8443/otter/in?key=1&x=%20");
  ASSERT_TRUE(u) << u.error();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/otter/in?key=1&x=%20");
  EXPECT_EQ(u->host_header, "hooks.example.com:8443");
}

TEST(UrlTest, DefaultsThePortByScheme) {
  auto plain = parse_http_url("http://example.com/a");
  auto secure = parse_http_url("https://example.com/a");
  ASSERT_TRUE(plain);
  ASSERT_TRUE(secure);
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(secure->port, 443);
  EXPECT_EQ(plain->host_header, "example.com");
  EXPECT_EQ(secure->host_header, "example.com");
}

TEST(UrlTest, AnEmptyPathIsTheRootAndAQueryAloneGetsOne) {
  EXPECT_EQ(parse_http_url("http://example.com")->target, "/");
  EXPECT_EQ(parse_http_url("http://example.com?q=1")->target, "/?q=1");
}

TEST(UrlTest, TheFragmentIsNotSent) {
  auto u = parse_http_url("http://example.com/p?q=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/p?q=1");
}

TEST(UrlTest, AcceptsIpAddresses) {
  auto v4 = parse_http_url("http://127.0.0.1:8080/hook");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto v6 = parse_http_url("http://[::1]:9000/hook");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header, "[::1]:9000");
}

TEST(UrlTest, PercentEncodesBytesAboveAscii) {
  auto u = parse_http_url("http://example.com/caf\xc3\xa9?q=\xc3\xa9");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/caf%C3%A9?q=%C3%A9");
}

TEST(UrlTest, RejectsWhatItCannotUseWithAReason) {
  for (const char* url : {
           "ftp://example.com/",           // scheme
           "HTTP://example.com/",          // scheme case (validate() wants lowercase too)
           "http://",                      // no host
           "http:///path",                 // no host
           "http://:80/",                  // no host
           "http://user:pw@example.com/",  // user info
           "http://example.com:/",         // empty port
           "http://example.com:0/",        // port 0
           "http://example.com:65536/",    // port too large
           "http://example.com:8o/",       // port not a number
           "http://exa mple.com/",         // space
           "http://example.com/\x01",      // control character
           "http://ex%61mple.com/",        // host characters
           "http://[::1/",                 // unclosed IPv6
           "http://[nope]:80/",            // not an IPv6 address
           "http://[::1]x/",               // junk after the IPv6 address
       }) {
    auto u = parse_http_url(url);
    EXPECT_FALSE(u) << url;
    if (!u) {
      EXPECT_FALSE(u.error().empty()) << url;
    }
  }
  EXPECT_FALSE(parse_http_url("http://example.com/" + std::string(max_url_bytes, 'a')));
}

// The store lets a URL in through validate() exactly when the client can use it: a URL the
// client would refuse is refused when the user is created, with the client's reason.
TEST(UrlTest, TheStoreAcceptsExactlyWhatTheClientCanUse) {
  for (const char* url : {"http://example.com", "https://example.com/", "http://127.0.0.1:8080/x",
                          "https://a.b.c/p/q?x=1&y=2", "http://[::1]:1/", "http://h#f",
                          "http://example.com/caf\xc3\xa9"}) {
    EXPECT_TRUE(valid_for_store(url)) << url;
    EXPECT_TRUE(parse_http_url(url)) << url;
  }
  for (const char* url : {"http://user@example.com/", "http://example.com:x/", "http://a!b/",
                          "ftp://x", "http://", "http:///x", "http://a b"}) {
    EXPECT_FALSE(valid_for_store(url)) << url;
    EXPECT_FALSE(parse_http_url(url)) << url;
  }
  EXPECT_EQ(validate(new_user{.name = "u", .webhook_url = "http://example.com:0/"}),
            "webhook_url port must be a number from 1 to 65535");
}

}  // namespace
}  // namespace notifier::http
