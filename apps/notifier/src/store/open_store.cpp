#include "notifier/store/open_store.hpp"

#include "notifier/store/postgres_store.hpp"
#include "notifier/store/sqlite_store.hpp"

namespace notifier {

store_result<std::unique_ptr<store>> open_store(std::string_view location) {
  if (location.starts_with("postgres://") || location.starts_with("postgresql://")) {
    return open_postgres_store({.url = std::string(location)});
  }
  if (location.starts_with("sqlite:")) {
    location.remove_prefix(7);
  }
  if (location.empty()) {
    return store_failure(store_errc::invalid, "no database file given");
  }
  return open_sqlite_store({.path = std::string(location)});
}

}  // namespace notifier
