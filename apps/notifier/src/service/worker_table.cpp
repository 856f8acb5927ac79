#include "notifier/service/worker_table.hpp"

#include "otter/core/exit.hpp"
#include "otter/core/process.hpp"
#include "otter/ets.hpp"
#include "otter/otp/gen_server.hpp"

#include <utility>
#include <vector>

namespace notifier::worker_table {
namespace {

/// The table's owner: a GenServer that creates the table in init and holds it until it
/// stops (the table goes with it).
struct owner {
  using state = otter::ets::table;
  state init(otter::atom name) {
    otter::ets::options opts;
    opts.type = otter::ets::table_type::set;
    opts.access = otter::ets::protection::public_;
    opts.named_table = true;
    opts.read_concurrency = true;
    opts.write_concurrency = true;
    return otter::ets::new_table(name, opts);
  }
};

/// The pid of `task`'s entry, dead or alive, or the null pid when there is none.
otter::pid entry_of(otter::atom name, const otter::term& task) {
  std::vector<otter::term> found = otter::ets::lookup(name, task);
  if (found.empty()) {
    return {};
  }
  return found.front().elements()[1].as_pid();
}

class table_names final : public otter::name_registry {
public:
  explicit table_names(otter::atom name) : name_(name) {}

  bool register_name(const otter::term& task, otter::pid p) override {
    const otter::term entry = otter::tuple(task, p);
    // Each round either inserts, finds a live owner, or removes one dead owner's entry: a
    // racing registration can only make the next round end.
    for (;;) {
      if (otter::ets::insert_new(name_, entry)) {
        return true;
      }
      const otter::pid current = entry_of(name_, task);
      if (current.is_null()) {
        continue;  // removed meanwhile
      }
      if (otter::alive(current)) {
        return false;
      }
      otter::ets::delete_object(name_, otter::tuple(task, current));
    }
  }
  void unregister_name(const otter::term& task) override {
    // Only gen_server's start calls this, for the process that has just registered.
    otter::ets::delete_object(name_, otter::tuple(task, otter::self()));
  }
  otter::pid whereis_name(const otter::term& task) override {
    const otter::pid p = entry_of(name_, task);
    return !p.is_null() && otter::alive(p) ? p : otter::pid();
  }
  [[nodiscard]] otter::term module() const override {
    static const otter::atom m("WorkerTable");
    return otter::term(m);
  }

private:
  otter::atom name_;
};

}  // namespace

otter::child_spec child_spec(otter::atom name) {
  otter::child_spec spec;
  spec.id = otter::term(name);
  spec.start = otter::start_with([name]() { return otter::gen_server::start_link<owner>(name); });
  return spec;
}

std::shared_ptr<otter::name_registry> names(otter::atom name) {
  return std::make_shared<table_names>(name);
}

// whereis and forget run while the service may be stopping, when the table can be gone
// already (its owner stopped): then no worker is named and there is nothing to forget.

otter::pid whereis(otter::atom name, task_id task) {
  try {
    return table_names(name).whereis_name(otter::term(task.value));
  } catch (const otter::error_exception&) {
    return {};
  }
}

void forget(otter::atom name, task_id task, otter::pid worker) {
  try {
    otter::ets::delete_object(name, otter::tuple(otter::term(task.value), worker));
  } catch (const otter::error_exception&) {
  }
}

std::size_t size(otter::atom name) {
  std::optional<otter::ets::table_info> i = otter::ets::info(name);
  return i ? i->size : 0;
}

}  // namespace notifier::worker_table
