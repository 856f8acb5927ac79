// Compiling and matching patterns (pattern.hpp).

#include "ets/pattern.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace otter::ets::detail {

namespace {

// `:"$N"` -> N; nullopt for any other term.
std::optional<std::uint32_t> var_number(const term& t) {
  if (!t.is_atom()) {
    return std::nullopt;
  }
  const std::string_view name = t.as_atom().name();
  if (name.size() < 2 || name[0] != '$') {
    return std::nullopt;
  }
  std::uint32_t n = 0;
  const char* end = name.data() + name.size();
  auto [p, ec] = std::from_chars(name.data() + 1, end, n);
  if (ec != std::errc() || p != end) {
    return std::nullopt;
  }
  return n;
}

bool is_wildcard(const term& t) {
  return t.is_atom() && t.as_atom().name() == "_";
}

bool is_map_kind(const term& t) {
  return t.type() == term::kind::map || t.type() == term::kind::structure;
}

}  // namespace

void pattern::collect_vars(const term& p) {
  if (auto n = var_number(p)) {
    var_numbers_.push_back(*n);
    return;
  }
  if (p.is_tuple() || p.is_list()) {
    for (const term& e : p.elements()) {
      collect_vars(e);
    }
  } else if (is_map_kind(p)) {
    for (const auto& [k, v] : p.entries()) {
      collect_vars(v);
    }
  }
}

pattern::pattern(const term& p) {
  collect_vars(p);
  std::sort(var_numbers_.begin(), var_numbers_.end());
  var_numbers_.erase(std::unique(var_numbers_.begin(), var_numbers_.end()), var_numbers_.end());
  root_ = compile(p);
}

pattern::node pattern::compile(const term& p) {
  node n;
  if (is_wildcard(p)) {
    n.k = kind::any;
    return n;
  }
  if (auto v = var_number(p)) {
    n.k = kind::var;
    n.slot = static_cast<std::uint32_t>(
        std::lower_bound(var_numbers_.begin(), var_numbers_.end(), *v) - var_numbers_.begin());
    return n;
  }
  if (p.is_tuple() || p.is_list()) {
    n.k = p.is_tuple() ? kind::tuple : kind::list;
    bool ground = true;
    for (const term& e : p.elements()) {
      n.items.push_back(compile(e));
      ground = ground && n.items.back().k == kind::literal;
    }
    if (ground) {
      n = node{};
      n.k = kind::literal;
      n.value = p;
    }
    return n;
  }
  if (is_map_kind(p)) {
    // Never a literal: a map pattern matches bigger maps too.
    n.k = kind::map;
    n.value = p;  // for struct names
    for (const auto& [k, v] : p.entries()) {
      n.keys.push_back(k);
      n.items.push_back(compile(v));
    }
    return n;
  }
  n.k = kind::literal;
  n.value = p;
  return n;
}

bool pattern::match_elements(const node& n, std::span<const term> elements,
                             std::vector<std::optional<term>>& b) const {
  if (n.items.size() != elements.size()) {
    return false;
  }
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (!match_node(n.items[i], elements[i], b)) {
      return false;
    }
  }
  return true;
}

bool pattern::match_node(const node& n, const term& t, std::vector<std::optional<term>>& b) const {
  switch (n.k) {
    case kind::any:
      return true;
    case kind::var:
      if (b[n.slot]) {
        return *b[n.slot] == t;
      }
      b[n.slot] = t;
      return true;
    case kind::literal:
      return n.value == t;
    case kind::tuple:
      return t.is_tuple() && match_elements(n, t.elements(), b);
    case kind::list:
      return t.is_list() && match_elements(n, t.elements(), b);
    case kind::map: {
      if (t.type() != n.value.type() || t.struct_name() != n.value.struct_name()) {
        return false;
      }
      for (std::size_t i = 0; i < n.keys.size(); ++i) {
        const term* v = t.find(n.keys[i]);
        if (v == nullptr || !match_node(n.items[i], *v, b)) {
          return false;
        }
      }
      return true;
    }
  }
  return false;
}

bool pattern::match(const object_view& object, std::vector<term>* bindings) const {
  std::vector<std::optional<term>> b(var_numbers_.size());
  bool ok = false;
  switch (root_.k) {
    case kind::tuple:
      ok = match_elements(root_, object.elements, b);
      break;
    case kind::literal:
      ok = root_.value.is_tuple()
           && std::equal(object.elements.begin(), object.elements.end(),
                         root_.value.elements().begin(), root_.value.elements().end());
      break;
    case kind::any:
      ok = true;
      break;
    case kind::var:
      b[0] = object.to_term();
      ok = true;
      break;
    default:
      ok = false;  // lists and maps never match a tuple
      break;
  }
  if (ok && bindings != nullptr) {
    bindings->clear();
    for (auto& v : b) {
      bindings->push_back(std::move(*v));
    }
  }
  return ok;
}

std::optional<term> pattern::bound_key(std::uint32_t keypos) const {
  if (root_.k == kind::literal && root_.value.is_tuple() && root_.value.size() >= keypos) {
    return root_.value[keypos - 1];
  }
  if (root_.k == kind::tuple && root_.items.size() >= keypos
      && root_.items[keypos - 1].k == kind::literal) {
    return root_.items[keypos - 1].value;
  }
  return std::nullopt;
}

}  // namespace otter::ets::detail
