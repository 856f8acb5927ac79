// notifier/domain/ids.hpp: typed row ids, so that a task id cannot be passed where a user id is
// expected.
//
// An id is the int64 primary key of its table; 0 is never a stored id and serves as "before the
// first" in keyset pagination (`open_tasks(task_id{}, n)` starts at the beginning).
//
// Thread safety: values.

#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace notifier {

/// A row id of the table that `Tag` names.
template <class Tag>
struct basic_id {
  std::int64_t value = 0;

  friend constexpr auto operator<=>(const basic_id&, const basic_id&) = default;
  friend std::ostream& operator<<(std::ostream& out, const basic_id& id) { return out << id.value; }
};

using user_id = basic_id<struct user_tag>;
using task_id = basic_id<struct task_tag>;
using notification_id = basic_id<struct notification_tag>;
using attempt_id = basic_id<struct attempt_tag>;

}  // namespace notifier

template <class Tag>
struct std::hash<notifier::basic_id<Tag>> {
  std::size_t operator()(const notifier::basic_id<Tag>& id) const noexcept {
    return std::hash<std::int64_t>{}(id.value);
  }
};
