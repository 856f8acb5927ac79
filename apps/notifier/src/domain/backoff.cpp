#include "notifier/domain/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace notifier {

namespace {

// The delay before jitter, in milliseconds, as a double: the power can exceed any integer, so
// it is clamped to max_delay before conversion.
double full_delay_ms(const backoff_policy& policy, int retry) noexcept {
  const double initial = static_cast<double>(policy.initial.count());
  const double cap = static_cast<double>(policy.max_delay.count());
  const double multiplier = std::max(1.0, policy.multiplier);
  const double d = initial * std::pow(multiplier, std::max(retry, 1) - 1);
  return std::clamp(std::isfinite(d) ? d : cap, 0.0, std::max(cap, 0.0));
}

double clamped_jitter(const backoff_policy& policy) noexcept {
  return std::clamp(policy.jitter, 0.0, 1.0);
}

std::chrono::milliseconds to_ms(double ms) noexcept {
  return std::chrono::milliseconds{static_cast<std::chrono::milliseconds::rep>(std::llround(ms))};
}

}  // namespace

backoff_range backoff_bounds(const backoff_policy& policy, int retry) noexcept {
  const double d = full_delay_ms(policy, retry);
  return {.min = to_ms(d * (1.0 - clamped_jitter(policy))), .max = to_ms(d)};
}

std::chrono::milliseconds backoff_delay(const backoff_policy& policy, int retry,
                                        double unit) noexcept {
  const double d = full_delay_ms(policy, retry);
  const double u = std::clamp(unit, 0.0, 1.0);
  return to_ms(d - u * clamped_jitter(policy) * d);
}

std::chrono::milliseconds backoff_delay(const backoff_policy& policy, int retry) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return backoff_delay(policy, retry, unit(generator));
}

}  // namespace notifier
