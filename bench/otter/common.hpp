// Shared helpers of the Otter side of bench/run.sh.
//
// Command line of every program:  NAME [SIZE [SIZE2]]
// Output protocol (stdout):       METRIC name=<metric> value=<number>
// A wrong result prints a message on stderr and exits with status 1.
#pragma once

#include "otter/otter.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

using clock = std::chrono::steady_clock;

[[noreturn]] inline void fail(const std::string& msg) {
  std::fprintf(stderr, "error: %s\n", msg.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

inline std::int64_t arg(int argc, char** argv, int i, std::int64_t fallback) {
  if (argc <= i) {
    return fallback;
  }
  char* end = nullptr;
  long long v = std::strtoll(argv[i], &end, 10);
  if (*end != '\0' || v <= 0) {
    fail(std::string("bad argument '") + argv[i] + "' (expected a positive integer)");
  }
  return v;
}

inline double seconds_since(clock::time_point t0) {
  return std::chrono::duration<double>(clock::now() - t0).count();
}

inline void metric(const char* name, double value) {
  std::printf("METRIC name=%s value=%.10g\n", name, value);
  std::fflush(stdout);
}

/// A size field of /proc/self/status ("VmRSS:", "VmHWM:", ...), in bytes; 0 when absent.
inline std::int64_t status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == field) {
      std::int64_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

/// Resident set size (VmRSS), in bytes.
inline std::int64_t rss_bytes() {
  return status_bytes("VmRSS:");
}

/// Peak resident set size (VmHWM), in bytes.
inline std::int64_t peak_rss_bytes() {
  return status_bytes("VmHWM:");
}

/// Two schedulers, as every twin uses (the machine has 2 cores).
inline otter::runtime_options options() {
  return otter::runtime_options{.schedulers = 2, .blocking_threads = 1};
}

}  // namespace bench
