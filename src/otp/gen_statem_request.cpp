// The non-template parts of otter/otp/gen_statem_request.hpp.

#include "otter/otp/gen_statem_request.hpp"

namespace otter::gen_statem::detail {

void finish_request(ref tag, ref monitor, bool flush_down) {
  // OTP monitors with {alias, demonitor}: the alias dies with the monitor. Here they are two
  // things, so both go; unalias() makes the runtime drop a reply sent after this.
  if (flush_down) {
    demonitor(monitor, {.flush = true});
  }
  if (!tag.is_null()) {
    unalias(tag);
  }
}

void check_response_timeout(std::int64_t timeout) {
  if (timeout < 0 && timeout != infinity) {
    otter::error(term(atoms::badarg));
  }
}

}  // namespace otter::gen_statem::detail
