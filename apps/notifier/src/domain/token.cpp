// Tokens and secrets from OpenSSL's CSPRNG; SHA-256 through the EVP interface.

#include "notifier/domain/token.hpp"

#include "domain/hex.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <stdexcept>
#include <vector>

namespace notifier {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (bytes > static_cast<std::size_t>(INT_MAX)
      || RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("random_hex: the CSPRNG failed (RAND_bytes)");
  }
  return detail::to_hex(buffer.data(), buffer.size());
}

std::string hash_token(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("hash_token: SHA-256 failed");
  }
  return detail::to_hex(digest, size);
}

}  // namespace notifier
