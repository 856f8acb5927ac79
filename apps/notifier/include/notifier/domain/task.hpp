// notifier/domain/task.hpp: a user's task, which the notifier reminds its user of while it is
// open.
//
// A task is created open and may be completed once; completing it again is a conflict (the
// store reports store_errc::conflict, the API a 4xx). next_notify_at is the durable schedule:
// the instant of the next reminder, stored so that a restart neither skips nor repeats one
// (schedule.hpp). It keeps its last value once the task is completed.
//
// Thread safety: values and pure functions.

#pragma once

#include "notifier/domain/clock.hpp"
#include "notifier/domain/ids.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace notifier {

enum class task_status : std::uint8_t { open, completed };

/// "open" or "completed": the stored form.
[[nodiscard]] std::string_view to_string(task_status s) noexcept;
/// The status whose stored form is `text`, or nothing.
[[nodiscard]] std::optional<task_status> parse_task_status(std::string_view text) noexcept;

/// A stored task.
struct task {
  task_id id{};
  user_id user{};
  std::string title{};
  std::optional<std::string> details{};
  task_status status = task_status::open;
  timestamp created_at{};
  std::optional<timestamp> completed_at{};
  timestamp next_notify_at{};

  friend bool operator==(const task&, const task&) = default;
};

/// What create_task needs. first_notify_at is usually created_at + the notification interval.
struct new_task {
  std::string title{};
  std::optional<std::string> details{};
  timestamp created_at{};
  timestamp first_notify_at{};
};

inline constexpr std::size_t max_title_bytes = 500;
inline constexpr std::size_t max_details_bytes = 10000;

/// Why `t` cannot be stored, or nothing when it can: the title must be 1..max_title_bytes bytes,
/// the details at most max_details_bytes, neither may contain NUL.
[[nodiscard]] std::optional<std::string> validate(const new_task& t);

}  // namespace notifier
