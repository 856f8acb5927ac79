#include "http/server_handler.hpp"

#include "http/server_connection.hpp"
#include "http/server_core.hpp"

#include <exception>
#include <utility>

namespace notifier::detail {

namespace {

// A plain function taking its arguments by value: its frame holds them for the whole life of
// the process (docs/design/process.md#lifetime), the responder included.
otter::co<void> serve(api_request req, std::shared_ptr<responder> out) {
  try {
    api_response response = co_await handle_request(out->context(), std::move(req));
    out->answer(std::move(response));
  } catch (...) {
    // Catch, answer, rethrow: the client gets its 500 at once, and the exception still ends
    // the process with itself as the exit reason (error_model.md, tier 2).
    out->answer(internal_error_response());
    throw;
  }
}

}  // namespace

responder::responder(std::shared_ptr<server_core> core, std::shared_ptr<connection> conn,
                     std::uint64_t seq)
    : core_(std::move(core)), conn_(std::move(conn)), seq_(seq) {
  core_->handler_created();
}

responder::~responder() {
  try {
    answer(internal_error_response());
  } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory; the handler timer answers
  }
  core_->handler_ended();
}

void responder::answer(api_response response) {
  if (answered_) {
    return;
  }
  answered_ = true;
  conn_->deliver(seq_, std::move(response));
}

const api_context& responder::context() const noexcept {
  return core_->context();
}

void spawn_request_process(otter::runtime& rt, api_request req, std::shared_ptr<responder> out) {
  try {
    (void)rt.spawn(serve, std::move(req), std::move(out));
  } catch (const std::exception&) {
    // Out of memory: the responder died with the unborn process's frame and answered 500.
    // Swallowed here, on an I/O thread, where an exception would end io_context::run().
  }
}

}  // namespace notifier::detail
