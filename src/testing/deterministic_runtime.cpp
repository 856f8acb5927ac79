#include "otter/testing/deterministic_runtime.hpp"

#include "core/scheduler/runtime_impl.hpp"

namespace otter::testing {

std::size_t deterministic_runtime::run_until_idle() {
  return impl().workers[0]->run_until_idle(0);
}

std::uint64_t deterministic_runtime::seed() noexcept {
  return impl().options.shuffle_seed;
}

bool deterministic_runtime::step() {
  return impl().workers[0]->run_until_idle(1) == 1;
}

void deterministic_runtime::advance_ms(std::uint64_t ms) {
  auto& rt = impl();
  const std::uint64_t target = rt.now() + ms;
  run_until_idle();
  for (;;) {
    auto next = rt.next_timer_deadline();
    if (!next || *next > target) {
      break;
    }
    rt.set_manual_clock(*next);
    run_until_idle();
  }
  rt.set_manual_clock(target);
  run_until_idle();
}

}  // namespace otter::testing
