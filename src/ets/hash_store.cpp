// The striped open-addressing hash table of set, bag and duplicate_bag (layout and locking:
// hash_store.hpp).

#include "ets/hash_store.hpp"

#include "ets/big_alloc.hpp"
#include "ets/term_ops.hpp"

#include <algorithm>
#include <bit>
#include <memory>
#include <new>
#include <utility>

namespace otter::ets::detail {

namespace {

constexpr std::uint8_t ctrl_empty = 0;
constexpr std::uint8_t ctrl_deleted = 4;  // tag 1, kind 0: never equal to an occupied byte
constexpr std::uint8_t kind_mask = 3;
constexpr std::uint8_t kind_boxed = 3;
constexpr std::uint32_t npos = 0xFFFFFFFFU;

inline bool occupied(std::uint8_t c) noexcept {
  return (c & kind_mask) != 0;
}

// The cell's home, from the low 32 bits of the hash (a multiply instead of a modulo, so
// capacities need not be powers of two).
inline std::uint32_t home(std::uint64_t h, std::uint32_t capacity) noexcept {
  return static_cast<std::uint32_t>(
      (static_cast<std::uint64_t>(static_cast<std::uint32_t>(h)) * capacity) >> 32);
}

// Bits 32..37 of the hash, in the high six bits of the control byte.
inline std::uint8_t tag_of(std::uint64_t h) noexcept {
  return static_cast<std::uint8_t>(((h >> 32) & 0x3F) << 2);
}

// The smallest capacity of the ladder 8, 12, 16, 24, ... that holds `live` cells at a load
// of at most 60%.
std::uint32_t capacity_for(std::uint32_t live) noexcept {
  std::uint32_t c = 8;
  while (std::uint64_t{live} * 5 > std::uint64_t{c} * 3) {
    c = (c & (c - 1)) == 0 ? c / 2 * 3 : c / 3 * 4;
  }
  return c;
}

}  // namespace

// Kind 3 of a bag: the key and its objects in insertion order.
struct bag_entry {
  term key;
  std::vector<term>* objects;
};

// One cell: which members are alive is said by the control byte (hash_store.hpp).
struct hash_store::cell {
  union {
    term elems[2];  // kinds 1 and 2: the object's elements; kind 3 of a set: key, object
    bag_entry bag;
  };
  cell() noexcept {}  // NOLINT(modernize-use-equals-default): members start unconstructed
  ~cell() {}          // NOLINT(modernize-use-equals-default): destroy_cell() ends them
  cell(const cell&) = delete;
  cell& operator=(const cell&) = delete;
};
static_assert(sizeof(hash_store::cell) == 32);

struct alignas(64) hash_store::stripe {
  stripe_lock lock;
  // -- guarded by lock --
  bool closed = false;
  std::uint32_t capacity = 0;  // 0: no arrays
  std::uint32_t used = 0;      // occupied cells (keys)
  std::uint32_t deleted = 0;   // cells marked deleted
  cell* cells = nullptr;       // capacity cells, then capacity control bytes
  std::uint8_t* ctrl = nullptr;
  // -- written under lock, read without --
  // Ordering: relaxed everywhere: size() and memory() only need some recent value.
  std::atomic<std::size_t> objects{0};
  std::atomic<std::size_t> bytes{0};  // arrays plus estimate() of boxed objects and bags

