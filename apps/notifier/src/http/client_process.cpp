// post(): the client's entry point for processes (client.hpp).
//
// The exchange runs on the I/O threads; its callback sends the result to the waiting process
// through a fresh alias. The process waits for that one message in a selective receive, so the
// rest of its mailbox is left as it was. Why an alias rather than a plain message tagged with a
// ref: the receive has a backstop timeout (in case the I/O threads stop and the callback never
// runs), and after unalias() a result that arrives late is dropped by the runtime instead of
// staying in the mailbox for ever, as gen_server calls do with their replies.
//
// Runtime note: Otter has no public handle on "the runtime of this process" that another thread
// may send through (otter::runtime::send needs the otter::runtime object, which a process does
// not see), so this uses otter::detail::current_runtime and send_node, the functions that
// otter::send itself is made of.

#include "notifier/http/client.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"

#include <utility>

namespace notifier::http {

namespace {

// The result message; `tag` is the alias it was sent to (a second post() by the same process
// cannot take it, even if the first one gave up).
struct post_reply {
  otter::ref tag;
  http_result result;
};

// How long after the exchange's own timeout the process stops waiting for its result: the
// result normally comes at the timeout at the latest; this only covers I/O threads that stopped.
constexpr std::chrono::milliseconds backstop_margin{2000};

}  // namespace

otter::co<http_result> post(io_runner& io, http_request request) {
  otter::detail::runtime_impl& rt = otter::detail::current_runtime("notifier::http::post");
  const otter::pid me = otter::self();
  const otter::ref tag = otter::alias();
  const auto backstop = request.timeout + backstop_margin;
  // The callback runs on an I/O thread. send_node is safe from any thread; the alias makes the
  // runtime drop the message if this process stopped waiting, and a dead pid drops it anyway.
  http_callback deliver = [&rt, me, tag](http_result result) {
    auto node = otter::detail::node_ptr(
        new otter::detail::alias_node<post_reply>(tag, post_reply{tag, std::move(result)}));
    otter::detail::send_node(rt, me, std::move(node));
  };
  try {
    async_post(io, std::move(request), std::move(deliver));
  } catch (...) {
    otter::unalias(tag);  // a caller's bug (an invalid header): nothing was started
    throw;
  }

  auto reply = otter::on<post_reply>([tag](const post_reply& r) { return r.tag == tag; },
                                     [](post_reply& r) { return std::move(r.result); });
  auto give_up = otter::after(backstop, [] {
    return http_result(otter::unexpected<http_failure>(
        http_failure{.kind = http_failure_kind::timeout,
                     .message = "no result from the I/O threads (stopped?)"}));
  });
  http_result result = co_await otter::receive(std::move(reply), std::move(give_up));
  otter::unalias(tag);
  co_return result;
}

}  // namespace notifier::http
