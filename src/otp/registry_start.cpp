// Starting a registry (Registry.start_link, Registry.Supervisor, Registry.Partition) and its
// via-name module.
//
// Processes, as Elixir's:
//   supervisor `name`             one_for_all (unique keys) or one_for_one (duplicate keys)
//     `name`.PIDPartition0..P-1   GenServers trapping exits; registered processes link to them
// A partition's process publishes its pid in its partition (started()) in init and watches its
// own exit: the watch clears the partition's tables (partition::clear) before the partition's
// links fire. The supervisor's exit watch marks the registry stopped and removes its name.

#include "otter/core/exit_watch.hpp"
#include "otter/core/process.hpp"
#include "otter/detail/process_api.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/registry.hpp"
#include "otter/otp/supervisor.hpp"

#include "otp/registry_names.hpp"
#include "otp/registry_state.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace otter::registry {

using detail::registry_state;

namespace {

const atom& registry_module() {
  static const atom m("Elixir.Registry");
  return m;
}

/// Module.concat(registry, suffix): `Reg.PIDPartition0`, `:"Elixir.my_reg.PIDPartition0"`.
atom concat(atom registry, const std::string& suffix) {
  std::string n(registry.name());
  if (n.rfind("Elixir.", 0) != 0) {
    n = "Elixir." + n;
  }
  return atom(n + "." + suffix);
}

term kind_term(registry::kind k) {
  return term(atom(k == registry::kind::unique ? "unique" : "duplicate"));
}

term listeners_term(const std::vector<atom>& listeners) {
  std::vector<term> out(listeners.begin(), listeners.end());
  return term::list(std::move(out));
}

/// The partition's process has exited: its tables go (before its links fire).
class partition_down final : public exit_watch {
public:
  partition_down(std::shared_ptr<registry_state> reg, std::size_t index)
      : reg_(std::move(reg)), index_(index) {}
  void process_exited(pid /*who*/, const term& /*reason*/) noexcept override {
    reg_->part(index_).clear();
  }

private:
  std::shared_ptr<registry_state> reg_;
  std::size_t index_;
};

/// The registry's supervisor has exited: the registry is gone, its name free.
class registry_down final : public exit_watch {
public:
  registry_down(const otter::detail::runtime_impl* rt, std::shared_ptr<registry_state> reg)
      : rt_(rt), reg_(std::move(reg)) {}
  void process_exited(pid /*who*/, const term& /*reason*/) noexcept override {
    reg_->stopped();
    detail::unpublish(rt_, reg_->name(), reg_.get());
  }

private:
  const otter::detail::runtime_impl* rt_;
  std::shared_ptr<registry_state> reg_;
};

/// Registry.Partition: owns one partition of the tables while it runs.
struct partition_server {
  struct state {
    std::shared_ptr<registry_state> reg;
    std::size_t index = 0;
  };
  state init(std::shared_ptr<registry_state> reg, std::size_t index) {
    trap_exit(true);  // registered processes link to it; their exits arrive as messages
    reg->part(index).started(self());
    (void)watch_exit(self(), std::make_shared<partition_down>(reg, index));
    return state{std::move(reg), index};
  }
  // {:EXIT, registered, reason}: the exit watch of that process has removed its entries
  // already (Elixir's partition does it here).
  void handle_info(message& /*m*/, state& /*s*/) {}
};

co<start_result> start_partition(std::shared_ptr<registry_state> reg, std::size_t i, atom name) {
  gen_server::start_options so;
  so.name = server_ref(name);
  co_return co_await gen_server::start_link<partition_server>(std::move(so), std::move(reg), i);
}

otter::child_spec partition_spec(const std::shared_ptr<registry_state>& reg, std::size_t i) {
  const atom name = reg->name();
  const atom pid_partition = concat(name, "PIDPartition" + std::to_string(i));
  const atom key_partition = concat(name, "KeyPartition" + std::to_string(i));
  otter::child_spec spec;
  spec.id = term(pid_partition);
  // Elixir's {Registry.Partition, :start_link, [pid_partition, {kind, registry, i,
  // partitions, key_partition, pid_partition, listeners, compressed}]}.
  term arg =
      term::tuple({kind_term(reg->kind()), term(name), term(static_cast<std::int64_t>(i)),
                   term(static_cast<std::int64_t>(reg->partitions())), term(key_partition),
                   term(pid_partition), listeners_term(reg->listeners()), term(atoms::false_)});
  spec.mfa = tuple(atom("Elixir.Registry.Partition"), atom("start_link"),
                   list(pid_partition, std::move(arg)));
  spec.start =
      start_with([reg, i, pid_partition]() { return start_partition(reg, i, pid_partition); });
  return spec;
}

/// Registry.start_link/1's checks, with its messages.
void check(const options& opts) {
  if (!opts.keys) {
    throw std::invalid_argument(
        "expected :keys to be given and be one of :unique or :duplicate, got: nil");
  }
  if (!opts.name) {
    throw std::invalid_argument("expected :name option to be present");
  }
  if (opts.partitions < 1) {
    throw std::invalid_argument("expected :partitions to be a positive integer, got: "
                                + std::to_string(opts.partitions));
  }
}

term options_term(const options& opts) {
  std::vector<term> kw;
  if (opts.keys) {
    kw.push_back(tuple(atom("keys"), kind_term(*opts.keys)));
  }
  if (opts.name) {
    kw.push_back(tuple(atom("name"), *opts.name));
  }
  if (opts.partitions != 1) {
    kw.push_back(tuple(atom("partitions"), opts.partitions));
  }
  if (!opts.listeners.empty()) {
    kw.push_back(tuple(atom("listeners"), listeners_term(opts.listeners)));
  }
  if (!opts.meta.empty()) {
    std::vector<term> m;
    for (const auto& [k, v] : opts.meta) {
      m.push_back(tuple(k, v));
    }
    kw.push_back(tuple(atom("meta"), term::list(std::move(m))));
  }
  return term::list(std::move(kw));
}

// -- {:via, Registry, {reg, key}} -------------------------------------------------------------

struct via_name {
  atom registry;
  term key;
  term value;
};

via_name parse_via(const term& name) {
  if (name.is_tuple() && (name.size() == 2 || name.size() == 3) && name[0].is_atom()) {
    return via_name{name[0].as_atom(), name[1], name.size() == 3 ? name[2] : term()};
  }
  throw std::invalid_argument(
      "a Registry via name is {registry, key} or {registry, key, value}, "
      "got: "
      + name.to_string());
}

class via_registry final : public name_registry {
public:
  bool register_name(const term& name, pid p) override {
    via_name n = parse_via(name);
    if (p != self()) {  // Elixir: `when pid == self()`
      throw std::invalid_argument("Registry.register_name/2 registers the calling process");
    }
    return register_key(n.registry, std::move(n.key), std::move(n.value)).has_value();
  }
  void unregister_name(const term& name) override {
    via_name n = parse_via(name);
    (void)unregister(n.registry, n.key);
  }
  pid whereis_name(const term& name) override {
    via_name n = parse_via(name);
    registry_state& s = detail::resolve(n.registry);
    if (!s.unique()) {
      throw std::invalid_argument(":via is not supported for duplicate registries");
    }
    std::vector<entry> found = lookup(n.registry, n.key);
    if (found.empty() || !otter::alive(found[0].owner)) {
      return {};
    }
    return found[0].owner;
  }
  [[nodiscard]] term module() const override { return term(registry_module()); }
};

}  // namespace

