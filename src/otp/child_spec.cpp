#include "otter/otp/child_spec.hpp"

namespace otter {

term to_term(otter::restart r) {
  switch (r) {
    case otter::restart::permanent:
      return term(atom("permanent"));
    case otter::restart::transient:
      return term(atom("transient"));
    case otter::restart::temporary:
      return term(atom("temporary"));
  }
  return term();
}

term to_term(child_type t) {
  return term(atom(t == child_type::worker ? "worker" : "supervisor"));
}

}  // namespace otter
