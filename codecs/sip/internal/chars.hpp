#pragma once
// Character classes of the RFC 3261 §25.1 ABNF, as one lookup table, plus the small scanning
// helpers every SIP grammar function shares. Not API: codecs/sip/*.cpp only.

#include <array>
#include <cstdint>
#include <string_view>

namespace fedgate::sip::internal {

enum char_class : std::uint16_t {
  cc_alnum = 1 << 0,
  cc_token = 1 << 1,       // token (§25.1)
  cc_word = 1 << 2,        // word (Call-ID, §25.1)
  cc_unreserved = 1 << 3,  // unreserved = alphanum / mark (§25.1)
  cc_user = 1 << 4,        // unreserved / user-unreserved (escaped handled apart)
  cc_password = 1 << 5,    // unreserved / & = + $ ,
  cc_param = 1 << 6,       // paramchar without escaped: param-unreserved / unreserved
  cc_hnv = 1 << 7,         // hnv-unreserved / unreserved
  cc_uric = 1 << 8,        // reserved / unreserved (absoluteURI, RFC 2396)
  cc_host = 1 << 9,        // hostname characters: alphanum / "-" / "." (plus "_", see uri.cpp)
  cc_hex = 1 << 10,
  cc_ws = 1 << 11,      // SP / HTAB
  cc_scheme = 1 << 12,  // ALPHA / DIGIT / "+" / "-" / "."
};

constexpr std::array<std::uint16_t, 256> make_char_table() {
  std::array<std::uint16_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint16_t cls) {
    for (char c : chars)
      t[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (alpha || digit) {
      t[c] |= cc_alnum | cc_token | cc_word | cc_unreserved | cc_user | cc_password | cc_param |
              cc_hnv | cc_uric | cc_host | cc_scheme;
    }
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) t[c] |= cc_hex;
  }
  const std::string_view mark = "-_.!~*'()";
  add(mark, cc_unreserved | cc_user | cc_password | cc_param | cc_hnv | cc_uric);
  add("-.!%*_+`'~", cc_token | cc_word);
  add("()<>:\\\"/[]?{}", cc_word);
  add("&=+$,;?/", cc_user);
  add("&=+$,", cc_password);
  add("[]/:&+$", cc_param);
  add("[]/?:+$", cc_hnv);
  add(";/?:@&=+$,", cc_uric);
  add("-._", cc_host);
  add(" \t", cc_ws);
  add("+-.", cc_scheme);
  return t;
}

inline constexpr std::array<std::uint16_t, 256> char_table = make_char_table();

inline bool has_class(char c, std::uint16_t cls) {
  return (char_table[static_cast<unsigned char>(c)] & cls) != 0;
}
inline bool is_ws(char c) {
  return c == ' ' || c == '\t';
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_token_char(char c) {
  return has_class(c, cc_token);
}

inline bool all_of_class(std::string_view s, std::uint16_t cls) {
  for (char c : s) {
    if (!has_class(c, cls)) return false;
  }
  return true;
}
inline bool is_token(std::string_view s) {
  return !s.empty() && all_of_class(s, cc_token);
}

constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

/// Index of the first character of `s` (from `pos`) that is in `set`, or npos. A plain loop:
/// std::string_view::find_first_of runs one memchr per character, far slower on short sets.
template <std::size_t N>
inline std::size_t find_any(std::string_view s, const char (&set)[N], std::size_t pos = 0) {
  for (std::size_t i = pos; i < s.size(); ++i) {
    for (std::size_t k = 0; k + 1 < N; ++k) {
      if (s[i] == set[k]) return i;
    }
  }
  return std::string_view::npos;
}

inline std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_ws(s[b]))
    ++b;
  while (e > b && is_ws(s[e - 1]))
    --e;
  return s.substr(b, e - b);
}

inline std::size_t skip_ws(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_ws(s[pos]))
    ++pos;
  return pos;
}

/// Decimal digits only (no sign, no spaces), at least one, value <= max. Leading zeros are legal
/// (RFC 4475 §3.1.1.1 sends "Max-Forwards: 0068").
inline bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > max) return false;  // checked every digit, so it cannot wrap
  }
  out = v;
  return true;
}

/// escaped = "%" HEXDIG HEXDIG (RFC 3261 §25.1). Checks s[pos] == '%' and two hex digits follow.
inline bool is_escape_at(std::string_view s, std::size_t pos) {
  return pos + 2 < s.size() && s[pos] == '%' && has_class(s[pos + 1], cc_hex) &&
         has_class(s[pos + 2], cc_hex);
}

/// Every character is of class cls or part of a %HH escape.
inline bool all_of_class_or_escaped(std::string_view s, std::uint16_t cls) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (has_class(s[i], cls)) continue;
    if (s[i] == '%' && i + 2 < s.size() && has_class(s[i + 1], cc_hex) &&
        has_class(s[i + 2], cc_hex)) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace fedgate::sip::internal
