// The request process: one Otter process per HTTP request, and the responder through which it
// answers its connection.
//
// The I/O thread that read the request builds a responder and spawns the process; the process
// runs handle_request() (api_handlers.hpp) and calls answer(), which posts the response to the
// connection's strand. The responder belongs to the process's frame, so every way the process
// can end is covered:
//   - it answers and returns: the answer goes out;
//   - an exception escapes handle_request(): the process answers 500, then rethrows, so the
//     exception stays its exit reason (and the runtime reports the crash);
//   - it is killed, or never runs (spawned during the runtime's shutdown): its frame is
//     destroyed and the responder's destructor answers 500.
//
// Thread safety: a responder is used by one process at a time (owned by its frame).

#pragma once

#include "otter/core/runtime.hpp"

#include "http/api_handlers.hpp"
#include "http/api_response.hpp"

#include <cstdint>
#include <memory>

namespace notifier::detail {

class connection;
class server_core;

class responder {
public:
  /// Counts a request process in `core` until the responder is destroyed.
  responder(std::shared_ptr<server_core> core, std::shared_ptr<connection> conn, std::uint64_t seq);
  responder(const responder&) = delete;
  responder& operator=(const responder&) = delete;
  /// Answers 500 when answer() was never called.
  ~responder();

  /// Sends `response` to the connection; later calls do nothing.
  void answer(api_response response);

  [[nodiscard]] const api_context& context() const noexcept;

private:
  std::shared_ptr<server_core> core_;
  std::shared_ptr<connection> conn_;
  std::uint64_t seq_;
  bool answered_ = false;
};

/// Spawns the request process for `req` on `rt`; `out` answers for it (500 when spawning
/// fails: the exception is not propagated). Called on an I/O thread; returns without waiting.
void spawn_request_process(otter::runtime& rt, api_request req, std::shared_ptr<responder> out);

}  // namespace notifier::detail
