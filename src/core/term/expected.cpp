// errc names and the mapping from OTP reason terms to codes.

#include "otter/core/expected.hpp"

#include <array>

namespace otter {

namespace {
constexpr std::array<std::string_view, 12> names = {
    "already_started", "already_present",    "not_found", "running",
    "restarting",      "max_children",       "noproc",    "timeout",
    "badarg",          "invalid_child_spec", "ignore",    "exit",
};
}  // namespace

std::string_view to_string(errc code) noexcept {
  return names[static_cast<std::size_t>(code)];
}

failure failure::of(errc code) {
  return failure{code, term(atom(to_string(code)))};
}

failure failure::from_reason(term reason) {
  // OTP reasons carry their meaning in the head: `:noproc`, `{:noproc, {GenServer, :call, ..}}`,
  // `{:already_started, pid}`.
  const term* head = &reason;
  if (reason.is_tuple() && reason.size() > 0) {
    head = &reason[0];
  }
  if (head->is_atom()) {
    for (std::size_t i = 0; i + 1 < names.size(); ++i) {
      if (head->as_atom().name() == names[i]) {
        return failure{static_cast<errc>(i), std::move(reason)};
      }
    }
  }
  return failure{errc::exit, std::move(reason)};
}

}  // namespace otter