  [[nodiscard]] std::size_t array_bytes() const noexcept {
    return std::size_t{capacity} * (sizeof(cell) + 1);
  }
  void add_bytes(std::ptrdiff_t d) noexcept {
    bytes.store(static_cast<std::size_t>(
                    static_cast<std::ptrdiff_t>(bytes.load(std::memory_order_relaxed)) + d),
                std::memory_order_relaxed);
  }
  void add_objects(std::ptrdiff_t d) noexcept {
    objects.store(static_cast<std::size_t>(
                      static_cast<std::ptrdiff_t>(objects.load(std::memory_order_relaxed)) + d),
                  std::memory_order_relaxed);
  }
};

namespace {

// Locks a set of stripes (a bit mask) in increasing order (stripe_lock.hpp, invariant 2).
class stripes_guard {
public:
  stripes_guard(hash_store::stripe* stripes, std::uint64_t mask) noexcept
      : stripes_(stripes), mask_(mask) {
    for (std::uint64_t m = mask_; m != 0; m &= m - 1) {
      stripes_[std::countr_zero(m)].lock.lock();
    }
  }
  ~stripes_guard() {
    for (std::uint64_t m = mask_; m != 0; m &= m - 1) {
      stripes_[std::countr_zero(m)].lock.unlock();
    }
  }
  stripes_guard(const stripes_guard&) = delete;
  stripes_guard& operator=(const stripes_guard&) = delete;

private:
  hash_store::stripe* stripes_;
  std::uint64_t mask_;
};

}  // namespace

static_assert(hash_store::stripe_count <= 64, "stripes_guard keeps one bit per stripe");

hash_store::hash_store(table_type type, std::uint32_t keypos)
    : bag_(type == table_type::bag || type == table_type::duplicate_bag),
      duplicates_(type == table_type::duplicate_bag),
      keypos_(keypos),
      stripes_(std::make_unique<stripe[]>(stripe_count)) {}

hash_store::~hash_store() {
  for (std::size_t i = 0; i < stripe_count; ++i) {
    free_all(stripes_[i]);
  }
}

// -- helpers (the stripe's lock is held) ---------------------------------------------------

hash_store::stripe& hash_store::stripe_of(std::uint64_t h) const noexcept {
  return stripes_[h >> (64 - stripe_bits)];
}

const term& hash_store::key_of(const cell& c, std::uint8_t ctrl) const noexcept {
  const std::uint8_t kind = ctrl & kind_mask;
  return kind == kind_boxed ? c.elems[0] : c.elems[keypos_ - 1];
}

std::uint32_t hash_store::find(const stripe& s, std::uint64_t h, const term& key) const {
  if (s.closed) {
    badarg();
  }
  const std::uint32_t cap = s.capacity;
  if (cap == 0) {
    return npos;
  }
  const std::uint8_t tag = tag_of(h);
  std::uint32_t i = home(h, cap);
  // Both misses at once: the control byte and the cell are found from the hash alone.
  __builtin_prefetch(&s.cells[i]);
  for (std::uint32_t n = 0; n < cap; ++n) {
    const std::uint8_t c = s.ctrl[i];
    if (c == ctrl_empty) {
      return npos;
    }
    if ((c & ~kind_mask) == tag && occupied(c) && key_of(s.cells[i], c) == key) {
      return i;
    }
    if (++i == cap) {
      i = 0;
    }
  }
  return npos;
}

std::size_t hash_store::estimate(const term& object) noexcept {
  // A tuple's block (reference count and vector) plus its elements.
  return 32 + sizeof(term) * object.size();
}

// Constructs cell i (free) from `object`.
void hash_store::fill(stripe& s, std::uint32_t i, std::uint64_t h, const term& object) {
  cell& c = s.cells[i];
  const std::size_t arity = object.size();
  std::uint8_t kind = kind_boxed;
  if (bag_) {
    auto objects = std::make_unique<std::vector<term>>(1, object);
    std::construct_at(&c.bag.key, object[keypos_ - 1]);
    c.bag.objects = objects.release();
    s.add_bytes(static_cast<std::ptrdiff_t>(sizeof(std::vector<term>) + estimate(object)));
  } else if (arity <= 2) {
    for (std::size_t e = 0; e < arity; ++e) {
      std::construct_at(&c.elems[e], object[e]);
    }
    kind = static_cast<std::uint8_t>(arity);
  } else {
    std::construct_at(&c.elems[0], object[keypos_ - 1]);
    std::construct_at(&c.elems[1], object);
    s.add_bytes(static_cast<std::ptrdiff_t>(estimate(object)));
  }
  s.ctrl[i] = static_cast<std::uint8_t>(tag_of(h) | kind);
  s.add_objects(1);
}

void hash_store::destroy_cell(stripe& s, std::uint32_t i) noexcept {
  cell& c = s.cells[i];
  const std::uint8_t kind = s.ctrl[i] & kind_mask;
  if (kind == kind_boxed) {
    if (bag_) {
      std::size_t bytes = sizeof(std::vector<term>);
      for (const term& o : *c.bag.objects) {
        bytes += estimate(o);
      }
      s.add_objects(-static_cast<std::ptrdiff_t>(c.bag.objects->size()));
      s.add_bytes(-static_cast<std::ptrdiff_t>(bytes));
      delete c.bag.objects;
      std::destroy_at(&c.bag.key);
      return;
    }
    s.add_bytes(-static_cast<std::ptrdiff_t>(estimate(c.elems[1])));
  }
  for (std::uint8_t e = 0; e < (kind == kind_boxed ? 2 : kind); ++e) {
    std::destroy_at(&c.elems[e]);
  }
  s.add_objects(-1);
}

// Frees cell i and marks it deleted (or empty, when no probe sequence can pass it: the next
// cell is empty).
void hash_store::remove_cell(stripe& s, std::uint32_t i) noexcept {
  destroy_cell(s, i);
  const std::uint32_t next = i + 1 == s.capacity ? 0 : i + 1;
  if (s.ctrl[next] == ctrl_empty) {
    s.ctrl[i] = ctrl_empty;
  } else {
    s.ctrl[i] = ctrl_deleted;
    ++s.deleted;
  }
  --s.used;
  maybe_shrink(s);
}

void hash_store::free_all(stripe& s) noexcept {
  for (std::uint32_t i = 0; i < s.capacity; ++i) {
    if (occupied(s.ctrl[i])) {
      destroy_cell(s, i);
    }
  }
  s.add_bytes(-static_cast<std::ptrdiff_t>(s.array_bytes()));
  big_free(s.cells, s.array_bytes());
  s.cells = nullptr;
  s.ctrl = nullptr;
  s.capacity = 0;
  s.used = 0;
  s.deleted = 0;
}

void hash_store::rehash(stripe& s, std::uint32_t capacity) {
  const std::size_t bytes = std::size_t{capacity} * (sizeof(cell) + 1);
  auto* cells = static_cast<cell*>(big_alloc(bytes));  // zeroed: every control byte empty
  auto* ctrl = reinterpret_cast<std::uint8_t*>(cells + capacity);
  for (std::uint32_t i = 0; i < s.capacity; ++i) {
    const std::uint8_t c = s.ctrl[i];
    if (!occupied(c)) {
      continue;
    }
    cell& from = s.cells[i];
    const std::uint64_t h = hash_term(key_of(from, c));
    std::uint32_t j = home(h, capacity);
    while (ctrl[j] != ctrl_empty) {
      j = j + 1 == capacity ? 0 : j + 1;
    }
    cell& to = cells[j];
    const std::uint8_t kind = c & kind_mask;
    if (kind == kind_boxed && bag_) {
      std::construct_at(&to.bag.key, std::move(from.bag.key));
      std::destroy_at(&from.bag.key);
      to.bag.objects = from.bag.objects;
    } else {
      for (std::uint8_t e = 0; e < (kind == kind_boxed ? 2 : kind); ++e) {
        std::construct_at(&to.elems[e], std::move(from.elems[e]));
        std::destroy_at(&from.elems[e]);
      }
    }
    ctrl[j] = c;  // same hash, same tag
  }
  s.add_bytes(static_cast<std::ptrdiff_t>(bytes) - static_cast<std::ptrdiff_t>(s.array_bytes()));
  big_free(s.cells, s.array_bytes());
  s.cells = cells;
  s.ctrl = ctrl;
  s.capacity = capacity;
  s.deleted = 0;
}

void hash_store::reserve_one(stripe& s) {
  if ((std::uint64_t{s.used} + s.deleted + 1) * 5 > std::uint64_t{s.capacity} * 4) {
    rehash(s, capacity_for(s.used + 1));
  }
}

void hash_store::maybe_shrink(stripe& s) noexcept {
  if (s.capacity <= 64 || std::uint64_t{s.used} * 10 >= s.capacity) {
    return;
  }
  if (s.used == 0) {
    free_all(s);
    return;
  }
  try {
    rehash(s, capacity_for(s.used));
  } catch (const std::bad_alloc&) {
    // Shrinking is an optimisation: without memory for the new arrays, keep the old ones.
  }
}

// Inserts `object` into s (locked), by the rules of the table type.
void hash_store::put(stripe& s, std::uint64_t h, const term& object) {
  const term& key = object[keypos_ - 1];
  const std::uint32_t i = find(s, h, key);
  if (i != npos) {
    if (bag_) {
      std::vector<term>& objects = *s.cells[i].bag.objects;
      if (!duplicates_ && std::find(objects.begin(), objects.end(), object) != objects.end()) {
        return;  // a bag keeps one copy, at its first position
      }
      objects.push_back(object);
      s.add_objects(1);
      s.add_bytes(static_cast<std::ptrdiff_t>(estimate(object)));
      return;
    }
    destroy_cell(s, i);  // a set replaces the object (same key: same tag)
    fill(s, i, h, object);
    return;
  }
  reserve_one(s);
  std::uint32_t j = home(h, s.capacity);
  while (occupied(s.ctrl[j])) {
    j = j + 1 == s.capacity ? 0 : j + 1;
  }
  if (s.ctrl[j] == ctrl_deleted) {
    --s.deleted;
  }
  fill(s, j, h, object);
  ++s.used;
}

void hash_store::visit_cell(const stripe& s, std::uint32_t i,
                            function_ref<void(const object_view&)> visit) const {
  const cell& c = s.cells[i];
  const std::uint8_t kind = s.ctrl[i] & kind_mask;
  if (kind != kind_boxed) {
    visit(object_view{std::span<const term>(c.elems, kind), nullptr});
  } else if (bag_) {
    for (const term& o : *c.bag.objects) {
      visit(object_view{o.elements(), &o});
    }
  } else {
    visit(object_view{c.elems[1].elements(), &c.elems[1]});
  }
}

// Removes from the bag cell i the objects equal to `object` (the first one only if `one`);
// removes the cell when it empties. Returns how many were removed.
std::size_t hash_store::remove_equal(stripe& s, std::uint32_t i, const term& object, bool one) {
  std::vector<term>& objects = *s.cells[i].bag.objects;
  std::size_t removed = 0;
  for (auto it = objects.begin(); it != objects.end();) {
    if (*it == object) {
      it = objects.erase(it);
      ++removed;
      if (one) {
        break;
      }
    } else {
      ++it;
    }
  }
  if (removed != 0) {
    s.add_objects(-static_cast<std::ptrdiff_t>(removed));
    s.add_bytes(-static_cast<std::ptrdiff_t>(removed * estimate(object)));
    if (objects.empty()) {
      remove_cell(s, i);
    }
  }
  return removed;
}

// -- reads -----------------------------------------------------------------------------------

void hash_store::lookup(const term& key, std::vector<term>& out) const {
  const std::uint64_t h = hash_term(key);
  const stripe& s = stripe_of(h);
  read_guard g(s.lock);
  const std::uint32_t i = find(s, h, key);
  if (i == npos) {
    return;
  }
  const cell& c = s.cells[i];
  const std::uint8_t kind = s.ctrl[i] & kind_mask;
  if (kind != kind_boxed) {
    out.push_back(term::tuple(std::vector<term>(c.elems, c.elems + kind)));
  } else if (bag_) {
    out.insert(out.end(), c.bag.objects->begin(), c.bag.objects->end());
  } else {
    out.push_back(c.elems[1]);
  }
}

bool hash_store::member(const term& key) const {
  const std::uint64_t h = hash_term(key);
  const stripe& s = stripe_of(h);
  read_guard g(s.lock);
  return find(s, h, key) != npos;
}

bool hash_store::scan(scan_cursor& c, bool /*reverse: same order*/,
                      function_ref<void(const object_view&)> visit) const {
  while (c.stripe < stripe_count) {
    const stripe& s = stripes_[c.stripe++];
    read_guard g(s.lock);
    if (s.closed) {
      badarg();
    }
    if (s.used == 0) {
      continue;
    }
    for (std::uint32_t i = 0; i < s.capacity; ++i) {
      if (occupied(s.ctrl[i])) {
        visit_cell(s, i, visit);
      }
    }
    return true;
  }
  c.done = true;
  return false;
}

std::optional<term> hash_store::first() const {
  for (std::size_t si = 0; si < stripe_count; ++si) {
    const stripe& s = stripes_[si];
    read_guard g(s.lock);
    if (s.closed) {
      badarg();
    }
    for (std::uint32_t i = 0; i < s.capacity; ++i) {
      if (occupied(s.ctrl[i])) {
        return key_of(s.cells[i], s.ctrl[i]);
      }
    }
  }
  return std::nullopt;
}

std::optional<term> hash_store::next(const term& key) const {
  const std::uint64_t h = hash_term(key);
  std::size_t si = h >> (64 - stripe_bits);
  {
    const stripe& s = stripes_[si];
    read_guard g(s.lock);
    const std::uint32_t i = find(s, h, key);
    if (i == npos) {
      badarg();  // as Erlang: next() of a key that is not in a set, bag or duplicate_bag
    }
    for (std::uint32_t j = i + 1; j < s.capacity; ++j) {
      if (occupied(s.ctrl[j])) {
        return key_of(s.cells[j], s.ctrl[j]);
      }
    }
  }
  for (++si; si < stripe_count; ++si) {
    const stripe& s = stripes_[si];
    read_guard g(s.lock);
    if (s.closed) {
      badarg();
    }
    for (std::uint32_t j = 0; j < s.capacity; ++j) {
      if (occupied(s.ctrl[j])) {
        return key_of(s.cells[j], s.ctrl[j]);
      }
    }
  }
  return std::nullopt;
}

std::size_t hash_store::size() const noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < stripe_count; ++i) {
    n += stripes_[i].objects.load(std::memory_order_relaxed);
  }
  return n;
}

