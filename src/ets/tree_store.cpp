// The ordered_set store (tree_store.hpp).

#include "ets/tree_store.hpp"

#include <iterator>
#include <utility>

namespace otter::ets::detail {

namespace {
// A map node (colour, parent, children) and its key and object, plus the object's tuple.
std::size_t node_bytes(const term& object) noexcept {
  return 32 + 2 * sizeof(term) + 32 + sizeof(term) * object.size();
}
}  // namespace

void tree_store::check_open() const {
  if (closed_) {
    badarg();
  }
}

void tree_store::account(const term& object, int sign) noexcept {
  const auto n = static_cast<std::ptrdiff_t>(node_bytes(object)) * sign;
  objects_.store(static_cast<std::size_t>(
                     static_cast<std::ptrdiff_t>(objects_.load(std::memory_order_relaxed)) + sign),
                 std::memory_order_relaxed);
  bytes_.store(static_cast<std::size_t>(
                   static_cast<std::ptrdiff_t>(bytes_.load(std::memory_order_relaxed)) + n),
               std::memory_order_relaxed);
}

void tree_store::put(const term& object) {
  auto [it, inserted] = map_.try_emplace(key_of(object), object);
  if (!inserted) {
    account(it->second, -1);
    it->second = object;
  }
  account(object, 1);
}

// -- reads -----------------------------------------------------------------------------------

void tree_store::lookup(const term& key, std::vector<term>& out) const {
  read_guard g(lock_);
  check_open();
  auto it = map_.find(key);
  if (it != map_.end()) {
    out.push_back(it->second);
  }
}

bool tree_store::member(const term& key) const {
  read_guard g(lock_);
  check_open();
  return map_.find(key) != map_.end();
}

bool tree_store::scan(scan_cursor& c, bool reverse,
                      function_ref<void(const object_view&)> visit) const {
  read_guard g(lock_);
  check_open();
  std::size_t n = 0;
  if (!reverse) {
    auto it = c.last_key ? map_.upper_bound(*c.last_key) : map_.begin();
    for (; it != map_.end() && n < scan_chunk; ++it, ++n) {
      visit(object_view{it->second.elements(), &it->second});
      c.last_key = it->first;
    }
    c.done = it == map_.end();
  } else {
    auto it = c.last_key ? map_.lower_bound(*c.last_key) : map_.end();
    for (; it != map_.begin() && n < scan_chunk; ++n) {
      --it;
      visit(object_view{it->second.elements(), &it->second});
      c.last_key = it->first;
    }
    c.done = it == map_.begin();
  }
  return n != 0;
}

std::optional<term> tree_store::first() const {
  read_guard g(lock_);
  check_open();
  if (map_.empty()) {
    return std::nullopt;
  }
  return key_of(map_.begin()->second);
}

std::optional<term> tree_store::last() const {
  read_guard g(lock_);
  check_open();
  if (map_.empty()) {
    return std::nullopt;
  }
  return key_of(map_.rbegin()->second);
}

std::optional<term> tree_store::next(const term& key) const {
  read_guard g(lock_);
  check_open();
  auto it = map_.upper_bound(key);
  if (it == map_.end()) {
    return std::nullopt;
  }
  return key_of(it->second);
}

std::optional<term> tree_store::prev(const term& key) const {
  read_guard g(lock_);
  check_open();
  auto it = map_.lower_bound(key);
  if (it == map_.begin()) {
    return std::nullopt;
  }
  return key_of(std::prev(it)->second);
}

// -- writes ----------------------------------------------------------------------------------

void tree_store::insert(std::span<const term> objects) {
  write_guard g(lock_);
  check_open();
  for (const term& o : objects) {
    put(o);
  }
}

bool tree_store::insert_new(std::span<const term> objects) {
  write_guard g(lock_);
  check_open();
  for (const term& o : objects) {
    if (map_.find(key_of(o)) != map_.end()) {
      return false;
    }
  }
  for (const term& o : objects) {
    put(o);
  }
  return true;
}

void tree_store::erase(const term& key, std::vector<term>* taken) {
  write_guard g(lock_);
  check_open();
  auto it = map_.find(key);
  if (it == map_.end()) {
    return;
  }
  if (taken != nullptr) {
    taken->push_back(it->second);
  }
  account(it->second, -1);
  map_.erase(it);
}

void tree_store::erase_object(const term& object) {
  write_guard g(lock_);
  check_open();
  auto it = map_.find(key_of(object));
  if (it != map_.end() && it->second == object) {  // the key by ==, the object exactly
    account(it->second, -1);
    map_.erase(it);
  }
}

std::size_t tree_store::erase_each(std::span<const term> objects) {
  write_guard g(lock_);
  check_open();
  std::size_t removed = 0;
  for (const term& object : objects) {
    auto it = map_.find(key_of(object));
    if (it != map_.end() && it->second == object) {
      account(it->second, -1);
      map_.erase(it);
      ++removed;
    }
  }
  return removed;
}

bool tree_store::update(const term& key, const term* default_object,
                        function_ref<void(std::span<term>)> f) {
  write_guard g(lock_);
  check_open();
  auto it = map_.find(key);
  const term* current = it != map_.end() ? &it->second : default_object;
  if (current == nullptr) {
    return false;
  }
  std::vector<term> elements(current->elements().begin(), current->elements().end());
  f(elements);
  put(term::tuple(std::move(elements)));
  return true;
}

void tree_store::clear() {
  write_guard g(lock_);
  check_open();
  map_.clear();
  objects_.store(0, std::memory_order_relaxed);
  bytes_.store(0, std::memory_order_relaxed);
}

void tree_store::close() noexcept {
  write_guard g(lock_);
  map_.clear();
  closed_ = true;
  objects_.store(0, std::memory_order_relaxed);
  bytes_.store(0, std::memory_order_relaxed);
}

}  // namespace otter::ets::detail
