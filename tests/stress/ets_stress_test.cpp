// Stress: ETS-like tables (otter/ets) shared by processes on every scheduler and by a plain
// thread, while their stripes grow and shrink and their owners die.
//
// 1. Readers and writers on one public set. Writers bump counters of "stable" keys (which
//    are never deleted) and insert and delete objects of "churn" keys (so stripes resize
//    under the readers); they also add unique objects to a bag. Readers check, for every
//    lookup, what the guarantees promise: a stable key always has exactly one object and its
//    counter never goes back (per reader); a churn key has either nothing or exactly its
//    object. At the end the counters add up to the increments made and the bag holds every
//    object inserted.
// 2. An ordered_set walked with first/next while writers insert and delete: every walk sees
//    strictly increasing keys.
// 3. An owner dies while others read and write its public table. Without an heir a reader
//    sees valid results until the first badarg, and badarg ever after (a deleted table never
//    comes back, is never seen half-deleted). With an heir, readers never see badarg and the
//    heir receives the transfer. With an heir that dies at the same moment, either outcome
//    is allowed, but never both for one reader, and the table ends deleted or owned by the
//    living heir.

#include "otter/ets.hpp"

#include "stress/stress_support.hpp"

#include <thread>

namespace otter::stress {
namespace {

namespace ets = otter::ets;

struct go {};
struct finished {
  std::int64_t increments = 0;
  std::int64_t bag_inserts = 0;
};

bool is_badarg(const error_exception& e) {
  return e.reason() == term(atoms::badarg);
}

// -- 1. readers and writers ----------------------------------------------------------------

struct shared_setup {
  ets::table counters;
  ets::table bag;
  std::int64_t stable = 0;
  std::int64_t churn = 0;
};

term churn_object(std::int64_t k) {
  return tuple(k, k * 2, k * 3);
}

co<void> writer(int id, shared_setup s, std::int64_t ops, pid report_to) {
  (void)co_await receive<go>();
  rng r(static_cast<std::uint64_t>(id) + 11);
  finished done;
  for (std::int64_t i = 0; i < ops; ++i) {
    const std::uint32_t what = r.below(8);
    if (what < 4) {
      ets::update_counter(
          s.counters, static_cast<std::int64_t>(r.below(static_cast<std::uint32_t>(s.stable))), 1);
      ++done.increments;
    } else if (what < 6) {
      const std::int64_t k = s.stable + r.below(static_cast<std::uint32_t>(s.churn));
      ets::insert(s.counters, churn_object(k));
    } else if (what < 7) {
      const std::int64_t k = s.stable + r.below(static_cast<std::uint32_t>(s.churn));
      ets::delete_key(s.counters, k);
    } else {
      ets::insert(s.bag, tuple(static_cast<std::int64_t>(i % 64), id, i));
      ++done.bag_inserts;
    }
    if (i % 256 == 0) {
      co_await yield();
    }
  }
  send(report_to, done);
}

// Checks one round of reads; returns false on the first violation (recorded in `f`).
bool read_round(const shared_setup& s, rng& r, std::vector<std::int64_t>& last, failures& f,
                const char* who) {
  const auto stable_key = static_cast<std::int64_t>(r.below(static_cast<std::uint32_t>(s.stable)));
  std::vector<term> found = ets::lookup(s.counters, stable_key);
  // (The messages are built only on failure: printing terms on every check is slow.)
  if (found.size() != 1 || found[0].size() != 2 || !found[0][1].is_integer()) {
    f.add(who, ": stable key ", stable_key, " gave ", term::list(found).to_string());
    return false;
  }
  const std::int64_t v = found[0][1].as_int();
  if (v < last[static_cast<std::size_t>(stable_key)]) {
    f.add(who, ": counter ", stable_key, " went back from ",
          last[static_cast<std::size_t>(stable_key)], " to ", v);
    return false;
  }
  last[static_cast<std::size_t>(stable_key)] = v;
  const std::int64_t k = s.stable + r.below(static_cast<std::uint32_t>(s.churn));
  found = ets::lookup(s.counters, k);
  if (!found.empty() && (found.size() != 1 || found[0] != churn_object(k))) {
    f.add(who, ": churn key ", k, " gave ", term::list(found).to_string());
    return false;
  }
  return true;
}

co<void> reader(int id, shared_setup s, std::int64_t ops, pid report_to, failures* f) {
  (void)co_await receive<go>();
  rng r(static_cast<std::uint64_t>(id) + 1000);
  std::vector<std::int64_t> last(static_cast<std::size_t>(s.stable), 0);
  for (std::int64_t i = 0; i < ops; ++i) {
    if (!read_round(s, r, last, *f, "reader")) {
      break;
    }
    if (i % 256 == 0) {
      co_await yield();
    }
  }
  send(report_to, finished{});
}

class EtsStress : public ::testing::TestWithParam<unsigned> {};

TEST_P(EtsStress, ReadersAndWritersShareOneTable) {
  const std::int64_t ops = scaled(20000, 2000, 4);
  const int writers = 3;
  const int readers = 3;
  runtime rt(runtime_options{.schedulers = GetParam()});
  failures f;
  std::int64_t increments = 0;
  std::int64_t bag_inserts = 0;
  shared_setup s;
  try {
    rt.run(
        [&]() -> co<void> {
          s.stable = 2000;
          s.churn = 4000;
          s.counters = ets::new_table(
              atom("counters"), {.access = ets::protection::public_, .write_concurrency = true});
          s.bag = ets::new_table(
              atom("bag"), {.type = ets::table_type::bag, .access = ets::protection::public_});
          for (std::int64_t k = 0; k < s.stable; ++k) {
            ets::insert(s.counters, tuple(k, 0));
          }
          std::vector<pid> all;
          for (int i = 0; i < writers; ++i) {
            all.push_back(spawn(writer, i, s, ops, self()));
          }
          for (int i = 0; i < readers; ++i) {
            all.push_back(spawn(reader, i, s, ops, self(), &f));
          }
          // A plain thread reads too (public table: allowed from outside any process).
          std::atomic<bool> stop{false};
          std::thread plain([&] {
            rng r(77);
            std::vector<std::int64_t> last(static_cast<std::size_t>(s.stable), 0);
            while (!stop.load(std::memory_order_relaxed) && read_round(s, r, last, f, "thread")) {
            }
          });
          for (pid p : all) {
            send(p, go{});
          }
          for (std::size_t i = 0; i < all.size(); ++i) {
            auto d = co_await receive_for<finished>(outer_wait_limit);
            if (!f.check(d.has_value(), "a worker never finished")) {
              break;
            }
            increments += d->increments;
            bag_inserts += d->bag_inserts;
          }
          stop.store(true);
          plain.join();
          std::int64_t sum = 0;
          for (std::int64_t k = 0; k < s.stable; ++k) {
            sum += ets::lookup_element(s.counters, k, 2).as_int();
          }
          f.check(sum == increments, "counters add up to ", sum, ", increments made: ", increments);
          f.check(ets::info(s.bag)->size == static_cast<std::size_t>(bag_inserts), "bag holds ",
                  ets::info(s.bag)->size, " objects, inserted: ", bag_inserts);
          std::size_t churn_seen = 0;
          for (const term& o : ets::tab2list(s.counters)) {
            if (o[0].as_int() >= s.stable) {
              ++churn_seen;
              if (o != churn_object(o[0].as_int())) {
                f.add("churn object ", o.to_string());
              }
            }
          }
          f.check(churn_seen + static_cast<std::size_t>(s.stable) == ets::info(s.counters)->size,
                  "size counts every object");
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  EXPECT_GT(increments, 0);
}

// -- 2. ordered_set walks ------------------------------------------------------------------

co<void> tree_writer(int id, ets::table t, std::int64_t ops, pid report_to) {
  (void)co_await receive<go>();
  rng r(static_cast<std::uint64_t>(id) + 5);
  for (std::int64_t i = 0; i < ops; ++i) {
    const auto k = static_cast<std::int64_t>(r.below(5000));
    if (r.below(2) == 0) {
      ets::insert(t, tuple(k, id));
    } else {
      ets::delete_key(t, k);
    }
    if (i % 128 == 0) {
      co_await yield();
    }
  }
  send(report_to, finished{});
}

co<void> tree_walker(ets::table t, std::int64_t walks, pid report_to, failures* f) {
  (void)co_await receive<go>();
  for (std::int64_t w = 0; w < walks; ++w) {
    std::optional<term> prev;
    for (auto k = ets::first(t); k; k = ets::next(t, *k)) {
      if (prev && !(*prev < *k)) {
        f->add("walk went from ", prev->to_string(), " to ", k->to_string());
        break;
      }
      prev = k;
    }
    co_await yield();
  }
  send(report_to, finished{});
}

TEST_P(EtsStress, OrderedSetWalksStayOrderedUnderWrites) {
  const std::int64_t ops = scaled(30000, 2000, 4);
  runtime rt(runtime_options{.schedulers = GetParam()});
  failures f;
  try {
    rt.run(
        [&]() -> co<void> {
          ets::table t = ets::new_table(atom("tree"), {.type = ets::table_type::ordered_set,
                                                       .access = ets::protection::public_});
          std::vector<pid> all{spawn(tree_writer, 1, t, ops, self()),
                               spawn(tree_writer, 2, t, ops, self()),
                               spawn(tree_walker, t, scaled(40, 4, 4), self(), &f),
                               spawn(tree_walker, t, scaled(40, 4, 4), self(), &f)};
          for (pid p : all) {
            send(p, go{});
          }
          for (std::size_t i = 0; i < all.size(); ++i) {
            auto d = co_await receive_for<finished>(outer_wait_limit);
            if (!f.check(d.has_value(), "a worker never finished")) {
              break;
            }
          }
          std::vector<term> keys;
          for (const term& o : ets::tab2list(t)) {
            keys.push_back(o[0]);
          }
          f.check(std::is_sorted(keys.begin(), keys.end()), "tab2list is sorted");
          f.check(keys.size() == ets::info(t)->size, "size matches tab2list");
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
}

// -- 3. the owner dies while others read -----------------------------------------------------

struct table_made {
  ets::table t;
};
struct die {};
struct reader_report {
  std::int64_t ok = 0;
  std::int64_t badarg = 0;
};

co<void> owner(pid report_to, std::optional<pid> heir, int n) {
  ets::options opts{.access = ets::protection::public_};
  if (heir) {
    opts.heir = ets::heir_spec{*heir, n};
  }
  ets::table t = ets::new_table(atom("owned"), opts);
  for (int k = 0; k < 500; ++k) {
    ets::insert(t, tuple(k, k));
  }
  send(report_to, table_made{t});
  co_await receive<die>();
}

// Reads (and sometimes writes) until `reads` operations were done after the first badarg, or
// `limit` in all. Once badarg, always badarg.
co<void> owned_reader(ets::table t, std::int64_t limit, pid report_to, failures* f) {
  (void)co_await receive<go>();
  rng r(reinterpret_cast<std::uintptr_t>(t.impl()));
  reader_report rep;
  for (std::int64_t i = 0; i < limit && rep.badarg < 50; ++i) {
    const auto k = static_cast<std::int64_t>(r.below(500));
    try {
      if (i % 8 == 0) {
        ets::update_element(t, k, 2, k);  // a write that keeps the object as it was
      }
      std::vector<term> found = ets::lookup(t, k);
      if (rep.badarg != 0) {
        f->add("a deleted table answered a lookup");
        break;
      }
      if (found.size() != 1 || found[0] != tuple(k, k)) {
        f->add("key ", k, " gave ", term::list(found).to_string());
        break;
      }
      ++rep.ok;
    } catch (const error_exception& e) {
      if (!f->check(is_badarg(e), "not badarg: ", e.reason().to_string())) {
        break;
      }
      ++rep.badarg;
    }
    if (i % 64 == 0) {
      co_await yield();
    }
  }
  send(report_to, rep);
}

enum class heir_case : std::uint8_t { none, alive, dying };

void owner_dies_while_others_read(unsigned schedulers, heir_case which) {
  const int rounds = static_cast<int>(scaled(60, 6, 4));
  const int readers = 3;
  runtime rt(runtime_options{.schedulers = schedulers});
  failures f;
  int inherited = 0;
  try {
    rt.run(
        [&]() -> co<void> {
          for (int n = 0; n < rounds; ++n) {
            std::optional<pid> heir;
            ref heir_mon;
            if (which == heir_case::alive) {
              heir = self();
            } else if (which == heir_case::dying) {
              auto [h, m] = spawn_monitor([]() -> co<void> { co_await receive<die>(); });
              heir = h;
              heir_mon = m;
            }
            auto [o, owner_mon] = spawn_monitor(owner, self(), heir, n);
            const ref om = owner_mon;  // (clang 14 cannot capture structured bindings)
            ets::table t = (co_await receive<table_made>()).t;
            std::vector<pid> rs;
            for (int i = 0; i < readers; ++i) {
              rs.push_back(spawn(owned_reader, t, scaled(3000, 300, 4), self(), &f));
            }
            for (pid p : rs) {
              send(p, go{});
            }
            co_await yield();
            send(o, die{});
            if (which == heir_case::dying) {
              send(*heir, die{});
            }
            std::int64_t badargs = 0;
            for (int i = 0; i < readers; ++i) {
              auto rep = co_await receive_for<reader_report>(outer_wait_limit);
              if (!f.check(rep.has_value(), "round ", n, ": a reader never finished")) {
                co_return;
              }
              badargs += rep->badarg;
            }
            auto d = co_await receive_if<down_msg>(
                [om](const down_msg& x) { return x.monitor == om; }, outer_wait_limit);
            f.check(d.has_value(), "round ", n, ": no DOWN of the owner");
            if (which == heir_case::dying) {
              (void)co_await receive_if<down_msg>(
                  [heir_mon](const down_msg& x) { return x.monitor == heir_mon; },
                  outer_wait_limit);
            }
            auto transfer = co_await receive_for<ets::transfer_msg>(std::chrono::milliseconds(0));
            std::optional<ets::table_info> i = ets::info(t);
            switch (which) {
              case heir_case::none:
                f.check(!transfer && !i, "round ", n, ": the table outlived its owner");
                break;
              case heir_case::alive:
                f.check(transfer.has_value() && i && i->owner == self() && badargs == 0, "round ",
                        n, ": the heir did not take the table cleanly");
                if (i) {
                  ets::delete_table(t);
                }
                break;
              case heir_case::dying:
                // The heir is dead by now: the table was deleted, either with the owner or
                // with the heir after it inherited.
                f.check(!transfer && !i, "round ", n, ": the table outlived owner and heir");
                break;
            }
            inherited += transfer ? 1 : 0;
          }
        },
        run_limit);
  } catch (const run_error& e) {
    ADD_FAILURE() << "run: " << e.what();
  }
  OTTER_STRESS_EXPECT_NO_FAILURES(f);
  if (which == heir_case::alive) {
    EXPECT_EQ(inherited, rounds);
  }
}

TEST_P(EtsStress, OwnerDiesWithoutHeirWhileOthersRead) {
  owner_dies_while_others_read(GetParam(), heir_case::none);
}

TEST_P(EtsStress, OwnerDiesWithAnHeirWhileOthersRead) {
  owner_dies_while_others_read(GetParam(), heir_case::alive);
}

TEST_P(EtsStress, OwnerAndHeirDieTogetherWhileOthersRead) {
  owner_dies_while_others_read(GetParam(), heir_case::dying);
}

INSTANTIATE_TEST_SUITE_P(Threaded, EtsStress, ::testing::Values(2U, 4U), schedulers_name);

}  // namespace
}  // namespace otter::stress
