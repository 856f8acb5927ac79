// update_counter and update_element (counters.hpp). The store runs the update under the
// key's write lock; the functions here validate every operation before they change anything,
// so a badarg leaves the object as it was.

#include "otter/ets/counters.hpp"

#include "ets/table_impl.hpp"

#include <utility>

namespace otter::ets {

using detail::access_kind;
using detail::badarg;
using detail::checked;
using detail::resolved;
using detail::table_impl;

namespace {

table_impl& checked_set(const resolved& r) {
  table_impl& tb = checked(r, access_kind::write);
  if (tb.type == table_type::bag || tb.type == table_type::duplicate_bag) {
    badarg();
  }
  return tb;
}

// Computes every op's result into `results` (validating all), then writes them in order (the
// last write to a position is the last op's result, which is what applying them one by one
// would leave).
void apply_counters(std::span<term> elements, std::span<const counter_op> ops, std::uint32_t keypos,
                    std::int64_t* results) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const counter_op& op = ops[i];
    if (op.pos == 0 || op.pos > elements.size() || op.pos == keypos) {
      badarg();
    }
    std::int64_t current = 0;
    bool earlier = false;
    for (std::size_t j = i; j-- > 0;) {
      if (ops[j].pos == op.pos) {
        current = results[j];
        earlier = true;
        break;
      }
    }
    if (!earlier) {
      const term& e = elements[op.pos - 1];
      if (!e.is_integer()) {
        badarg();
      }
      current = e.as_int();
    }
    std::int64_t v = 0;
    if (__builtin_add_overflow(current, op.incr, &v)) {
      badarg();  // Erlang would make a bignum; a 64-bit counter cannot (counters.hpp)
    }
    if (op.threshold && (op.incr >= 0 ? v > *op.threshold : v < *op.threshold)) {
      v = op.set_value;
    }
    results[i] = v;
  }
  for (std::size_t i = 0; i < ops.size(); ++i) {
    elements[ops[i].pos - 1] = term(results[i]);
  }
}

void update_counters(table_impl& tb, const term& key, std::span<const counter_op> ops,
                     const term* default_object, std::int64_t* results) {
  term initial;
  if (default_object != nullptr) {
    // Checked as the BEAM does: a non-tuple always, a short tuple only when it is used.
    if (!default_object->is_tuple()) {
      badarg();
    }
    if (default_object->size() >= tb.keypos) {
      std::vector<term> elements(default_object->elements().begin(),
                                 default_object->elements().end());
      elements[tb.keypos - 1] = key;
      initial = term::tuple(std::move(elements));
    }
  }
  const bool usable_default = default_object != nullptr && initial.is_tuple();
  auto apply = [&](std::span<term> elements) {
    apply_counters(elements, ops, tb.keypos, results);
  };
  if (!tb.objects->update(key, usable_default ? &initial : nullptr, apply)) {
    badarg();  // no object with the key, and no (usable) default
  }
}

counter_op after_key(const table_impl& tb, std::int64_t incr) {
  return counter_op{.pos = tb.keypos + std::size_t{1}, .incr = incr};
}

}  // namespace

std::int64_t update_counter(table_ref t, const term& key, std::int64_t incr) {
  resolved r(t);
  table_impl& tb = checked_set(r);
  const counter_op op = after_key(tb, incr);
  std::int64_t result = 0;
  update_counters(tb, key, {&op, 1}, nullptr, &result);
  return result;
}

std::int64_t update_counter(table_ref t, const term& key, std::int64_t incr,
                            const term& default_object) {
  resolved r(t);
  table_impl& tb = checked_set(r);
  const counter_op op = after_key(tb, incr);
  std::int64_t result = 0;
  update_counters(tb, key, {&op, 1}, &default_object, &result);
  return result;
}

std::int64_t update_counter(table_ref t, const term& key, const counter_op& op) {
  resolved r(t);
  std::int64_t result = 0;
  update_counters(checked_set(r), key, {&op, 1}, nullptr, &result);
  return result;
}

std::int64_t update_counter(table_ref t, const term& key, const counter_op& op,
                            const term& default_object) {
  resolved r(t);
  std::int64_t result = 0;
  update_counters(checked_set(r), key, {&op, 1}, &default_object, &result);
  return result;
}

std::vector<std::int64_t> update_counter(table_ref t, const term& key,
                                         std::span<const counter_op> ops) {
  resolved r(t);
  std::vector<std::int64_t> results(ops.size());
  update_counters(checked_set(r), key, ops, nullptr, results.data());
  return results;
}

std::vector<std::int64_t> update_counter(table_ref t, const term& key,
                                         std::span<const counter_op> ops,
                                         const term& default_object) {
  resolved r(t);
  std::vector<std::int64_t> results(ops.size());
  update_counters(checked_set(r), key, ops, &default_object, results.data());
  return results;
}

bool update_element(table_ref t, const term& key, std::size_t pos, term value) {
  const element_update u{pos, std::move(value)};
  return update_element(t, key, {&u, 1});
}

bool update_element(table_ref t, const term& key, std::span<const element_update> updates) {
  resolved r(t);
  table_impl& tb = checked_set(r);
  auto apply = [&](std::span<term> elements) {
    for (const element_update& u : updates) {
      if (u.pos == 0 || u.pos > elements.size() || u.pos == tb.keypos) {
        badarg();
      }
    }
    for (const element_update& u : updates) {
      elements[u.pos - 1] = u.value;
    }
  };
  return tb.objects->update(key, nullptr, apply);
}

}  // namespace otter::ets
