// otter/detail/assert.hpp: the runtime's assertions (tier 3 of the error model: bugs).
//
// OTTER_CHECK(cond, msg) is always on; OTTER_ASSERT(cond, msg) is on in debug builds and with
// OTTER_RUNTIME_CHECKS. Both print file:line and the message, then abort.

#pragma once

namespace otter::detail {
[[noreturn]] void assertion_failed(const char* file, int line, const char* cond,
                                   const char* msg) noexcept;
}  // namespace otter::detail

#define OTTER_CHECK(cond, msg)                                           \
  do {                                                                   \
    if (!(cond)) [[unlikely]] {                                          \
      ::otter::detail::assertion_failed(__FILE__, __LINE__, #cond, msg); \
    }                                                                    \
  } while (false)

#if !defined(NDEBUG) || defined(OTTER_RUNTIME_CHECKS)
#define OTTER_ASSERT(cond, msg) OTTER_CHECK(cond, msg)
#else
#define OTTER_ASSERT(cond, msg) \
  do {                          \
  } while (false)
#endif
