// src/core/process/internal_messages.hpp: messages the runtime sends to itself.

#pragma once

#include "otter/core/process_info.hpp"
#include "otter/core/ref.hpp"

#include <optional>

namespace otter::detail {

/// The answer to a process_info request (nullopt: the target was dead).
struct info_reply {
  ref tag;
  std::optional<process_info_t> info;
};

}  // namespace otter::detail
