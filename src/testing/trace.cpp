#include "otter/testing/trace.hpp"

#include "otter/core/exit.hpp"
#include "otter/core/process.hpp"
#include "otter/core/process_info.hpp"
#include "otter/core/receive.hpp"

#include <algorithm>
#include <sstream>
#include <typeinfo>

namespace otter::testing {

pid trace::name(pid p, std::string name) {
  std::lock_guard<std::mutex> lock(mu_);
  pids_[p] = std::move(name);
  return p;
}

ref trace::name(ref r, std::string name) {
  std::lock_guard<std::mutex> lock(mu_);
  refs_[r] = std::move(name);
  return r;
}

std::string trace::pid_name(pid p) {
  auto it = pids_.find(p);
  if (it != pids_.end()) {
    return it->second;
  }
  std::string n = "pid" + std::to_string(++next_pid_);
  pids_.emplace(p, n);
  return n;
}

std::string trace::ref_name(ref r) {
  auto it = refs_.find(r);
  if (it != refs_.end()) {
    return it->second;
  }
  std::string n = "ref" + std::to_string(++next_ref_);
  refs_.emplace(r, n);
  return n;
}

std::string trace::print(const term& t) {
  std::lock_guard<std::mutex> lock(mu_);
  term_printer printer{[this](pid p) { return pid_name(p); },
                       [this](ref r) {
                         return ref_name(r);
                       }};
  return to_string(t, printer);
}

void trace::log(std::string_view label, const term& t) {
  std::string printed = print(t);
  std::lock_guard<std::mutex> lock(mu_);
  if (!ended_) {
    lines_.push_back(std::string(label) + ": " + printed);
  }
}

log_capture::log_capture(trace& t)
    : previous_(set_log_sink([&t](const log_event& e) {
        // The suite's handler prints reports only: OTP's free-text lines (format strings)
        // print nothing.
        if (e.level != log_level::error || e.kind == "message") {
          return;
        }
        std::string line = "LOG[error] " + e.kind;
        for (const auto& [key, value] : e.fields) {
          if (e.kind == "report" && key != "label") {
            continue;  // the suite prints a generic report by its label alone
          }
          line += " " + key + "=" + t.print(value);
        }
        t.log(line);
      })) {}

log_capture::~log_capture() {
  set_log_sink(std::move(previous_));
}

void trace::log(std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!ended_) {
    lines_.emplace_back(line);
  }
  if (line == "end") {
    ended_ = true;
  }
}

std::string trace::text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& l : lines_) {
    out += l;
    out += '\n';
  }
  return out;
}

bool same_trace(std::string_view expected, std::string_view actual, std::string* diff) {
  if (expected == actual) {
    return true;
  }
  auto split = [](std::string_view s) {
    std::vector<std::string> lines;
    std::string cur;
    for (char c : s) {
      if (c == '\n') {
        lines.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) {
      lines.push_back(cur);
    }
    return lines;
  };
  auto e = split(expected);
  auto a = split(actual);
  if (diff != nullptr) {
    std::ostringstream out;
    std::size_t n = std::max(e.size(), a.size());
    bool marked = false;
    out << "trace differs (- expected, + actual):\n";
    for (std::size_t i = 0; i < n; ++i) {
      const std::string* el = i < e.size() ? &e[i] : nullptr;
      const std::string* al = i < a.size() ? &a[i] : nullptr;
      if (el != nullptr && al != nullptr && *el == *al) {
        out << "  " << *el << '\n';
        continue;
      }
      if (!marked) {
        out << "  ^^^ first difference at line " << (i + 1) << '\n';
        marked = true;
      }
      if (el != nullptr) {
        out << "- " << *el << '\n';
      }
      if (al != nullptr) {
        out << "+ " << *al << '\n';
      }
    }
    *diff = out.str();
  }
  return false;
}

co<term> recv(std::int64_t timeout_ms) {
  auto m = co_await receive_any(timeout_ms);
  co_return m ? m->to_term() : term(atoms::no_message);
}

co<term> flush() {
  std::vector<term> out;
  for (;;) {
    auto m = co_await receive_any(0);
    if (!m) {
      break;
    }
    out.push_back(m->to_term());
  }
  co_return term::list(std::move(out));
}

term mailbox() {
  return term::list(self_info().messages);
}

co<term> wait_down(pid p, std::int64_t timeout_ms) {
  ref r = monitor(p);
  co_return co_await receive(on<down_msg>([r](const down_msg& d) { return d.monitor == r; },
                                          [](down_msg& d) { return d.reason; }),
                             after(timeout_ms, [] { return term(atom("still_alive")); }));
}

co<term> links(trace& t, pid p) {
  auto info = co_await process_info(p);
  if (!info) {
    co_return term(atom("dead"));
  }
  std::vector<std::pair<std::string, pid>> named;
  for (pid l : info->links) {
    named.emplace_back(t.print(term(l)), l);
  }
  std::sort(named.begin(), named.end());
  std::vector<term> out;
  for (auto& [n, l] : named) {
    out.emplace_back(l);
  }
  co_return term::list(std::move(out));
}

co<term> eventually(std::function<co<term>()> f, int tries) {
  for (;;) {
    term v = co_await f();
    bool falsy = v.is(atoms::nil) || v.is(atoms::false_);
    if (!falsy || tries <= 0) {
      co_return v;
    }
    --tries;
    co_await sleep(10);
  }
}

co<term> catching(std::function<co<term>()> f) {
  try {
    term v = co_await f();
    co_return tuple(atoms::ok, v);
  } catch (const exit_exception& e) {
    co_return tuple(atom("exit"), e.reason());
  } catch (const error_exception& e) {
    co_return tuple(atoms::error, e.reason());
  } catch (const throw_exception& e) {
    co_return tuple(atom("throw"), e.value());
  } catch (const std::exception&) {
    // The suite reduces a raised exception to its module: {:error, ArgumentError}.
    term reason = exit_reason_of(std::current_exception());
    co_return tuple(atoms::error, atom("Elixir." + std::string(reason[0].struct_name())));
  }
}

}  // namespace otter::testing
