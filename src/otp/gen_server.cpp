// The non-template parts of GenServer: stop, and the reports of a stopping server.

#include "otter/otp/gen_server.hpp"

#include "otp/proc_lib_stop.hpp"

#include <stdexcept>

namespace otter::gen_server {

namespace detail {

void log_terminate(const term& reason, const term& last_message) {
  std::optional<atom> name = registered_name(self());
  log(log_event{log_level::error,
                "gen_server terminate",
                {{"name", name ? term(*name) : term(self())},
                 {"last_message", last_message},
                 {"reason", reason}}});
}

void log_no_handle_info() {
  log(log_event{
      log_level::error, "report", {{"label", tuple(genserver_module(), atom("no_handle_info"))}}});
}

void bad_request(request_kind what, const term& request) {
  otter::error(tuple(atom(what == request_kind::call ? "bad_call" : "bad_cast"), request));
}

void check_name(const server_ref& name) {
  if (!name.is_local_name() && !name.is_via()) {
    throw std::invalid_argument("a GenServer name is an atom, {:global, term} or {:via, ...}");
  }
  if (name.is_local_name() && name.local_name() == atoms::undefined) {
    throw std::invalid_argument("a GenServer cannot be named :undefined");
  }
}

}  // namespace detail

co<atom> stop(server_ref dest, term reason, std::int64_t timeout) {
  static const atom stop_atom("stop");
  otter::detail::call_site site{detail::genserver_module(), stop_atom, dest.to_term(), reason,
                                timeout};
  pid server = dest.resolve();
  // Elixir's GenServer.stop checks both before proc_lib:stop, and reports them as its own.
  if (server.is_null()) {
    otter::exit(site.exit_reason(term(atoms::noproc)));
  }
  if (server == self()) {
    otter::exit(site.exit_reason(term(atom("calling_self"))));
  }
  std::optional<term> failed = co_await proc_lib::detail::stop(dest, server, reason, timeout);
  if (failed) {
    otter::exit(site.exit_reason(std::move(*failed)));
  }
  co_return atoms::ok;
}

}  // namespace otter::gen_server
