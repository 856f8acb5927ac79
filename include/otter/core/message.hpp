// otter/core/message.hpp: what travels through a mailbox.
//
// Any movable C++ type is a message: send(pid, value) moves the value into a node that the
// receiver owns once it is taken out of its mailbox. Node kinds other than `message` are the
// signals of the runtime (link, exit, monitor, DOWN, ...); they share the mailbox queue so that
// everything one process sends to another arrives in send order (docs/design/signals.md).
//
// The runtime's own messages are plain structs: exit_msg (`{:EXIT, from, reason}`, received
// when trapping exits), down_msg (`{:DOWN, ref, :process, object, reason}`) and timer_msg<T>
// (`{:timeout, ref, msg}`, from start_timer). Each converts to a term for printing.
//
// Thread safety: a message (and a node) belongs to one thread at a time; the mailbox hands
// ownership over.

#pragma once

#include "otter/core/term.hpp"
#include "otter/detail/small_alloc.hpp"

#include <atomic>
#include <concepts>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace otter {

/// Received when trapping exits: `{:EXIT, from, reason}`.
struct exit_msg {
  pid from;
  term reason;
  [[nodiscard]] term to_term() const { return tuple(atoms::EXIT, from, reason); }
};

/// A monitor fired: `{:DOWN, monitor, :process, object, reason}`. `object` is the pid, or
/// `{name, :nonode@nohost}` when the monitor was taken on a registered name.
struct down_msg {
  ref monitor;
  term object;
  term reason;
  [[nodiscard]] term to_term() const {
    return tuple(atoms::DOWN, monitor, atoms::process, object, reason);
  }
};

/// Sent by start_timer: `{:timeout, timer, msg}`.
template <class T>
struct timer_msg {
  ref timer;
  T msg;
  [[nodiscard]] term to_term() const;
};

/// A type may be sent when it can be moved; references and arrays are not messages.
template <class T>
concept message_type = std::is_object_v<T> && !std::is_array_v<
                           T> && std::move_constructible<T> && std::destructible<T>;

namespace detail {

/// A unique address per type: cheaper than typeid comparisons on the receive path.
template <class T>
struct type_tag {
  static constexpr char id = 0;
};
template <class T>
constexpr const void* type_id() noexcept {
  return &type_tag<std::remove_cvref_t<T>>::id;
}

/// `#Message<type>`: how a value of a type without a term form prints, with the type's C++
/// name demangled (`#Message<shop::cart::add>`).
[[nodiscard]] term opaque_message(const std::type_info& type);

/// Converts a value to a term for printing: terms as they are, types with to_term() through
/// it, anything else as an opaque `#Message<type>`.
template <class T>
term as_term(const T& v) {
  if constexpr (std::is_same_v<T, term>) {
    return v;
  } else if constexpr (std::is_constructible_v<term, const T&>) {
    return term(v);
  } else if constexpr (requires { v.to_term(); }) {
    return v.to_term();
  } else {
    return opaque_message(typeid(T));
  }
}

enum class node_kind : std::uint8_t {
  message,          // payload_node<T>: an ordinary message
  link,             // signal_node: `from` links to the receiver
  unlink,           // signal_node: `from` removes its link
  exit_linked,      // payload_node<exit_msg>: a linked process died
  exit_explicit,    // payload_node<exit_msg>: exit(pid, reason)
  monitor,          // signal_node: `from` monitors the receiver under `tag` (by `name` if set)
  demonitor,        // signal_node: monitor `tag` is gone
  down,             // payload_node<down_msg>: a monitored process died
  receive_timeout,  // signal_node: the receive numbered `seq` timed out
  wake,             // signal_node: a blocking call finished
  info_request,     // signal_node: `from` asks for process_info, answer tagged `tag`
  terminate,        // payload_node<exit_msg>: runtime shutdown, untrappable
  alias_message,    // alias_node<T>: a message sent to an alias; dropped once it is inactive
  call_message,     // a message whose sender also monitors the receiver under call_of().tag
  reply_message,    // alias_node<T>: an alias_message that also ends a call's monitor (below)
};

/// The caller of a call request and the ref it waits under: its reply alias and the ref of
/// its monitor of the server (OTP's `monitor(process, Server, [{alias, demonitor}])`).
///
/// A call sends its request as a `call_message`, so that the monitor travels in the request
/// instead of in a signal of its own; the server records the watcher as it takes the request.
/// When the server itself replies to that alias, send_node() drops the server's watcher and
/// sends the reply as a `reply_message`; accepting it drops the caller's monitor too, so the
/// caller's demonitor afterwards finds nothing to tell the server. A call is then one signal
/// each way, where monitor, request, reply and demonitor took four.
struct call_return {
  pid caller;
  ref tag;
};

/// A mailbox node. `next` links it in the sender-side queue (atomic) and later in the
/// receiver's private queue (owner only).
struct node {
  std::atomic<node*> next{nullptr};
  node_kind kind;
  const void* type = nullptr;  // type_id<T>() of the payload, for messages

