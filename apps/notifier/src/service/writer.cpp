#include "notifier/service/writer.hpp"

#include "notifier/service/repo.hpp"
#include "otter/core/logger.hpp"
#include "otter/core/timer.hpp"
#include "otter/otp/gen_server.hpp"

#include "service/take_front.hpp"
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace notifier::writer {
namespace {

namespace gen_server = otter::gen_server;
using enqueue_reply = store_result<notification_id>;

struct server {
  struct enqueue_req {
    new_notification entry;
  };
  struct record_req {
    new_attempt attempt;
  };
  struct sync_req {};
  struct retry_attempts {};  // the backoff after an unavailable store has passed

  struct waiting_enqueue {
    new_notification entry;
    gen_server::from from;
  };
  struct state {
    const env* e = nullptr;
    std::vector<waiting_enqueue> enqueues{};  // not committed yet, in arrival order
    std::vector<new_attempt> attempts{};      // not recorded yet, in arrival order
    std::vector<gen_server::from> syncs{};    // callers of sync(), answered when attempts empty
    int attempt_failures = 0;                 // consecutive unavailable commits of attempts
    bool retry_armed = false;                 // a retry_attempts timer is pending
  };

  state init(const env* e) { return state{.e = e}; }

  // Every request defers its answer and asks for a zero timeout: handle_info(:timeout) runs
  // when the mailbox is empty, which is when the gathered batch is committed.
  otter::co<gen_server::call_result<enqueue_reply>> handle_call(enqueue_req r,
                                                                const gen_server::from& from,
                                                                state& s) {
    s.enqueues.push_back(waiting_enqueue{std::move(r.entry), from});
    if (s.enqueues.size() >= s.e->config.max_batch) {
      co_await commit_enqueues(s);
    }
    co_return gen_server::call_result<enqueue_reply>::noreply().timeout(0);
  }

  gen_server::call_result<bool> handle_call(sync_req, const gen_server::from& from, state& s) {
    s.syncs.push_back(from);
    return gen_server::call_result<bool>::noreply().timeout(0);
  }

  gen_server::cast_result handle_cast(record_req r, state& s) {
    s.attempts.push_back(std::move(r.attempt));
    return gen_server::cast_result::noreply().timeout(0);
  }

  otter::co<gen_server::cast_result> handle_info(otter::message& m, state& s) {
    if (m.is<retry_attempts>()) {
      s.retry_armed = false;
    }
    co_await commit_enqueues(s);
    co_await commit_attempts(s);
    co_return gen_server::cast_result::noreply();
  }

  // Commits the waiting enqueues, max_batch at a time, and answers their callers.
  static otter::co<void> commit_enqueues(state& s) {
    while (!s.enqueues.empty()) {
      co_await commit_batch(*s.e, detail::take_front(s.enqueues, s.e->config.max_batch));
    }
  }

  static otter::co<void> commit_batch(const env& e, std::vector<waiting_enqueue> batch) {
    std::vector<new_notification> entries;
    entries.reserve(batch.size());
    for (waiting_enqueue& w : batch) {
      entries.push_back(std::move(w.entry));
    }
    auto insert = [&entries](store& st) {
      return st.enqueue(entries);
    };
    store_result<std::vector<notification_id>> ids = co_await e.repo->run(insert);
    if (ids) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        gen_server::reply(batch[i].from, enqueue_reply((*ids)[i]));
      }
      co_return;
    }
    if (ids.error().retryable() || batch.size() == 1) {
      for (waiting_enqueue& w : batch) {
        gen_server::reply(w.from, enqueue_reply(otter::unexpected<store_error>(ids.error())));
      }
      co_return;
    }
    // One entry may be at fault (its task is gone): commit each alone, so that only its caller
    // gets the error.
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto one = [&entries, i](store& st) {
        return st.enqueue(std::span<const new_notification>(&entries[i], 1));
      };
      store_result<std::vector<notification_id>> id = co_await e.repo->run(one);
      gen_server::reply(batch[i].from,
                        id ? enqueue_reply(id->front())
                           : enqueue_reply(otter::unexpected<store_error>(id.error())));
    }
  }

  // Records the queued attempts in one transaction; on an unavailable store keeps them and
  // arms a retry after a backoff.
  static otter::co<void> commit_attempts(state& s) {
    while (!s.attempts.empty() && !s.retry_armed) {
      std::size_t n = std::min(s.attempts.size(), s.e->config.max_batch);
      std::vector<new_attempt> batch(s.attempts.begin(),
                                     s.attempts.begin() + static_cast<std::ptrdiff_t>(n));
      auto insert = [&batch](store& st) {
        return st.record_attempts(batch);
      };
      store_result<std::vector<attempt_id>> ids = co_await s.e->repo->run(insert);
      if (!ids && ids.error().retryable()) {
        ++s.attempt_failures;
        auto delay = backoff_delay(s.e->config.store_retry, s.attempt_failures);
        otter::send_after(otter::self(), retry_attempts{}, delay);
        s.retry_armed = true;
        spdlog::warn("writer: store unavailable, {} attempts wait {} ms: {}", s.attempts.size(),
                     delay.count(), ids.error().message);
        co_return;
      }
      if (!ids) {
        // An attempt of an entry that no longer exists: nothing to record it against.
        spdlog::error("writer: dropped {} delivery attempts: {}", n, ids.error().message);
      }
      s.attempt_failures = 0;
      s.attempts.erase(s.attempts.begin(), s.attempts.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (s.attempts.empty()) {
      for (const gen_server::from& f : s.syncs) {
        gen_server::reply(f, true);
      }
      s.syncs.clear();
    }
  }
};

}  // namespace

otter::child_spec child_spec(const env& e) {
  otter::child_spec spec;
  spec.id = otter::term(e.names.writer);
  const env* ep = &e;
  spec.start = otter::start_with([ep]() {
    gen_server::start_options opts;
    opts.name = otter::server_ref(ep->names.writer);
    return gen_server::start_link<server>(std::move(opts), ep);
  });
  return spec;
}

otter::co<store_result<notification_id>> enqueue(const env& e, new_notification entry,
                                                 std::int64_t timeout_ms) {
  server::enqueue_req req{std::move(entry)};
  auto reply = co_await gen_server::try_call<server>(otter::server_ref(e.names.writer),
                                                     std::move(req), timeout_ms);
  if (!reply) {
    co_return store_failure(store_errc::unavailable,
                            "writer did not answer: " + reply.error().reason.to_string());
  }
  co_return std::move(*reply);
}

void record(const env& e, new_attempt attempt) {
  gen_server::cast<server>(otter::server_ref(e.names.writer),
                           server::record_req{std::move(attempt)});
}

otter::co<bool> sync(const env& e, std::int64_t timeout_ms) {
  auto reply = co_await gen_server::try_call<server>(otter::server_ref(e.names.writer),
                                                     server::sync_req{}, timeout_ms);
  co_return reply&&* reply;
}

}  // namespace notifier::writer
