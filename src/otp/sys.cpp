// System messages: the process side (handle) and the caller side (system_call).

#include "otter/otp/sys.hpp"

#include <optional>
#include <string>
#include <vector>

namespace otter::sys {

namespace {

term op_term(request::op op) {
  switch (op) {
    case request::op::get_state:
      return term(atom("get_state"));
    case request::op::replace_state:
      return tuple(atom("replace_state"), term::opaque("#Fun"));
    case request::op::suspend:
      return term(atom("suspend"));
    case request::op::resume:
      return term(atom("resume"));
    case request::op::get_status:
      return term(atom("get_status"));
    case request::op::terminate:
      return term(atom("terminate"));
  }
  return term();
}

/// The system message's request as sys.erl sends it: `{:terminate, reason}` for terminate,
/// the function's name otherwise.
term message_term(const request& r) {
  if (r.what == request::op::terminate) {
    return tuple(atom("terminate"), r.reason);
  }
  return op_term(r.what);
}

void answer_to(const request& r, answer a) {
  send_to_alias(r.caller, r.tag, otter::detail::gen_reply<answer>{r.tag, std::move(a)});
}

}  // namespace

term request::to_term() const {
  return tuple(atom("system"), tuple(caller, tag), message_term(*this));
}

term charlist(std::string_view text) {
  std::vector<term> codes;
  codes.reserve(text.size());
  for (unsigned char c : text) {
    codes.emplace_back(static_cast<std::int64_t>(c));
  }
  return term::list(std::move(codes));
}

term status_header(std::string_view kind, pid process, std::optional<atom> name) {
  std::string header = "Status for ";
  header += kind;
  header += ' ';
  if (name) {
    header += name->name();
  } else {
    header +=
        "<0." + std::to_string(process.index()) + "." + std::to_string(process.generation()) + ">";
  }
  return charlist(header);
}

term target::status_misc(const term& sys_state, pid parent) {
  // gen_server:format_status: gen:format_status_header names the server by its registered
  // name or its pid; an unsupervised server (GenServer.start) is its own parent.
  const pid me = self();
  return term::list(
      {tuple(atom("header"), status_header("generic server", me, registered_name(me))),
       tuple(atom("data"),
             term::list({tuple(charlist("Status"), sys_state),
                         tuple(charlist("Parent"), parent.is_null() ? term(me) : term(parent)),
                         tuple(charlist("Logged events"), term::list({}))})),
       tuple(atom("data"), term::list({tuple(charlist("State"), state_term())}))});
}

next handle(request& r, target& t, bool& suspended, pid parent) {
  static const atom running("running");
  static const atom suspended_atom("suspended");
  auto current = [&r, &t] {
    return r.as_term ? std::any(t.state_term()) : t.state();
  };
  switch (r.what) {
    case request::op::get_state:
      answer_to(r, answer{current(), term(), std::nullopt});
      break;
    case request::op::replace_state: {
      answer a;
      try {
        std::any next_state = r.replace(current());
        if (!t.set_state(std::move(next_state))) {
          otter::error(atoms::badarg);
        }
        a.state = current();
      } catch (...) {
        a.error = tuple(atom("callback_failed"), tuple(t.module(), atom("system_replace_state")),
                        class_and_reason(std::current_exception()));
      }
      answer_to(r, std::move(a));
      break;
    }
    case request::op::suspend:
      suspended = true;
      answer_to(r, answer{{}, term(atoms::ok), std::nullopt});
      break;
    case request::op::resume:
      suspended = false;
      answer_to(r, answer{{}, term(atoms::ok), std::nullopt});
      break;
    case request::op::get_status: {
      term misc = t.status_misc(term(suspended ? suspended_atom : running), parent);
      std::vector<term> pdict;
      for (auto& [k, v] : get_dictionary()) {
        pdict.push_back(tuple(k, v));
      }
      term status = tuple(
          atom("status"), self(), tuple(atom("module"), t.module()),
          term::list({term::list(std::move(pdict)), term(suspended ? suspended_atom : running),
                      parent.is_null() ? term(self()) : term(parent), term::list({}), misc}));
      answer_to(r, answer{{}, std::move(status), std::nullopt});
      break;
    }
    case request::op::terminate:
      // sys:handle_system_msg answers before the process terminates. proc_lib::stop's
      // request has no tag: it learns of the end from its monitor.
      if (!r.tag.is_null()) {
        answer_to(r, answer{{}, term(atoms::ok), std::nullopt});
      }
      return next::terminate;
  }
  return next::resume_loop;
}

namespace detail {

co<answer> system_call(server_ref dest, request r, std::int64_t timeout, bool show_timeout) {
  // sys:terminate's arguments include the reason: [dest, reason] (+ timeout).
  const bool has_reason = r.what == request::op::terminate;
  otter::detail::call_site site{
      term(atom("sys")), op_term(r.what), dest.to_term(), has_reason ? r.reason : term(),
      timeout,           has_reason,      show_timeout};
  pid server = dest.resolve();
  auto make = [&r](ref tag) {
    r.caller = self();
    r.tag = tag;
    return otter::detail::node_ptr(
        new otter::detail::call_node<request>({r.caller, tag}, std::move(r)));
  };
  auto call = otter::detail::start_call<answer, false>(server, timeout, std::move(site), make);
  co_return co_await std::move(call);
}

}  // namespace detail

co<term> get_status(server_ref dest, std::int64_t timeout) {
  request r;
  r.what = request::op::get_status;
  answer a = co_await detail::system_call(std::move(dest), std::move(r), timeout, timeout != 5000);
  co_return a.value;
}

co<term> suspend(server_ref dest, std::int64_t timeout) {
  request r;
  r.what = request::op::suspend;
  answer a = co_await detail::system_call(std::move(dest), std::move(r), timeout, timeout != 5000);
  co_return a.value;
}

co<term> resume(server_ref dest, std::int64_t timeout) {
  request r;
  r.what = request::op::resume;
  answer a = co_await detail::system_call(std::move(dest), std::move(r), timeout, timeout != 5000);
  co_return a.value;
}

co<term> terminate(server_ref dest, term reason, std::int64_t timeout) {
  request r;
  r.what = request::op::terminate;
  r.reason = std::move(reason);
  answer a =
      co_await detail::system_call(std::move(dest), std::move(r), timeout, timeout != infinity);
  co_return a.value;
}

}  // namespace otter::sys
