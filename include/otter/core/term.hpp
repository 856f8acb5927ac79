// otter/core/term.hpp: dynamically typed values shaped like Erlang terms.
//
// Messages in Otter may be any movable C++ type; `term` is the one type that can hold what an
// Erlang process would send: atoms, integers, floats, binaries (strings), pids, refs, tuples,
// lists, maps, plus Elixir-style structs (used for exceptions) and opaque placeholders (printed
// as e.g. `#Stacktrace` or `#Fun`). Exit reasons are terms, so `{:shutdown, x}` or
// `{%RuntimeError{message: "boom"}, #Stacktrace}` are written and compared as in Erlang.
//
// A term is 16 bytes; scalars are stored inline and compound values in an immutable,
// reference-counted block, so copying a term never copies its contents.
//
// Comparison follows Erlang's term order: number < atom < reference < (opaque) < pid < tuple
// < map < list < binary; integers and floats compare by value (1 == 1.0 is false only for
// exact equality, as =:=: operator== is exact, compare() is ordering). As in OTP 25, 0.0 and
// -0.0 are equal (0.0 =:= -0.0 is true there), in == and in the order, and hash alike; they
// still print as `0.0` and `-0.0`.
//
// Printing follows the trace format of the conformance suite (Elixir's inspect for the kinds
// above): `:ok`, `nil`, `42`, `1.0`, `"text"`, `{a, b}`, `[a, b]`, `%{k => v}`,
// `%Name{field: value}`, `#PID<0.12.3>`, `#Ref<0.0.0.7>`. term_printer lets callers choose
// how pids and refs are shown (the conformance tests give them stable names).
//
// Thread safety: a term is an immutable value; copies may be used from any thread at once.

#pragma once

#include "otter/core/atom.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/ref.hpp"

#include <compare>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otter {

namespace detail {
struct term_block;
}

class term {
public:
  enum class kind : std::uint8_t {
    integer,
    floating,
    atom,
    reference,
    opaque,
    pid,
    tuple,
    map,
    structure,
    list,
    binary,
  };

  // The special members are inline: terms are moved and dropped on every message path, and
  // for a scalar each is a few register moves. Only a boxed term calls out, to count its
  // block's references.

  /// The atom `nil`.
  term() noexcept : kind_(kind::atom), bits_(0) {}  // nil is atom index 0
  term(const term& other) noexcept : kind_(other.kind_), bits_(other.bits_) {
    if (boxed(kind_) && block_ != nullptr) {
      retain_block(block_);
    }
  }
  term(term&& other) noexcept : kind_(other.kind_), bits_(other.bits_) { other.make_nil(); }
  term& operator=(const term& other) noexcept {
    // Retain first: `other` may be owned (directly or not) by the block this term releases.
    term copy(other);
    swap_payload(copy);
    return *this;
  }
  term& operator=(term&& other) noexcept {
    // Take other's payload before releasing ours: releasing may destroy the block holding
    // other. (Self-move: `taken` holds the payload, this nil; the swap puts it back.)
    term taken(std::move(other));
    swap_payload(taken);
    return *this;
  }
  ~term() {
    if (boxed(kind_) && block_ != nullptr) {
      release_block(kind_, block_);
    }
  }

  // -- scalars (implicit: a term is a union of these) --------------------------------
  term(int v) noexcept;            // NOLINT(google-explicit-constructor)
  term(long v) noexcept;           // NOLINT(google-explicit-constructor)
  term(long long v) noexcept;      // NOLINT(google-explicit-constructor)
  term(unsigned v) noexcept;       // NOLINT(google-explicit-constructor)
  term(unsigned long v) noexcept;  // NOLINT(google-explicit-constructor)
  term(double v) noexcept;         // NOLINT(google-explicit-constructor)
  term(bool v) noexcept;           // NOLINT(google-explicit-constructor) atoms true / false
  term(atom v) noexcept;           // NOLINT(google-explicit-constructor)
  term(otter::pid v) noexcept;     // NOLINT(google-explicit-constructor)
  term(otter::ref v) noexcept;     // NOLINT(google-explicit-constructor)
  /// A binary (Elixir string).
  term(std::string_view v);    // NOLINT(google-explicit-constructor)
  term(const char* v);         // NOLINT(google-explicit-constructor)
  term(const std::string& v);  // NOLINT(google-explicit-constructor)

  // -- compound values ----------------------------------------------------------------
  static term tuple(std::vector<term> elements);
  static term list(std::vector<term> elements);
  /// Keys are kept sorted in Erlang's map key order (term order, except that every integer sorts
  /// before every float: `%{2 => b, 1.5 => a}`); a repeated key keeps its last value.
  static term map(std::vector<std::pair<term, term>> entries);
  /// An Elixir struct `%name{field: value, ...}`; fields are kept sorted by name.
  static term structure(std::string name, std::vector<std::pair<atom, term>> fields);
  /// A placeholder printed verbatim, e.g. "#Stacktrace", "#Fun". Opaques with the same text
  /// compare equal.
  static term opaque(std::string printed);
  /// `t`, made to live until the program ends: copying and destroying it (or a copy) no longer
  /// counts references, so threads that share it never write to its block. For the static
  /// terms of hot paths, which every scheduler copies. @pre `t` is not shared with another
  /// thread yet (a function-local static's initializer is the intended caller).
  static term immortal(term t) noexcept;

