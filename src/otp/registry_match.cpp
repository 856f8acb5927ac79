// Match specifications (registry_match.hpp).

#include "otp/registry_match.hpp"

#include "otter/core/process.hpp"

#include <algorithm>
#include <cmath>
#include <compare>
#include <limits>
#include <string_view>

namespace otter::registry::detail {

namespace {

/// N for the atom `:"$N"`.
std::optional<std::int64_t> variable_of(const term& t) {
  if (!t.is_atom()) {
    return std::nullopt;
  }
  std::string_view n = t.as_atom().name();
  if (n.size() < 2 || n[0] != '$' || n.size() > 10) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  for (char c : n.substr(1)) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

bool is_wildcard(const term& t) {
  static const atom underscore("_");
  return t.is(underscore);
}

bool is_number(const term& t) {
  return t.is_integer() || t.type() == term::kind::floating;
}

double as_double(const term& t) {
  return t.is_integer() ? static_cast<double>(t.as_int()) : t.as_double();
}

/// Numbers compared by value (Erlang's arithmetic comparison).
std::partial_ordering compare_numbers(const term& a, const term& b) {
  if (a.is_integer() && b.is_integer()) {
    return a.as_int() <=> b.as_int();
  }
  return as_double(a) <=> as_double(b);
}

/// `==`: exact, except that numbers compare by value (also inside tuples, lists and maps).
bool arith_equal(const term& a, const term& b) {
  if (is_number(a) && is_number(b)) {
    return compare_numbers(a, b) == std::partial_ordering::equivalent;
  }
  if (a.type() != b.type()) {
    return false;
  }
  switch (a.type()) {
    case term::kind::tuple:
    case term::kind::list: {
      auto x = a.elements();
      auto y = b.elements();
      return std::equal(x.begin(), x.end(), y.begin(), y.end(), arith_equal);
    }
    case term::kind::map:
    case term::kind::structure: {
      auto x = a.entries();
      auto y = b.entries();
      return a.struct_name() == b.struct_name()
             && std::equal(x.begin(), x.end(), y.begin(), y.end(),
                           [](const auto& p, const auto& q) {
                             return p.first == q.first && arith_equal(p.second, q.second);
                           });
    }
    default:
      return a == b;
  }
}

/// Erlang's term order with numbers by value (1 < 1.0 is false).
std::partial_ordering order(const term& a, const term& b) {
  if (arith_equal(a, b)) {
    return std::partial_ordering::equivalent;
  }
  if (is_number(a) && is_number(b)) {
    return compare_numbers(a, b);
  }
  return a <=> b;
}

using maybe = std::optional<term>;

maybe boolean(bool v) {
  return term(v);
}

std::optional<bool> as_bool(const maybe& t) {
  if (t && t->is(atoms::true_)) {
    return true;
  }
  if (t && t->is(atoms::false_)) {
    return false;
  }
  return std::nullopt;
}

maybe arith(std::string_view op, const term& a, const term& b) {
  if (!is_number(a) || !is_number(b)) {
    return std::nullopt;
  }
  if (op == "/") {
    double d = as_double(b);
    if (d == 0.0) {
      return std::nullopt;
    }
    return term(as_double(a) / d);
  }
  if (a.is_integer() && b.is_integer()) {
    std::int64_t x = a.as_int();
    std::int64_t y = b.as_int();
    std::int64_t r = 0;
    if (op == "+") {
      if (__builtin_add_overflow(x, y, &r)) {
        return std::nullopt;
      }
    } else if (op == "-") {
      if (__builtin_sub_overflow(x, y, &r)) {
        return std::nullopt;
      }
    } else if (op == "*") {
      if (__builtin_mul_overflow(x, y, &r)) {
        return std::nullopt;
      }
    } else if (op == "div" || op == "rem") {
      if (y == 0 || (x == std::numeric_limits<std::int64_t>::min() && y == -1)) {
        return std::nullopt;
      }
      r = op == "div" ? x / y : x % y;
    } else {
      return std::nullopt;
    }
    return term(r);
  }
  double x = as_double(a);
  double y = as_double(b);
  if (op == "+") {
    return term(x + y);
  }
  if (op == "-") {
    return term(x - y);
  }
  if (op == "*") {
    return term(x * y);
  }
  return std::nullopt;  // div and rem take integers
}

maybe call(std::string_view f, std::span<const term> args, const bindings& b, const term& whole);

}  // namespace

// -- bindings ---------------------------------------------------------------------------------

const term* bindings::find(std::int64_t var) const noexcept {
  for (const auto& [n, v] : vars_) {
    if (n == var) {
      return &v;
    }
  }
  return nullptr;
}

void bindings::bind(std::int64_t var, term value) {
  vars_.emplace_back(var, std::move(value));
}

term bindings::all() const {
  auto sorted = vars_;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<term> out;
  out.reserve(sorted.size());
  for (auto& [n, v] : sorted) {
    out.push_back(std::move(v));
  }
  return term::list(std::move(out));
}

// -- patterns ---------------------------------------------------------------------------------

bool match_pattern(const term& pattern, const term& value, bindings& b) {
  if (is_wildcard(pattern)) {
    return true;
  }
  if (auto var = variable_of(pattern)) {
    if (const term* bound = b.find(*var)) {
      return *bound == value;
    }
    b.bind(*var, value);
    return true;
  }
  switch (pattern.type()) {
    case term::kind::tuple:
    case term::kind::list: {
      if (value.type() != pattern.type() || value.size() != pattern.size()) {
        return false;
      }
      auto p = pattern.elements();
      auto v = value.elements();
      for (std::size_t i = 0; i < p.size(); ++i) {
        if (!match_pattern(p[i], v[i], b)) {
          return false;
        }
      }
      return true;
    }
    case term::kind::map:
    case term::kind::structure: {
      if (value.type() != pattern.type() || value.struct_name() != pattern.struct_name()) {
        return false;
      }
      for (const auto& [k, p] : pattern.entries()) {
        const term* v = value.find(k);
        if (v == nullptr || !match_pattern(p, *v, b)) {
          return false;
        }
      }
      return true;
    }
    default:
      return pattern == value;
  }
}

// -- expressions ------------------------------------------------------------------------------

std::optional<term> evaluate(const term& expr, const bindings& b, const term& whole) {
  static const atom dollar_underscore("$_");
  static const atom dollar_dollar("$$");
  static const atom const_atom("const");
  if (expr.is_atom()) {
    if (expr.is(dollar_underscore)) {
      return whole;
    }
    if (expr.is(dollar_dollar)) {
      return b.all();
    }
    if (auto var = variable_of(expr)) {
      const term* v = b.find(*var);
      return v != nullptr ? std::optional<term>(*v) : std::nullopt;
    }
    return expr;
  }
  if (expr.is_tuple()) {
    auto e = expr.elements();
    if (e.empty()) {
      return expr;
    }
    if (e.size() == 1 && e[0].is_tuple()) {  // {{a, b}}: build a tuple
      std::vector<term> out;
      for (const term& x : e[0].elements()) {
        maybe v = evaluate(x, b, whole);
        if (!v) {
          return std::nullopt;
        }
        out.push_back(std::move(*v));
      }
      return term::tuple(std::move(out));
    }
    if (e.size() == 2 && e[0].is(const_atom)) {
      return e[1];
    }
    if (e[0].is_atom()) {
      return call(e[0].as_atom().name(), e.subspan(1), b, whole);
    }
    return std::nullopt;
  }
  if (expr.is_list()) {
    std::vector<term> out;
    for (const term& x : expr.elements()) {
      maybe v = evaluate(x, b, whole);
      if (!v) {
        return std::nullopt;
      }
      out.push_back(std::move(*v));
    }
    return term::list(std::move(out));
  }
  if (expr.type() == term::kind::map) {
    std::vector<std::pair<term, term>> out;
    for (const auto& [k, x] : expr.entries()) {
      maybe kv = evaluate(k, b, whole);
      maybe v = evaluate(x, b, whole);
      if (!kv || !v) {
        return std::nullopt;
      }
      out.emplace_back(std::move(*kv), std::move(*v));
    }
    return term::map(std::move(out));
  }
  return expr;
}

namespace {

maybe call(std::string_view f, std::span<const term> raw, const bindings& b, const term& whole) {
  // Short-circuit operators evaluate lazily.
  if (f == "andalso" || f == "orelse") {
    const bool is_and = f == "andalso";
    for (const term& x : raw) {
      std::optional<bool> v = as_bool(evaluate(x, b, whole));
      if (!v) {
        return std::nullopt;
      }
      if (*v != is_and) {
        return boolean(!is_and);
      }
    }
    return boolean(is_and);
  }
  std::vector<term> args;
  args.reserve(raw.size());
  for (const term& x : raw) {
    maybe v = evaluate(x, b, whole);
    if (!v) {
      return std::nullopt;
    }
    args.push_back(std::move(*v));
  }
  const std::size_t n = args.size();
  if (n == 1) {
    const term& a = args[0];
    if (f == "is_atom") {
      return boolean(a.is_atom());
    }
    if (f == "is_integer") {
      return boolean(a.is_integer());
    }
    if (f == "is_float") {
      return boolean(a.type() == term::kind::floating);
    }
    if (f == "is_number") {
      return boolean(is_number(a));
    }
    if (f == "is_binary" || f == "is_bitstring") {
      return boolean(a.is_binary());
    }
    if (f == "is_list") {
      return boolean(a.is_list());
    }
    if (f == "is_tuple") {
      return boolean(a.is_tuple());
    }
    if (f == "is_map") {
      return boolean(a.type() == term::kind::map || a.type() == term::kind::structure);
    }
    if (f == "is_pid") {
      return boolean(a.is_pid());
    }
    if (f == "is_reference") {
      return boolean(a.is_ref());
    }
    if (f == "is_port" || f == "is_function") {
      return boolean(false);
    }
    if (f == "is_boolean") {
      return boolean(a.is(atoms::true_) || a.is(atoms::false_));
    }
    if (f == "not") {
      std::optional<bool> v = as_bool(a);
      return v ? boolean(!*v) : std::nullopt;
    }
    if (f == "abs") {
      if (a.is_integer()) {
        if (a.as_int() == std::numeric_limits<std::int64_t>::min()) {
          return std::nullopt;
        }
        return term(a.as_int() < 0 ? -a.as_int() : a.as_int());
      }
      return a.type() == term::kind::floating ? maybe(term(std::fabs(a.as_double())))
                                              : std::nullopt;
    }
    if (f == "-" && is_number(a)) {
      return arith("-", term(0), a);
    }
    if (f == "+" && is_number(a)) {
      return a;
    }
    if (f == "hd" || f == "tl") {
      if (!a.is_list() || a.size() == 0) {
        return std::nullopt;
      }
      if (f == "hd") {
        return a.elements()[0];
      }
      auto rest = a.elements().subspan(1);
      return term::list(std::vector<term>(rest.begin(), rest.end()));
    }
    if (f == "length") {
      return a.is_list() ? maybe(term(static_cast<std::int64_t>(a.size()))) : std::nullopt;
    }
    if (f == "tuple_size" || f == "size") {
      if (a.is_tuple()) {
        return term(static_cast<std::int64_t>(a.size()));
      }
      if (f == "size" && a.is_binary()) {
        return term(static_cast<std::int64_t>(a.as_string().size()));
      }
      return std::nullopt;
    }
    if (f == "byte_size") {
      return a.is_binary() ? maybe(term(static_cast<std::int64_t>(a.as_string().size())))
                           : std::nullopt;
    }
    if (f == "map_size") {
      return a.type() == term::kind::map
                 ? maybe(term(static_cast<std::int64_t>(a.entries().size())))
                 : std::nullopt;
    }
    return std::nullopt;
  }
  if (n == 0) {
    if (f == "self") {
      return term(self());
    }
    if (f == "node") {
      return term(atoms::nonode);
    }
    return std::nullopt;
  }
  if (n != 2) {
    return std::nullopt;
  }
  const term& a = args[0];
  const term& c = args[1];
  if (f == "=:=") {
    return boolean(a == c);
  }
  if (f == "=/=") {
    return boolean(!(a == c));
  }
  if (f == "==") {
    return boolean(arith_equal(a, c));
  }
  if (f == "/=") {
    return boolean(!arith_equal(a, c));
  }
  if (f == "<") {
    return boolean(order(a, c) < 0);
  }
  if (f == ">") {
    return boolean(order(a, c) > 0);
  }
  if (f == "=<") {
    return boolean(order(a, c) <= 0);
  }
  if (f == ">=") {
    return boolean(order(a, c) >= 0);
  }
  if (f == "and" || f == "or" || f == "xor") {
    std::optional<bool> x = as_bool(a);
    std::optional<bool> y = as_bool(c);
    if (!x || !y) {
      return std::nullopt;
    }
    if (f == "and") {
      return boolean(*x && *y);
    }
    return boolean(f == "or" ? (*x || *y) : (*x != *y));
  }
  if (f == "+" || f == "-" || f == "*" || f == "/" || f == "div" || f == "rem") {
    return arith(f, a, c);
  }
  if (f == "element") {
    if (!a.is_integer() || !c.is_tuple() || a.as_int() < 1
        || static_cast<std::size_t>(a.as_int()) > c.size()) {
      return std::nullopt;
    }
    return c[static_cast<std::size_t>(a.as_int() - 1)];
  }
  if (f == "map_get") {
    if (c.type() != term::kind::map) {
      return std::nullopt;
    }
    const term* v = c.find(a);
    return v != nullptr ? maybe(*v) : std::nullopt;
  }
  if (f == "is_map_key") {
    return c.type() == term::kind::map ? boolean(c.find(a) != nullptr) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

bool guards_hold(std::span<const term> guards, const bindings& b, const term& whole) {
  for (const term& g : guards) {
    std::optional<term> v = evaluate(g, b, whole);
    if (!v || !v->is(atoms::true_)) {
      return false;
    }
  }
  return true;
}

std::optional<term> run_spec(std::span<const spec_clause> clauses, const term& object) {
  for (const spec_clause& c : clauses) {
    bindings b;
    if (!match_pattern(c.pattern, object, b) || !guards_hold(c.guards, b, object)) {
      continue;
    }
    std::optional<term> result;
    for (const term& e : c.body) {
      result = evaluate(e, b, object);
      if (!result) {
        return std::nullopt;
      }
    }
    return result;
  }
  return std::nullopt;
}

}  // namespace otter::registry::detail
