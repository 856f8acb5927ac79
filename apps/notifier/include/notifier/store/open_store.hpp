// notifier/store/open_store.hpp: opens the store a configuration names.
//
//   postgres://... or postgresql://...   the PostgreSQL store (postgres_store.hpp)
//   sqlite:PATH                          the SQLite store on the file PATH
//   PATH (anything else)                 the SQLite store on the file PATH (the default)
//
// Thread safety: @threadsafe (each call opens a new store).

#pragma once

#include "notifier/store/store.hpp"

#include <memory>
#include <string_view>

namespace notifier {

/// Opens the store `location` names, with default options; does not migrate.
[[nodiscard]] store_result<std::unique_ptr<store>> open_store(std::string_view location);

}  // namespace notifier
