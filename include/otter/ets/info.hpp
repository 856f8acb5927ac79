// otter/ets/info.hpp: what a table is (Erlang's ets:info/1,2).
//
// info() never checks access, and returns nothing (Erlang: `:undefined`) for a deleted table
// or an unknown name, instead of raising. `size` counts objects; `memory` is the bytes the
// table holds: its arrays, plus, for objects stored as shared terms (tuples of more than two
// elements, and bags), an estimate of their tuples (not of binaries or other terms they
// share with the rest of the program). The term forms follow Erlang: info(t, :memory) is in
// words of 8 bytes, as ets:info/2 reports it.
//
// Thread safety: @threadsafe. `size` and `memory` are read without stopping writers: a
// table being written reports a value it had during the call.

#pragma once

#include "otter/core/atom.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"
#include "otter/ets/table.hpp"

#include <cstddef>
#include <optional>

namespace otter::ets {

struct table_info {
  ets::table id{};
  atom name{};
  table_type type = table_type::set;
  protection access = protection::protected_;
  bool named_table = false;
  std::size_t keypos = 1;
  pid owner{};
  /// The heir's pid (the data given with it is not reported, as in Erlang).
  std::optional<pid> heir{};
  std::size_t size = 0;
  /// Bytes (see the header comment).
  std::size_t memory = 0;
  bool read_concurrency = false;
  bool write_concurrency = false;

  /// Erlang's ets:info/1 keyword list: `[id: ..., decentralized_counters: false, ...]`
  /// (memory in words).
  [[nodiscard]] term to_term() const;
};

/// What `t` is, or nullopt when it was deleted or the name is unknown.
[[nodiscard]] std::optional<table_info> info(table_ref t);

/// One item, as ets:info/2: `:id`, `:name`, `:type`, `:protection`, `:named_table`,
/// `:keypos`, `:owner`, `:heir` (`:none` or a pid), `:size`, `:memory` (words), `:node`,
/// `:read_concurrency`, `:write_concurrency`, `:decentralized_counters`, `:compressed`.
/// `:undefined` for a deleted table or unknown name; badarg for an unknown item.
[[nodiscard]] term info(table_ref t, atom item);

}  // namespace otter::ets
