// otter/otp/server_ref.hpp: how a caller names a server: a pid, a registered name, or a name
// kept by a registry module ({:via, module, name}, and {:global, name}).
//
// A server_ref prints as the caller wrote it, so exit reasons read as OTP's:
// `{:noproc, {GenServer, :call, [{:via, Registry, {Reg, "nope"}}, :tag, 5000]}}`.
//
// Registries plug in through name_registry (Erlang's via-module callbacks register_name,
// unregister_name, whereis_name). global() is the built-in one behind {:global, name}: one node,
// so it is a table of names whose entries of dead processes are dropped when looked up.
//
// Thread safety: a server_ref is a value. Registries are @threadsafe.

#pragma once

#include "otter/core/atom.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"

#include <memory>
#include <utility>

namespace otter {

/// A registry of names for processes (Erlang's via module).
class name_registry {
public:
  virtual ~name_registry() = default;
  /// Registers `p` under `name`; false when the name is taken (by a live process).
  virtual bool register_name(const term& name, pid p) = 0;
  virtual void unregister_name(const term& name) = 0;
  /// The process registered as `name`, or the null pid.
  [[nodiscard]] virtual pid whereis_name(const term& name) = 0;
  /// How the registry prints in a {:via, module, name} tuple (e.g. `Registry`).
  [[nodiscard]] virtual term module() const = 0;
};

/// The registry of {:global, name} names. @threadsafe
[[nodiscard]] std::shared_ptr<name_registry> global();

class server_ref {
public:
  server_ref() = default;
  server_ref(pid p) noexcept : kind_(kind::pid), pid_(p) {}  // NOLINT(google-explicit-constructor)
  server_ref(atom name) noexcept
      : kind_(kind::name), name_(name) {}  // NOLINT(google-explicit-constructor)
  /// {:via, registry.module(), name}
  static server_ref via(std::shared_ptr<name_registry> registry, term name);
  /// {:global, name}
  static server_ref global(term name);

  [[nodiscard]] bool is_pid() const noexcept { return kind_ == kind::pid; }
  [[nodiscard]] bool is_local_name() const noexcept { return kind_ == kind::name; }
  [[nodiscard]] bool is_via() const noexcept { return kind_ == kind::via; }
  [[nodiscard]] pid as_pid() const noexcept { return pid_; }
  [[nodiscard]] atom local_name() const noexcept { return name_; }
  [[nodiscard]] const std::shared_ptr<name_registry>& registry() const noexcept {
    return registry_;
  }
  [[nodiscard]] const term& via_name() const noexcept { return via_name_; }

  /// The process it names now, or the null pid. @in_process
  [[nodiscard]] pid resolve() const;
  /// As the caller wrote it: `#PID<..>`, `:name`, `{:via, M, name}`, `{:global, name}`.
  [[nodiscard]] term to_term() const;

private:
  enum class kind : std::uint8_t { none, pid, name, via };
  kind kind_ = kind::none;
  pid pid_;
  atom name_;
  std::shared_ptr<name_registry> registry_;
  term via_name_;
  bool global_ = false;
};

}  // namespace otter
