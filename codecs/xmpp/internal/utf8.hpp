#pragma once
// UTF-8 decoding and XML 1.0 character checks shared by the framer, the serializer and the JID
// code. Strict per RFC 3629 §4: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF. Incremental, so a character may be split across input chunks.

#include <cstdint>
#include <string_view>

namespace fedgate::xmpp::internal {

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
constexpr bool is_xml_char(char32_t c) noexcept {
  if (c < 0x20) return c == 0x9 || c == 0xA || c == 0xD;
  if (c <= 0xD7FF) return true;
  if (c < 0xE000) return false;
  if (c <= 0xFFFD) return true;
  return c >= 0x10000 && c <= 0x10FFFF;
}

// Byte-at-a-time decoder. feed() returns `more` while inside a sequence, `done` when a code point
// is complete (read it from code_point()), `invalid` on any malformed byte.
class utf8_decoder {
 public:
  enum class step { more, done, invalid };

  step feed(unsigned char b) noexcept {
    if (need_ == 0) {
      if (b < 0x80) {
        cp_ = b;
        return step::done;
      }
      lo_ = 0x80;
      hi_ = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
        cp_ = b & 0x1Fu;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need_ = 2;
        cp_ = b & 0x0Fu;
        if (b == 0xE0) lo_ = 0xA0;  // overlong
        if (b == 0xED) hi_ = 0x9F;  // surrogates
      } else if (b >= 0xF0 && b <= 0xF4) {
        need_ = 3;
        cp_ = b & 0x07u;
        if (b == 0xF0) lo_ = 0x90;  // overlong
        if (b == 0xF4) hi_ = 0x8F;  // > U+10FFFF
      } else {
        return step::invalid;  // continuation byte, C0/C1 overlong lead, F5..FF
      }
      return step::more;
    }
    if (b < lo_ || b > hi_) {
      need_ = 0;
      return step::invalid;
    }
    lo_ = 0x80;
    hi_ = 0xBF;
    cp_ = (cp_ << 6) | (b & 0x3Fu);
    return --need_ == 0 ? step::done : step::more;
  }

  bool in_sequence() const noexcept { return need_ != 0; }
  char32_t code_point() const noexcept { return cp_; }
  void reset() noexcept { need_ = 0; }

 private:
  char32_t cp_ = 0;
  unsigned need_ = 0;
  unsigned char lo_ = 0x80;
  unsigned char hi_ = 0xBF;
};

// True if `s` is entirely valid UTF-8 and every code point is an XML Char.
inline bool is_valid_xml_utf8(std::string_view s) noexcept {
  utf8_decoder d;
  for (char ch : s) {
    auto r = d.feed(static_cast<unsigned char>(ch));
    if (r == utf8_decoder::step::invalid) return false;
    if (r == utf8_decoder::step::done && !is_xml_char(d.code_point())) return false;
  }
  return !d.in_sequence();
}

inline bool is_valid_utf8(std::string_view s) noexcept {
  utf8_decoder d;
  for (char ch : s)
    if (d.feed(static_cast<unsigned char>(ch)) == utf8_decoder::step::invalid) return false;
  return !d.in_sequence();
}

// XML name characters, loosely: ASCII per XML 1.0 §2.3, and any non-ASCII byte (the UTF-8
// decoder has already validated it). Good enough to find where a name ends.
constexpr bool is_name_start_byte(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}
constexpr bool is_name_byte(unsigned char c) noexcept {
  return is_name_start_byte(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}
constexpr bool is_xml_space(unsigned char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

inline bool is_xml_name(std::string_view s) noexcept {
  if (s.empty() || !is_name_start_byte(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!is_name_byte(static_cast<unsigned char>(c))) return false;
  return is_valid_utf8(s);
}

}  // namespace fedgate::xmpp::internal
