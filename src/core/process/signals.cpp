// Signals: how a process handles what other processes send it besides messages, and how it
// exits. The rules are Erlang's (docs/design/signals.md has the table):
//
//   signal          trapping          not trapping
//   exit :kill      dies :killed      dies :killed          (explicit exit/2 only)
//   exit :normal    {:EXIT, f, r}     ignored (dies if it sent it to itself)
//   exit other      {:EXIT, f, r}     dies with r
//   link exit       as above, but only while the link exists (after unlink it is dropped)
//   DOWN            a message, only while the monitor exists (after demonitor it is dropped)
//
// Signals are handled in arrival order, together with messages, when the process drains its
// inbox: before every receive match and between two slices. So a message sent before an exit
// signal by the same process is always seen first.

#include "otter/core/exit.hpp"
#include "otter/core/process_info.hpp"
#include "otter/detail/assert.hpp"

#include "core/process/internal_messages.hpp"
#include "core/scheduler/runtime_impl.hpp"

#include <algorithm>
#include <vector>

namespace otter::detail {

namespace {

void die(process& p, term reason) noexcept {
  p.exit_reason = std::move(reason);
  p.exit_pending = true;
}

void deliver_exit(process& p, node* n, bool linked) noexcept {
  auto* e = static_cast<payload_node<exit_msg>*>(n);
  const term& reason = e->value.reason;
  if (p.exit_pending) {
    delete n;  // already dying: the first reason stands
    return;
  }
  if (linked) {
    if (!p.links.erase(e->value.from)) {
      delete n;  // unlinked meanwhile
      return;
    }
  } else if (reason.is(atoms::kill)) {
    die(p, atoms::killed);
    delete n;
    return;
  }
  if (p.trap_exit) {
    n->kind = node_kind::message;
    p.mq.push_back(n);
    return;
  }
  if (reason.is(atoms::normal)) {
    // A normal exit signal is ignored, except the one a process sends itself (exit(self(),
    // :normal) terminates the caller, as in Erlang).
    if (!linked && e->value.from == p.self()) {
      die(p, atoms::normal);
    }
    delete n;
    return;
  }
  die(p, reason);
  delete n;
}

}  // namespace

process_info_t collect_info(process& p, bool asked_by_self) {
  process_info_t info;
  // Asked by another process, the target answers between two of its steps: it was waiting in
  // a receive, or queued to run (:runnable). Asking oneself, one is :running.
  if (asked_by_self) {
    info.status = atom("running");
  } else {
    info.status = atom(p.suspended == suspend_kind::receive ? "waiting" : "runnable");
  }
  info.message_queue_len = p.mq.size;
  for (node* n = p.mq.head; n != nullptr; n = message_queue::next_of(n)) {
    // to_term() may be user code; this runs inside signal handling, which must not throw.
    try {
      info.messages.push_back(n->to_term());
    } catch (...) {
      info.messages.push_back(term::opaque("#Unprintable"));
    }
  }
  p.links.for_each([&](const pid& l, char) { info.links.push_back(l); });
  std::sort(info.links.begin(), info.links.end());
  p.monitors.for_each([&](const ref&, monitor_entry& m) {
    info.monitors.push_back(
        tuple(atoms::process, m.by_name ? tuple(m.name, atoms::nonode) : term(m.target)));
  });
  p.watchers.for_each(
      [&](const ref&, watcher_entry& w) { info.monitored_by.push_back(w.watcher); });
  std::sort(info.monitored_by.begin(), info.monitored_by.end());
  std::uint32_t n = p.name.load(std::memory_order_relaxed);
  if (n != no_name) {
    info.registered_name = atom::from_index(n);
  }
  info.reductions = p.reductions;
  info.trap_exit = p.trap_exit;
  p.dict.for_each([&](const term& k, const term& v) { info.dictionary.emplace_back(k, v); });
  std::sort(info.dictionary.begin(), info.dictionary.end());
  return info;
}

void handle_signal(process& p, node* n) noexcept {
  switch (n->kind) {
    case node_kind::message:
      p.mq.push_back(n);
      return;
    case node_kind::link:
      p.links.insert(static_cast<signal_node*>(n)->from, 0);
      break;
    case node_kind::unlink:
      p.links.erase(static_cast<signal_node*>(n)->from);
      break;
    case node_kind::exit_linked:
      deliver_exit(p, n, true);
      return;
    case node_kind::exit_explicit:
      deliver_exit(p, n, false);
      return;
    case node_kind::terminate:
      if (!p.exit_pending) {
        die(p, static_cast<payload_node<exit_msg>*>(n)->value.reason);
      }
      break;
    case node_kind::monitor: {
      auto* s = static_cast<signal_node*>(n);
      p.watchers.insert(s->tag, watcher_entry{s->from, s->name, s->by_name});
      break;
    }
    case node_kind::demonitor:
      p.watchers.erase(static_cast<signal_node*>(n)->tag);
      break;
    case node_kind::down: {
      auto* d = static_cast<payload_node<down_msg>*>(n);
      if (p.monitors.erase(d->value.monitor)) {
        n->kind = node_kind::message;
        p.mq.push_back(n);
        return;
      }
      break;  // demonitored meanwhile: dropped
    }
    case node_kind::receive_timeout: {
      auto* s = static_cast<signal_node*>(n);
      if (p.suspended == suspend_kind::receive && p.waiting != nullptr && s->seq == p.receive_seq) {
        p.waiting->timed_out = true;
      }
      break;
    }
    case node_kind::call_message: {
      // The request of a call, carrying the caller's monitor (message.hpp, call_return).
      call_return c = n->call_of();
      p.watchers.insert(c.tag, watcher_entry{c.caller, atom(), false, true});
      n->kind = node_kind::message;
      p.mq.push_back(n);
      return;
    }
    case node_kind::reply_message:
      // The server dropped its watcher as it replied: the monitor is over on both sides, even
      // when the reply itself is dropped below.
      p.monitors.erase(n->alias_tag());
      [[fallthrough]];
    case node_kind::alias_message:
      // Accepted only while the alias is active: a reply that arrives after the caller gave
      // up (unalias) is dropped here, in order, and never seen by a later receive.
      if (p.aliases.contains(n->alias_tag())) {
        n->kind = node_kind::message;
        p.mq.push_back(n);
        return;
      }
      break;
    case node_kind::wake:
      p.blocking_in_flight = false;
      p.blocking_done = true;
      break;
    case node_kind::info_request: {
      auto* s = static_cast<signal_node*>(n);
      p.rt->deliver(s->from, make_message_node(info_reply{s->tag, collect_info(p, false)}));
      break;
    }
  }
  delete n;
}

message_queue& drain(process& p) noexcept {
  // A dying process stops handling signals (what is left is answered by finalize()), except
  // while a blocking call is in flight: it must still see the wake-up.
  while (!p.exit_pending || p.blocking_in_flight) {
    node* n = p.in.pop();
    if (n == nullptr) {
      break;
    }
    handle_signal(p, n);
  }
  return p.mq;
}

bool exiting(const process& p) noexcept {
  return p.exit_pending;
}

// Exit, in order (the order is what users observe):
//   1. clear alive: from here on, senders treat the process as dead;
//   2. destroy the coroutine frames (destructors run, and may still send);
//   3. free the registered name, run the exit watches (exit_watch.hpp);
//   4. exit signals to linked processes, then DOWN to monitors (Erlang's order);
//   5. drop the monitors this process held (their targets forget them);
//   6. run the exit hook, free the private state, drop the process's own reference (the last
//      reference finalises the slot: finalize()).
void terminate(process& p) noexcept {
  runtime_impl& rt = *p.rt;
  process_table::mark_dead(&p);
  rt.cancel_receive_timeout(&p);
  if (p.root) {
    auto h = std::exchange(p.root, {});
    h.destroy();
  }
  rt.drop_name(&p);
  const pid me = p.self();
  const term reason = p.exit_reason;
  fire_exit_watches(p, reason);
  p.links.for_each([&](const pid& l, char) {
    rt.deliver(l,
               node_ptr(new payload_node<exit_msg>(node_kind::exit_linked, exit_msg{me, reason})));
  });
  p.watchers.for_each([&](const ref& tag, watcher_entry& w) {
    term object = w.by_name ? tuple(w.name, atoms::nonode) : term(me);
    rt.deliver(w.watcher, node_ptr(new payload_node<down_msg>(node_kind::down,
                                                              down_msg{tag, object, reason})));
  });
  p.monitors.for_each([&](const ref& tag, monitor_entry& m) {
    auto* s = new signal_node(node_kind::demonitor);
    s->tag = tag;
    s->from = me;
    rt.deliver(m.target, node_ptr(s));  // by-name monitors hold the pid resolved when taken
  });
  if (p.on_exit) {
    (*p.on_exit)(reason);
    p.on_exit.reset();
  }
  while (p.mq.head != nullptr) {
    (void)p.mq.take(nullptr, p.mq.head);
  }
  p.links.clear();
  p.monitors.clear();
  p.watchers.clear();
  p.aliases.clear();
  p.dict.clear();
  p.resume_point = {};
  p.waiting = nullptr;
  auto& ctx = tls();
  if (ctx.current == &p) {
    ctx.current = nullptr;
  }
  rt.table.release(&p);
}

// -- suspension points ----------------------------------------------------------------------

process* current() noexcept {
  return tls().current;
}

process& current_checked(const char* what) noexcept {
  process* p = tls().current;
  if (p == nullptr) {
    std::fprintf(stderr, "otter: %s called outside a process\n", what);
  }
  OTTER_CHECK(p != nullptr, "this function must be called from inside an Otter process");
  return *p;
}

void suspend_receive(process& p, std::coroutine_handle<> h, receive_base* r) noexcept {
  p.resume_point = h;
  p.waiting = r;
  p.suspended = suspend_kind::receive;
  ++p.receive_seq;
}

void suspend_yield(process& p, std::coroutine_handle<> h) noexcept {
  p.resume_point = h;
  p.suspended = suspend_kind::yield;
}

bool spend_reduction(process& p) noexcept {
  ++p.reductions;
  return ++p.slice_reductions >= p.rt->options.reductions_per_slice;
}

pid pid_of(const process& p) noexcept {
  return p.self();
}

void suspend_blocking(process& p, std::coroutine_handle<> h, std::function<void()> job) noexcept {
  p.resume_point = h;
  p.suspended = suspend_kind::blocking;
  p.blocking_in_flight = true;
  p.blocking_done = false;
  runtime_impl* rt = p.rt;
  pid me = p.self();
  rt->post_blocking([rt, me, job = std::move(job)] {
    job();
    rt->deliver(me, node_ptr(new signal_node(node_kind::wake)));
  });
}

// -- sending and spawning ---------------------------------------------------------------------

runtime_impl& current_runtime(const char* what) noexcept {
  auto& ctx = tls();
  if (ctx.current != nullptr) {
    return *ctx.current->rt;
  }
  if (ctx.w != nullptr) {
    return *ctx.w->rt;
  }
  if (ctx.manual != nullptr) {
    return *ctx.manual;
  }
  std::fprintf(stderr, "otter: %s called outside a process (use otter::runtime's members)\n", what);
  OTTER_CHECK(false, "no Otter runtime on this thread");
  std::abort();
}

void send_node(runtime_impl& rt, pid to, node_ptr n) noexcept {
  if (n->kind == node_kind::alias_message) {
    // A server's reply to a call it holds the monitor of ends that monitor (message.hpp,
    // call_return). Only the monitored process may end it: a reply from anyone else leaves
    // the caller's demonitor to do it.
    if (process* p = current(); p != nullptr) {
      ref tag = n->alias_tag();
      watcher_entry* w = p->watchers.find(tag);
      if (w != nullptr && w->call && w->watcher == to) {
        p->watchers.erase(tag);
        n->kind = node_kind::reply_message;
      }
    }
  }
  rt.deliver(to, std::move(n));
}

void send_call(process& p, pid server, node_ptr n) noexcept {
  call_return c = n->call_of();
  OTTER_ASSERT(c.caller == p.self() && !c.tag.is_null(), "a call request names its caller");
  // Recorded before the request leaves: a DOWN for it may arrive as soon as it is sent.
  p.monitors.insert(c.tag, monitor_entry{server, atom(), false});
  n->kind = node_kind::call_message;
  p.rt->deliver(server, std::move(n));
}

pid whereis(runtime_impl& rt, atom name) noexcept {
  return rt.whereis(name);
}

namespace {

/// The last lineage list built on this thread for one key, and what it was built from.
struct lineage_memo {
  term head;
  term rest;  // the parent's list (nil when it had none)
  term built;
};

/// [head | parent's list under `key`] ($ancestors, $callers). Every child a process starts
/// gets the same list, so the last one built is kept per thread and shared (terms are
/// immutable and counted atomically, so a list may be shared by processes on any thread): a
/// supervisor's million children hold one list instead of a million. The memo is
/// thread-local, so it needs no lock: a parent whose spawns run on both schedulers builds at
/// most one list per thread. It is a cache of a pure function of (head, the parent's list),
/// so a hit returns exactly what a fresh build would.
term lineage(process& parent, atom key) {
  term head = term(parent.self());
  if (key == atoms::ancestors) {
    std::uint32_t n = parent.name.load(std::memory_order_relaxed);
    if (n != no_name) {
      head = term(atom::from_index(n));  // proc_lib records the registered name when there is one
    }
  }
  const term* found = parent.dict.find(term(key));
  // By pointer: a copy would count the list block up and down again (two atomic updates) for
  // every child, and the memo hit below is the common case. Null: the parent has no list.
  const term* rest = found != nullptr && found->is_list() ? found : nullptr;
  thread_local lineage_memo memo[2];
  lineage_memo& m = memo[key == atoms::ancestors ? 0 : 1];
  // The same list block, not merely an equal list: == would also match lists that differ only
  // in the sign of a zero float, which print differently. The memo holds `rest`, so its block
  // cannot be freed and reused meanwhile.
  if (!m.built.is(atoms::nil) && m.head.same(head)
      && (rest != nullptr ? m.rest.same(*rest) : m.rest.is(atoms::nil))) {
    return m.built;
  }
  std::vector<term> items;
  items.reserve(1 + (rest != nullptr ? rest->size() : 0));
  items.push_back(head);
  if (rest != nullptr) {
    items.insert(items.end(), rest->elements().begin(), rest->elements().end());
  }
  m.head = head;
  m.rest = rest != nullptr ? *rest : term();
  m.built = term::list(std::move(items));
  return m.built;
}

}  // namespace

pid spawn(runtime_impl& rt, spawn_request& req) {
  process* parent = tls().current;
  if (parent != nullptr && parent->rt != &rt) {
    parent = nullptr;
  }
  worker* w = rt.local_worker();
  process* p = rt.table.allocate(w != nullptr ? &w->free_slots : nullptr);
  p->root = req.body.release();
  p->resume_point = p->root;
  p->suspended = suspend_kind::none;
  p->slice_reductions = 0;
  p->watches_closed = false;  // no one holds a reference to the previous incarnation
  if (req.on_exit) {
    p->on_exit = std::make_unique<std::function<void(const term&)>>(std::move(req.on_exit));
  }
  const pid child = p->self();
  if (parent != nullptr) {
    if (req.link) {
      parent->links.insert(child, 0);
      p->links.insert(parent->self(), 0);
    }
    if (req.monitor) {
      ref tag = rt.make_ref();
      parent->monitors.insert(tag, monitor_entry{child, atom(), false});
      p->watchers.insert(tag, watcher_entry{parent->self(), atom(), false});
      req.monitor_ref = tag;
    }
    if (req.ancestry) {
      p->dict.insert(term(atoms::ancestors), lineage(*parent, atoms::ancestors));
    }
    if (req.callers) {
      p->dict.insert(term(atoms::callers), lineage(*parent, atoms::callers));
    }
  }
  (w != nullptr ? w : rt.workers[0].get())->spawned.fetch_add(1, std::memory_order_acq_rel);
  p->state.store(sched_state::runnable, std::memory_order_relaxed);
  process_table::publish(p);
  rt.make_runnable(p, false);
  // Shutdown step 1 (runtime_impl.cpp): a process born after the shutdown scan stops itself.
  if (rt.stopping.load(std::memory_order_seq_cst)) {
    rt.send_terminate(child);
  }
  return child;
}

ref arm_timer(runtime_impl& rt, term dest, std::uint64_t deadline_ms, node_ptr n, ref tag) {
  return rt.arm(std::move(dest), deadline_ms, std::move(n), tag);
}

std::uint64_t now_ms(runtime_impl& rt) noexcept {
  return rt.now();
}

std::uint64_t deadline_in(runtime_impl& rt, std::uint64_t ms) noexcept {
  return rt.deadline_in(ms);
}

}  // namespace otter::detail
