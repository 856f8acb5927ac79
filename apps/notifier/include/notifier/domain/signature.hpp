// notifier/domain/signature.hpp: webhook request signatures.
//
// Every webhook POST carries the header `X-Otter-Signature: sha256=<hex>`, the HMAC-SHA256 of
// the request body keyed with the user's webhook secret (the secret's text, as given to the user
// at creation, is the key). A receiver recomputes it over the raw body and compares in constant
// time (verify_webhook_signature does both). The body names its own send time, so a receiver can
// also reject stale replays.
//
// Thread safety: pure functions.

#pragma once

#include <string>
#include <string_view>

namespace notifier {

/// The name of the header that carries the signature.
inline constexpr std::string_view signature_header = "X-Otter-Signature";

/// "sha256=" followed by the lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
[[nodiscard]] std::string webhook_signature(std::string_view secret, std::string_view body);

/// Whether `signature` is webhook_signature(secret, body); the comparison takes the same time
/// wherever the first difference is.
[[nodiscard]] bool verify_webhook_signature(std::string_view secret, std::string_view body,
                                            std::string_view signature);

}  // namespace notifier
