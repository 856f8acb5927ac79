// The Supervisor API: GenServer calls to the supervisor's process (supervisor_server.cpp) with
// timeout infinity, as OTP's supervisor:call/2, and the checks of specs and options.

#include "otter/otp/supervisor.hpp"

#include "otter/otp/gen_server.hpp"

#include "otp/supervisor_server.hpp"

#include <set>
#include <utility>

namespace otter::supervisor {

namespace detail {

/// OTP's check_flags: {:invalid_strategy, s}, {:invalid_intensity, n}, {:invalid_period, n}.
expected<void> check_options(const options& opts) {
  term bad;
  if (opts.strategy != strategy::one_for_one && opts.strategy != strategy::one_for_all
      && opts.strategy != strategy::rest_for_one) {
    bad = tuple(atom("invalid_strategy"), to_term(opts.strategy));
  } else if (opts.max_restarts < 0) {
    bad = tuple(atom("invalid_intensity"), opts.max_restarts);
  } else if (opts.max_seconds <= 0) {
    bad = tuple(atom("invalid_period"), opts.max_seconds);
  } else {
    return {};
  }
  return unexpected(failure{errc::badarg, tuple(atom("supervisor_data"), bad)});
}

}  // namespace detail

namespace {

using detail::sup_server;

}  // namespace

// -- printing ---------------------------------------------------------------------------------

term child_info::to_term() const {
  return tuple(id, child, otter::to_term(type), modules);
}

term child_counts::to_term() const {
  return term::map({{term(atom("active")), term(static_cast<long long>(active))},
                    {term(atom("specs")), term(static_cast<long long>(specs))},
                    {term(atom("supervisors")), term(static_cast<long long>(supervisors))},
                    {term(atom("workers")), term(static_cast<long long>(workers))}});
}

term to_term(supervisor::strategy s) {
  switch (s) {
    case strategy::one_for_one:
      return term(atom("one_for_one"));
    case strategy::one_for_all:
      return term(atom("one_for_all"));
    case strategy::rest_for_one:
      return term(atom("rest_for_one"));
  }
  return term(static_cast<int>(s));
}

term to_term(const child_result& r) {
  if (!r) {
    return tuple(atoms::error, r.error().reason);
  }
  term child = *r ? term(**r) : term(atoms::undefined);
  return r.has_info() ? tuple(atoms::ok, child, r.info()) : tuple(atoms::ok, child);
}

term to_term(const expected<void>& r) {
  return r ? term(atoms::ok) : tuple(atoms::error, r.error().reason);
}

term to_term(const std::vector<child_info>& children) {
  std::vector<term> out;
  out.reserve(children.size());
  for (const child_info& c : children) {
    out.push_back(c.to_term());
  }
  return term::list(std::move(out));
}

// -- specs ------------------------------------------------------------------------------------

expected<void> check_child_specs(const std::vector<child_spec>& specs) {
  std::set<term> ids;
  for (const child_spec& spec : specs) {
    if (expected<void> ok = check_child_spec(spec); !ok) {
      return ok;
    }
    if (!ids.insert(spec.id).second) {
      return unexpected(
          failure{errc::invalid_child_spec, tuple(atom("duplicate_child_name"), spec.id)});
    }
  }
  return {};
}

child_spec supervisor_spec(term id, std::vector<child_spec> children, options opts) {
  child_spec spec;
  spec.id = std::move(id);
  spec.type = child_type::supervisor;
  spec.modules = list(atom("Elixir.Supervisor"));
  spec.start = start_with([children = std::move(children), opts = std::move(opts)]() {
    return start_link(children, opts);
  });
  return spec;
}

// -- starting and stopping --------------------------------------------------------------------

co<start_result> start_link(std::vector<child_spec> children, options opts) {
  // The options and specs are checked in the new process (sup_server::init), as OTP does.
  gen_server::start_options so;
  so.name = opts.name;
  // (Arguments are named, not temporaries, in co_await expressions: GCC 12, PR 100611.)
  co_return co_await gen_server::start_link<sup_server>(std::move(so), std::move(children),
                                                        std::move(opts));
}

co<atom> stop(server_ref sup, term reason, std::int64_t timeout) {
  co_return co_await gen_server::stop(std::move(sup), std::move(reason), timeout);
}

// -- calls ------------------------------------------------------------------------------------

co<std::vector<child_info>> which_children(server_ref sup) {
  detail::which_children_req req{};
  co_return co_await gen_server::call<sup_server>(std::move(sup), std::move(req), infinity);
}

co<child_counts> count_children(server_ref sup) {
  detail::count_children_req req{};
  co_return co_await gen_server::call<sup_server>(std::move(sup), std::move(req), infinity);
}

co<child_result> start_child(server_ref sup, child_spec spec) {
  detail::start_child_req req{std::move(spec)};
  co_return co_await gen_server::call<sup_server>(std::move(sup), std::move(req), infinity);
}

co<expected<void>> terminate_child(server_ref sup, term id) {
  detail::terminate_child_req req{std::move(id)};
  co_return co_await gen_server::call<sup_server>(std::move(sup), std::move(req), infinity);
}

co<child_result> restart_child(server_ref sup, term id) {
  detail::restart_child_req req{std::move(id)};
  co_return co_await gen_server::call<sup_server>(std::move(sup), std::move(req), infinity);
}

co<expected<void>> delete_child(server_ref sup, term id) {
  detail::delete_child_req req{std::move(id)};
  co_return co_await gen_server::call<sup_server>(std::move(sup), std::move(req), infinity);
}

co<expected<child_spec>> get_childspec(server_ref sup, term id) {
  detail::get_childspec_req req{std::move(id)};
  co_return co_await gen_server::call<sup_server>(std::move(sup), std::move(req), infinity);
}

// -- try_ forms ------------------------------------------------------------------------------

namespace {

/// The reply of a try_call whose reply is itself an expected (R: expected<T> or
/// child_result): one R, either failure.
template <class R>
R flatten(expected<R> r) {
  if (!r) {
    return unexpected(r.error());
  }
  return std::move(*r);
}

}  // namespace

co<expected<std::vector<child_info>>> try_which_children(server_ref sup) {
  detail::which_children_req req{};
  co_return co_await gen_server::try_call<sup_server>(std::move(sup), std::move(req), infinity);
}

co<expected<child_counts>> try_count_children(server_ref sup) {
  detail::count_children_req req{};
  co_return co_await gen_server::try_call<sup_server>(std::move(sup), std::move(req), infinity);
}

co<child_result> try_start_child(server_ref sup, child_spec spec) {
  detail::start_child_req req{std::move(spec)};
  expected<child_result> r =
      co_await gen_server::try_call<sup_server>(std::move(sup), std::move(req), infinity);
  co_return flatten(std::move(r));
}

co<expected<void>> try_terminate_child(server_ref sup, term id) {
  detail::terminate_child_req req{std::move(id)};
  expected<expected<void>> r =
      co_await gen_server::try_call<sup_server>(std::move(sup), std::move(req), infinity);
  co_return flatten(std::move(r));
}

co<child_result> try_restart_child(server_ref sup, term id) {
  detail::restart_child_req req{std::move(id)};
  expected<child_result> r =
      co_await gen_server::try_call<sup_server>(std::move(sup), std::move(req), infinity);
  co_return flatten(std::move(r));
}

co<expected<void>> try_delete_child(server_ref sup, term id) {
  detail::delete_child_req req{std::move(id)};
  expected<expected<void>> r =
      co_await gen_server::try_call<sup_server>(std::move(sup), std::move(req), infinity);
  co_return flatten(std::move(r));
}

co<expected<child_spec>> try_get_childspec(server_ref sup, term id) {
  detail::get_childspec_req req{std::move(id)};
  expected<expected<child_spec>> r =
      co_await gen_server::try_call<sup_server>(std::move(sup), std::move(req), infinity);
  co_return flatten(std::move(r));
}

}  // namespace otter::supervisor
