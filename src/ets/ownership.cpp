// give_away, setopts and the ETS-TRANSFER message (ownership.hpp; the protocol is in
// table_impl.hpp).

#include "otter/ets/ownership.hpp"

#include "otter/core/process.hpp"

#include "ets/table_impl.hpp"

namespace otter::ets {

using detail::badarg;
using detail::resolved;
using detail::table_impl;

term transfer_msg::to_term() const {
  return tuple(atom("ETS-TRANSFER"), tab.to_term(), from, data);
}

bool give_away(table_ref t, pid to, term data) {
  resolved r(t);
  table_impl* tb = r.get();
  const pid me = otter::detail::pid_of(otter::detail::current_checked("otter::ets::give_away"));
  if (tb == nullptr || !tb->give_away(me, to, data)) {
    badarg();
  }
  return true;
}

bool setopts(table_ref t, std::optional<heir_spec> heir) {
  resolved r(t);
  table_impl* tb = r.get();
  const pid me = otter::detail::pid_of(otter::detail::current_checked("otter::ets::setopts"));
  if (tb == nullptr || !tb->set_heir(me, std::move(heir))) {
    badarg();
  }
  return true;
}

}  // namespace otter::ets
