#include "otter/otp/start_result.hpp"

namespace otter {

term to_term(const start_result& r) {
  if (r.has_value()) {
    return r.has_info() ? tuple(atoms::ok, *r, r.info()) : tuple(atoms::ok, *r);
  }
  if (r.error().code == errc::ignore) {
    return term(atom("ignore"));
  }
  return tuple(atoms::error, r.error().reason);
}

start_result start_result_of(const term& ack) {
  static const atom ignore("ignore");
  if (ack.is_tagged(atoms::ok, 2) && ack[1].is_pid()) {
    return ack[1].as_pid();
  }
  if (ack.is_tagged(atoms::ok, 3) && ack[1].is_pid()) {
    return start_result(ack[1].as_pid(), ack[2]);
  }
  if (ack.is(ignore)) {
    return unexpected(failure{errc::ignore, ack});
  }
  if (ack.is_tagged(atoms::error, 2)) {
    return unexpected(failure::from_reason(ack[1]));
  }
  return unexpected(failure{errc::exit, ack});
}

}  // namespace otter
