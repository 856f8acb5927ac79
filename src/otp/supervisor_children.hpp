// The children of a Supervisor: OTP's {Ids, Db} (supervisor.erl, #state.children) with an
// index by pid, so that every event costs O(1) or O(log n):
//
//   list_    the child records in START order (OTP keeps the ids reversed; we walk the list
//            backwards wherever OTP walks forwards: termination, which_children)
//   by_id_   id -> record (std::map: terms are ordered, not hashed)      O(log n)
//   by_pid_  pid -> record, for running children only                    O(1)
//
// OTP finds the child of an {:EXIT} with a fold over the whole map (O(n)); the pid index
// makes it O(1), which matters for supervisors with many children. A record's state is
// `undefined` (no process: never started, ignored, stopped, or exited and not restarted),
// `running` (pid set) or `restarting` (a restart failed and is to be tried again).
//
// Thread safety: owned by the supervisor's process.

#pragma once

#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/child_spec.hpp"

#include <cstdint>
#include <iterator>
#include <list>
#include <map>
#include <unordered_map>
#include <utility>

namespace otter::supervisor::detail {

enum class child_state : std::uint8_t { undefined, running, restarting };

struct child_rec {
  otter::child_spec spec;
  child_state state = child_state::undefined;
  pid child;  // set while running

  [[nodiscard]] bool running() const noexcept { return state == child_state::running; }
  [[nodiscard]] bool temporary() const noexcept { return spec.restart == restart::temporary; }
};

class children_db {
public:
  using list_type = std::list<child_rec>;
  using iterator = list_type::iterator;

  children_db() = default;
  // The indexes hold iterators into list_: moving keeps them valid, copying would not.
  children_db(children_db&&) noexcept = default;
  children_db& operator=(children_db&&) noexcept = default;
  children_db(const children_db&) = delete;
  children_db& operator=(const children_db&) = delete;

  [[nodiscard]] iterator begin() noexcept { return list_.begin(); }
  [[nodiscard]] iterator end() noexcept { return list_.end(); }
  [[nodiscard]] bool empty() const noexcept { return list_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return list_.size(); }
  [[nodiscard]] const list_type& in_start_order() const noexcept { return list_; }

  /// The record with this id, or end().
  [[nodiscard]] iterator find(const term& id) {
    auto f = by_id_.find(id);
    return f == by_id_.end() ? list_.end() : f->second;
  }
  /// The running child with this pid, or end().
  [[nodiscard]] iterator find(pid p) {
    auto f = by_pid_.find(p);
    return f == by_pid_.end() ? list_.end() : f->second;
  }

  /// Appends `c` as the last started child. @pre its id is not in use
  iterator push_back(child_rec c) {
    auto it = list_.insert(list_.end(), std::move(c));
    by_id_.emplace(it->spec.id, it);
    if (it->running()) {
      by_pid_.emplace(it->child, it);
    }
    return it;
  }

  void set_running(iterator it, pid p) {
    forget_pid(it);
    it->state = child_state::running;
    it->child = p;
    by_pid_.emplace(p, it);
  }
  void set_undefined(iterator it) {
    forget_pid(it);
    it->state = child_state::undefined;
  }
  void set_restarting(iterator it) {
    forget_pid(it);
    it->state = child_state::restarting;
  }

  /// Removes the record; returns the one after it.
  iterator erase(iterator it) {
    forget_pid(it);
    by_id_.erase(it->spec.id);
    return list_.erase(it);
  }

private:
  void forget_pid(iterator it) {
    if (it->running()) {
      by_pid_.erase(it->child);
    }
    it->child = pid();
  }

  list_type list_;
  std::map<term, iterator> by_id_;
  std::unordered_map<pid, iterator> by_pid_;
};

}  // namespace otter::supervisor::detail
