#include "notifier/service/reader.hpp"

#include "notifier/service/repo.hpp"
#include "otter/otp/gen_server.hpp"

#include "service/take_front.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace notifier::reader {
namespace {

namespace gen_server = otter::gen_server;
using load_reply = store_result<loaded>;

/// What one trip to the pool reads for a batch: the tasks and the users found, in id order.
struct found {
  std::vector<task> tasks;
  std::vector<user> users;
};

template <class Row, class Id>
const Row* by_id(const std::vector<Row>& rows, Id id) {
  auto it = std::lower_bound(rows.begin(), rows.end(), id.value,
                             [](const Row& r, std::int64_t v) { return r.id.value < v; });
  return it != rows.end() && it->id == id ? &*it : nullptr;
}

struct server {
  struct load_req {
    user_id owner;
    task_id task;
    bool with_channel = false;
  };
  struct waiting_load {
    load_req req;
    gen_server::from from;
  };
  struct state {
    const env* e = nullptr;
    std::vector<waiting_load> loads{};  // not read yet, in arrival order
  };

  state init(const env* e) { return state{.e = e}; }

  // A load defers its answer and asks for a zero timeout: handle_info(:timeout) runs when the
  // mailbox is empty, which is when the gathered batch is read.
  otter::co<gen_server::call_result<load_reply>> handle_call(load_req r,
                                                             const gen_server::from& from,
                                                             state& s) {
    s.loads.push_back(waiting_load{r, from});
    if (s.loads.size() >= s.e->config.max_batch) {
      co_await read_all(s);
    }
    co_return gen_server::call_result<load_reply>::noreply().timeout(0);
  }

  otter::co<gen_server::cast_result> handle_info(otter::message& /*timeout*/, state& s) {
    co_await read_all(s);
    co_return gen_server::cast_result::noreply();
  }

  static otter::co<void> read_all(state& s) {
    while (!s.loads.empty()) {
      co_await read_batch(*s.e, detail::take_front(s.loads, s.e->config.max_batch));
    }
  }

  static otter::co<void> read_batch(const env& e, std::vector<waiting_load> batch) {
    std::vector<task_id> tasks;
    std::vector<user_id> users;
    tasks.reserve(batch.size());
    for (const waiting_load& w : batch) {
      tasks.push_back(w.req.task);
      if (w.req.with_channel) {
        users.push_back(w.req.owner);
      }
    }
    store_result<found> got = co_await read(e, std::move(tasks), std::move(users));
    if (got || got.error().retryable() || batch.size() == 1) {
      for (const waiting_load& w : batch) {
        gen_server::reply(w.from, got ? answer(*got, w.req)
                                      : load_reply(otter::unexpected<store_error>(got.error())));
      }
      co_return;
    }
    // One row may be at fault (one that cannot be read back): read each load alone, so that
    // only its worker fails, as the writer does with a failed batch.
    for (const waiting_load& w : batch) {
      std::vector<user_id> owner;
      if (w.req.with_channel) {
        owner.push_back(w.req.owner);
      }
      std::vector<task_id> task{w.req.task};
      store_result<found> one = co_await read(e, std::move(task), std::move(owner));
      gen_server::reply(w.from, one ? answer(*one, w.req)
                                    : load_reply(otter::unexpected<store_error>(one.error())));
    }
  }

  // The rows of `tasks` and `users`, in one trip to the pool.
  static otter::co<store_result<found>> read(const env& e, std::vector<task_id> tasks,
                                             std::vector<user_id> users) {
    auto rows = [&tasks, &users](store& st) -> store_result<found> {
      store_result<std::vector<task>> t = st.find_tasks(tasks);
      if (!t) {
        return otter::unexpected<store_error>(t.error());
      }
      store_result<std::vector<user>> u =
          users.empty() ? std::vector<user>{} : st.find_users(users);
      if (!u) {
        return otter::unexpected<store_error>(u.error());
      }
      return found{std::move(*t), std::move(*u)};
    };
    co_return co_await e.repo->run(rows);
  }

  // One caller's answer out of the batch's rows; another user's task is not_found, as
  // store::find_task has it.
  static load_reply answer(const found& f, const load_req& r) {
    const task* t = by_id(f.tasks, r.task);
    if (t == nullptr || t->user != r.owner) {
      return store_failure(store_errc::not_found, "no task " + std::to_string(r.task.value));
    }
    loaded l{*t, std::nullopt};
    if (r.with_channel) {
      const user* u = by_id(f.users, r.owner);
      if (u == nullptr) {
        return store_failure(store_errc::not_found, "no user " + std::to_string(r.owner.value));
      }
      l.ch = channel_for(*u);
    }
    return l;
  }
};

}  // namespace

otter::child_spec child_spec(const env& e) {
  otter::child_spec spec;
  spec.id = otter::term(e.names.reader);
  const env* ep = &e;
  spec.start = otter::start_with([ep]() {
    gen_server::start_options opts;
    opts.name = otter::server_ref(ep->names.reader);
    return gen_server::start_link<server>(std::move(opts), ep);
  });
  return spec;
}

otter::co<store_result<loaded>> load(const env& e, user_id owner, task_id id, bool with_channel,
                                     std::int64_t timeout_ms) {
  server::load_req req{.owner = owner, .task = id, .with_channel = with_channel};
  auto reply =
      co_await gen_server::try_call<server>(otter::server_ref(e.names.reader), req, timeout_ms);
  if (!reply) {
    co_return store_failure(store_errc::unavailable,
                            "reader did not answer: " + reply.error().reason.to_string());
  }
  co_return std::move(*reply);
}

}  // namespace notifier::reader
