// Shared helpers for the CAF 0.17 twins of the Otter benchmarks.
//
// Command line of every program:  NAME [--policy=stealing|sharing] [SIZE [SIZE2]]
// Output protocol (stdout):       METRIC name=<metric> value=<number>
// A wrong result prints a message on stderr and exits with status 1.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

struct args {
  std::string policy = "stealing";
  std::vector<std::int64_t> sizes;  // positional numeric arguments

  std::int64_t size(std::size_t i, std::int64_t fallback) const {
    return i < sizes.size() ? sizes[i] : fallback;
  }
};

[[noreturn]] inline void fail(const std::string& msg) {
  std::fprintf(stderr, "error: %s\n", msg.c_str());
  std::fflush(stderr);
  std::_Exit(1);  // do not wait for actors that may be stuck
}

inline args parse_args(int argc, char** argv) {
  args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--policy=", 0) == 0) {
      a.policy = s.substr(9);
      if (a.policy != "stealing" && a.policy != "sharing")
        fail("unknown scheduler policy '" + a.policy + "' (stealing|sharing)");
    } else {
      char* end = nullptr;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || v <= 0)
        fail("bad argument '" + s + "' (expected a positive integer or --policy=...)");
      a.sizes.push_back(v);
    }
  }
  return a;
}

// Two worker threads, the requested scheduler policy, no logging (the
// Debian build is compiled with CAF_LOG_LEVEL_QUIET anyway).
inline void configure(caf::actor_system_config& cfg, const args& a) {
  cfg.set("scheduler.max-threads", 2);
  if (a.policy == "sharing")
    cfg.set("scheduler.policy", caf::atom("sharing"));
  else
    cfg.set("scheduler.policy", caf::atom("stealing"));
}

// VmRSS from /proc/self/status, in bytes (same source as the other runtimes).
inline std::int64_t rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtoll(line.c_str() + 6, nullptr, 10) * 1024;
  }
  fail("VmRSS not found in /proc/self/status");
}

using clock = std::chrono::steady_clock;

inline double seconds_since(clock::time_point t0) {
  return std::chrono::duration<double>(clock::now() - t0).count();
}

inline void metric(const char* name, double value) {
  std::printf("METRIC name=%s value=%.3f\n", name, value);
  std::fflush(stdout);
}

}  // namespace bench
