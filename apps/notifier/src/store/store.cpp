#include "notifier/store/store.hpp"

#include <algorithm>

namespace notifier {

std::string_view to_string(store_errc code) noexcept {
  switch (code) {
    case store_errc::not_found:
      return "not_found";
    case store_errc::conflict:
      return "conflict";
    case store_errc::invalid:
      return "invalid";
    case store_errc::unavailable:
      return "unavailable";
    case store_errc::internal:
      return "internal";
  }
  return "unknown";
}

store_result<std::size_t> for_each_open_task(
    store& s, std::size_t page_size, const std::function<bool(std::span<const task>)>& visit) {
  page_size = std::max<std::size_t>(page_size, 1);
  std::size_t visited = 0;
  task_id after{};
  for (;;) {
    auto page = s.open_tasks(after, page_size);
    if (!page) {
      return otter::unexpected<store_error>(page.error());
    }
    if (page->empty()) {
      return visited;
    }
    visited += page->size();
    after = page->back().id;
    if (!visit(*page) || page->size() < page_size) {
      return visited;
    }
  }
}

}  // namespace notifier
