// Example 15: a gen_statem: a code lock, with one handler per state.
//
// The lock is `locked` or `open`; buttons are casts, `status` is a call whose reply type is
// std::string. A correct code opens the lock and starts a state timeout that locks it again;
// a wrong one is reset. While open, a new code entry is postponed: it is retried, in order,
// once the lock has locked again. Each state change makes an enter call (state_enter).
//
// Expected output:
//   enter locked (from locked)
//   status: locked
//   wrong code, reset
//   enter open (from locked)
//   status: open
//   enter locked (from open)        (the state timeout, 1000 ms later)
//   wrong code, reset               (the button pressed while open, retried)
//   status after the timeout: locked

#include "otter/otp/gen_statem.hpp"
#include "otter/otter.hpp"

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gen_statem = otter::gen_statem;
using otter::atom;

// [docs:gen_statem-lock]
struct code_lock {
  struct button {
    int digit;
  };
  struct status {
    using reply_type = std::string;  // call(lock, status{}) returns a std::string
  };
  struct data {
    std::vector<int> code;
    std::vector<int> entered;
  };
  using state = atom;
  using result = gen_statem::result<atom, data>;
  static constexpr auto callback_mode = gen_statem::state_functions | gen_statem::state_enter;

  gen_statem::init_result<atom, data> init(std::vector<int> code) {
    return {atom("locked"), data{std::move(code), {}}};
  }
  static gen_statem::state_table<code_lock> state_functions() {
    return {{atom("locked"), &code_lock::locked}, {atom("open"), &code_lock::open}};
  }

  result locked(gen_statem::event& e, data& d) {
    if (e.is_enter()) {
      return entered("locked", e);
    }
    if (const button* b = e.cast<button>()) {
      d.entered.push_back(b->digit);
      if (d.entered == d.code) {
        d.entered.clear();
        return result::next_state(atom("open")).state_timeout(1000, atom("lock"));
      }
      if (d.entered.size() == d.code.size()) {
        std::printf("wrong code, reset\n");
        d.entered.clear();
      }
      return result::keep_state();
    }
    return result::keep_state_and_data().reply(e.caller(), std::string("locked"));
  }

  result open(gen_statem::event& e, data&) {
    if (e.is_enter()) {
      return entered("open", e);
    }
    if (e.kind() == gen_statem::event_kind::state_timeout) {
      return result::next_state(atom("locked"));
    }
    if (e.cast<button>() != nullptr) {
      return result::keep_state_and_data().postpone();  // handled once locked again
    }
    return result::keep_state_and_data().reply(e.caller(), std::string("open"));
  }

  static result entered(const char* name, gen_statem::event& e) {
    // The content of an enter event is the previous state (an atom travels as a term).
    std::string_view previous = e.get<otter::term>().as_atom().name();
    std::printf("enter %s (from %.*s)\n", name, static_cast<int>(previous.size()), previous.data());
    return result::keep_state_and_data();
  }
};
// [docs:gen_statem-lock]

otter::co<void> demo() {
  std::vector<int> code{1, 2, 3};  // (GCC 12 rejects an initializer list inside co_await)
  otter::start_result started = co_await gen_statem::start_link<code_lock>(code);
  otter::pid lock = *started;
  std::string s = co_await gen_statem::call(lock, code_lock::status{});
  std::printf("status: %s\n", s.c_str());
  for (int digit : {1, 2, 9, 1, 2, 3}) {
    gen_statem::cast(lock, code_lock::button{digit});
  }
  s = co_await gen_statem::call(lock, code_lock::status{});
  std::printf("status: %s\n", s.c_str());
  for (int digit : {4, 5, 6}) {  // postponed while open
    gen_statem::cast(lock, code_lock::button{digit});
  }
  co_await otter::sleep(1500);
  s = co_await gen_statem::call(lock, code_lock::status{});
  std::printf("status after the timeout: %s\n", s.c_str());
  co_await gen_statem::stop(lock);
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
