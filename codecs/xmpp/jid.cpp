#include "codecs/xmpp/jid.hpp"

#include <arpa/inet.h>
#include <array>
#include <cstdlib>
#include <idn2.h>
#include <tuple>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include "codecs/xmpp/internal/utf8.hpp"

namespace fedgate::xmpp {

namespace {

constexpr std::size_t max_part = 1023;  // RFC 7622 §3.1
// UTS#46 non-transitional mapping (case, width, ...), NFC, IDNA2008, STD3 (LDH) rules.
constexpr int idna_flags = IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL | IDN2_USE_STD3_ASCII_RULES;

bool set_error(jid_error* why, jid_error e) {
  if (why) *why = e;
  return false;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// RFC 7622 §3.3.1: characters the localpart may never contain (besides space, which the
// IdentifierClass excludes anyway).
bool is_forbidden_local_char(char32_t c) {
  switch (c) {
    case '"':
    case '&':
    case '\'':
    case '/':
    case ':':
    case '<':
    case '>':
    case '@':
    case ' ':
      return true;
    default:
      return false;
  }
}

const icu::Normalizer2* nfc() {
  UErrorCode st = U_ZERO_ERROR;
  static const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(st);
  return U_SUCCESS(st) || n ? n : nullptr;
}
const icu::Normalizer2* nfkc() {
  UErrorCode st = U_ZERO_ERROR;
  static const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(st);
  return U_SUCCESS(st) || n ? n : nullptr;
}
const icu::Normalizer2* nfkd() {
  UErrorCode st = U_ZERO_ERROR;
  static const icu::Normalizer2* n = icu::Normalizer2::getNFKDInstance(st);
  return U_SUCCESS(st) || n ? n : nullptr;
}

// RFC 8264 §9: categories shared by IdentifierClass and FreeformClass.
bool is_unassigned(UChar32 c) {
  return u_charType(c) == U_UNASSIGNED && !u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT);
}
bool is_precis_ignorable(UChar32 c) {  // §9.13 PrecisIgnorableProperties
  return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
         u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT);
}
bool is_old_hangul_jamo(UChar32 c) {  // §9.9
  auto t = u_getIntPropertyValue(c, UCHAR_HANGUL_SYLLABLE_TYPE);
  return t == U_HST_LEADING_JAMO || t == U_HST_VOWEL_JAMO || t == U_HST_TRAILING_JAMO;
}
bool has_compat(UChar32 c) {  // §9.17: toNFKC(cp) != cp
  UErrorCode st = U_ZERO_ERROR;
  icu::UnicodeString s{c};
  return !nfkc()->isNormalized(s, st) || U_FAILURE(st);
}
// RFC 5892 §2.6 exceptions that are DISALLOWED although their category would pass, and the
// CONTEXTO code points (refused here: their context rules are not implemented).
bool is_exception_refused(UChar32 c) {
  switch (c) {
    case 0x0640:
    case 0x07FA:
    case 0x302E:
    case 0x302F:
    case 0x3031:
    case 0x3032:
    case 0x3033:
    case 0x3034:
    case 0x3035:
    case 0x303B:  // DISALLOWED
    case 0x00B7:
    case 0x0375:
    case 0x05F3:
    case 0x05F4:
    case 0x30FB:  // CONTEXTO
      return true;
    default:
      return (c >= 0x0660 && c <= 0x0669) || (c >= 0x06F0 && c <= 0x06F9);  // CONTEXTO digits
  }
}
bool is_letter_digit(UChar32 c) {  // §9.1 LetterDigits
  switch (u_charType(c)) {
    case U_LOWERCASE_LETTER:
    case U_UPPERCASE_LETTER:
    case U_OTHER_LETTER:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_MODIFIER_LETTER:
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
      return true;
    default:
      return false;
  }
}

// RFC 8264 §4.2 IdentifierClass (JoinControl/CONTEXTJ refused).
bool identifier_class(UChar32 c) {
  if (c >= 0x21 && c <= 0x7E) return true;  // ASCII7
  if (c < 0x80 || is_unassigned(c) || is_precis_ignorable(c) || is_old_hangul_jamo(c)) return false;
  if (u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL) || is_exception_refused(c)) return false;
  return is_letter_digit(c) && !has_compat(c);
}

