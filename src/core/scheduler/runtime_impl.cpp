// The runtime: construction, shutdown, delivery of signals, names, timers, blocking pool.

#include "core/scheduler/runtime_impl.hpp"

#include "otter/detail/assert.hpp"

#include "core/process/internal_messages.hpp"

#include <algorithm>

namespace otter::detail {

namespace {
// Refs are unique for the whole program, across runtimes: blocks of this counter are handed to
// schedulers so that make_ref() takes no lock and rarely touches a shared cache line.
std::atomic<std::uint64_t> g_ref_counter{1};
constexpr std::uint64_t ref_block = std::uint64_t{1} << ref_block_bits;
}  // namespace

runtime_impl::runtime_impl(runtime_options opts)
    : options(opts), table(this), epoch_(std::chrono::steady_clock::now()) {
  if (options.manual) {
    options.schedulers = 1;
  } else if (options.schedulers == 0) {
    options.schedulers = std::max(1U, std::thread::hardware_concurrency());
  }
  OTTER_CHECK(options.schedulers <= 64, "at most 64 schedulers");
  if (options.reductions_per_slice == 0) {
    options.reductions_per_slice = 1;
  }
  std::uint64_t t = now();
  for (std::uint32_t i = 0; i < options.schedulers; ++i) {
    workers.push_back(std::make_unique<worker>(this, i, t));
  }
  if (options.manual) {
    // The thread that creates a manual runtime drives it: otter::send_after and the other
    // in-process calls made from that thread outside any process use it.
    previous_manual_ = std::exchange(tls().manual, this);
  }
}

runtime_impl::~runtime_impl() {
  shutdown();
  if (options.manual && tls().manual == this) {
    tls().manual = previous_manual_;
  }
}

void runtime_impl::start() {
  if (!options.manual) {
    for (auto& w : workers) {
      threads_.emplace_back([wp = w.get()] { wp->run_loop(); });
    }
    for (unsigned i = 0; i < std::max(1U, options.blocking_threads); ++i) {
      pool_threads_.emplace_back([this] {
        for (;;) {
          std::function<void()> job;
          {
            std::unique_lock<std::mutex> lock(pool_mu_);
            pool_cv_.wait(lock, [this] { return pool_stop_ || !pool_jobs_.empty(); });
            if (pool_jobs_.empty()) {
              return;
            }
            job = std::move(pool_jobs_.front());
            pool_jobs_.pop_front();
          }
          job();
        }
      });
    }
  }
}

// Shutdown, in numbered steps (docs/design/scheduler.md#shutdown):
//   1. `stopping` is set: spawn() from now on sends the new process a terminate signal itself.
//   2. every live process gets a terminate signal (reason :shutdown, untrappable). Links and
//      monitors fire as for any exit, so processes see their peers go in the usual order.
//   3. wait until the last incarnation is finalised (exit_cv; finalize() notifies).
//   4. stop and join the scheduler threads, then the blocking pool.
//   5. drop the timers that never fired.
// Step 1 before step 2 is what makes the scan complete: a process spawned during the scan
// either is seen by it or sees `stopping` (both are seq_cst).
void runtime_impl::shutdown() noexcept {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  OTTER_ASSERT(tls().current == nullptr, "runtime::shutdown() called from inside a process");
  stopping.store(true, std::memory_order_seq_cst);
  std::uint32_t hw = table.high_water();
  for (std::uint32_t i = 0; i < hw; ++i) {
    process* b = table.slot(i);
    // Ordering: seq_cst, paired with publish() (process_table.hpp).
    std::uint64_t w = b->rc_gen.load(std::memory_order_seq_cst);
    if ((w & process_table::alive_bit) != 0) {
      send_terminate(pid(i, static_cast<std::uint32_t>(w >> 32)));
    }
  }
  if (options.manual) {
    while (live_processes() != 0) {
      if (workers[0]->run_until_idle(0) == 0 && live_processes() != 0) {
        // Nothing runnable: only blocked processes remain, which manual mode cannot have
        // (blocking work runs inline). Advance time so that pending timers wake them.
        auto next = next_timer_deadline();
        OTTER_CHECK(next.has_value(), "manual runtime: processes left that can never run");
        set_manual_clock(*next);
      }
    }
  } else {
    std::unique_lock<std::mutex> lock(exit_mu);
    exit_cv.wait(lock, [this] { return live_processes() == 0; });
  }
  halting.store(true, std::memory_order_release);
  for (auto& w : workers) {
    w->wake();
  }
  for (auto& t : threads_) {
    t.join();
  }
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    pool_stop_ = true;
  }
  pool_cv_.notify_all();
  for (auto& t : pool_threads_) {
    t.join();
  }
  // Step 5: timers left in the wheels (their targets are gone).
  for (auto& w : workers) {
    {
      std::lock_guard<std::mutex> lock(w->remote_mu);
      for (timer_node* t : w->remote_timers) {
        w->wheel.insert(t);  // owner is this worker (arm() set it)
      }
      w->remote_timers.clear();
    }
    while (auto next = w->wheel.next_deadline()) {
      w->wheel.advance(*next, [](timer_entry* e) {
        auto* t = static_cast<timer_node*>(e);
        timer_state armed = timer_state::armed;
        t->state.compare_exchange_strong(armed, timer_state::cancelled);
        t->release();
      });
    }
  }
  for (std::size_t s = 0; s < timer_registry::shards; ++s) {
    auto& sh = timers.shard_at(s);
    std::lock_guard<std::mutex> lock(sh.mu);
    sh.table.drain([](timer_node* t) { t->release(); });
  }
}

