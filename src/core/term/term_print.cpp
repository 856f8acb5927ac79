// Printing terms in the trace format of the conformance suite: Elixir's `inspect` on one line.
//
// What follows Elixir (Inspect, Macro.inspect_atom, Code.Identifier.escape, String.printable?):
//   - atoms: nil, true and false bare; "Elixir" and "Elixir.<Alias>" as the alias (`Foo.Bar`);
//     a name matching [a-zA-Z_][a-zA-Z0-9_@]*[?!]? as `:name`; any other name as `:"name"`,
//     escaped as strings are;
//   - integers in decimal; floats as Elixir's Inspect.Float: an integral value with
//     1.0 <= |x| < 1.0e16 as its digits and ".0", anything else as Erlang's shortest round-trip
//     form (io_lib_format:fwrite_g: `0.5`, `0.0001`, `1.2e-4`, `1.0e20`, scientific from 2^53
//     on); checked against Elixir 1.14 / OTP 24 on some 5000 doubles;
//   - binaries that are printable UTF-8 (String.printable?) as `"text"`, escaping `"`, `\`,
//     `#{` and \a \b \d \e \f \n \r \t \v; other binaries as `<<1, 2, 3>>`;
//   - tuples `{a, b}`, lists `[a, b]`, maps `%{k => v}` with keys in map key order, structs
//     `%Name{field: value}` with fields in name order (a field that needs quotes prints as
//     `"a b": 1`). As the trace format requires (T.f/1), keyword lists print as lists of
//     tuples `[{:a, 1}]` and maps with atom keys as `%{:a => 1}`: no keyword shorthand;
//   - pids `#PID<0.index.generation>`, refs `#Ref<0.0.0.id>`, or the names a term_printer gives;
//     opaques as their text.
// Deliberate differences: no width, limit or printable_limit (everything on one line, nothing
// elided); lists of integers never print as charlists (`~c"..."`); operator atoms (`:+`) and
// non-ASCII identifiers are quoted; floats that Erlang cannot hold print as nan, inf, -inf.

#include "otter/core/message.hpp"
#include "otter/core/term.hpp"

#include <cxxabi.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>

namespace otter {
namespace {

constexpr std::string_view elixir_prefix = "Elixir.";

bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_word(char c) {
  return is_lower(c) || is_upper(c) || is_digit(c) || c == '_';
}

// [a-zA-Z_][a-zA-Z0-9_@]*[?!]?
bool is_identifier(std::string_view s) {
  if (s.empty() || !(is_lower(s[0]) || is_upper(s[0]) || s[0] == '_')) {
    return false;
  }
  if (s.back() == '?' || s.back() == '!') {
    s.remove_suffix(1);
  }
  for (const char c : s.substr(1)) {
    if (!is_word(c) && c != '@') {
      return false;
    }
  }
  return true;
}

// One or more segments [A-Z][a-zA-Z0-9_]* separated by dots.
bool is_alias(std::string_view s) {
  while (true) {
    const auto dot = s.find('.');
    const auto segment = s.substr(0, dot);
    if (segment.empty() || !is_upper(segment[0])) {
      return false;
    }
    for (const char c : segment) {
      if (!is_word(c)) {
        return false;
      }
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    s.remove_prefix(dot + 1);
  }
}

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 if the bytes there are not
// valid UTF-8 (truncated, overlong, a surrogate or beyond U+10FFFF).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(s[k]);
  };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    cp = lead;
    return 1;
  }
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1F;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0F;
    min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return length;
}

bool is_printable_code_point(char32_t cp) {
  return (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD)
         || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// String.printable?: printable ASCII, the escapable controls, and the printable code points.
bool is_printable(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c >= 0x20 && c <= 0x7E)
        || std::string_view("\n\r\t\v\b\f\x1b\x7f\a").find(static_cast<char>(c))
               != std::string_view::npos) {
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t length = decode_utf8(s, i, cp);
    if (length == 0 || !is_printable_code_point(cp)) {
      return false;
    }
    i += length;
  }
  return true;
}

void append_hex(std::string& out, std::uint32_t value, int digits) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += hex[(value >> shift) & 0xF];
  }
}

