// The non-template parts of Agent: how requests, mfa functions and child specs print, and the
// reason {:bad_return_value, other} of a term get_and_update whose function returned no pair.

#include "otter/otp/agent.hpp"

#include <utility>
#include <vector>

namespace otter::agent {

term mfa::to_term() const {
  return tuple(module, function, term::list(args));
}

namespace detail {

term describe(request_kind kind, const term& fun) {
  static const atom get("get");
  static const atom update("update");
  static const atom get_and_update("get_and_update");
  static const atom cast("cast");
  switch (kind) {
    case request_kind::get:
      return tuple(get, fun);
    case request_kind::update:
      return tuple(update, fun);
    case request_kind::get_and_update:
      return tuple(get_and_update, fun);
    case request_kind::cast:
      return tuple(cast, fun);
  }
  return term();
}

term bad_return_value(term returned) {
  static const atom bad_return("bad_return_value");
  return tuple(bad_return, std::move(returned));
}

term start_mfa(const start_options& opts) {
  static const atom agent_module("Elixir.Agent");
  static const atom start_link("start_link");
  std::vector<term> args{fun_placeholder()};
  std::vector<term> keywords;
  if (opts.name) {
    keywords.push_back(tuple(atom("name"), opts.name->to_term()));
  }
  if (opts.timeout != infinity) {
    keywords.push_back(tuple(atom("timeout"), opts.timeout));
  }
  if (!keywords.empty()) {
    args.push_back(term::list(std::move(keywords)));
  }
  return tuple(agent_module, start_link, term::list(std::move(args)));
}

const term& fun_placeholder() {
  static const term fun = term::immortal(term::opaque("#Fun"));
  return fun;
}

}  // namespace detail

}  // namespace otter::agent