std::size_t hash_store::memory() const noexcept {
  std::size_t n = sizeof(*this) + stripe_count * sizeof(stripe);
  for (std::size_t i = 0; i < stripe_count; ++i) {
    n += stripes_[i].bytes.load(std::memory_order_relaxed);
  }
  return n;
}

// -- writes ----------------------------------------------------------------------------------

void hash_store::insert(std::span<const term> objects) {
  if (objects.size() == 1) {
    const std::uint64_t h = hash_term(objects[0][keypos_ - 1]);
    stripe& s = stripe_of(h);
    write_guard g(s.lock);
    put(s, h, objects[0]);
    return;
  }
  std::vector<std::uint64_t> hashes(objects.size());
  std::uint64_t mask = 0;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    hashes[i] = hash_term(objects[i][keypos_ - 1]);
    mask |= std::uint64_t{1} << (hashes[i] >> (64 - stripe_bits));
  }
  stripes_guard g(stripes_.get(), mask);
  for (std::uint64_t m = mask; m != 0; m &= m - 1) {
    if (stripes_[std::countr_zero(m)].closed) {
      badarg();
    }
  }
  // A bag takes a list's objects last to first, as the BEAM does (objects.hpp).
  for (std::size_t n = 0; n < objects.size(); ++n) {
    const std::size_t i = bag_ && !duplicates_ ? objects.size() - 1 - n : n;
    put(stripe_of(hashes[i]), hashes[i], objects[i]);
  }
}

