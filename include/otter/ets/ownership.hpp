// otter/ets/ownership.hpp: who owns a table, who inherits it, and giving it away.
//
// A table dies with its owner unless it has an heir. Then, as the owner exits (before its
// links and monitors fire, so whoever sees its EXIT or DOWN also sees the new owner):
//   - if the heir is alive, it becomes the owner and receives
//     transfer_msg{tab, old_owner, heir_data}, i.e. `{:"ETS-TRANSFER", tab, from, data}`; the
//     heir setting stays (the heir is now its own heir, as on the BEAM);
//   - if the heir is dead, or is the dying owner itself, the table is deleted.
// give_away() hands the table over explicitly with the same message (sent by the caller). The
// table keeps its objects through every transfer, and nothing else changes.
//
//   co_await otter::receive(otter::on<otter::ets::transfer_msg>([](otter::ets::transfer_msg m) {
//     // m.tab is now ours
//   }));
//
// Thread safety: @threadsafe; give_away() and setopts() are @in_process (they check that the
// caller owns the table). The transfer protocol is in docs/design/ets.md.

#pragma once

#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"
#include "otter/ets/table.hpp"

#include <optional>

namespace otter::ets {

/// The message the new owner receives: `{:"ETS-TRANSFER", tab, from, data}`.
struct transfer_msg {
  table tab{};
  pid from{};
  term data{};
  /// `tab` shows as in Erlang: the name for a named table, otherwise its reference.
  [[nodiscard]] term to_term() const;
};

/// Makes `to` the owner and sends it transfer_msg{tab, self(), data}. Only the owner may give
/// a table away; badarg when the caller is not the owner, `to` is the caller, or `to` is not
/// alive. Always true. @in_process
bool give_away(table_ref t, pid to, term data);

/// Sets the heir (`std::nullopt`: none) (Erlang's setopts(tab, {heir, ...})). Only the owner
/// may; an heir that is not alive is recorded as none, as on the BEAM. Always true.
/// @in_process
bool setopts(table_ref t, std::optional<heir_spec> heir);

}  // namespace otter::ets