  explicit node(node_kind k, const void* t = nullptr) noexcept : kind(k), type(t) {}
  // Nodes come from the per-thread caches of small_alloc.hpp; the sized delete receives the
  // dynamic type's size through the virtual destructor.
  static void* operator new(std::size_t size) { return small_alloc(size); }
  static void operator delete(void* p, std::size_t size) noexcept { small_free(p, size); }
  // A payload aligned above operator new's guarantee (16 bytes) bypasses the caches, whose
  // blocks have no more than that.
  static void* operator new(std::size_t size, std::align_val_t al) {
    return ::operator new(size, al);
  }
  static void operator delete(void* p, std::size_t /*size*/, std::align_val_t al) noexcept {
    ::operator delete(p, al);  // the unsized form: clang does not enable sized deallocation
  }
  node(const node&) = delete;
  node& operator=(const node&) = delete;
  virtual ~node() = default;
  /// The payload as a term (for printing and process_info(:messages)).
  [[nodiscard]] virtual term to_term() const { return term::opaque("#Signal"); }
  /// The payload's C++ type name (for diagnostics).
  [[nodiscard]] virtual const char* type_name() const noexcept { return "signal"; }
  /// The alias an alias_message was sent to (the null ref for other nodes).
  [[nodiscard]] virtual ref alias_tag() const noexcept { return {}; }
  /// Who waits for the answer, for a node sent as a call_message (null for other nodes).
  [[nodiscard]] virtual call_return call_of() const noexcept { return {}; }
};

template <class T>
struct payload_node : node {
  T value;
  template <class... A>
  explicit payload_node(node_kind k, A&&... args)
      : node(k, type_id<T>()), value(std::forward<A>(args)...) {}
  [[nodiscard]] term to_term() const override { return as_term(value); }
  [[nodiscard]] const char* type_name() const noexcept override { return typeid(T).name(); }
};

/// A message sent to an alias of the receiver (see process.hpp, alias()). It is a payload node
/// of T, so receive matches it as one once drain() has accepted it.
template <class T>
struct alias_node final : payload_node<T> {
  ref alias;
  template <class... A>
  explicit alias_node(ref a, A&&... args)
      : payload_node<T>(node_kind::alias_message, std::forward<A>(args)...), alias(a) {}
  [[nodiscard]] ref alias_tag() const noexcept override { return alias; }
};

/// A call request of type T that is not itself a node type naming its caller (see
/// call_return): send it with send_call().
template <class T>
struct call_node final : payload_node<T> {
  call_return call;
  template <class... A>
  explicit call_node(call_return c, A&&... args)
      : payload_node<T>(node_kind::message, std::forward<A>(args)...), call(c) {}
  [[nodiscard]] call_return call_of() const noexcept override { return call; }
};

struct signal_node final : node {
  pid from;
  ref tag;
  atom name;
  bool by_name = false;
  std::uint64_t seq = 0;
  explicit signal_node(node_kind k) noexcept : node(k) {}
};

struct node_deleter {
  void operator()(node* n) const noexcept { delete n; }
};
using node_ptr = std::unique_ptr<node, node_deleter>;

template <class T>
node_ptr make_message_node(T&& value) {
  using V = std::remove_cvref_t<T>;
  return node_ptr(new payload_node<V>(node_kind::message, std::forward<T>(value)));
}

}  // namespace detail

/// A received message of any type (what receive_any() returns).
class message {
public:
  message() noexcept = default;
  explicit message(detail::node_ptr n) noexcept : node_(std::move(n)) {}

  template <class T>
  [[nodiscard]] bool is() const noexcept {
    return node_ && node_->type == detail::type_id<T>();
  }
  /// The payload. @pre is<T>()
  template <class T>
  [[nodiscard]] T& get() {
    return static_cast<detail::payload_node<T>*>(node_.get())->value;
  }
  [[nodiscard]] term to_term() const { return node_ ? node_->to_term() : term(); }
  [[nodiscard]] explicit operator bool() const noexcept { return node_ != nullptr; }

private:
  detail::node_ptr node_;
};

template <class T>
term timer_msg<T>::to_term() const {
  return tuple(atoms::timeout, timer, detail::as_term(msg));
}

}  // namespace otter
