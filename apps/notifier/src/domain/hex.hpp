// Lowercase hex encoding, shared by token.cpp and signature.cpp.

#pragma once

#include <cstddef>
#include <string>

namespace notifier::detail {

[[nodiscard]] inline std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(2 * size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0x0f];
  }
  return out;
}

}  // namespace notifier::detail
