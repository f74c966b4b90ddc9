#include "codecs/pidf/internal/text.hpp"

namespace fedgate::pidf::internal {

std::optional<std::size_t> find_invalid_char(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    std::uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (n - i < len) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
        cp == 0xFFFF) {
      return i;
    }
    i += len;
  }
  return std::nullopt;
}

bool is_xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_xml_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_xml_space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool is_trimmed(std::string_view s) {
  return trim(s).size() == s.size();
}

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly two digits at s[i] into `out` if in [lo, hi].
bool two_digits(std::string_view s, std::size_t i, int lo, int hi) {
  if (i + 2 > s.size() || !is_digit(s[i]) || !is_digit(s[i + 1])) return false;
  const int v = (s[i] - '0') * 10 + (s[i + 1] - '0');
  return v >= lo && v <= hi;
}

}  // namespace

bool is_date_time(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const std::size_t year_start = i;
  while (i < s.size() && is_digit(s[i]))
    ++i;
  if (i - year_start < 4) return false;
  // -MM-DDThh:mm:ss
  if (i >= s.size() || s[i] != '-' || !two_digits(s, i + 1, 1, 12)) return false;
  i += 3;
  if (i >= s.size() || s[i] != '-' || !two_digits(s, i + 1, 1, 31)) return false;
  i += 3;
  if (i >= s.size() || s[i] != 'T' || !two_digits(s, i + 1, 0, 24)) return false;
  i += 3;
  if (i >= s.size() || s[i] != ':' || !two_digits(s, i + 1, 0, 59)) return false;
  i += 3;
  if (i >= s.size() || s[i] != ':' || !two_digits(s, i + 1, 0, 60)) return false;
  i += 3;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac_start = ++i;
    while (i < s.size() && is_digit(s[i]))
      ++i;
    if (i == frac_start) return false;
  }
  if (i == s.size()) return true;  // no time zone: allowed by xs:dateTime
  if (s[i] == 'Z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  if (!two_digits(s, i + 1, 0, 14) || i + 3 >= s.size() || s[i + 3] != ':' ||
      !two_digits(s, i + 4, 0, 59)) {
    return false;
  }
  return i + 6 == s.size();
}

std::optional<std::uint16_t> parse_priority(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '+') ++i;
  unsigned whole = 0;
  bool any_digit = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    any_digit = true;
    whole = whole * 10 + static_cast<unsigned>(s[i] - '0');
    if (whole > 1) return std::nullopt;
  }
  unsigned frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (std::size_t k = 0; i < s.size() && is_digit(s[i]); ++i, ++k) {
      any_digit = true;
      if (k < 3) {
        frac += static_cast<unsigned>(s[i] - '0') * (k == 0 ? 100u : k == 1 ? 10u : 1u);
      } else if (s[i] != '0') {
        return std::nullopt;  // more precision than the schema's three fraction digits
      }
    }
  }
  if (i != s.size() || !any_digit) return std::nullopt;
  const unsigned milli = whole * 1000 + frac;
  if (milli > 1000) return std::nullopt;
  return static_cast<std::uint16_t>(milli);
}

std::string format_priority(std::uint16_t milli) {
  if (milli >= 1000) return "1";
  if (milli == 0) return "0";
  std::string out = "0.";
  out += static_cast<char>('0' + milli / 100);
  out += static_cast<char>('0' + milli / 10 % 10);
  out += static_cast<char>('0' + milli % 10);
  while (out.back() == '0')
    out.pop_back();
  return out;
}

std::optional<std::uint32_t> parse_positive_u32(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > 0xFFFFFFFFu) return std::nullopt;
  }
  if (v == 0) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

}  // namespace fedgate::pidf::internal
