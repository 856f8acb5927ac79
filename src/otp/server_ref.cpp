// server_ref resolution and the {:global, name} registry.

#include "otter/otp/server_ref.hpp"

#include "otter/core/exit_watch.hpp"
#include "otter/core/process.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace otter {

namespace {

// One node, so "global" is a table. A name goes with its process: an exit watch
// (exit_watch.hpp) drops it during the process's exit, so no entry outlives its process (nor
// its runtime, whose pids a later runtime may reuse). Entries of processes that are dead but
// whose exit has not run the watch yet are skipped by lookups and registrations.
class global_registry final : public name_registry,
                              public exit_watch,
                              public std::enable_shared_from_this<global_registry> {
public:
  bool register_name(const term& name, pid p) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = names_.find(name);
      if (it != names_.end() && alive(it->second)) {
        return false;
      }
      names_[name] = p;
    }
    if (!watch_exit(p, std::shared_ptr<exit_watch>(shared_from_this()))) {
      process_exited(p, term());  // p has exited already
    }
    return true;
  }
  void process_exited(pid who, const term& /*reason*/) noexcept override {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(names_, [who](const auto& e) { return e.second == who; });
  }
  void unregister_name(const term& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    names_.erase(name);
  }
  pid whereis_name(const term& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = names_.find(name);
    if (it == names_.end()) {
      return {};
    }
    if (!alive(it->second)) {
      names_.erase(it);
      return {};
    }
    return it->second;
  }
  [[nodiscard]] term module() const override { return term(atom("global")); }

private:
  std::mutex mu_;
  std::map<term, pid> names_;  // guarded by mu_
};

}  // namespace

std::shared_ptr<name_registry> global() {
  static const auto g = std::make_shared<global_registry>();
  return g;
}

server_ref server_ref::via(std::shared_ptr<name_registry> registry, term name) {
  server_ref r;
  r.kind_ = kind::via;
  r.registry_ = std::move(registry);
  r.via_name_ = std::move(name);
  return r;
}

server_ref server_ref::global(term name) {
  server_ref r = via(otter::global(), std::move(name));
  r.global_ = true;
  return r;
}

pid server_ref::resolve() const {
  switch (kind_) {
    case kind::pid:
      return pid_;
    case kind::name:
      return whereis(name_);
    case kind::via:
      return registry_->whereis_name(via_name_);
    case kind::none:
      break;
  }
  return {};
}

term server_ref::to_term() const {
  switch (kind_) {
    case kind::pid:
      return term(pid_);
    case kind::name:
      return term(name_);
    case kind::via:
      if (global_) {
        return tuple(atom("global"), via_name_);
      }
      return tuple(atom("via"), registry_->module(), via_name_);
    case kind::none:
      break;
  }
  return term(atoms::undefined);
}

}  // namespace otter
