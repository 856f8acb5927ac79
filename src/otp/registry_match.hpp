// Match specifications, as ETS evaluates them for Registry.match/select (a subset of
// erts' db_match: patterns, guards and bodies over terms).
//
//   pattern  `:_` matches anything; `:"$N"` binds variable N (a second occurrence must be
//            equal, =:=); tuples and lists match element by element; a map matches a map
//            holding those keys with matching values; anything else matches itself (=:=).
//   guard    an expression that must evaluate to `true`; an expression that fails (a type
//            error, an unbound variable) makes the guard false, as in ETS.
//   expr     `:"$N"`, `:"$_"` (the whole object), `:"$$"` (the bound variables, by number),
//            `{:const, x}`, `{{a, b, ...}}` (a tuple built from expressions), a list of
//            expressions, `{function, args...}` for the guard BIFs (type tests, comparisons,
//            boolean and arithmetic operators, element, hd, tl, length, size, tuple_size,
//            map_size, map_get, is_map_key, abs, self, node), or a constant.
//
// Thread safety: pure functions of their arguments (self() reads the calling process).

#pragma once

#include "otter/core/term.hpp"

#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace otter::registry::detail {

/// Variables bound by a pattern: (number, value), in binding order.
class bindings {
public:
  [[nodiscard]] const term* find(std::int64_t var) const noexcept;
  void bind(std::int64_t var, term value);
  /// `:"$$"`: the values by variable number.
  [[nodiscard]] term all() const;

private:
  std::vector<std::pair<std::int64_t, term>> vars_;
};

/// Whether `value` matches `pattern`, binding its variables into `b`.
[[nodiscard]] bool match_pattern(const term& pattern, const term& value, bindings& b);
/// Whether every guard evaluates to `true`; `whole` is what `:"$_"` stands for.
[[nodiscard]] bool guards_hold(std::span<const term> guards, const bindings& b, const term& whole);
/// The value of `expr`, or nullopt when its evaluation fails.
[[nodiscard]] std::optional<term> evaluate(const term& expr, const bindings& b, const term& whole);

/// One clause of a specification: {pattern, guards, body}.
struct spec_clause {
  term pattern;
  std::vector<term> guards;
  std::vector<term> body;
};

/// Applies the clauses to `object` in order: the first whose pattern and guards match gives
/// the value of the last body expression (nullopt when none matches or the body fails).
[[nodiscard]] std::optional<term> run_spec(std::span<const spec_clause> clauses,
                                           const term& object);

}  // namespace otter::registry::detail
