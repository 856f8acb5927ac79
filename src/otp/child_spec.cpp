// Child specs: printing and OTP's validation (supervisor.erl, check_childspec and its valid*
// helpers).

#include "otter/otp/child_spec.hpp"

namespace otter {

namespace {

failure invalid(term reason) {
  return failure{errc::invalid_child_spec, std::move(reason)};
}

bool valid_mfa(const term& mfa) {
  return mfa.is_tuple() && mfa.size() == 3 && mfa[0].is_atom() && mfa[1].is_atom()
         && mfa[2].is_list();
}

}  // namespace

term to_term(otter::restart r) {
  switch (r) {
    case otter::restart::permanent:
      return term(atom("permanent"));
    case otter::restart::transient:
      return term(atom("transient"));
    case otter::restart::temporary:
      return term(atom("temporary"));
  }
  return term(static_cast<int>(r));
}

term to_term(child_type t) {
  switch (t) {
    case child_type::worker:
      return term(atom("worker"));
    case child_type::supervisor:
      return term(atom("supervisor"));
  }
  return term(static_cast<int>(t));
}

term shutdown_term(std::int64_t shutdown) {
  if (shutdown == brutal_kill) {
    return term(atom("brutal_kill"));
  }
  if (shutdown == infinity) {
    return term(atoms::infinity);
  }
  return term(static_cast<long long>(shutdown));
}

term child_spec::modules_term() const {
  if (modules) {
    return *modules;
  }
  if (valid_mfa(mfa)) {
    return list(mfa[0]);
  }
  // A start function with no modules given, the common spec: [] without building it again
  // (DynamicSupervisor asks for every start_child).
  static const term none = term::list({});
  return none;
}

term to_term(const child_spec& spec) {
  term start = spec.mfa;
  if (start.is(atoms::nil)) {
    start = term::opaque("#Fun");
  }
  return term::map({{term(atom("id")), spec.id},
                    {term(atom("start")), start},
                    {term(atom("restart")), to_term(spec.restart)},
                    {term(atom("significant")), term(false)},
                    {term(atom("shutdown")), shutdown_term(spec.shutdown_ms())},
                    {term(atom("type")), to_term(spec.type)},
                    {term(atom("modules")), spec.modules_term()}});
}

expected<void> check_child_spec(const child_spec& spec) {
  // The order of OTP's checks: the start function, the restart type, the child type, the
  // shutdown, the modules. The id may be any term.
  if (!spec.mfa.is(atoms::nil) && !valid_mfa(spec.mfa)) {
    return unexpected(invalid(tuple(atom("invalid_mfa"), spec.mfa)));
  }
  if (!spec.start) {
    return unexpected(invalid(term(atom("missing_start"))));
  }
  if (spec.restart != restart::permanent && spec.restart != restart::transient
      && spec.restart != restart::temporary) {
    return unexpected(invalid(tuple(atom("invalid_restart_type"), to_term(spec.restart))));
  }
  if (spec.type != child_type::worker && spec.type != child_type::supervisor) {
    return unexpected(invalid(tuple(atom("invalid_child_type"), to_term(spec.type))));
  }
  std::int64_t shutdown = spec.shutdown_ms();
  if (shutdown < 0 && shutdown != infinity && shutdown != brutal_kill) {
    return unexpected(invalid(tuple(atom("invalid_shutdown"), shutdown_term(shutdown))));
  }
  term mods = spec.modules_term();
  if (mods.is(atom("dynamic"))) {
    return {};
  }
  if (!mods.is_list()) {
    return unexpected(invalid(tuple(atom("invalid_modules"), mods)));
  }
  for (const term& m : mods.elements()) {
    if (!m.is_atom()) {
      return unexpected(invalid(tuple(atom("invalid_module"), m)));
    }
  }
  return {};
}

}  // namespace otter
