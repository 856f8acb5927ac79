// notifier/store/sqlite_store.hpp: the SQLite store (the default): one database file.
//
// The file is opened in WAL mode (readers do not block the writer), with foreign keys on, a
// busy timeout, and synchronous=FULL by default, so that a committed outbox entry survives a
// crash of the process or of the machine. Writes of a transaction take the write lock at BEGIN
// (BEGIN IMMEDIATE), so two writers never deadlock on a lock upgrade; a writer that cannot get
// the lock within busy_timeout fails with `unavailable`.
//
// Thread safety: as store.hpp: one connection per store object, calls serialised by a mutex;
// open several store objects on one file for parallel reads.

#pragma once

#include "notifier/store/store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace notifier {

struct sqlite_options {
  /// The database file, created if missing. ":memory:" gives a private in-memory database
  /// (no WAL, gone when the store is destroyed; for tests).
  std::string path{};
  /// How long a call waits for another connection's lock before failing with `unavailable`.
  std::chrono::milliseconds busy_timeout{5000};
  /// synchronous=FULL (true) or NORMAL (false). NORMAL survives a crash of the process, not of
  /// the machine: the last commits may be lost on power failure.
  bool synchronous_full = true;
  /// Test seam (leveldb's fault injection): called inside every write transaction just before
  /// COMMIT. A test makes it throw (the transaction is rolled back and the exception
  /// propagates) or end the process (a crash with the transaction uncommitted).
  std::function<void()> before_commit{};
};

/// Opens (or creates) the database; does not migrate (call migrate()). `unavailable` when the
/// file cannot be opened or locked, `internal` when it is not a database.
[[nodiscard]] store_result<std::unique_ptr<store>> open_sqlite_store(sqlite_options options);

}  // namespace notifier