bool hash_store::insert_new(std::span<const term> objects) {
  std::vector<std::uint64_t> hashes(objects.size());
  std::uint64_t mask = 0;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    hashes[i] = hash_term(objects[i][keypos_ - 1]);
    mask |= std::uint64_t{1} << (hashes[i] >> (64 - stripe_bits));
  }
  stripes_guard g(stripes_.get(), mask);
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (find(stripe_of(hashes[i]), hashes[i], objects[i][keypos_ - 1]) != npos) {
      return false;
    }
  }
  for (std::size_t n = 0; n < objects.size(); ++n) {
    const std::size_t i = bag_ && !duplicates_ ? objects.size() - 1 - n : n;
    put(stripe_of(hashes[i]), hashes[i], objects[i]);
  }
  return true;
}

void hash_store::erase(const term& key, std::vector<term>* taken) {
  const std::uint64_t h = hash_term(key);
  stripe& s = stripe_of(h);
  write_guard g(s.lock);
  const std::uint32_t i = find(s, h, key);
  if (i == npos) {
    return;
  }
  if (taken != nullptr) {
    visit_cell(s, i, [taken](const object_view& v) { taken->push_back(v.to_term()); });
  }
  remove_cell(s, i);
}

void hash_store::erase_object(const term& object) {
  const std::uint64_t h = hash_term(object[keypos_ - 1]);
  stripe& s = stripe_of(h);
  write_guard g(s.lock);
  const std::uint32_t i = find(s, h, object[keypos_ - 1]);
  if (i == npos) {
    return;
  }
  if (bag_) {
    (void)remove_equal(s, i, object, !duplicates_);
    return;
  }
  bool same = false;
  visit_cell(s, i, [&](const object_view& v) {
    same = v.whole != nullptr ? *v.whole == object
                              : std::equal(v.elements.begin(), v.elements.end(),
                                           object.elements().begin(), object.elements().end());
  });
  if (same) {
    remove_cell(s, i);
  }
}

