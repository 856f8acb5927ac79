#include "notifier/service/repo.hpp"

#include <atomic>

namespace notifier {
namespace {

std::atomic<std::uint64_t> next_repo_id{1};

// Each thread's connections, by repo id. Ids are never reused, so an entry of a destroyed repo
// is never looked up again (its pointer dangles harmlessly until the thread exits).
struct cached_connection {
  std::uint64_t repo = 0;
  store* connection = nullptr;
};
thread_local std::vector<cached_connection> connections_of_this_thread;

}  // namespace

repo::repo(opener open) : id_(next_repo_id.fetch_add(1)), open_(std::move(open)) {}

repo::~repo() = default;

std::size_t repo::connections() const {
  std::lock_guard lock(mutex_);
  return owned_.size();
}

store_result<store*> repo::local() {
  for (const cached_connection& c : connections_of_this_thread) {
    if (c.repo == id_) {
      return c.connection;
    }
  }
  store_result<std::unique_ptr<store>> opened = open_();
  if (!opened) {
    return otter::unexpected<store_error>(opened.error());
  }
  store* s = opened->get();
  {
    std::lock_guard lock(mutex_);
    owned_.push_back(std::move(*opened));
  }
  connections_of_this_thread.push_back({id_, s});
  return s;
}

}  // namespace notifier
