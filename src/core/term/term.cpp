// The term value: scalars inline, compound values in an immutable reference-counted block.
//
// Representation: kind_ says which union member is live. Integers, floats, atoms (index), pids
// (packed value) and refs (id) are stored inline. Tuples, lists, maps, structs, binaries and
// opaques point to a detail::term_block, or hold nullptr when empty (empty tuple, list, map,
// binary or opaque text), so the empty values never allocate. A block is never changed after
// construction; copying a term only increments the block's count.
//
// Term order (Erlang's, made strong): number < atom < reference < opaque < pid < tuple < map <
// structure < list < binary, which is the order of term::kind with integer and floating merged.
// Within kinds: numbers by value (an integer and a float of exactly equal value order the
// integer first); floats by IEEE total order except that 0.0 and -0.0 are equal (OTP 25:
// 0.0 =:= -0.0, so they are the same key in maps and tables; each still prints its sign);
// atoms by
// name; refs by id; opaques by text; pids by pid::value(); tuples by size, then elements; maps
// by size, then keys in order, then values in key order; structures by name, then as maps;
// lists lexicographically; binaries bytewise (as unsigned bytes).
//
// Map keys are kept in Erlang's map key order, which differs from term order only in that
// integers and floats are different types there, all integers before all floats (at any depth):
// %{2 => :b, 1.5 => :a} is sorted, and %{2 => x} < %{1.5 => y}, as in Erlang.

#include "otter/core/term.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace otter {

using kind = term::kind;

namespace detail {

// The shared part of a compound term; one of the three layouts below, chosen by the kind of the
// terms pointing at it. term_block is term's friend: its static members are the helpers that
// need term's representation.
struct term_block {
  // Starts at 1: the term that creates the block owns it. term::immortal() sets `forever`.
  std::atomic<std::size_t> refs{1};
  static constexpr std::size_t forever = std::size_t{1} << (sizeof(std::size_t) * 8 - 2);

  static bool boxed(kind k) noexcept { return term::boxed(k); }

  static void retain(term_block* b) noexcept {
    // Ordering: relaxed. A new reference is only ever made from an existing one, which keeps the
    // block alive meanwhile; handing the copy to another thread needs its own synchronization.
    // An immortal block is only read: its cache line stays shared by every core.
    if (b->refs.load(std::memory_order_relaxed) >= forever) {
      return;
    }
    b->refs.fetch_add(1, std::memory_order_relaxed);
  }

  static void release(kind k, term_block* b) noexcept;

  // Term order when !key_order. With key_order, Erlang's map key order: the same, except that
  // integers and floats are told apart, every integer before every float, at any depth.
  static std::strong_ordering compare(const term& a, const term& b, bool key_order) noexcept;

  static term make(kind k, term_block* b) noexcept {
    term t;
    t.kind_ = k;
    t.block_ = b;
    return t;
  }
};

// Tuples and lists.
struct sequence_block final : term_block {
  explicit sequence_block(std::vector<term> items_in) : items(std::move(items_in)) {}
  std::vector<term> items;
};

// Maps (entries sorted by key, keys unique) and structures (name; entries are (atom, value),
// sorted by atom name, names unique).
struct entries_block final : term_block {
  entries_block(std::string name_in, std::vector<std::pair<term, term>> entries_in)
      : name(std::move(name_in)), entries(std::move(entries_in)) {}
  std::string name;
  std::vector<std::pair<term, term>> entries;
};

// Binaries and opaques.
struct text_block final : term_block {
  explicit text_block(std::string_view text_in) : text(text_in) {}
  std::string text;
};

void term_block::release(kind k, term_block* b) noexcept {
  // Ordering: acq_rel. The release half orders this owner's reads of the block before the
  // decrement; the acquire half makes the owner that reaches zero see every other owner's reads as
  // done before it destroys the block.
  // Relaxed is enough for an immortal block: it is never destroyed, so no reads need ordering
  // before a destruction. A mortal block never reaches `forever` (it would need that many
  // owners), so the test cannot skip a real decrement.
  if (b->refs.load(std::memory_order_relaxed) >= forever) {
    return;
  }
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) {
    return;
  }
  switch (k) {
    case kind::tuple:
    case kind::list:
      delete static_cast<sequence_block*>(b);
      break;
    case kind::map:
    case kind::structure:
      delete static_cast<entries_block*>(b);
      break;
    case kind::binary:
    case kind::opaque:
      delete static_cast<text_block*>(b);
      break;
    default:
      break;  // not a compound kind: no block
  }
}

}  // namespace detail