// Code.Identifier.escape(s, ?"): the text between the quotes of a string or quoted atom.
void append_escaped(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '"') {
      out += "\\\"";
      ++i;
      continue;
    }
    if (c == '#' && i + 1 < s.size() && s[i + 1] == '{') {
      out += "\\#{";
      i += 2;
      continue;
    }
    char32_t cp = 0;
    const std::size_t length = decode_utf8(s, i, cp);
    if (length == 0) {
      out += "\\x";  // a byte that is not UTF-8
      append_hex(out, static_cast<unsigned char>(c), 2);
      ++i;
      continue;
    }
    switch (cp) {
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case 0x7F:
        out += "\\d";
        break;
      case 0x1B:
        out += "\\e";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      case '\\':
        out += "\\\\";
        break;
      case 0:
        out += "\\0";
        break;
      case 0xFEFF:
        out += "\\uFEFF";
        break;
      default:
        if ((cp >= 0x20 && cp <= 0x7E) || is_printable_code_point(cp)) {
          out.append(s.substr(i, length));
        } else if (cp < 0x100) {
          out += "\\x";
          append_hex(out, cp, 2);
        } else if (cp < 0x10000) {
          out += "\\x{";
          append_hex(out, cp, 4);
          out += '}';
        } else {
          out += "\\x{";
          append_hex(out, cp, 6);
          out += '}';
        }
        break;
    }
    i += length;
  }
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s);
  out += '"';
}

template <class Int>
void append_int(std::string& out, Int value) {
  std::array<char, 24> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), result.ptr);
}

// Erlang's io_lib_format:insert_decimal/3 as in OTP 24: `digits` are the shortest round-trip
// digits (no trailing zeros) and the value is digits * 10^place. The plain form is used when it
// is not longer than the scientific one (`0.0001` but `1.2e-4`, `100.0` but `1.0e3`), and never
// from 2^53 on.
void append_erlang_float(std::string& out, std::string_view digits, int place, double abs_value) {
  const int length = static_cast<int>(digits.size());
  const int exponent = place + length - 1;
  const std::string exponent_text = std::to_string(exponent);
  // Characters the scientific form spends beyond the digits: the dot, "e" and the exponent, plus
  // the "0" of "d.0" when there is a single digit.
  const int scientific_cost = static_cast<int>(exponent_text.size()) + 2 + (length == 1 ? 1 : 0);
  const auto append_scientific = [&] {
    out += digits[0];
    out += '.';
    if (length == 1) {
      out += '0';
    } else {
      out.append(digits.substr(1));
    }
    out += 'e';
    out += exponent_text;
  };
  if (place < 0) {
    if (exponent >= 0) {  // d.ddd: the point falls inside the digits
      out.append(digits.substr(0, static_cast<std::size_t>(length + place)));
      out += '.';
      out.append(digits.substr(static_cast<std::size_t>(length + place)));
    } else if (2 - place - length <= scientific_cost) {  // "0." and leading zeros
      out += "0.";
      out.append(static_cast<std::size_t>(-place - length), '0');
      out.append(digits);
    } else {
      append_scientific();
    }
    return;
  }
  constexpr double two_53 = 9007199254740992.0;
  if (place + 2 <= scientific_cost && abs_value < two_53) {  // trailing zeros and ".0"
    out.append(digits);
    out.append(static_cast<std::size_t>(place), '0');
    out += ".0";
  } else {
    append_scientific();
  }
}

void append_float(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-inf" : "inf";
    return;
  }
  const double abs_value = std::fabs(value);
  if (abs_value >= 1.0 && abs_value < 1.0e16 && std::trunc(value) == value) {
    append_int(out, static_cast<std::int64_t>(value));  // exact: |value| < 2^63
    out += ".0";
    return;
  }
  if (std::signbit(value)) {
    out += '-';
  }
  if (abs_value == 0.0) {
    out += "0.0";
    return;
  }
  // Shortest round-trip digits, as d.ddde[+-]XX.
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), abs_value,
                                    std::chars_format::scientific);
  const std::string_view text(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));
  const auto e = text.find('e');
  std::string digits;
  for (const char c : text.substr(0, e)) {
    if (c != '.') {
      digits += c;
    }
  }
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
  }
  int scientific_exponent = 0;
  auto exponent_text = text.substr(e + 1);
  if (!exponent_text.empty() && exponent_text[0] == '+') {
    exponent_text.remove_prefix(1);
  }
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(),
                  scientific_exponent);
  const int place = scientific_exponent - static_cast<int>(digits.size() - 1);
  append_erlang_float(out, digits, place, abs_value);
}

