// src/core/process/small_map.hpp: a map that is a vector while small and a hash map beyond.
//
// Links and monitors are per process; most processes have none or a handful, a supervisor may
// have a hundred thousand. A vector keeps the common case small and cache friendly; the hash
// map keeps the supervisor's case O(1). Owner-only (no synchronisation).

#pragma once

#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

namespace otter::detail {

template <class K, class V>
class small_map {
public:
  static constexpr std::size_t small_limit = 16;

  [[nodiscard]] std::size_t size() const noexcept { return big_ ? big_->size() : small_.size(); }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  V* find(const K& k) noexcept {
    if (big_) {
      auto it = big_->find(k);
      return it == big_->end() ? nullptr : &it->second;
    }
    for (auto& [key, value] : small_) {
      if (key == k) {
        return &value;
      }
    }
    return nullptr;
  }
  [[nodiscard]] bool contains(const K& k) noexcept { return find(k) != nullptr; }

  /// Inserts when absent; returns false when `k` was already there (value unchanged).
  bool insert(const K& k, V v) {
    if (find(k) != nullptr) {
      return false;
    }
    if (big_) {
      big_->emplace(k, std::move(v));
      return true;
    }
    if (small_.size() < small_limit) {
      small_.emplace_back(k, std::move(v));
      return true;
    }
    big_ = std::make_unique<std::unordered_map<K, V>>();
    big_->reserve(small_limit * 4);
    for (auto& e : small_) {
      big_->emplace(std::move(e.first), std::move(e.second));
    }
    small_.clear();
    small_.shrink_to_fit();
    big_->emplace(k, std::move(v));
    return true;
  }

  /// Removes `k`; returns its value if it was there.
  bool erase(const K& k, V* out = nullptr) {
    if (big_) {
      auto it = big_->find(k);
      if (it == big_->end()) {
        return false;
      }
      if (out != nullptr) {
        *out = std::move(it->second);
      }
      big_->erase(it);
      return true;
    }
    for (std::size_t i = 0; i < small_.size(); ++i) {
      if (small_[i].first == k) {
        if (out != nullptr) {
          *out = std::move(small_[i].second);
        }
        small_[i] = std::move(small_.back());
        small_.pop_back();
        return true;
      }
    }
    return false;
  }

  template <class F>
  void for_each(F&& f) {
    if (big_) {
      for (auto& [k, v] : *big_) {
        f(k, v);
      }
    } else {
      for (auto& [k, v] : small_) {
        f(k, v);
      }
    }
  }

  void clear() noexcept {
    small_.clear();
    big_.reset();
  }

private:
  std::vector<std::pair<K, V>> small_;
  std::unique_ptr<std::unordered_map<K, V>> big_;
};

}  // namespace otter::detail