namespace {

using detail::entries_block;
using detail::sequence_block;
using detail::term_block;
using detail::text_block;

const char* kind_name(kind k) noexcept {
  switch (k) {
    case kind::integer:
      return "an integer";
    case kind::floating:
      return "a float";
    case kind::atom:
      return "an atom";
    case kind::reference:
      return "a reference";
    case kind::opaque:
      return "an opaque";
    case kind::pid:
      return "a pid";
    case kind::tuple:
      return "a tuple";
    case kind::map:
      return "a map";
    case kind::structure:
      return "a struct";
    case kind::list:
      return "a list";
    case kind::binary:
      return "a binary";
  }
  return "an unknown kind";
}

// Aborts with "file:line: term: <what> on a <kind>" when `ok` is false: calling an accessor for
// another kind is a bug in the caller, not a recoverable condition.
void check(bool ok, const char* what, kind k, const char* file = __builtin_FILE(),
           int line = __builtin_LINE()) noexcept {
  if (!ok) {
    std::fprintf(stderr, "%s:%d: term: %s on %s\n", file, line, what, kind_name(k));
    std::abort();
  }
}

[[noreturn]] void fail(const char* message, const char* file = __builtin_FILE(),
                       int line = __builtin_LINE()) noexcept {
  std::fprintf(stderr, "%s:%d: term: %s\n", file, line, message);
  std::abort();
}

// Three-way comparison of an integer with a float by exact value (no rounding of either).
// NaNs, which Erlang does not have, sort beyond the infinities by sign, as in IEEE total order.
std::strong_ordering compare_int_double(std::int64_t i, double d) noexcept {
  constexpr double two_63 = 9223372036854775808.0;  // 2^63, exactly representable
  if (std::isnan(d)) {
    return std::signbit(d) ? std::strong_ordering::greater : std::strong_ordering::less;
  }
  if (d >= two_63) {
    return std::strong_ordering::less;
  }
  if (d < -two_63) {
    return std::strong_ordering::greater;
  }
  const double whole = std::trunc(d);  // in [-2^63, 2^63): converts exactly
  const auto whole_int = static_cast<std::int64_t>(whole);
  if (i != whole_int) {
    return i <=> whole_int;
  }
  if (d > whole) {
    return std::strong_ordering::less;
  }
  if (d < whole) {
    return std::strong_ordering::greater;
  }
  return std::strong_ordering::equal;
}

// Sorts by key (stably) and keeps the last value of each repeated key.
template <class Key, class Less>
void sort_unique_last(std::vector<std::pair<Key, term>>& entries, Less less) {
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const auto& a, const auto& b) { return less(a.first, b.first); });
  std::size_t out = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (out > 0 && !less(entries[out - 1].first, entries[i].first)) {
      entries[out - 1].second = std::move(entries[i].second);  // same key: the later one wins
    } else {
      if (out != i) {
        entries[out] = std::move(entries[i]);
      }
      ++out;
    }
  }
  entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(out), entries.end());
}

// Erlang's map order: by size, then the keys (in map key order), then the values in key order.
std::strong_ordering compare_entries(std::span<const std::pair<term, term>> a,
                                     std::span<const std::pair<term, term>> b,
                                     bool key_order) noexcept {
  if (auto c = a.size() <=> b.size(); c != 0) {
    return c;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (auto c = term_block::compare(a[i].first, b[i].first, true); c != 0) {
      return c;
    }
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (auto c = term_block::compare(a[i].second, b[i].second, key_order); c != 0) {
      return c;
    }
  }
  return std::strong_ordering::equal;
}

std::strong_ordering compare_sequences(std::span<const term> a, std::span<const term> b,
                                       bool key_order) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (auto c = term_block::compare(a[i], b[i], key_order); c != 0) {
      return c;
    }
  }
  return a.size() <=> b.size();
}

}  // namespace

// -- construction ------------------------------------------------------------------------

void term::retain_block(detail::term_block* b) noexcept {
  term_block::retain(b);
}

void term::release_block(kind k, detail::term_block* b) noexcept {
  term_block::release(k, b);
}

term term::immortal(term t) noexcept {
  if (term_block::boxed(t.kind_) && t.block_ != nullptr) {
    t.block_->refs.store(term_block::forever, std::memory_order_relaxed);
    // Kept reachable, so that leak checkers do not report a block that is never freed on
    // purpose. Never destroyed: a static term may be copied during exit.
    static std::mutex mu;
    static auto* kept = new std::vector<term_block*>();
    std::lock_guard<std::mutex> lock(mu);
    kept->push_back(t.block_);
  }
  return t;
}

