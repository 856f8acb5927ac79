// The secrets create_user stores, made where a CSPRNG or digest failure (std::runtime_error
// from token.hpp) becomes a store failure, so that no store call throws.

#pragma once

#include "notifier/domain/token.hpp"

#include "store/failure.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace notifier::detail {

struct credentials {
  std::string token;       // given to the user once
  std::string token_hash;  // stored
  std::string secret;      // stored: the webhook signing key
};

[[nodiscard]] inline credentials new_credentials() {
  try {
    credentials c{.token = generate_token(), .token_hash = {}, .secret = generate_secret()};
    c.token_hash = hash_token(c.token);
    return c;
  } catch (const std::runtime_error& e) {
    fail(store_errc::internal, e.what());
  }
}

[[nodiscard]] inline std::string stored_token_hash(std::string_view token) {
  try {
    return hash_token(token);
  } catch (const std::runtime_error& e) {
    fail(store_errc::internal, e.what());
  }
}

}  // namespace notifier::detail