// Macro.inspect_atom(:literal, a)
void append_atom(std::string& out, atom a) {
  const std::string_view name = a.name();
  if (a == atoms::nil || a == atoms::true_ || a == atoms::false_) {
    out += name;
  } else if (name == "Elixir") {
    out += name;
  } else if (name.starts_with(elixir_prefix) && is_alias(name.substr(elixir_prefix.size()))) {
    out += name.substr(elixir_prefix.size());
  } else if (is_identifier(name)) {
    out += ':';
    out += name;
  } else {
    out += ':';
    append_quoted(out, name);
  }
}

// Macro.inspect_atom(:key, a) followed by a space: `name: ` or `"quoted name": `.
void append_key(std::string& out, atom a) {
  const std::string_view name = a.name();
  if (is_identifier(name) && name != "Elixir") {
    out += name;
  } else {
    append_quoted(out, name);
  }
  out += ": ";
}

class printer_state {
public:
  printer_state(std::string& out, const term_printer& printer) : out_(out), printer_(printer) {}

  void print(const term& t) {
    switch (t.type()) {
      case term::kind::integer:
        append_int(out_, t.as_int());
        break;
      case term::kind::floating:
        append_float(out_, t.as_double());
        break;
      case term::kind::atom:
        append_atom(out_, t.as_atom());
        break;
      case term::kind::reference:
        print_ref(t.as_ref());
        break;
      case term::kind::opaque:
        out_ += t.as_string();
        break;
      case term::kind::pid:
        print_pid(t.as_pid());
        break;
      case term::kind::tuple:
        print_sequence('{', t.elements(), '}');
        break;
      case term::kind::list:
        print_sequence('[', t.elements(), ']');
        break;
      case term::kind::map:
        print_map(t.entries());
        break;
      case term::kind::structure:
        print_struct(t);
        break;
      case term::kind::binary:
        print_binary(t.as_string());
        break;
    }
  }

private:
  void print_pid(pid p) {
    out_ += "#PID<";
    if (printer_.pid_name) {
      out_ += printer_.pid_name(p);
    } else {
      out_ += "0.";
      append_int(out_, p.index());
      out_ += '.';
      append_int(out_, p.generation());
    }
    out_ += '>';
  }

  void print_ref(ref r) {
    out_ += "#Ref<";
    if (printer_.ref_name) {
      out_ += printer_.ref_name(r);
    } else {
      out_ += "0.0.0.";
      append_int(out_, r.id());
    }
    out_ += '>';
  }

  void print_sequence(char open, std::span<const term> items, char close) {
    out_ += open;
    bool first = true;
    for (const term& item : items) {
      if (!first) {
        out_ += ", ";
      }
      first = false;
      print(item);
    }
    out_ += close;
  }

  void print_entries(std::string_view open, std::span<const std::pair<term, term>> entries,
                     bool keywords) {
    out_ += open;
    bool first = true;
    for (const auto& [key, value] : entries) {
      if (!first) {
        out_ += ", ";
      }
      first = false;
      if (keywords) {
        append_key(out_, key.as_atom());
      } else {
        print(key);
        out_ += " => ";
      }
      print(value);
    }
    out_ += '}';
  }

  void print_map(std::span<const std::pair<term, term>> entries) {
    print_entries("%{", entries, false);
  }

  void print_struct(const term& t) {
    std::string_view name = t.struct_name();
    if (name.starts_with(elixir_prefix)) {
      name.remove_prefix(elixir_prefix.size());
    }
    out_ += '%';
    out_ += name;
    print_entries("{", t.entries(), true);
  }

  void print_binary(std::string_view bytes) {
    if (is_printable(bytes)) {
      append_quoted(out_, bytes);
      return;
    }
    out_ += "<<";
    bool first = true;
    for (const char c : bytes) {
      if (!first) {
        out_ += ", ";
      }
      first = false;
      append_int(out_, static_cast<unsigned>(static_cast<unsigned char>(c)));
    }
    out_ += ">>";
  }

  std::string& out_;
  const term_printer& printer_;
};

}  // namespace

std::string to_string(const term& t, const term_printer& printer) {
  std::string out;
  printer_state(out, printer).print(t);
  return out;
}

std::string term::to_string() const {
  return otter::to_string(*this);
}

namespace detail {

term opaque_message(const std::type_info& type) {
  // The ABI's demangler (GCC and Clang): `#Message<shop::cart::add>` rather than the mangled
  // `N4shop4cart3addE`. A name it cannot read is shown as it is.
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> readable(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  const char* name = status == 0 && readable ? readable.get() : type.name();
  return term::opaque(std::string("#Message<") + name + ">");
}

}  // namespace detail

}  // namespace otter
