// src/ets/pattern.hpp: match patterns (select.hpp): `:_` matches anything, `:"$N"` binds
// variable N, maps match maps that have at least their keys, everything else matches exactly.
//
// A pattern is compiled once per call: subterms without variables, wildcards or maps become
// literals compared with ==, so matching allocates only for bindings. Matching runs on an
// object_view (the elements of a stored object) under a store's read lock: it calls no user
// code.

#pragma once

#include "otter/core/term.hpp"

#include "ets/store.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace otter::ets::detail {

class pattern {
public:
  explicit pattern(const term& p);

  /// Whether `object` matches; with `bindings` (sized variables()), fills them.
  [[nodiscard]] bool match(const object_view& object, std::vector<term>* bindings) const;
  /// Distinct variables, ordered by number.
  [[nodiscard]] std::size_t variables() const noexcept { return var_numbers_.size(); }
  /// The key, when the pattern is a tuple whose element at `keypos` is fully bound.
  [[nodiscard]] std::optional<term> bound_key(std::uint32_t keypos) const;

private:
  enum class kind : std::uint8_t { any, var, literal, tuple, list, map };
  struct node {
    kind k = kind::any;
    std::uint32_t slot = 0;   // var: index in the bindings
    term value;               // literal: the term; map: unused
    std::vector<node> items;  // tuple, list: elements; map: values
    std::vector<term> keys;   // map: keys (literals)
  };

  node compile(const term& p);
  void collect_vars(const term& p);
  [[nodiscard]] bool match_node(const node& n, const term& t,
                                std::vector<std::optional<term>>& b) const;
  [[nodiscard]] bool match_elements(const node& n, std::span<const term> elements,
                                    std::vector<std::optional<term>>& b) const;

  std::vector<std::uint32_t> var_numbers_;  // sorted
  node root_;
};

}  // namespace otter::ets::detail