co<start_result> start_link(options opts) {
  check(opts);
  const otter::detail::runtime_impl* rt = &otter::detail::current_runtime("registry::start_link");
  const atom name = *opts.name;
  auto state = std::make_shared<registry_state>(
      name, *opts.keys, static_cast<std::size_t>(opts.partitions), opts.listeners, opts.meta);
  std::vector<otter::child_spec> children;
  for (std::size_t i = 0; i < state->partitions(); ++i) {
    children.push_back(partition_spec(state, i));
  }
  supervisor::options so;
  so.strategy =
      state->unique() ? supervisor::strategy::one_for_all : supervisor::strategy::one_for_one;
  so.name = server_ref(name);
  start_result r = co_await supervisor::start_link(std::move(children), std::move(so));
  if (!r) {
    co_return r;
  }
  // Published once the name is ours (the supervisor registered it) and the partitions run.
  detail::publish(rt, name, state);
  auto down = std::make_shared<registry_down>(rt, state);
  if (!watch_exit(*r, down)) {
    down->process_exited(*r, term());  // it has exited already
  }
  co_return r;
}

otter::child_spec child_spec(options opts) {
  otter::child_spec spec;
  spec.id = opts.name ? term(*opts.name) : term(registry_module());
  spec.type = child_type::supervisor;
  spec.mfa = tuple(registry_module(), atom("start_link"), list(options_term(opts)));
  spec.start = start_with([opts = std::move(opts)]() { return start_link(opts); });
  return spec;
}

std::shared_ptr<name_registry> via_module() {
  static const auto m = std::make_shared<via_registry>();
  return m;
}

server_ref via(const handle& reg, term key) {
  return server_ref::via(via_module(), tuple(reg.name(), std::move(key)));
}

server_ref via(const handle& reg, term key, term value) {
  return server_ref::via(via_module(), tuple(reg.name(), std::move(key), std::move(value)));
}

}  // namespace otter::registry