// -- clock ---------------------------------------------------------------------------------

std::uint64_t runtime_impl::now() const noexcept {
  if (options.manual) {
    return manual_now_.load(std::memory_order_acquire);
  }
  auto d = std::chrono::steady_clock::now() - epoch_;
  return static_cast<std::uint64_t>(
             std::chrono::duration_cast<std::chrono::milliseconds>(d).count())
         + 1;
}

void runtime_impl::advance_manual_clock(std::uint64_t ms) noexcept {
  manual_now_.fetch_add(ms, std::memory_order_acq_rel);
}

void runtime_impl::set_manual_clock(std::uint64_t ms) noexcept {
  if (ms > manual_now_.load(std::memory_order_acquire)) {
    manual_now_.store(ms, std::memory_order_release);
  }
}

std::optional<std::uint64_t> runtime_impl::next_timer_deadline() noexcept {
  std::optional<std::uint64_t> best;
  for (auto& w : workers) {
    if (auto d = w->wheel.next_deadline()) {
      best = best ? std::min(*best, *d) : *d;
    }
  }
  return best;
}

// -- processes -----------------------------------------------------------------------------

worker* runtime_impl::local_worker() const noexcept {
  if (options.manual) {
    return workers[0].get();  // a manual runtime is driven by one thread by contract
  }
  auto& ctx = tls();
  if (ctx.w != nullptr && ctx.w->rt == this) {
    return ctx.w;
  }
  return nullptr;
}

void runtime_impl::notify_idle_worker() noexcept {
  // Ordering: the fence pairs with the sleeper's seq_cst fetch_or + re-check (Dekker): either
  // we see its bit here, or it sees the work we published before the fence.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  std::uint64_t mask = sleepers.load(std::memory_order_relaxed);
  while (mask != 0) {
    std::uint64_t bit = mask & (~mask + 1);
    if (sleepers.compare_exchange_weak(mask, mask & ~bit, std::memory_order_acq_rel)) {
      workers[static_cast<std::size_t>(__builtin_ctzll(bit))]->wake();
      return;
    }
  }
}

void runtime_impl::make_runnable(process* p, bool woken_by_process) noexcept {
  if (worker* w = local_worker()) {
    w->schedule(p, woken_by_process);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(injector_mu);
    injector.push_back(p);
    // Ordering: release pairs with the acquire load in next_process().
    injector_nonempty.store(true, std::memory_order_release);
  }
  if (!options.manual) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sleepers.load(std::memory_order_relaxed) != 0) {
      notify_idle_worker();
    }
  }
}