term::term(int v) noexcept : kind_(kind::integer), int_(v) {}
term::term(long v) noexcept : kind_(kind::integer), int_(v) {}
term::term(long long v) noexcept : kind_(kind::integer), int_(v) {}
term::term(unsigned v) noexcept : kind_(kind::integer), int_(v) {}
term::term(unsigned long v) noexcept : kind_(kind::integer), int_(0) {
  if (v > static_cast<unsigned long>(std::numeric_limits<std::int64_t>::max())) {
    fail("unsigned integer does not fit in a 64-bit signed integer term");
  }
  int_ = static_cast<std::int64_t>(v);
}
term::term(double v) noexcept : kind_(kind::floating), double_(v) {}
term::term(bool v) noexcept
    : kind_(kind::atom), bits_(v ? atoms::true_.index() : atoms::false_.index()) {}
term::term(atom v) noexcept : kind_(kind::atom), bits_(v.index()) {}
term::term(otter::pid v) noexcept : kind_(kind::pid), bits_(v.value()) {}
term::term(otter::ref v) noexcept : kind_(kind::reference), bits_(v.id()) {}

term::term(std::string_view v)
    : kind_(kind::binary), block_(v.empty() ? nullptr : new text_block(v)) {}
term::term(const char* v) : term(v == nullptr ? std::string_view() : std::string_view(v)) {
  if (v == nullptr) {
    fail("binary from a null const char*");
  }
}
term::term(const std::string& v) : term(std::string_view(v)) {}

term term::tuple(std::vector<term> elements) {
  return term_block::make(kind::tuple,
                          elements.empty() ? nullptr : new sequence_block(std::move(elements)));
}

term term::list(std::vector<term> elements) {
  return term_block::make(kind::list,
                          elements.empty() ? nullptr : new sequence_block(std::move(elements)));
}

term term::map(std::vector<std::pair<term, term>> entries) {
  if (entries.empty()) {
    return term_block::make(kind::map, nullptr);
  }
  sort_unique_last(
      entries, [](const term& a, const term& b) { return term_block::compare(a, b, true) < 0; });
  return term_block::make(kind::map, new entries_block(std::string(), std::move(entries)));
}

term term::structure(std::string name, std::vector<std::pair<atom, term>> fields) {
  sort_unique_last(fields, [](atom a, atom b) { return a < b; });
  std::vector<std::pair<term, term>> entries;
  entries.reserve(fields.size());
  for (auto& [field, value] : fields) {
    entries.emplace_back(term(field), std::move(value));
  }
  return term_block::make(kind::structure, new entries_block(std::move(name), std::move(entries)));
}

term term::opaque(std::string printed) {
  return term_block::make(kind::opaque, printed.empty() ? nullptr : new text_block(printed));
}

// -- inspection --------------------------------------------------------------------------

bool term::is_tagged(atom tag, std::size_t n) const noexcept {
  if (kind_ != kind::tuple || n == 0) {
    return false;
  }
  const auto items = elements();
  return items.size() == n && items.front().is(tag);
}

std::int64_t term::as_int() const {
  check(kind_ == kind::integer, "as_int()", kind_);
  return int_;
}

double term::as_double() const {
  check(kind_ == kind::floating, "as_double()", kind_);
  return double_;
}

atom term::as_atom() const {
  check(kind_ == kind::atom, "as_atom()", kind_);
  return atom::from_index(static_cast<std::uint32_t>(bits_));
}

pid term::as_pid() const {
  check(kind_ == kind::pid, "as_pid()", kind_);
  return otter::pid(static_cast<std::uint32_t>(bits_ >> 32), static_cast<std::uint32_t>(bits_));
}

ref term::as_ref() const {
  check(kind_ == kind::reference, "as_ref()", kind_);
  return otter::ref(bits_);
}

std::string_view term::as_string() const {
  check(kind_ == kind::binary || kind_ == kind::opaque, "as_string()", kind_);
  return block_ == nullptr ? std::string_view() : static_cast<const text_block*>(block_)->text;
}

std::span<const term> term::elements() const noexcept {
  if ((kind_ != kind::tuple && kind_ != kind::list) || block_ == nullptr) {
    return {};
  }
  return static_cast<const sequence_block*>(block_)->items;
}

const term& term::operator[](std::size_t i) const {
  check(kind_ == kind::tuple || kind_ == kind::list, "operator[]", kind_);
  const auto items = elements();
  if (i >= items.size()) {
    fail("operator[]: index out of range");
  }
  return items[i];
}

