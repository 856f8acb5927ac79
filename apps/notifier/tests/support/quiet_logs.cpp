// Keeps the service tests quiet: the service logs every reminder and each test's crashes on
// purpose, which would drown a failure's own output. NOTIFIER_TEST_LOG=1 shows them again.

#include "otter/core/logger.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace {

class quiet_logs : public ::testing::Environment {
public:
  void SetUp() override {
    if (std::getenv("NOTIFIER_TEST_LOG") != nullptr) {
      return;
    }
    spdlog::set_level(spdlog::level::off);
    otter::set_log_sink({});
  }
};

const auto* const registered = ::testing::AddGlobalTestEnvironment(new quiet_logs);

}  // namespace
