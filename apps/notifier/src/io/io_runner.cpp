#include "notifier/io/io_runner.hpp"

#include <algorithm>

namespace notifier {

io_runner::io_runner(std::size_t threads)
    : context_(static_cast<int>(std::max<std::size_t>(threads, 1))) {
  guard_.emplace(context_.get_executor());
  threads = std::max<std::size_t>(threads, 1);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { context_.run(); });
  }
}

io_runner::~io_runner() {
  stop();
}

void io_runner::stop() {
  guard_.reset();
  context_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
}

}  // namespace notifier