// RFC 8264 §4.3 FreeformClass (JoinControl/CONTEXTJ refused).
bool freeform_class(UChar32 c) {
  if (c >= 0x20 && c <= 0x7E) return true;
  if (c < 0x80 || u_charType(c) == U_CONTROL_CHAR) return false;
  if (is_unassigned(c) || is_precis_ignorable(c) || is_old_hangul_jamo(c)) return false;
  if (u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL) || is_exception_refused(c)) return false;
  return true;
}

// Every code point allowed in a localpart: IdentifierClass minus RFC 7622 §3.3.1's characters.
bool local_code_points_ok(const icu::UnicodeString& s, jid_error* why) {
  for (int32_t i = 0; i < s.length();) {
    UChar32 c = s.char32At(i);
    i += U16_LENGTH(c);
    if (is_forbidden_local_char(static_cast<char32_t>(c)))
      return set_error(why, jid_error::localpart_forbidden_char);
    if (!identifier_class(c)) return set_error(why, jid_error::localpart_disallowed);
  }
  return true;
}

std::string to_utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

icu::UnicodeString nfc_of(const icu::UnicodeString& s, bool& ok) {
  UErrorCode st = U_ZERO_ERROR;
  auto r = nfc()->normalize(s, st);
  ok = U_SUCCESS(st);
  return r;
}