void runtime_impl::push_and_wake(process* p, node* n) noexcept {
  p->in.push(n);
  // Ordering: seq_cst load after the seq_cst exchange in push(): pairs with the park protocol
  // (the parker stores `waiting`, then reads the inbox tail).
  if (p->state.load(std::memory_order_seq_cst) == sched_state::waiting) {
    sched_state expected = sched_state::waiting;
    if (p->state.compare_exchange_strong(expected, sched_state::runnable,
                                         std::memory_order_acq_rel)) {
      make_runnable(p, tls().current != nullptr);
    }
  }
}

namespace {
// What a dead process answers to a signal that reaches it: a link gets an exit signal
// `:noproc`, a monitor a DOWN `:noproc`, a process_info request an empty answer. Everything
// else is dropped.
void answer_dead(runtime_impl& rt, pid dead, node* n) noexcept {
  node_ptr owned(n);
  switch (n->kind) {
    case node_kind::link: {
      auto* s = static_cast<signal_node*>(n);
      rt.deliver(s->from, node_ptr(new payload_node<exit_msg>(node_kind::exit_linked,
                                                              exit_msg{dead, atoms::noproc})));
      break;
    }
    case node_kind::monitor: {
      auto* s = static_cast<signal_node*>(n);
      term object = s->by_name ? tuple(s->name, atoms::nonode) : term(dead);
      rt.deliver(s->from, node_ptr(new payload_node<down_msg>(
                              node_kind::down, down_msg{s->tag, object, atoms::noproc})));
      break;
    }
    case node_kind::call_message: {
      call_return c = n->call_of();
      rt.deliver(c.caller, node_ptr(new payload_node<down_msg>(
                               node_kind::down, down_msg{c.tag, term(dead), atoms::noproc})));
      break;
    }
    case node_kind::info_request: {
      auto* s = static_cast<signal_node*>(n);
      rt.deliver(s->from, make_message_node(info_reply{s->tag, std::nullopt}));
      break;
    }
    default:
      break;
  }
}
}  // namespace

void runtime_impl::deliver(pid to, node_ptr n) noexcept {
  process* p = table.acquire(to);
  if (p == nullptr) {
    answer_dead(*this, to, n.release());
    return;
  }
  push_and_wake(p, n.release());
  table.release(p);
}

void runtime_impl::send_exit(pid to, pid from, term reason) noexcept {
  deliver(to, node_ptr(new payload_node<exit_msg>(node_kind::exit_explicit,
                                                  exit_msg{from, std::move(reason)})));
}

void runtime_impl::send_terminate(pid to) noexcept {
  deliver(to, node_ptr(new payload_node<exit_msg>(node_kind::terminate,
                                                  exit_msg{pid{}, atoms::shutdown})));
}

void runtime_impl::finalize(process* p) noexcept {
  pid dead = p->self();
  // Safety: no reference is left and the block is not alive, so this thread is the only one
  // touching it; the acq_rel release chain on rc_gen orders us after the owner's last writes.
  while (node* n = p->in.pop()) {
    answer_dead(*this, dead, n);
  }
  // The state stays `running` (the exiting owner's): resetting it to `waiting` here would let
  // a parker's stale CAS waiting -> running (worker.cpp, park step 3) succeed on a recycled
  // block. spawn() stores `runnable` before it publishes the next incarnation.
  p->suspended = suspend_kind::none;
  p->waiting = nullptr;
  p->exit_pending = false;
  p->finished = false;
  p->trap_exit = false;
  p->blocking_in_flight = false;
  p->blocking_done = false;
  p->reductions = 0;
  p->slice_reductions = 0;
  p->exit_reason = term();
  p->name.store(no_name, std::memory_order_relaxed);  // published by the release store below
  std::uint32_t next_gen = p->generation + 1;
  worker* w = local_worker();
  if (next_gen != 0) {  // a wrapped generation retires the slot for good
    p->generation = next_gen;
    // Ordering: release: the reset above is visible to whoever allocates the slot next.
    p->rc_gen.store(std::uint64_t{next_gen} << 32, std::memory_order_release);
    table.free_slot(p->index, w != nullptr ? &w->free_slots : nullptr);
  }
  (w != nullptr ? w : workers[0].get())->exited.fetch_add(1, std::memory_order_seq_cst);
  // Ordering: seq_cst, against shutdown's seq_cst store of `stopping` and its count check.
  if (stopping.load(std::memory_order_seq_cst)) {
    { std::lock_guard<std::mutex> lock(exit_mu); }
    exit_cv.notify_all();
  }
}

