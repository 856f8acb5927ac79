// tests/e2e/notifier_process.hpp: the real notifier binary (NOTIFIER_BINARY,
// set by CTest) as a child process, for end-to-end tests over loopback HTTP.
//
//   notifier_process n({"--db", "sqlite:" + path, "--interval", "300ms"});
//   http_test_client client(n.port());        // the port it printed when it
//   started listening n.stop();                                 // SIGTERM,
//   waits: the graceful path n.kill();                                 //
//   SIGKILL, waits: a crash
//
// The child listens on 127.0.0.1:0 with a fixed admin token (admin_token). Its
// output is read by a thread of the harness (so the child never blocks on a
// full pipe) and kept: output() returns it, and a failing test prints it.
//
// Thread safety: one test thread drives a notifier_process.

#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace notifier::testing {

/// Whether the end-to-end tests can run (NOTIFIER_BINARY names an executable).
[[nodiscard]] bool notifier_binary_available();

class notifier_process {
public:
  static constexpr const char* admin_token = "e2e-admin-token";

  /// Starts the binary with `args` (plus --listen, --admin-token), and waits
  /// until it listens or exits. Throws std::runtime_error (with its output)
  /// when it does not come up.
  explicit notifier_process(std::vector<std::string> args);
  notifier_process(const notifier_process&) = delete;
  notifier_process& operator=(const notifier_process&) = delete;
  ~notifier_process();

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// SIGTERM, then waits for the exit; returns the exit status (-1 when killed
  /// by a signal).
  int stop();
  /// SIGKILL, then waits.
  void kill();
  [[nodiscard]] std::string output() const;

private:
  void read_output(int fd);
  int wait();

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  bool exited_ = false;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
  std::thread reader_;
};

}  // namespace notifier::testing
