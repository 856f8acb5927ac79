// The program-wide log sink. Reports are rare (crashes), so a mutex around a shared_ptr to the
// sink is enough: log() copies the pointer under the lock and calls the sink outside it, so a
// sink may itself log or replace the sink.

#include "otter/core/logger.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace otter {

namespace {

void spdlog_sink(const log_event& e) {
  std::string line = format(e);
  switch (e.level) {
    case log_level::debug:
      spdlog::debug("{}", line);
      break;
    case log_level::info:
      spdlog::info("{}", line);
      break;
    case log_level::warning:
      spdlog::warn("{}", line);
      break;
    case log_level::error:
      spdlog::error("{}", line);
      break;
  }
}

struct sink_slot {
  std::mutex mu;
  std::shared_ptr<const log_sink> sink = std::make_shared<const log_sink>(spdlog_sink);
};

sink_slot& slot() {
  static sink_slot s;
  return s;
}

}  // namespace

void log(const log_event& event) {
  std::shared_ptr<const log_sink> s;
  {
    std::lock_guard<std::mutex> lock(slot().mu);
    s = slot().sink;
  }
  if (s && *s) {
    (*s)(event);
  }
}

log_sink set_log_sink(log_sink sink) {
  auto next = std::make_shared<const log_sink>(std::move(sink));
  std::lock_guard<std::mutex> lock(slot().mu);
  std::shared_ptr<const log_sink> prev = std::exchange(slot().sink, std::move(next));
  return prev ? *prev : log_sink{};
}

log_sink default_log_sink() {
  return spdlog_sink;
}

std::string format(const log_event& event, const term_printer& printer) {
  std::string out = event.kind;
  for (const auto& [key, value] : event.fields) {
    out += ' ';
    out += key;
    out += '=';
    out += to_string(value, printer);
  }
  return out;
}

}  // namespace otter
