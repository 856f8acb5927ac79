// The process behind otter/otp/supervisor.hpp: a GenServer whose state is the children table
// and the restart history, and whose requests are the supervisor API. Private to src/otp.
//
// supervisor_server.cpp holds the callbacks and the restart and shutdown algorithms of
// supervisor.erl (numbered protocols in docs/design/supervisors.md); supervisor.cpp holds the
// API, which only sends these requests.
//
// Thread safety: everything here runs in the supervisor's process.

#pragma once

#include "otter/otp/gen_server.hpp"
#include "otter/otp/supervisor.hpp"

#include "otp/supervisor_children.hpp"

#include <cstdint>
#include <deque>
#include <vector>

namespace otter::supervisor::detail {

// -- requests (their terms are the ones OTP's supervisor receives) ------------------------------

struct which_children_req {
  [[nodiscard]] term to_term() const { return term(atom("which_children")); }
};
struct count_children_req {
  [[nodiscard]] term to_term() const { return term(atom("count_children")); }
};
struct start_child_req {
  otter::child_spec spec;
  [[nodiscard]] term to_term() const { return tuple(atom("start_child"), otter::to_term(spec)); }
};
struct terminate_child_req {
  term id;
  [[nodiscard]] term to_term() const { return tuple(atom("terminate_child"), id); }
};
struct restart_child_req {
  term id;
  [[nodiscard]] term to_term() const { return tuple(atom("restart_child"), id); }
};
struct delete_child_req {
  term id;
  [[nodiscard]] term to_term() const { return tuple(atom("delete_child"), id); }
};
struct get_childspec_req {
  term id;
  [[nodiscard]] term to_term() const { return tuple(atom("get_childspec"), id); }
};
/// Cast to itself after a failed restart (OTP's {try_again_restart, Id}).
struct try_again_restart {
  term id;
  [[nodiscard]] term to_term() const { return tuple(atom("try_again_restart"), id); }
};

// -- state ------------------------------------------------------------------------------------

struct sup_state {
  /// How reports name the supervisor: {pid, Supervisor.Default} or {:local, name}.
  term name;
  supervisor::strategy strategy = supervisor::strategy::one_for_one;
  int max_restarts = 3;
  int max_seconds = 5;
  /// Times of recent restarts in whole seconds, newest first (OTP's #state.restarts).
  std::deque<std::int64_t> restarts;
  children_db children;

  sup_state() = default;
  sup_state(sup_state&&) noexcept = default;
  sup_state& operator=(sup_state&&) noexcept = default;
  sup_state(const sup_state&) = delete;
  sup_state& operator=(const sup_state&) = delete;

  /// For :sys.get_state and get_status (the state cannot be copied out).
  [[nodiscard]] term to_term() const;
};

/// OTP's check_flags: {:supervisor_data, {:invalid_strategy | :invalid_intensity |
/// :invalid_period, value}}.
expected<void> check_options(const options& opts);

// -- the server -------------------------------------------------------------------------------

struct sup_server {
  using state = sup_state;

  co<gen_server::init_result<sup_state>> init(std::vector<otter::child_spec> specs, options opts);

  std::vector<child_info> handle_call(which_children_req, const gen_server::from&, sup_state& s);
  child_counts handle_call(count_children_req, const gen_server::from&, sup_state& s);
  co<child_result> handle_call(start_child_req r, const gen_server::from&, sup_state& s);
  co<expected<void>> handle_call(terminate_child_req r, const gen_server::from&, sup_state& s);
  co<child_result> handle_call(restart_child_req r, const gen_server::from&, sup_state& s);
  expected<void> handle_call(delete_child_req r, const gen_server::from&, sup_state& s);
  expected<otter::child_spec> handle_call(get_childspec_req r, const gen_server::from&,
                                          sup_state& s);

  co<gen_server::cast_result> handle_cast(try_again_restart r, sup_state& s);
  co<gen_server::cast_result> handle_info(message& m, sup_state& s);
  co<void> terminate(const term& reason, sup_state& s);
};

}  // namespace otter::supervisor::detail
