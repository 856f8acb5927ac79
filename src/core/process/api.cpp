// The in-process API of otter/core/process.hpp, timer.hpp and process_info.hpp.

#include "otter/core/process.hpp"
#include "otter/core/process_info.hpp"
#include "otter/core/timer.hpp"

#include "core/process/internal_messages.hpp"
#include "core/scheduler/runtime_impl.hpp"

#include <algorithm>

namespace otter {

namespace detail {
process_info_t collect_info(process& p, bool asked_by_self);
}  // namespace detail

using detail::current_checked;
using detail::node_kind;
using detail::node_ptr;
using detail::process;
using detail::signal_node;

pid self() {
  return current_checked("self").self();
}

bool link(pid other) {
  process& p = current_checked("link");
  const pid me = p.self();
  if (other == me || other.is_null()) {
    return true;
  }
  if (p.links.contains(other)) {
    return true;
  }
  if (!p.rt->table.alive(other)) {
    if (!p.trap_exit) {
      error(atoms::noproc);
    }
    // As Erlang: the trapping caller gets {:EXIT, other, :noproc} through the link. What the
    // dead process sent before it died is already in the inbox: take it first, so that the
    // EXIT comes after it (signal order from one sender).
    detail::drain(p);
    p.mq.push_back(
        new detail::payload_node<exit_msg>(node_kind::message, exit_msg{other, atoms::noproc}));
    return true;
  }
  p.links.insert(other, 0);
  auto* s = new signal_node(node_kind::link);
  s->from = me;
  p.rt->deliver(other, node_ptr(s));  // if it died meanwhile, its answer is an exit :noproc
  return true;
}

bool unlink(pid other) {
  process& p = current_checked("unlink");
  if (other == p.self() || other.is_null()) {
    return true;
  }
  p.links.erase(other);
  // Drop any exit signal of that link already queued (handled in order: it finds no link).
  auto* s = new signal_node(node_kind::unlink);
  s->from = p.self();
  p.rt->deliver(other, node_ptr(s));
  return true;
}

namespace {
ref monitor_impl(process& p, pid target, atom name, bool by_name) {
  ref tag = p.rt->make_ref();
  term object = by_name ? tuple(name, atoms::nonode) : term(target);
  if (target.is_null() || !p.rt->table.alive(target)) {
    // Immediate DOWN :noproc, as Erlang, after whatever the dead process sent before it died
    // (already in the inbox: drain it first to keep signal order).
    detail::drain(p);
    p.mq.push_back(new detail::payload_node<down_msg>(node_kind::message,
                                                      down_msg{tag, object, atoms::noproc}));
    return tag;
  }
  p.monitors.insert(tag, detail::monitor_entry{target, name, by_name});
  auto* s = new signal_node(node_kind::monitor);
  s->from = p.self();
  s->tag = tag;
  s->name = name;
  s->by_name = by_name;
  p.rt->deliver(target, node_ptr(s));
  return tag;
}
}  // namespace

ref monitor(pid target) {
  process& p = current_checked("monitor");
  return monitor_impl(p, target, atom(), false);
}

ref monitor(atom name) {
  process& p = current_checked("monitor");
  return monitor_impl(p, p.rt->whereis(name), name, true);
}

bool demonitor(ref tag, demonitor_options options) {
  process& p = current_checked("demonitor");
  // Handle what has arrived, so that a DOWN already sent counts as delivered (as in the BEAM,
  // where it would already be in the message queue).
  detail::drain(p);
  detail::monitor_entry m;
  bool active = p.monitors.erase(tag, &m);
  if (active) {
    auto* s = new signal_node(node_kind::demonitor);
    s->from = p.self();
    s->tag = tag;
    p.rt->deliver(m.target, node_ptr(s));
  }
  if (options.flush) {
    detail::node* prev = nullptr;
    for (detail::node* n = p.mq.head; n != nullptr;) {
      detail::node* nx = detail::message_queue::next_of(n);
      if (n->type == detail::type_id<down_msg>()
          && static_cast<detail::payload_node<down_msg>*>(n)->value.monitor == tag) {
        (void)p.mq.take(prev, n);
      } else {
        prev = n;
      }
      n = nx;
    }
  }
  return options.info ? active : true;
}

bool exit(pid target, term reason) {
  detail::process* p = detail::current();
  detail::runtime_impl& rt = detail::current_runtime("exit");
  pid from = p != nullptr ? p->self() : pid{};
  rt.send_exit(target, from, std::move(reason));
  if (p != nullptr && target == from) {
    detail::drain(*p);  // a signal to oneself takes effect now (exit(self(), ...) stops here)
    if (p->exit_pending) {
      otter::exit(p->exit_reason);
    }
  }
  return true;
}

ref alias() {
  process& p = current_checked("alias");
  ref tag = p.rt->make_ref();
  p.aliases.insert(tag, 0);
  return tag;
}

bool unalias(ref tag) {
  process& p = current_checked("unalias");
  // What has already arrived was sent while the alias was active: take it in first, so that
  // it stays (as in the BEAM, where it would already be in the message queue).
  detail::drain(p);
  return p.aliases.erase(tag);
}

bool trap_exit(bool on) {
  process& p = current_checked("trap_exit");
  return std::exchange(p.trap_exit, on);
}

bool trapping_exits() {
  return current_checked("trapping_exits").trap_exit;
}

bool alive(pid p) {
  return detail::current_runtime("alive").table.alive(p);
}

bool register_name(atom name, pid p) {
  return detail::current_runtime("register_name").register_name(name, p);
}

bool unregister(atom name) {
  return detail::current_runtime("unregister").unregister_name(name);
}

pid whereis(atom name) {
  return detail::current_runtime("whereis").whereis(name);
}

std::optional<atom> registered_name(pid p) {
  auto& rt = detail::current_runtime("registered_name");
  process* b = rt.table.acquire(p);
  if (b == nullptr) {
    return std::nullopt;
  }
  std::uint32_t n = b->name.load(std::memory_order_acquire);
  rt.table.release(b);
  if (n == detail::no_name) {
    return std::nullopt;
  }
  return atom::from_index(n);
}

// -- dictionary ---------------------------------------------------------------------------------

term put(term key, term value) {
  process& p = current_checked("put");
  if (term* old = p.dict.find(key)) {
    return std::exchange(*old, std::move(value));
  }
  p.dict.insert(key, std::move(value));
  return atoms::undefined;
}

term get(const term& key) {
  process& p = current_checked("get");
  const term* v = p.dict.find(key);
  return v != nullptr ? *v : term(atoms::undefined);
}

namespace detail {
pid first_ancestor() noexcept {
  process& p = current_checked("first_ancestor");
  const term* ancestors = p.dict.find(term(atoms::ancestors));
  if (ancestors == nullptr || !ancestors->is_list() || ancestors->size() == 0) {
    return pid();
  }
  const term& parent = ancestors->elements()[0];
  if (parent.is_pid()) {
    return parent.as_pid();
  }
  return parent.is_atom() ? p.rt->whereis(parent.as_atom()) : pid();
}
}  // namespace detail

term erase(const term& key) {
  process& p = current_checked("erase");
  term v;
  return p.dict.erase(key, &v) ? v : term(atoms::undefined);
}

std::vector<std::pair<term, term>> get_dictionary() {
  process& p = current_checked("get_dictionary");
  std::vector<std::pair<term, term>> out;
  p.dict.for_each([&](const term& k, const term& v) { out.emplace_back(k, v); });
  std::sort(out.begin(), out.end());  // erlang:get/0 has no order; a sorted one reads well
  return out;
}

std::int64_t now_ms() {
  return static_cast<std::int64_t>(detail::current_runtime("now_ms").now());
}

unsigned schedulers_online() {
  // options.schedulers is final once the runtime is built: 0 became one per core, and a
  // manual runtime has its one scheduler.
  return detail::current_runtime("schedulers_online").options.schedulers;
}

// -- timers ---------------------------------------------------------------------------------------

std::optional<std::int64_t> cancel_timer(ref timer) {
  return detail::current_runtime("cancel_timer").cancel(timer);
}

std::optional<std::int64_t> read_timer(ref timer) {
  return detail::current_runtime("read_timer").read(timer);
}

// -- process_info ---------------------------------------------------------------------------------

process_info_t self_info() {
  process& p = current_checked("process_info");
  detail::drain(p);
  return detail::collect_info(p, true);
}

co<std::optional<process_info_t>> process_info(pid target) {
  process& p = current_checked("process_info");
  if (target == p.self()) {
    co_return self_info();
  }
  ref tag = p.rt->make_ref();
  auto* s = new signal_node(node_kind::info_request);
  s->from = p.self();
  s->tag = tag;
  p.rt->deliver(target, node_ptr(s));  // a dead target answers with nullopt
  co_return co_await receive(
      on<detail::info_reply>([tag](const detail::info_reply& r) { return r.tag == tag; },
                             [](detail::info_reply& r) { return std::move(r.info); }));
}

ref make_ref() noexcept {
  if (detail::process* p = detail::current()) {
    return p->rt->make_ref();
  }
  if (detail::tls().w != nullptr) {
    return detail::tls().w->rt->make_ref();
  }
  static std::atomic<std::uint64_t> outside{std::uint64_t{1} << 62};
  return ref(outside.fetch_add(1, std::memory_order_relaxed));
}

// -- runtime ----------------------------------------------------------------------------------

runtime::runtime(runtime_options options) : impl_(std::make_unique<detail::runtime_impl>(options)) {
  impl_->start();
}

runtime::~runtime() {
  impl_->shutdown();
}

bool runtime::exit(pid target, term reason) {
  impl_->send_exit(target, pid{}, std::move(reason));
  return true;
}

pid runtime::whereis(atom name) const {
  return impl_->whereis(name);
}

std::optional<std::int64_t> runtime::cancel_timer(ref timer) {
  return impl_->cancel(timer);
}

std::optional<std::int64_t> runtime::read_timer(ref timer) {
  return impl_->read(timer);
}

bool runtime::alive(pid p) const {
  return impl_->table.alive(p);
}

std::optional<process_info_t> runtime::process_info(pid p) {
  return run(
      [p]() -> co<std::optional<process_info_t>> { co_return co_await otter::process_info(p); });
}

void runtime::shutdown() {
  impl_->shutdown();
}

std::size_t runtime::process_count() const noexcept {
  return impl_->live_processes();
}

unsigned runtime::schedulers() const noexcept {
  return impl_->options.manual ? 0 : impl_->options.schedulers;
}

std::int64_t runtime::now_ms() const noexcept {
  return static_cast<std::int64_t>(impl_->now());
}

namespace detail {

std::optional<term> run_and_wait(runtime_impl& rt, spawn_request& req, std::int64_t timeout_ms) {
  OTTER_ASSERT(tls().current == nullptr,
               "runtime::run() blocks its thread: never call it from inside a process");
  struct waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    term reason;
  };
  auto st = std::make_shared<waiter>();
  req.on_exit = [st](const term& reason) {
    {
      std::lock_guard<std::mutex> lock(st->mu);
      st->done = true;
      st->reason = reason;
    }
    st->cv.notify_all();
  };
  const pid child = spawn(rt, req);
  // On a timeout the process is killed and waited for before run() throws: its body may
  // refer to the caller's stack (a [&] lambda), which is about to unwind.
  auto kill_child = [&] {
    rt.send_exit(child, pid{}, atoms::kill);
  };
  if (rt.options.manual) {
    // Drive the single scheduler; when nothing can run, jump the clock to the next timer.
    const std::uint64_t limit = rt.now() + static_cast<std::uint64_t>(timeout_ms);
    for (;;) {
      rt.workers[0]->run_until_idle(0);
      if (st->done) {
        return st->reason;
      }
      auto next = rt.next_timer_deadline();
      if (!next || *next > limit) {
        kill_child();  // it would wait forever, or past the timeout
        rt.workers[0]->run_until_idle(0);
        return std::nullopt;
      }
      rt.set_manual_clock(*next);
    }
  }
  std::unique_lock<std::mutex> lock(st->mu);
  if (st->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return st->done; })) {
    return st->reason;
  }
  lock.unlock();
  kill_child();
  lock.lock();
  st->cv.wait(lock, [&] { return st->done; });
  return std::nullopt;
}

}  // namespace detail

}  // namespace otter
