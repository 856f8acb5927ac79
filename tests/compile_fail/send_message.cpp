// tests/compile_fail/send_message.cpp: compiled twice by tests/compile_fail/CMakeLists.txt.
//
//   OTTER_COMPILE_CASE=0  the positive control: every call below with a movable type compiles.
//   OTTER_COMPILE_CASE=1  otter::send of a type that cannot be moved must NOT compile.
//   OTTER_COMPILE_CASE=2  runtime::send of that type must NOT compile either.
// (Both require otter::message_type.)
//
// The builds share everything but the type sent, so a negative one can only fail because of
// it: a broken include or a typo would break the positive control too.

#include "otter/otter.hpp"

#include <utility>

namespace {

struct movable {
  int value = 0;
};

struct non_movable {
  int value = 0;
  non_movable() = default;
  non_movable(const non_movable&) = delete;
  non_movable(non_movable&&) = delete;
  non_movable& operator=(const non_movable&) = delete;
  non_movable& operator=(non_movable&&) = delete;
};

// The concept itself, checked in both builds.
static_assert(otter::message_type<movable>);
static_assert(!otter::message_type<non_movable>);

}  // namespace

void send_it(otter::runtime& rt, otter::pid to) {
#if OTTER_COMPILE_CASE == 0
  otter::send(to, movable{});
  rt.send(to, movable{});
#elif OTTER_COMPILE_CASE == 1
  otter::send(to, non_movable{});
  (void)rt;
#elif OTTER_COMPILE_CASE == 2
  rt.send(to, non_movable{});
#else
#error "unknown OTTER_COMPILE_CASE"
#endif
}

int main() {
  return 0;
}