std::size_t runtime_impl::live_processes() const noexcept {
  // Every `exited` first, then every `spawned` (seq_cst): a counted exit implies its spawn is
  // counted (spawn happens before exit), and a process spawned by one whose exit is not yet
  // counted keeps the sum positive through its parent. Reading the pairs worker by worker
  // could miss a child spawned on one worker by a parent that then exits there.
  std::int64_t n = 0;
  for (const auto& w : workers) {
    n -= w->exited.load(std::memory_order_seq_cst);
  }
  for (const auto& w : workers) {
    n += w->spawned.load(std::memory_order_seq_cst);
  }
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

// -- names (Erlang's register/unregister/whereis) ---------------------------------------------
//
// The map is the truth for lookups; the process's `name` field lets its exit remove the entry.
// Race with a dying process (both sides seq_cst): register sets the field, then checks alive;
// the exit clears alive, then swaps the field out. Either the exit sees the name and erases
// it, or register sees the process dead and erases it itself.

bool runtime_impl::register_name(atom name, pid p) noexcept {
  if (name == atoms::undefined) {
    return false;  // as erlang:register/2: :undefined is not a name (badarg)
  }
  auto& sh = shard_of(name);
  std::unique_lock<std::shared_mutex> lock(sh.mu);
  if (auto it = sh.map.find(name.index()); it != sh.map.end()) {
    if (table.alive(it->second)) {
      return false;
    }
    sh.map.erase(it);
  }
  process* b = table.acquire(p);
  if (b == nullptr) {
    return false;
  }
  std::uint32_t none = no_name;
  bool ok = b->name.compare_exchange_strong(none, name.index(), std::memory_order_seq_cst);
  if (ok) {
    sh.map.emplace(name.index(), p);
    if (!table.alive(p)) {
      // It died meanwhile and its exit found no name to drop: undo both halves, or the slot's
      // next incarnation would inherit the name.
      sh.map.erase(name.index());
      std::uint32_t mine = name.index();
      b->name.compare_exchange_strong(mine, no_name, std::memory_order_seq_cst);
      ok = false;
    }
  }
  table.release(b);
  return ok;
}

bool runtime_impl::unregister_name(atom name) noexcept {
  auto& sh = shard_of(name);
  std::unique_lock<std::shared_mutex> lock(sh.mu);
  auto it = sh.map.find(name.index());
  if (it == sh.map.end()) {
    return false;
  }
  pid p = it->second;
  sh.map.erase(it);
  if (process* b = table.acquire(p)) {
    std::uint32_t expected = name.index();
    b->name.compare_exchange_strong(expected, no_name, std::memory_order_seq_cst);
    table.release(b);
  }
  return true;
}

pid runtime_impl::whereis(atom name) const noexcept {
  auto& sh = shard_of(name);
  std::shared_lock<std::shared_mutex> lock(sh.mu);
  auto it = sh.map.find(name.index());
  if (it == sh.map.end() || !table.alive(it->second)) {
    return {};
  }
  return it->second;
}

void runtime_impl::drop_name(process* p) noexcept {
  std::uint32_t n = p->name.exchange(no_name, std::memory_order_seq_cst);
  if (n == no_name) {
    return;
  }
  auto& sh = shard_of(atom::from_index(n));
  std::unique_lock<std::shared_mutex> lock(sh.mu);
  auto it = sh.map.find(n);
  if (it != sh.map.end() && it->second == p->self()) {
    sh.map.erase(it);
  }
}

// -- timers (timer_service.hpp describes the protocol) ----------------------------------------

ref runtime_impl::arm(term dest, std::uint64_t deadline, node_ptr payload, ref tag) noexcept {
  auto* t = new boxed_timer();
  t->storage = timer_storage::boxed;
  t->payload = std::move(payload);
  return arm(t, std::move(dest), deadline, tag);
}

ref runtime_impl::arm_embedded(term dest, std::uint64_t deadline, void* block,
                               [[maybe_unused]] node* payload, ref tag) noexcept {
  auto* t = ::new (block) timer_node();
  t->storage = timer_storage::embedded;
  OTTER_ASSERT(t->embedded_payload() == payload, "the message follows its timer in the block");
  return arm(t, std::move(dest), deadline, tag);
}

ref runtime_impl::arm(timer_node* t, term dest, std::uint64_t deadline, ref tag) noexcept {
  if (tag.is_null()) {
    tag = make_ref();
  }
  t->deadline = deadline;
  t->id = tag.id();
  if (dest.is_pid()) {
    t->kind = timer_kind::to_pid;
    t->who = dest.as_pid().value();
  } else {
    OTTER_ASSERT(dest.is_atom(), "a timer's destination is a pid or a name");
    t->kind = timer_kind::to_name;
    t->who = dest.as_atom().index();
  }
  worker* w = local_worker();
  // Every field, the owner included, is written before the registry makes the node visible to
  // cancel()/read() on other threads: the shard's mutex publishes them.
  t->owner = static_cast<std::uint8_t>(w != nullptr ? w->id : 0);
  {
    auto& sh = timers.shard_of(tag);
    std::lock_guard<std::mutex> lock(sh.mu);
    sh.table.insert(t);
  }
  if (w != nullptr) {
    w->arm_local(t);
  } else {
    worker* w0 = workers[0].get();
    {
      std::lock_guard<std::mutex> lock(w0->remote_mu);
      w0->remote_timers.push_back(t);
      // Ordering: release pairs with the acquire load in fire_timers().
      w0->has_remote_timers.store(true, std::memory_order_release);
    }
    if (!options.manual) {
      w0->wake();
    }
  }
  return tag;
}

std::optional<std::int64_t> runtime_impl::cancel(ref tag) noexcept {
  timer_node* t = nullptr;
  std::int64_t left = 0;
  bool dest_dead = false;
  {
    auto& sh = timers.shard_of(tag);
    std::lock_guard<std::mutex> lock(sh.mu);
    t = sh.table.find(tag.id());
    if (t == nullptr) {
      return std::nullopt;
    }
    timer_state armed = timer_state::armed;
    if (!t->state.compare_exchange_strong(armed, timer_state::cancelled,
                                          std::memory_order_acq_rel)) {
      return std::nullopt;  // fire won; it erases the entry
    }
    sh.table.erase(tag.id());
    left = remaining(*t);
    // A timer to a pid is cancelled automatically when that process exits (Erlang): cancelling
    // it afterwards finds nothing.
    dest_dead = destination_gone(*t);
  }
  worker* w = local_worker();
  if (w != nullptr && w->id == t->owner && t->linked()) {
    w->wheel.remove(t);
    t->release();  // the wheel's reference
  }
  t->release();  // the registry's reference
  if (dest_dead) {
    return std::nullopt;
  }
  return left;
}

std::optional<std::int64_t> runtime_impl::read(ref tag) noexcept {
  {
    auto& sh = timers.shard_of(tag);
    std::lock_guard<std::mutex> lock(sh.mu);
    timer_node* t = sh.table.find(tag.id());
    if (t == nullptr || t->state.load(std::memory_order_acquire) != timer_state::armed) {
      return std::nullopt;
    }
    if (!destination_gone(*t)) {
      return remaining(*t);
    }
  }
  (void)cancel(tag);  // its destination died: the timer is gone, as in Erlang
  return std::nullopt;
}

std::int64_t runtime_impl::remaining(const timer_node& t) const noexcept {
  // Report what the caller asked for: deadline_in() added a millisecond of rounding in real
  // time, which is not part of the time left.
  std::uint64_t n = now() + rounding_ms();
  return t.deadline > n ? static_cast<std::int64_t>(t.deadline - n) : 0;
}

timer_node* runtime_impl::arm_receive_timeout(process* p, std::uint64_t deadline) noexcept {
  auto* t = new timer_node();
  t->deadline = deadline;
  t->kind = timer_kind::receive_timeout;
  t->who = p->self().value();
  t->id = p->receive_seq;
  worker* w = local_worker();
  OTTER_ASSERT(w != nullptr, "receive timeout armed off a scheduler");
  t->owner = static_cast<std::uint8_t>(w->id);
  w->arm_local(t);
  return t;
}

void runtime_impl::cancel_receive_timeout(process* p) noexcept {
  timer_node* t = std::exchange(p->receive_timer, nullptr);
  if (t == nullptr) {
    return;
  }
  timer_state armed = timer_state::armed;
  if (t->state.compare_exchange_strong(armed, timer_state::cancelled, std::memory_order_acq_rel)) {
    worker* w = local_worker();
    if (w != nullptr && w->id == t->owner && t->linked()) {
      w->wheel.remove(t);
      t->release();  // the wheel's reference
    }
  }
  t->release();  // the process's reference
}

void runtime_impl::fire(timer_node* t) noexcept {
  timer_state armed = timer_state::armed;
  if (t->state.compare_exchange_strong(armed, timer_state::fired, std::memory_order_acq_rel)) {
    if (t->receive_timeout()) {
      auto* s = new signal_node(node_kind::receive_timeout);
      s->seq = t->id;
      deliver(t->target(), node_ptr(s));
    } else {
      {
        auto& sh = timers.shard_of(ref(t->id));
        std::lock_guard<std::mutex> lock(sh.mu);
        sh.table.erase(t->id);
      }
      pid to = t->kind == timer_kind::to_pid ? t->target() : whereis(t->name());
      if (t->storage == timer_storage::embedded) {
        // The message owns the block from here, node included, and may be freed by its
        // receiver at once. That is safe because no other thread can reach the node: the CAS
        // made cancel() give up, and the registry entry (the only way to find it) is gone,
        // erased above under the shard lock that every cancel()/read() holds while it looks at
        // the node. Both references (the wheel's, ours; the registry's) end here, unreleased,
        // and `t` is not touched again.
        deliver(to, t->take_payload());
        return;
      }
      deliver(to, t->take_payload());
      t->release();  // the registry's reference
    }
  }
  t->release();  // the wheel's reference
}

ref arm_timer_embedded(runtime_impl& rt, term dest, std::uint64_t deadline_ms, void* block, node* n,
                       ref tag) noexcept {
  return rt.arm_embedded(std::move(dest), deadline_ms, block, n, tag);
}

// -- blocking pool --------------------------------------------------------------------------

void runtime_impl::post_blocking(std::function<void()> job) noexcept {
  if (options.manual) {
    job();  // deterministic: blocking work runs inline
    return;
  }
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    pool_jobs_.push_back(std::move(job));
  }
  pool_cv_.notify_one();
}

ref runtime_impl::make_ref() noexcept {
  if (worker* w = local_worker()) {
    if (w->ref_next == w->ref_end) {
      w->ref_next = g_ref_counter.fetch_add(ref_block, std::memory_order_relaxed);
      w->ref_end = w->ref_next + ref_block;
    }
    return ref(w->ref_next++);
  }
  return ref(g_ref_counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace otter::detail
