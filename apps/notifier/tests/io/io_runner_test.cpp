#include "notifier/io/io_runner.hpp"

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace notifier {
namespace {

TEST(IoRunnerTest, RunsPostedHandlersOnItsOwnThreads) {
  io_runner io(2);
  std::promise<std::thread::id> ran;
  boost::asio::post(io.context(), [&] { ran.set_value(std::this_thread::get_id()); });
  auto id = ran.get_future().get();
  EXPECT_NE(id, std::this_thread::get_id());
}

TEST(IoRunnerTest, StopIsIdempotentAndDropsLaterWork) {
  io_runner io(1);
  io.stop();
  io.stop();
  std::atomic<bool> ran{false};
  boost::asio::post(io.context(), [&] { ran = true; });
  EXPECT_FALSE(ran.load());
  EXPECT_TRUE(io.context().stopped());
}

}  // namespace
}  // namespace notifier
