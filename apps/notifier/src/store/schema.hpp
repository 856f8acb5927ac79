// The schema's migrations, one list for both backends (docs/design/notifier_store.md#schema).
//
// A migration's SQL is written once; `{id}` stands for the auto-assigned primary key column,
// which is the one thing the two dialects spell differently. Migrations are append-only: a
// released migration is never edited, a change is a new version.

#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace notifier::detail {

enum class dialect : std::uint8_t { sqlite, postgres };

struct migration {
  int version = 0;
  std::string_view description{};
  std::string_view sql{};  // several statements separated by ';'
};

/// Every migration, in version order (1, 2, ...; the last is schema_version).
[[nodiscard]] std::span<const migration> migrations() noexcept;

/// `m`'s SQL for `d`.
[[nodiscard]] std::string migration_sql(const migration& m, dialect d);

}  // namespace notifier::detail
