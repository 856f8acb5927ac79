#include "e2e/notifier_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <stdexcept>

extern char** environ;

namespace notifier::testing {

bool notifier_binary_available() {
  const char* bin = std::getenv("NOTIFIER_BINARY");
  return bin != nullptr && *bin != '\0' && access(bin, X_OK) == 0;
}

notifier_process::notifier_process(std::vector<std::string> args) {
  const char* bin = std::getenv("NOTIFIER_BINARY");
  if (bin == nullptr || *bin == '\0') {
    throw std::runtime_error("NOTIFIER_BINARY is not set");
  }
  args.insert(args.begin(), {bin, "--listen", "127.0.0.1:0", "--admin-token", admin_token});
  std::vector<char*> argv;
  for (std::string& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);

  int out[2];
  if (pipe(out) != 0) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const int rc = posix_spawn(&pid_, bin, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error(std::string("cannot start ") + bin);
  }
  reader_ = std::thread([this, fd = out[0]] { read_output(fd); });

  // The line that says where it listens, or the end of its output.
  const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
  std::unique_lock lock(mutex_);
  std::smatch m;
  const bool up = changed_.wait_for(lock, std::chrono::seconds(60), [&] {
    return std::regex_search(output_, m, listening) || eof_;
  });
  if (!up || !std::regex_search(output_, m, listening)) {
    std::string out_text = output_;
    lock.unlock();
    kill();
    reader_.join();  // the destructor does not run for a constructor that throws
    throw std::runtime_error("the notifier did not start listening; its output:\n" + out_text);
  }
  port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

notifier_process::~notifier_process() {
  if (!exited_) {
    kill();
  }
  if (reader_.joinable()) {
    reader_.join();
  }
}

void notifier_process::read_output(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      break;
    }
    std::lock_guard lock(mutex_);
    output_.append(buf, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  close(fd);
  std::lock_guard lock(mutex_);
  eof_ = true;
  changed_.notify_all();
}

int notifier_process::wait() {
  int status = 0;
  waitpid(pid_, &status, 0);
  exited_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int notifier_process::stop() {
  if (exited_) {
    return -1;
  }
  ::kill(pid_, SIGTERM);
  return wait();
}

void notifier_process::kill() {
  if (exited_) {
    return;
  }
  ::kill(pid_, SIGKILL);
  wait();
}

std::string notifier_process::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

}  // namespace notifier::testing
