// The first `n` elements of a queue, moved out of it: how the reader and the writer cut a batch
// off the requests they have gathered, oldest first.

#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

namespace notifier::detail {

template <class T>
std::vector<T> take_front(std::vector<T>& queue, std::size_t n) {
  n = std::min(n, queue.size());
  const auto end = queue.begin() + static_cast<std::ptrdiff_t>(n);
  std::vector<T> batch(std::make_move_iterator(queue.begin()), std::make_move_iterator(end));
  queue.erase(queue.begin(), end);
  return batch;
}

}  // namespace notifier::detail