std::span<const std::pair<term, term>> term::entries() const noexcept {
  if ((kind_ != kind::map && kind_ != kind::structure) || block_ == nullptr) {
    return {};
  }
  return static_cast<const entries_block*>(block_)->entries;
}

std::string_view term::struct_name() const noexcept {
  if (kind_ != kind::structure) {
    return {};
  }
  return static_cast<const entries_block*>(block_)->name;
}

const term* term::find(const term& key) const noexcept {
  // Map keys are sorted in map key order; struct fields by atom name, which is the same order for
  // atoms, so one binary search serves both.
  const auto all = entries();
  const auto it =
      std::lower_bound(all.begin(), all.end(), key, [](const auto& entry, const term& k) {
        return term_block::compare(entry.first, k, true) < 0;
      });
  if (it == all.end() || it->first != key) {
    return nullptr;
  }
  return &it->second;
}

// -- order -------------------------------------------------------------------------------

std::strong_ordering operator<=>(const term& a, const term& b) noexcept {
  return term_block::compare(a, b, false);
}

std::strong_ordering detail::term_block::compare(const term& a, const term& b,
                                                 bool key_order) noexcept {
  const bool a_number = a.kind_ == kind::integer || a.kind_ == kind::floating;
  const bool b_number = b.kind_ == kind::integer || b.kind_ == kind::floating;
  if (a_number && b_number && a.kind_ != b.kind_ && !key_order) {
    // An exact tie orders the integer first (the kind order), keeping the order strong.
    if (a.kind_ == kind::integer) {
      const auto c = compare_int_double(a.int_, b.double_);
      return c != 0 ? c : std::strong_ordering::less;
    }
    const auto c = compare_int_double(b.int_, a.double_);
    return c != 0 ? 0 <=> c : std::strong_ordering::greater;
  }
  if (a.kind_ != b.kind_) {
    return a.kind_ <=> b.kind_;  // the enumerators are declared in term order
  }
  switch (a.kind_) {
    case kind::integer:
      return a.int_ <=> b.int_;
    case kind::floating:
      if (a.double_ == 0.0 && b.double_ == 0.0) {
        return std::strong_ordering::equal;  // 0.0 and -0.0 (nothing lies between them)
      }
      return std::strong_order(a.double_, b.double_);
    case kind::atom:
      return atom::from_index(static_cast<std::uint32_t>(a.bits_))
             <=> atom::from_index(static_cast<std::uint32_t>(b.bits_));
    case kind::reference:
    case kind::pid:
      return a.bits_ <=> b.bits_;
    case kind::tuple: {
      const auto x = a.elements();
      const auto y = b.elements();
      if (auto c = x.size() <=> y.size(); c != 0) {
        return c;
      }
      return compare_sequences(x, y, key_order);
    }
    case kind::list: {
      const auto x = a.elements();
      const auto y = b.elements();
      return compare_sequences(x, y, key_order);
    }
    case kind::map:
      return compare_entries(a.entries(), b.entries(), key_order);
    case kind::structure:
      if (auto c = a.struct_name() <=> b.struct_name(); c != 0) {
        return c;
      }
      return compare_entries(a.entries(), b.entries(), key_order);
    case kind::binary:
    case kind::opaque:
      // char_traits<char> compares as unsigned char: bytewise, as Erlang binaries.
      return a.as_string() <=> b.as_string();
  }
  return std::strong_ordering::equal;
}

// operator== (term.hpp) has answered everything but two floats with different bits and two
// boxed terms of one kind with different blocks.
bool term::equal_slow(const term& a, const term& b) noexcept {
  if (a.kind_ == kind::floating) {
    // As the order: the same representation (operator==), or two zeros (OTP 25: 0.0 =:=
    // -0.0). Not IEEE's ==, which would make a NaN unequal to itself.
    return a.double_ == 0.0 && b.double_ == 0.0;
  }
  switch (a.kind_) {
    case kind::tuple:
    case kind::list: {
      const auto x = a.elements();
      const auto y = b.elements();
      return std::equal(x.begin(), x.end(), y.begin(), y.end());
    }
    case kind::structure:
      if (a.struct_name() != b.struct_name()) {
        return false;
      }
      [[fallthrough]];
    case kind::map: {
      const auto x = a.entries();
      const auto y = b.entries();
      return std::equal(x.begin(), x.end(), y.begin(), y.end());
    }
    case kind::binary:
    case kind::opaque:
      return a.as_string() == b.as_string();
    default:
      return false;
  }
}

}  // namespace otter
