// notifier/store/postgres_store.hpp: the PostgreSQL store, for a database given by URL.
//
//   postgresql://user:password@host:5432/dbname      (or postgres://; any libpq connection
//   postgresql://user@/dbname?host=/run/postgresql    string or URI works)
//
// Same schema and semantics as the SQLite store. Every query is parameterised. Batches are one
// transaction of a few multi-row statements (arrays unnested on the server), not one round trip
// per entry. A lost connection makes the call that sees it fail with `unavailable`; the next
// call reconnects (it is not retried automatically: a write whose COMMIT was cut off may have
// been applied, and only the caller knows whether repeating it is safe; for the outbox it is).
//
// Thread safety: as store.hpp: one connection per store object, calls serialised by a mutex;
// open several store objects for parallel calls.

#pragma once

#include "notifier/store/store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace notifier {

struct postgres_options {
  /// The libpq connection URI or string.
  std::string url{};
  /// Connection timeout, unless the URL sets connect_timeout itself.
  std::chrono::seconds connect_timeout{5};
  /// Test seam: called inside every write transaction just before COMMIT (sqlite_store.hpp).
  std::function<void()> before_commit{};
};

/// Connects; does not migrate (call migrate()). `unavailable` when the server cannot be
/// reached, `invalid` for a malformed URL.
[[nodiscard]] store_result<std::unique_ptr<store>> open_postgres_store(postgres_options options);

}  // namespace notifier