// RFC 7622 §3.2 domainpart label rules, on the ASCII (A-label) form: LDH, 1..63 octets, no
// leading or trailing hyphen.
bool ldh_labels_ok(std::string_view d) {
  std::size_t start = 0;
  while (true) {
    auto dot = d.find('.', start);
    auto label =
        d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

std::string_view to_string(jid_error e) noexcept {
  switch (e) {
    case jid_error::none:
      return "none";
    case jid_error::invalid_utf8:
      return "invalid UTF-8";
    case jid_error::empty_localpart:
      return "empty localpart";
    case jid_error::localpart_too_long:
      return "localpart longer than 1023 octets";
    case jid_error::localpart_forbidden_char:
      return "forbidden character in localpart";
    case jid_error::localpart_disallowed:
      return "localpart code point not allowed (PRECIS)";
    case jid_error::empty_domainpart:
      return "empty domainpart";
    case jid_error::domainpart_too_long:
      return "domainpart longer than 1023 octets";
    case jid_error::domainpart_invalid:
      return "invalid domainpart";
    case jid_error::empty_resourcepart:
      return "empty resourcepart";
    case jid_error::resourcepart_too_long:
      return "resourcepart longer than 1023 octets";
    case jid_error::resourcepart_disallowed:
      return "resourcepart code point not allowed (PRECIS)";
  }
  return "unknown";
}

std::optional<std::string> normalize_localpart(std::string_view s, jid_error* why) {
  if (!internal::is_valid_utf8(s)) return set_error(why, jid_error::invalid_utf8), std::nullopt;
  std::string out;
  if (is_ascii(s)) {  // fast path: ASCII7 minus the forbidden characters, lower-cased
    out.reserve(s.size());
    for (char c : s) {
      if (is_forbidden_local_char(static_cast<unsigned char>(c)))
        return set_error(why, jid_error::localpart_forbidden_char), std::nullopt;
      if (c < 0x21 || c > 0x7E)
        return set_error(why, jid_error::localpart_disallowed), std::nullopt;
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  } else {
    auto in =
        icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
    // RFC 8265 §3.3.2 step 1: width mapping (fullwidth/halfwidth to their decompositions).
    icu::UnicodeString mapped;
    for (int32_t i = 0; i < in.length();) {
      UChar32 c = in.char32At(i);
      i += U16_LENGTH(c);
      auto dt = u_getIntPropertyValue(c, UCHAR_DECOMPOSITION_TYPE);
      icu::UnicodeString d;
      if ((dt == U_DT_WIDE || dt == U_DT_NARROW) && nfkd()->getRawDecomposition(c, d)) {
        mapped += d;
      } else {
        mapped += c;
      }
    }
    // §3.3.1: the prepared string must be IdentifierClass.
    if (!local_code_points_ok(mapped, why)) return std::nullopt;
    // Steps 2 and 3: toLowerCase, NFC. (Step 4, the Bidi Rule, is not implemented.)
    mapped.toLower(icu::Locale::getRoot());
    bool ok = false;
    auto norm = nfc_of(mapped, ok);
    if (!ok) return set_error(why, jid_error::localpart_disallowed), std::nullopt;
    // Case mapping and NFC must not have introduced anything forbidden.
    if (!local_code_points_ok(norm, why)) return std::nullopt;
    out = to_utf8(norm);
  }
  if (out.empty()) return set_error(why, jid_error::empty_localpart), std::nullopt;
  if (out.size() > max_part) return set_error(why, jid_error::localpart_too_long), std::nullopt;
  return out;
}

std::optional<std::string> normalize_resourcepart(std::string_view s, jid_error* why) {
  if (!internal::is_valid_utf8(s)) return set_error(why, jid_error::invalid_utf8), std::nullopt;
  std::string out;
  if (is_ascii(s)) {
    for (char c : s)
      if (c < 0x20 || c == 0x7F)
        return set_error(why, jid_error::resourcepart_disallowed), std::nullopt;
    out = s;
  } else {
    auto in =
        icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
    icu::UnicodeString mapped;
    for (int32_t i = 0; i < in.length();) {
      UChar32 c = in.char32At(i);
      i += U16_LENGTH(c);
      // RFC 8265 §4.2.2 step 1: non-ASCII spaces to U+0020. Then FreeformClass.
      if (u_charType(c) == U_SPACE_SEPARATOR) c = 0x20;
      if (!freeform_class(c))
        return set_error(why, jid_error::resourcepart_disallowed), std::nullopt;
      mapped += c;
    }
    bool ok = false;
    auto norm = nfc_of(mapped, ok);  // step 3 (no case mapping: step 2 is for Nickname)
    if (!ok) return set_error(why, jid_error::resourcepart_disallowed), std::nullopt;
    // NFC can produce code points the class refuses (U+0387 -> U+00B7, CONTEXTO): refuse those
    // too, so that normalising is idempotent.
    for (int32_t i = 0; i < norm.length();) {
      UChar32 c = norm.char32At(i);
      i += U16_LENGTH(c);
      if (!freeform_class(c) || (c >= 0x80 && u_charType(c) == U_SPACE_SEPARATOR))
        return set_error(why, jid_error::resourcepart_disallowed), std::nullopt;
    }
    out = to_utf8(norm);
  }
  if (out.empty()) return set_error(why, jid_error::empty_resourcepart), std::nullopt;
  if (out.size() > max_part) return set_error(why, jid_error::resourcepart_too_long), std::nullopt;
  return out;
}

std::optional<std::string> normalize_domainpart(std::string_view s, jid_error* why) {
  if (!internal::is_valid_utf8(s)) return set_error(why, jid_error::invalid_utf8), std::nullopt;
  if (s.empty()) return set_error(why, jid_error::empty_domainpart), std::nullopt;
  if (s.size() > max_part) return set_error(why, jid_error::domainpart_too_long), std::nullopt;
  // IP-literal (RFC 3986 §3.2.2), canonical text form of RFC 5952.
  if (s.front() == '[') {
    if (s.size() < 3 || s.back() != ']' || s.size() > 64)
      return set_error(why, jid_error::domainpart_invalid), std::nullopt;
    std::string inner{s.substr(1, s.size() - 2)};
    unsigned char addr[16];
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET6, inner.c_str(), addr) != 1 ||
        !inet_ntop(AF_INET6, addr, text, sizeof text))
      return set_error(why, jid_error::domainpart_invalid), std::nullopt;
    return "[" + std::string{text} + "]";
  }
  std::string d{s};
  // Label separators IDNA2003/UTS#46 treat as dots, then RFC 7622 §3.2: strip one trailing dot.
  for (std::string_view dot : {"\xE3\x80\x82", "\xEF\xBC\x8E", "\xEF\xBD\xA1"}) {
    for (auto p = d.find(dot); p != std::string::npos; p = d.find(dot, p + 1))
      d.replace(p, 3, ".");
  }
  if (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty()) return set_error(why, jid_error::empty_domainpart), std::nullopt;
  for (char& c : d)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  bool needs_idna = !is_ascii(d) || d.find("xn--") != std::string::npos;
  if (needs_idna) {
    // UTS#46 mapping (case, width, ...) then IDNA2008 to A-labels; STD3 rules refuse non-LDH.
    char* out = nullptr;
    int rc = idn2_to_ascii_8z(d.c_str(), &out, idna_flags);
    if (rc != IDN2_OK || !out) {
      if (out) idn2_free(out);
      return set_error(why, jid_error::domainpart_invalid), std::nullopt;
    }
    d = out;
    idn2_free(out);
    // libidn2 passes A-label input through unverified: decode it to be sure it is a real one.
    if (d.find("xn--") != std::string::npos) {
      char* u = nullptr;
      rc = idn2_to_unicode_8z8z(d.c_str(), &u, 0);
      bool valid = rc == IDN2_OK && u != nullptr;
      std::string back;
      if (valid) {
        char* a = nullptr;
        valid = idn2_to_ascii_8z(u, &a, idna_flags) == IDN2_OK && a != nullptr;
        if (a) {
          back = a;
          idn2_free(a);
        }
      }
      if (u) idn2_free(u);
      for (char& c : back)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (!valid || back != d) return set_error(why, jid_error::domainpart_invalid), std::nullopt;
    }
    if (!d.empty() && d.back() == '.') d.pop_back();
  }
  if (!ldh_labels_ok(d)) return set_error(why, jid_error::domainpart_invalid), std::nullopt;
  if (d.size() > max_part) return set_error(why, jid_error::domainpart_too_long), std::nullopt;
  return d;
}

std::optional<jid> jid::from_parts(std::string_view local, std::string_view domain,
                                   std::string_view resource, jid_error* why) {
  jid j;
  auto d = normalize_domainpart(domain, why);
  if (!d) return std::nullopt;
  j.domain_ = std::move(*d);
  if (!local.empty()) {
    auto l = normalize_localpart(local, why);
    if (!l) return std::nullopt;
    j.local_ = std::move(*l);
  }
  if (!resource.empty()) {
    auto r = normalize_resourcepart(resource, why);
    if (!r) return std::nullopt;
    j.resource_ = std::move(*r);
  }
  if (why) *why = jid_error::none;
  return j;
}

std::optional<jid> jid::parse(std::string_view s, jid_error* why) {
  // RFC 7622 §3.1: the resourcepart starts at the first '/', the localpart ends at the first '@'
  // before it.
  std::string_view resource, local;
  auto slash = s.find('/');
  if (slash != std::string_view::npos) {
    resource = s.substr(slash + 1);
    s = s.substr(0, slash);
    if (resource.empty()) return set_error(why, jid_error::empty_resourcepart), std::nullopt;
  }
  auto at = s.find('@');
  if (at != std::string_view::npos) {
    local = s.substr(0, at);
    s = s.substr(at + 1);
    if (local.empty()) return set_error(why, jid_error::empty_localpart), std::nullopt;
  }
  return from_parts(local, s, resource, why);
}

jid jid::bare() const {
  jid j = *this;
  j.resource_.clear();
  return j;
}

std::optional<jid> jid::with_resource(std::string_view resource, jid_error* why) const {
  auto r = normalize_resourcepart(resource, why);
  if (!r) return std::nullopt;
  jid j = bare();
  j.resource_ = std::move(*r);
  return j;
}

std::string jid::bare_string() const {
  std::string s;
  s.reserve(local_.size() + domain_.size() + 1);
  if (!local_.empty()) {
    s += local_;
    s += '@';
  }
  s += domain_;
  return s;
}

std::string jid::to_string() const {
  std::string s = bare_string();
  if (!resource_.empty()) {
    s += '/';
    s += resource_;
  }
  return s;
}

bool operator<(const jid& a, const jid& b) {
  return std::tie(a.domain_, a.local_, a.resource_) < std::tie(b.domain_, b.local_, b.resource_);
}

}  // namespace fedgate::xmpp