std::size_t hash_store::erase_each(std::span<const term> objects) {
  std::size_t removed = 0;
  for (const term& object : objects) {
    const std::uint64_t h = hash_term(object[keypos_ - 1]);
    stripe& s = stripe_of(h);
    write_guard g(s.lock);
    const std::uint32_t i = find(s, h, object[keypos_ - 1]);
    if (i == npos) {
      continue;
    }
    if (bag_) {
      removed += remove_equal(s, i, object, true);
      continue;
    }
    bool same = false;
    visit_cell(s, i, [&](const object_view& v) {
      same = v.whole != nullptr ? *v.whole == object
                                : std::equal(v.elements.begin(), v.elements.end(),
                                             object.elements().begin(), object.elements().end());
    });
    if (same) {
      remove_cell(s, i);
      ++removed;
    }
  }
  return removed;
}

bool hash_store::update(const term& key, const term* default_object,
                        function_ref<void(std::span<term>)> f) {
  const std::uint64_t h = hash_term(key);
  stripe& s = stripe_of(h);
  write_guard g(s.lock);
  const std::uint32_t i = find(s, h, key);
  if (i == npos) {
    if (default_object == nullptr) {
      return false;
    }
    std::vector<term> elements(default_object->elements().begin(),
                               default_object->elements().end());
    f(elements);
    put(s, h, term::tuple(std::move(elements)));
    return true;
  }
  cell& c = s.cells[i];
  const std::uint8_t kind = s.ctrl[i] & kind_mask;
  if (kind != kind_boxed) {
    f(std::span<term>(c.elems, kind));  // in place: f validates before it writes
    return true;
  }
  std::vector<term> elements(c.elems[1].elements().begin(), c.elems[1].elements().end());
  f(elements);
  c.elems[1] = term::tuple(std::move(elements));
  return true;
}

void hash_store::clear() {
  stripes_guard g(stripes_.get(), ~std::uint64_t{0} >> (64 - stripe_count));
  for (std::size_t i = 0; i < stripe_count; ++i) {
    if (stripes_[i].closed) {
      badarg();
    }
  }
  for (std::size_t i = 0; i < stripe_count; ++i) {
    free_all(stripes_[i]);
  }
}

void hash_store::close() noexcept {
  stripes_guard g(stripes_.get(), ~std::uint64_t{0} >> (64 - stripe_count));
  for (std::size_t i = 0; i < stripe_count; ++i) {
    free_all(stripes_[i]);
    stripes_[i].closed = true;
  }
}

}  // namespace otter::ets::detail