  // -- inspection -------------------------------------------------------------------
  [[nodiscard]] kind type() const noexcept { return kind_; }
  [[nodiscard]] bool is(atom a) const noexcept { return kind_ == kind::atom && bits_ == a.index(); }
  /// Whether `o` is this very value: the same immediate bits (a pid, an atom, a number with
  /// the same bit pattern) or the same shared block. Cheaper than ==, and false for equal
  /// values built separately; for caches keyed by a value they hold.
  [[nodiscard]] bool same(const term& o) const noexcept {
    return kind_ == o.kind_ && bits_ == o.bits_;
  }
  [[nodiscard]] bool is_atom() const noexcept { return kind_ == kind::atom; }
  [[nodiscard]] bool is_integer() const noexcept { return kind_ == kind::integer; }
  [[nodiscard]] bool is_pid() const noexcept { return kind_ == kind::pid; }
  [[nodiscard]] bool is_ref() const noexcept { return kind_ == kind::reference; }
  [[nodiscard]] bool is_tuple() const noexcept { return kind_ == kind::tuple; }
  [[nodiscard]] bool is_list() const noexcept { return kind_ == kind::list; }
  [[nodiscard]] bool is_binary() const noexcept { return kind_ == kind::binary; }
  /// A tuple of `n` elements whose first element is the atom `tag`.
  [[nodiscard]] bool is_tagged(atom tag, std::size_t n) const noexcept;

  // Accessors: calling one for another kind is a bug (OTTER_CHECK aborts).
  [[nodiscard]] std::int64_t as_int() const;
  [[nodiscard]] double as_double() const;
  [[nodiscard]] otter::atom as_atom() const;
  [[nodiscard]] otter::pid as_pid() const;
  [[nodiscard]] otter::ref as_ref() const;
  [[nodiscard]] std::string_view as_string() const;  // binary, or opaque text
  /// Elements of a tuple or list (empty for other kinds).
  [[nodiscard]] std::span<const term> elements() const noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return elements().size(); }
  [[nodiscard]] const term& operator[](std::size_t i) const;
  /// Entries of a map, or fields of a struct as (atom, value) pairs.
  [[nodiscard]] std::span<const std::pair<term, term>> entries() const noexcept;
  /// The struct's name (empty for other kinds).
  [[nodiscard]] std::string_view struct_name() const noexcept;
  /// The value under `key` in a map or struct, or nullptr.
  [[nodiscard]] const term* find(const term& key) const noexcept;

  /// Erlang term order (exact: integers and floats of equal value compare by kind).
  /// (No [[nodiscard]] here: GCC ignores attributes on friend declarations that are not
  /// definitions, and warns.)
  friend std::strong_ordering operator<=>(const term& a, const term& b) noexcept;
  /// Exact equality (=:=): 1 != 1.0. Inline for what most comparisons are (different kinds,
  /// the same bits: one immediate or one block, and other immediates); the rest compares
  /// out of line.
  friend bool operator==(const term& a, const term& b) noexcept {
    if (a.kind_ != b.kind_) {
      return false;
    }
    if (a.bits_ == b.bits_) {
      return true;  // the same value, block or float representation (a NaN equals itself)
    }
    if (!boxed(a.kind_) && a.kind_ != kind::floating) {
      return false;  // integers, atoms, pids and references are their bits
    }
    return equal_slow(a, b);
  }

  /// Printed with the default printer.
  [[nodiscard]] std::string to_string() const;

private:
  // Kinds whose payload is a reference-counted block (or null, for an empty one).
  static constexpr bool boxed(kind k) noexcept { return k == kind::opaque || k >= kind::tuple; }
  static bool equal_slow(const term& a, const term& b) noexcept;
  static void retain_block(detail::term_block* b) noexcept;
  static void release_block(kind k, detail::term_block* b) noexcept;
  void make_nil() noexcept {
    kind_ = kind::atom;
    bits_ = 0;
  }
  void swap_payload(term& other) noexcept {
    std::swap(kind_, other.kind_);
    std::swap(bits_, other.bits_);
  }

  // The payload is copied and moved as `bits_` whatever the kind: every member is 8 bytes or
  // less, and every constructor writes all 8 (a 4-byte atom index is zero-extended), so the
  // bytes copied are always initialised.
  kind kind_ = kind::atom;
  union {
    std::int64_t int_;
    double double_;
    std::uint64_t bits_;  // pid value, ref id, or an atom's index (zero-extended)
    detail::term_block* block_;
  };
  friend struct detail::term_block;
};

/// `{a, b, ...}`
template <class... Ts>
[[nodiscard]] term tuple(Ts&&... elements) {
  return term::tuple(std::vector<term>{term(std::forward<Ts>(elements))...});
}
/// `[a, b, ...]`
template <class... Ts>
[[nodiscard]] term list(Ts&&... elements) {
  return term::list(std::vector<term>{term(std::forward<Ts>(elements))...});
}

/// How a printer shows pids and refs; the defaults print `#PID<0.index.generation>` and
/// `#Ref<0.0.0.id>`.
struct term_printer {
  std::function<std::string(otter::pid)> pid_name;
  std::function<std::string(otter::ref)> ref_name;
};

/// Prints `t` in the trace format described at the top of this file.
[[nodiscard]] std::string to_string(const term& t, const term_printer& printer = {});

}  // namespace otter
