// src/core/process/inbox.hpp: the sender side of a mailbox: an intrusive lock-free MPSC queue
// (Vyukov's), with the stub node embedded.
//
// Thread roles
//   producers: any thread: push()
//   consumer : the thread currently running the owning process: pop()
//   anyone   : pending()
//
// Invariants
//   (1) Pushes from one thread are popped in push order (the exchange on tail_ orders them).
//   (2) pop() returns nullptr when the queue is empty OR when a producer has swapped tail_ but
//       not yet linked its node (a window of two instructions). In the second case either
//       pending() is true (the tail is not the stub) or unconsumed() is (pop() re-inserted the
//       stub behind the half-linked node); the park protocol checks both
//       (docs/design/scheduler.md#park): the consumer never sleeps with a node it cannot see yet,
//       because that producer will see the process waiting after it links the node, and wake it.

#pragma once

#include "otter/core/message.hpp"

#include <atomic>

namespace otter::detail {

class inbox {
public:
  inbox() noexcept : stub_(node_kind::message), head_(&stub_), tail_(&stub_) {}
  inbox(const inbox&) = delete;
  inbox& operator=(const inbox&) = delete;

  /// @threadsafe
  void push(node* n) noexcept {
    n->next.store(nullptr, std::memory_order_relaxed);
    // Ordering: seq_cst (at least acq_rel): release publishes *n to the consumer that later reads
    // prev->next; acquire orders us after the previous producer's exchange (FIFO per producer).
    node* prev = tail_.exchange(n, std::memory_order_seq_cst);
    // Ordering: release pairs with the acquire load of `next` in pop().
    prev->next.store(n, std::memory_order_release);
  }

  /// @owner
  node* pop() noexcept {
    node* head = head_;
    node* next = head->next.load(std::memory_order_acquire);
    if (head == &stub_) {
      if (next == nullptr) {
        return nullptr;
      }
      head_ = next;
      head = next;
      next = next->next.load(std::memory_order_acquire);
    }
    if (next != nullptr) {
      head_ = next;
      return head;
    }
    // head is the last node we can see; if it is also the tail, re-insert the stub behind it
    // so that head can be handed out.
    if (head != tail_.load(std::memory_order_acquire)) {
      return nullptr;  // a producer is between its exchange and its link (invariant 2)
    }
    push(&stub_);
    next = head->next.load(std::memory_order_acquire);
    if (next != nullptr) {
      head_ = next;
      return head;
    }
    return nullptr;
  }

  /// True when the consumer side still holds a node pop() could not hand out (a producer was
  /// between its exchange and its link when pop() re-inserted the stub). pending() cannot see
  /// that case, because the tail is the stub again. @owner
  [[nodiscard]] bool unconsumed() const noexcept { return head_ != &stub_; }

  /// True when something was pushed that pop() has not returned yet, or is about to be linked.
  /// Reads only the atomic tail, so any thread may ask: an empty inbox always has the stub as
  /// its tail (pop() re-inserts the stub before handing out the last node). @threadsafe
  [[nodiscard]] bool pending() const noexcept {
    // Ordering: seq_cst pairs with the seq_cst exchange in push() and the seq_cst state
    // store/load of the park protocol (Dekker: either the parking consumer sees the node, or
    // the producer sees the process waiting).
    return tail_.load(std::memory_order_seq_cst) != &stub_;
  }

private:
  node stub_;
  node* head_;  // consumer only
  std::atomic<node*> tail_;
};

}  // namespace otter::detail
