// HMAC-SHA256 through OpenSSL's one-shot HMAC(); the comparison uses CRYPTO_memcmp.

#include "notifier/domain/signature.hpp"

#include "domain/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <stdexcept>

namespace notifier {

namespace {
constexpr std::string_view prefix = "sha256=";
}  // namespace

std::string webhook_signature(std::string_view secret, std::string_view body) {
  if (secret.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::invalid_argument("webhook_signature: secret too long");
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // HMAC() reads `body.size()` bytes from body.data(), which may be null for an empty body;
  // OpenSSL accepts that. The key pointer must not be null even for an empty key.
  static constexpr unsigned char empty = 0;
  const void* key = secret.empty() ? static_cast<const void*>(&empty) : secret.data();
  if (HMAC(EVP_sha256(), key, static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size)
      == nullptr) {
    throw std::runtime_error("webhook_signature: HMAC-SHA256 failed");
  }
  return std::string(prefix) + detail::to_hex(mac, size);
}

bool verify_webhook_signature(std::string_view secret, std::string_view body,
                              std::string_view signature) {
  const std::string expected = webhook_signature(secret, body);
  // The length is public (it is fixed); only the content must not leak through timing.
  return signature.size() == expected.size()
         && CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

}  // namespace notifier
