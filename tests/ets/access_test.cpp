// Tests of access checks (otter/ets/table.hpp, "Ownership and access"): the matrix of
// protection x {owner, other process, plain thread} x {read, write}, and that a refused
// write changes nothing.

#include "otter/core/runtime.hpp"
#include "otter/ets/table.hpp"

#include "ets/ets_test_support.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace otter::ets_test {
namespace {

using namespace otter::ets;  // NOLINT(google-build-using-namespace): the API under test

class AccessTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(AccessTest);

struct verdict {
  bool read = false;
  bool write = false;
};

// What a process other than the owner may do.
verdict try_both(const table& t) {
  verdict v;
  v.read = !raises_badarg([&] { return lookup(t, a("k")); });
  v.write = !raises_badarg([&] { return insert(t, tuple(a("k2"), 1)); });
  return v;
}

struct probe {
  table t;
  pid reply_to;
};

co<void> prober() {
  probe p = co_await receive<probe>();
  send(p.reply_to, try_both(p.t));
}

TEST_P(AccessTest, ProtectionDecidesWhatOtherProcessesMayDo) {
  run([]() -> co<void> {
    struct row {
      protection access;
      bool read;
      bool write;
    };
    for (row r : {row{protection::public_, true, true}, row{protection::protected_, true, false},
                  row{protection::private_, false, false}}) {
      table t = new_table(a("t"), {.access = r.access});
      insert(t, tuple(a("k"), 0));
      verdict own = try_both(t);
      EXPECT_TRUE(own.read && own.write);  // the owner may always
      pid other = spawn(prober);
      send(other, probe{t, self()});
      verdict v = co_await receive<verdict>();
      EXPECT_EQ(v.read, r.read) << static_cast<int>(r.access);
      EXPECT_EQ(v.write, r.write) << static_cast<int>(r.access);
      // A refused write left the table as it was.
      EXPECT_EQ(member(t, a("k2")), true);  // the owner's own insert above
      EXPECT_EQ(info(t)->size, 2U);
    }
  });
}

struct attempt {
  table t;
  pid reply_to;
};
struct outcome {
  bool badarg = false;
  std::size_t size_after = 0;
};

// Every write form from a non-owner of a protected table is badarg, and changes nothing.
TEST_P(AccessTest, EveryWriteToAProtectedTableFromAnotherProcessIsRefused) {
  run([]() -> co<void> {
    table t = new_table(a("prot"), {.named_table = true});
    insert(t, list(tuple(1, 1), tuple(2, 2)));
    pid other = spawn([]() -> co<void> {
      attempt at = co_await receive<attempt>();
      const table& tb = at.t;
      bool all_refused =
          raises_badarg([&] { return insert(tb, tuple(3, 3)); })
          && raises_badarg([&] { return insert_new(tb, tuple(3, 3)); })
          && raises_badarg([&] { return delete_key(tb, 1); })
          && raises_badarg([&] { return delete_object(tb, tuple(1, 1)); })
          && raises_badarg([&] { return delete_all_objects(tb); })
          && raises_badarg([&] { return take(tb, 1); })
          && raises_badarg([&] { return update_counter(tb, 1, 1); })
          && raises_badarg([&] { return update_element(tb, 1, 2, 0); })
          && raises_badarg([&] { return select_delete(tb, [](const term&) { return true; }); })
          && raises_badarg([&] { return match_delete(tb, a("_")); })
          && raises_badarg([&] { return delete_table(tb); })
          && raises_badarg([&] { return rename(tb, a("x")); })
          && raises_badarg([&] { return give_away(tb, self(), 0); })
          && raises_badarg([&] { return setopts(tb, std::nullopt); });
      // Reads are allowed.
      bool reads_ok = lookup(tb, 1).size() == 1 && member(tb, 2) && first(tb).has_value()
                      && tab2list(tb).size() == 2 && match_object(tb, a("_")).size() == 2;
      send(at.reply_to, outcome{all_refused && reads_ok, info(tb)->size});
    });
    send(other, attempt{t, self()});
    outcome o = co_await receive<outcome>();
    EXPECT_TRUE(o.badarg);
    EXPECT_EQ(o.size_after, 2U);
    EXPECT_EQ(lookup_element(t, 1, 2), term(1));
  });
}

TEST_P(AccessTest, PrivateTablesRefuseEveryReadButInfo) {
  run([]() -> co<void> {
    table t = new_table(a("priv"), {.access = protection::private_, .named_table = true});
    insert(t, tuple(1, 1));
    pid other = spawn([]() -> co<void> {
      attempt at = co_await receive<attempt>();
      const table& tb = at.t;
      bool refused =
          raises_badarg([&] { return lookup(tb, 1); })
          && raises_badarg([&] { return lookup(a("priv"), 1); })
          && raises_badarg([&] { return member(tb, 1); })
          && raises_badarg([&] { return lookup_element(tb, 1, 1); })
          && raises_badarg([&] { return first(tb); }) && raises_badarg([&] { return tab2list(tb); })
          && raises_badarg([&] { return match(tb, a("_")); })
          && raises_badarg([&] { return select_count(tb, [](const term&) { return true; }); });
      // info and whereis never check access.
      send(at.reply_to, outcome{refused && ets::whereis(a("priv")).has_value(), info(tb)->size});
    });
    send(other, attempt{t, self()});
    outcome o = co_await receive<outcome>();
    EXPECT_TRUE(o.badarg);
    EXPECT_EQ(o.size_after, 1U);
  });
}

// A plain thread is not the owner: public tables read and write, protected read only,
// private nothing; ets::whereis(runtime&, name) finds tables.
TEST_P(AccessTest, APlainThreadActsAsANonOwner) {
  struct stop {};
  pid holder = rt().spawn([]() -> co<void> {
    // Each table gets its object before the next is made: once the plain thread sees `priv`,
    // `pub` and `prot` are filled.
    table pub = new_table(a("pub"), {.access = protection::public_, .named_table = true});
    insert(pub, tuple(1, a("one")));
    table prot = new_table(a("prot"), {.access = protection::protected_, .named_table = true});
    insert(prot, tuple(1, a("one")));
    table priv = new_table(a("priv"), {.access = protection::private_, .named_table = true});
    insert(priv, tuple(1, a("one")));
    co_await receive<stop>();
  });
  // Wait (from this thread, bounded) until the holder has made its tables.
  auto found = [&] {
    return ets::whereis(rt(), a("priv")).has_value();
  };
  if (GetParam() == test_support::runtime_kind::deterministic) {
    static_cast<testing::deterministic_runtime&>(rt()).run_until_idle();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!found() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_TRUE(found());
  std::thread plain([&] {
    table pub = *ets::whereis(rt(), a("pub"));
    table prot = *ets::whereis(rt(), a("prot"));
    table priv = *ets::whereis(rt(), a("priv"));
    EXPECT_EQ(lookup(pub, 1).size(), 1U);
    EXPECT_TRUE(insert(pub, tuple(2, a("two"))));
    EXPECT_EQ(lookup(prot, 1).size(), 1U);
    EXPECT_TRUE(raises_badarg([&] { return insert(prot, tuple(2, a("two"))); }));
    EXPECT_TRUE(raises_badarg([&] { return lookup(priv, 1); }));
    EXPECT_TRUE(raises_badarg([&] { return insert(priv, tuple(2, a("two"))); }));
    EXPECT_EQ(all(rt()).size() >= 3, true);
  });
  plain.join();
  EXPECT_EQ(info(*ets::whereis(rt(), a("pub")))->size, 2U);
  rt().send(holder, stop{});
}

struct succeeded {
  bool ok = false;
};

// A public table may be deleted (and renamed) by any process, as on the BEAM; its owner then
// finds it gone.
TEST_P(AccessTest, AnyProcessMayDeleteAPublicTable) {
  run([]() -> co<void> {
    table t = new_table(a("shared"), {.access = protection::public_, .named_table = true});
    pid other = spawn([]() -> co<void> {
      attempt at = co_await receive<attempt>();
      const bool renamed = rename(at.t, a("shared2")) == a("shared2");
      send(at.reply_to, succeeded{renamed && delete_table(a("shared2"))});
    });
    send(other, attempt{t, self()});
    EXPECT_TRUE((co_await receive<succeeded>()).ok);
    EXPECT_EQ(info(t), std::nullopt);
    EXPECT_TRUE(raises_badarg([&] { return insert(t, tuple(1)); }));
    EXPECT_TRUE(raises_badarg([&] { return rename(t, a("again")); }));
  });
}

}  // namespace
}  // namespace otter::ets_test
