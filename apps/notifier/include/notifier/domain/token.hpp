// notifier/domain/token.hpp: API tokens and other secrets.
//
// Tokens and webhook secrets are 32 bytes from OpenSSL's CSPRNG (RAND_bytes), written as 64
// lowercase hex characters. The store keeps only hash_token(token), the hex SHA-256 of the
// token's text, and finds a user by hashing the token a request presents: a token is 256 random
// bits, so an unsalted fast hash is enough (nothing to brute-force), and equal tokens must hash
// equal for the lookup.
//
// Thread safety: all functions are safe to call from any thread (OpenSSL 3's RAND_bytes and
// digests are thread-safe).

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace notifier {

/// Bytes of randomness in a token or secret.
inline constexpr std::size_t token_bytes = 32;

/// `bytes` bytes from the CSPRNG as 2 * bytes lowercase hex characters.
/// Throws std::runtime_error when the CSPRNG fails (it has no entropy source).
[[nodiscard]] std::string random_hex(std::size_t bytes);

/// A new API token: random_hex(token_bytes).
[[nodiscard]] inline std::string generate_token() {
  return random_hex(token_bytes);
}
/// A new webhook secret: random_hex(token_bytes).
[[nodiscard]] inline std::string generate_secret() {
  return random_hex(token_bytes);
}

/// The stored form of `token`: its SHA-256 as 64 lowercase hex characters.
[[nodiscard]] std::string hash_token(std::string_view token);

}  // namespace notifier
