// Process table: see process_table.hpp for the protocol.

#include "core/process/process_table.hpp"

#include "core/scheduler/runtime_impl.hpp"

#include <new>

namespace otter::detail {

process_table::process_table(runtime_impl* rt)
    : rt_(rt), chunks_(std::make_unique<std::atomic<process*>[]>(max_chunks)) {
  for (std::uint32_t i = 0; i < max_chunks; ++i) {
    chunks_[i].store(nullptr, std::memory_order_relaxed);
  }
}

process_table::~process_table() {
  for (std::uint32_t i = 0; i < max_chunks; ++i) {
    delete[] chunks_[i].load(std::memory_order_relaxed);
  }
}

process* process_table::make_chunk(std::uint32_t c) const {
  auto* chunk = new process[chunk_size];
  for (std::uint32_t i = 0; i < chunk_size; ++i) {
    chunk[i].index = (c << chunk_bits) | i;
    chunk[i].rt = rt_;
    chunk[i].generation = 1;  // generation 0 marks the null pid
    chunk[i].rc_gen.store(std::uint64_t{1} << 32, std::memory_order_relaxed);
  }
  return chunk;
}

bool process_table::publish_chunk(std::uint32_t c, process* chunk) noexcept {
  process* expected = nullptr;
  // Ordering: release pairs with the acquire load in slot(); acquire on failure, so that the
  // winner's chunk is fully visible to the loser.
  if (chunks_[c].compare_exchange_strong(expected, chunk, std::memory_order_release,
                                         std::memory_order_acquire)) {
    return true;
  }
  delete[] chunk;  // prepare_chunk() and ensure_chunks() raced: the other one's stays
  return false;
}

void process_table::ensure_chunks(std::uint32_t end_index) {
  // Indices are handed out in increasing order, so only the chunks of the new range can be
  // missing: start at the chunk of the current high-water mark.
  std::uint32_t first = next_index_.load(std::memory_order_relaxed) >> chunk_bits;
  std::uint32_t last = (end_index - 1) >> chunk_bits;
  OTTER_CHECK(last < max_chunks, "process table full (system_limit)");
  for (std::uint32_t c = first; c <= last; ++c) {
    if (chunks_[c].load(std::memory_order_acquire) == nullptr) {
      publish_chunk(c, make_chunk(c));
    }
  }
}

void process_table::prepare_chunk(std::uint32_t c) noexcept {
  if (c >= max_chunks || chunks_[c].load(std::memory_order_acquire) != nullptr) {
    return;
  }
  try {
    publish_chunk(c, make_chunk(c));
  } catch (const std::bad_alloc&) {  // ensure_chunks() will try again, and report it there
  }
}

process* process_table::allocate(std::vector<std::uint32_t>* cache) {
  if (cache != nullptr && cache->empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::size_t take = std::min<std::size_t>(free_.size(), batch);
      cache->insert(cache->end(), free_.end() - static_cast<std::ptrdiff_t>(take), free_.end());
      free_.resize(free_.size() - take);
    }
    if (cache->empty()) {
      std::uint32_t ahead = 0;  // a chunk to build on the blocking pool, if any
      {
        std::lock_guard<std::mutex> lock(mu_);
        const std::uint32_t first = next_index_.load(std::memory_order_relaxed);
        const std::uint32_t end = first + batch;
        ensure_chunks(end);
        // Ordering: release: the chunks exist before high_water() covers them.
        next_index_.store(end, std::memory_order_release);
        for (std::uint32_t i = batch; i > 0; --i) {
          cache->push_back(first + i - 1);
        }
        // Half of the last chunk is handed out: have the next one built off the schedulers.
        const std::uint32_t next = (end >> chunk_bits) + 1;
        if ((end & (chunk_size - 1)) >= chunk_size / 2 && next > prepared_) {
          prepared_ = next;
          ahead = next;
        }
      }
      if (ahead != 0) {
        rt_->post_blocking([this, ahead] { prepare_chunk(ahead); });
      }
    }
  }
  std::uint32_t index = 0;
  if (cache != nullptr) {
    index = cache->back();
    cache->pop_back();
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = next_index_.load(std::memory_order_relaxed);
      ensure_chunks(index + 1);
      next_index_.store(index + 1, std::memory_order_release);
    }
  }
  return slot(index);
}

void process_table::free_slot(std::uint32_t index, std::vector<std::uint32_t>* cache) {
  if (cache != nullptr) {
    cache->push_back(index);
    if (cache->size() >= 4 * batch) {
      std::lock_guard<std::mutex> lock(mu_);
      free_.insert(free_.end(), cache->end() - batch * 2, cache->end());
      cache->resize(cache->size() - batch * 2);
    }
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(index);
}

void process_table::release(process* b) noexcept {
  // Ordering: acq_rel: the finaliser sees every write made while references were held.
  std::uint64_t w = b->rc_gen.fetch_sub(1, std::memory_order_acq_rel);
  if ((w & refs_mask) == 1 && (w & alive_bit) == 0) {
    rt_->finalize(b);
  }
}

}  // namespace otter::detail
