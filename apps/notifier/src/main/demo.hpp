// main/demo.hpp: the --demo data: a user with a few open tasks, due within
// seconds, so that a new user of the notifier sees reminders at once.

#pragma once

#include "notifier/domain/ids.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace notifier {

struct demo_user {
  std::string name;
  std::string token;  // its API token (shown once)
  std::size_t tasks = 0;
  task_id first_task{};
};

/// Creates the demo user and its tasks in the store at `location` (migrating it
/// first). Each run creates a new demo user: tokens are shown only once. Throws
/// std::runtime_error.
[[nodiscard]] demo_user seed_demo(const std::string& location);

}  // namespace notifier
