// notifier/domain/user.hpp: a user of the notifier, and what it takes to create one.
//
// A user authenticates with an API token. The token is shown once, when the user is created;
// the store keeps only its SHA-256 hash (token.hpp), so a leaked database does not leak tokens.
// The webhook secret, by contrast, is stored as is: it is the key that signs each webhook
// request (signature.hpp), so the service must be able to read it back.
//
// Thread safety: values and pure functions.

#pragma once

#include "notifier/domain/clock.hpp"
#include "notifier/domain/ids.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace notifier {

/// A stored user.
struct user {
  user_id id{};
  std::string name{};
  std::string token_hash{};                  // hex SHA-256 of the API token
  std::optional<std::string> webhook_url{};  // no URL: notifications go to the log channel
  std::string webhook_secret{};              // HMAC key for webhook signatures (hex)
  timestamp created_at{};

  friend bool operator==(const user&, const user&) = default;
};

/// What create_user needs; the store generates the token and the webhook secret.
struct new_user {
  std::string name{};
  std::optional<std::string> webhook_url{};
  timestamp created_at{};
};

/// A user just created, with its API token in plain text (the only time it is available).
struct created_user {
  notifier::user user{};
  std::string token{};
};

inline constexpr std::size_t max_name_bytes = 200;
inline constexpr std::size_t max_url_bytes = 2048;

/// Why `u` cannot be stored, or nothing when it can: the name must be 1..max_name_bytes bytes
/// without NUL; a webhook URL must start with http:// or https://, have a host, be at most
/// max_url_bytes long and contain no whitespace or control characters.
[[nodiscard]] std::optional<std::string> validate(const new_user& u);

}  // namespace notifier
