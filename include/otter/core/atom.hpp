// otter/core/atom.hpp: interned symbols (Erlang atoms).
//
// An atom is a 32-bit index into a process-wide table of names; equal names give equal atoms.
// The atoms the runtime itself uses (normal, shutdown, kill, ...) have fixed indices and are
// constexpr values in otter::atoms, so naming them costs nothing. Atoms are never freed.
//
// Thread safety: atom is a trivially copyable value. Interning a new name takes a short lock on
// the table (readers of existing names take a shared lock); name() never locks.
//
// In code that runs often, write an atom as a literal, `"tick"_atom` (otter::literals): each
// spelling is interned once, the first time it runs, and costs a load afterwards, where
// atom("tick") hashes the name and looks it up in the table every time.

#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace otter {

class atom {
public:
  /// The atom `nil`.
  constexpr atom() noexcept = default;
  /// Interns `name`. @threadsafe
  explicit atom(std::string_view name);

  /// The atom with a fixed table index (only for the predefined atoms below).
  static constexpr atom from_index(std::uint32_t index) noexcept { return atom(index, 0); }

  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  /// The atom's text. The view stays valid for the whole program. @threadsafe
  [[nodiscard]] std::string_view name() const noexcept;

  friend constexpr bool operator==(atom, atom) noexcept = default;
  /// Erlang term order for atoms: by name.
  friend std::strong_ordering operator<=>(atom a, atom b) noexcept;

private:
  constexpr atom(std::uint32_t index, int /*tag*/) noexcept : index_(index) {}
  std::uint32_t index_ = 0;
};

/// The predefined atoms. Their order matches the table in src/core/term/atom.cpp.
namespace atoms {
inline constexpr atom nil = atom::from_index(0);
inline constexpr atom true_ = atom::from_index(1);
inline constexpr atom false_ = atom::from_index(2);
inline constexpr atom ok = atom::from_index(3);
inline constexpr atom error = atom::from_index(4);
inline constexpr atom normal = atom::from_index(5);
inline constexpr atom shutdown = atom::from_index(6);
inline constexpr atom kill = atom::from_index(7);
inline constexpr atom killed = atom::from_index(8);
inline constexpr atom noproc = atom::from_index(9);
inline constexpr atom timeout = atom::from_index(10);
inline constexpr atom undefined = atom::from_index(11);
inline constexpr atom infinity = atom::from_index(12);
inline constexpr atom badarg = atom::from_index(13);
inline constexpr atom nocatch = atom::from_index(14);
inline constexpr atom EXIT = atom::from_index(15);  // NOLINT(readability-identifier-naming)
inline constexpr atom DOWN = atom::from_index(16);  // NOLINT(readability-identifier-naming)
inline constexpr atom process = atom::from_index(17);
inline constexpr atom nonode = atom::from_index(18);  // :nonode@nohost
inline constexpr atom message = atom::from_index(19);
inline constexpr atom no_message = atom::from_index(20);
inline constexpr atom noconnection = atom::from_index(21);
inline constexpr atom system_limit = atom::from_index(22);
inline constexpr atom ancestors = atom::from_index(23);     // :"$ancestors"
inline constexpr atom callers = atom::from_index(24);       // :"$callers"
inline constexpr atom initial_call = atom::from_index(25);  // :"$initial_call"
inline constexpr std::uint32_t predefined_count = 26;
}  // namespace atoms

namespace detail {
/// A string literal as a template argument: the spelling of an `_atom` literal.
template <std::size_t N>
struct atom_spelling {
  char text[N] = {};
  // NOLINTNEXTLINE(google-explicit-constructor): converts the literal in `"x"_atom`
  constexpr atom_spelling(const char (&s)[N]) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      text[i] = s[i];
    }
  }
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {text, N - 1}; }
};
}  // namespace detail

namespace literals {
/// `"tick"_atom` is atom("tick") interned once per spelling (Elixir's `:tick`): one function
/// and one static per spelling, initialised the first time it runs (thread-safe), so later
/// uses cost a load. @threadsafe
template <detail::atom_spelling S>
atom operator""_atom() {
  static const atom interned(S.view());
  return interned;
}
}  // namespace literals

}  // namespace otter

template <>
struct std::hash<otter::atom> {
  std::size_t operator()(otter::atom a) const noexcept { return a.index(); }
};
