// notifier/io/io_runner.hpp: the service's I/O threads (Boost.Asio), beside Otter's schedulers.
//
// Sockets (the HTTP API's connections, webhook requests) live on an asio::io_context run by a
// few threads of their own, as the BEAM keeps its I/O pollers apart from its schedulers: a
// scheduler thread never blocks on a socket, and an I/O thread never runs process code. The
// two meet by messages: an I/O completion hands its result to a process with
// otter::runtime::send, and a process starts I/O by posting to the context.
//
// Thread safety: @threadsafe. context() may be used from any thread; stop() is idempotent and
// joins the threads (call it from outside the I/O threads).

#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <optional>
#include <thread>
#include <vector>

namespace notifier {

class io_runner {
public:
  /// Starts `threads` (>= 1) threads running the context until stop().
  explicit io_runner(std::size_t threads = 1);
  io_runner(const io_runner&) = delete;
  io_runner& operator=(const io_runner&) = delete;
  ~io_runner();

  [[nodiscard]] boost::asio::io_context& context() noexcept { return context_; }

  /// Stops the context (pending handlers are dropped) and joins the threads.
  void stop();

private:
  boost::asio::io_context context_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::vector<std::thread> threads_;
};

}  // namespace notifier
