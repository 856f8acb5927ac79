#include "main/demo.hpp"

#include "notifier/store/open_store.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

namespace notifier {
namespace {

template <class T>
T must(store_result<T> r, std::string_view what) {
  if (!r) {
    throw std::runtime_error("demo: cannot " + std::string(what) + ": " + r.error().message);
  }
  return std::move(*r);
}

}  // namespace

demo_user seed_demo(const std::string& location) {
  std::unique_ptr<store> s = must(open_store(location), "open the store");
  must(s->migrate(), "migrate the store");
  const timestamp now = wall_clock_now();
  new_user u{.name = "demo", .webhook_url = std::nullopt, .created_at = now};
  created_user created = must(s->create_user(u), "create the demo user");
  constexpr std::array<std::string_view, 3> titles{"Water the plants", "Call the bank",
                                                   "Review the pull request"};
  demo_user out{.name = created.user.name, .token = created.token, .tasks = 0, .first_task = {}};
  for (std::size_t i = 0; i < titles.size(); ++i) {
    // Staggered by a second so the reminders of the three tasks do not all land
    // at once.
    new_task t{.title = std::string(titles[i]),
               .details = std::nullopt,
               .created_at = now,
               .first_notify_at = now + std::chrono::seconds(2 + static_cast<int>(i))};
    task created_task = must(s->create_task(created.user.id, t), "create a demo task");
    if (i == 0) {
      out.first_task = created_task.id;
    }
    ++out.tasks;
  }
  return out;
}

}  // namespace notifier
