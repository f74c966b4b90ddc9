#include "codecs/sip/error_response.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "codecs/sip/header_name.hpp"
#include "codecs/sip/header_values.hpp"
#include "codecs/sip/internal/chars.hpp"
#include "codecs/sip/internal/error_response.hpp"
#include "codecs/sip/name_addr.hpp"
#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"
#include "codecs/sip/uri.hpp"
#include "codecs/sip/via.hpp"

namespace fedgate::sip {

namespace internal {

namespace {

constexpr std::size_t max_reason_bytes = 200;
constexpr std::size_t max_tag_bytes = 128;

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629 §4), 0 if there is none.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&s](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return len;
}

// Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB)
// (§25.1): printable ASCII, SP, HTAB and well-formed UTF-8; everything else becomes '?'.
std::string sanitize_reason(std::string_view in, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < in.size() && out.size() < max_bytes) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
      out.push_back(in[i++]);
      continue;
    }
    if (c >= 0x80) {
      std::size_t len = utf8_length(in, i);
      if (len != 0) {
        if (out.size() + len > max_bytes) break;  // never cut a character in two
        out.append(in.substr(i, len));
        i += len;
        continue;
      }
    }
    out.push_back('?');
    ++i;
  }
  return std::string(trim(out));
}

// One single-value header as found: the first occurrence only (RFC 4475 §3.3.8).
struct found_value {
  bool seen = false;
  bool usable = false;  // every line of it was read and it fits the limits
  std::string value;
};

// From / To that does not parse: keep "<addr-spec>" and a recoverable tag (see the header).
std::optional<std::string> salvage_address(std::string_view value) {
  std::string_view addr;
  std::string_view rest;
  std::size_t lt = value.find('<');
  if (lt != std::string_view::npos) {
    std::size_t gt = value.find('>', lt);
    if (gt == std::string_view::npos) return std::nullopt;
    addr = trim(value.substr(lt + 1, gt - lt - 1));
    rest = value.substr(gt + 1);
  } else {
    std::size_t semi = value.find(';');
    addr = trim(value.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : value.substr(semi);
  }
  if (addr.empty() || find_any(addr, " \t\r\n<>\"") != std::string_view::npos) return std::nullopt;
  if (!parse_uri(addr)) return std::nullopt;
  std::string out = "<" + std::string(addr) + ">";
  // The tag parameter, if the parameters up to it are readable.
  std::size_t semi = rest.find(';');
  if (semi != std::string_view::npos) {
    param_reader reader(rest.substr(semi));
    generic_param p;
    while (reader.next(p)) {
      if (iequals(p.name, "tag") && p.has_value && is_token(p.value)) {
        out.append(";tag=").append(p.value);
        break;
      }
    }
  }
  if (!parse_name_addr(out)) return std::nullopt;
  return out;
}

std::optional<std::string> address_value(const found_value& f) {
  if (!f.seen || !f.usable) return std::nullopt;
  if (parse_name_addr(f.value)) return f.value;
  return salvage_address(f.value);
}

// §8.2.7: the same request must get the same tag. FNV-1a 64 over what identifies the request.
std::string derived_tag(const std::vector<std::string>& vias, std::string_view from,
                        std::string_view call_id, std::string_view cseq) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    h ^= 0xff;  // separator
    h *= 0x100000001b3ULL;
  };
  for (const auto& v : vias)
    mix(v);
  mix(from);
  mix(call_id);
  mix(cseq);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (std::size_t i = 0; i < 16; ++i)
    out[15 - i] = hex[(h >> (4 * i)) & 0xf];
  return out;
}

bool valid_via_field(std::string_view value) {
  list_reader reader(value);
  std::string_view element;
  bool any = false;
  while (reader.next(element)) {
    if (!parse_via(element)) return false;
    any = true;
  }
  return any && !reader.failed();
}

}  // namespace

std::optional<std::string> assemble_error_response(std::string_view raw, const error& err,
                                                   std::string_view to_tag, const limits& lim) {
  if (err.status < 400 || err.status > 699) return std::nullopt;
  std::string_view in = raw.substr(0, std::min(raw.size(), lim.max_message_bytes));

  // ---- start line: a request starts with "Method SP" (§7.1); CRLFs before it are ignored (§7.5)
  std::size_t pos = 0;
  while (pos < in.size() && (in[pos] == '\r' || in[pos] == '\n'))
    ++pos;
  std::size_t lf = in.find('\n', pos);
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view start = in.substr(pos, lf - pos);
  if (start.size() >= 4 && iequals(start.substr(0, 4), "SIP/")) return std::nullopt;  // §18.1.2
  std::size_t t = 0;
  while (t < start.size() && is_token_char(start[t]))
    ++t;
  if (t == 0 || t >= start.size() || !is_ws(start[t])) return std::nullopt;
  pos = lf + 1;

  // ---- header section: LF-terminated lines up to the empty line, folding undone (§7.3.1) ----
  // A field line is "Name: value" in the response; the parser measures name + ": " + value.
  const std::size_t value_limit =
      lim.max_header_line_bytes > 16 ? lim.max_header_line_bytes - 16 : 0;
  std::vector<std::string> vias;
  bool vias_usable = true;
  found_value from, to, call_id, cseq;
  found_value* current = nullptr;  // the field being read, if it is one we copy
  std::string via_value;
  bool in_via = false;
  bool current_usable = true;
  std::string* current_text = nullptr;

  auto finish = [&]() {
    if (current_text != nullptr) {
      std::string_view v = trim(*current_text);
      bool ok = current_usable && !v.empty() && v.size() <= value_limit &&
                find_any(v, "\r\n") == std::string_view::npos;
      std::string trimmed(v);
      if (in_via) {
        if (ok) {
          vias.push_back(std::move(trimmed));
        } else {
          vias_usable = false;
        }
      } else if (current != nullptr) {
        current->usable = ok;
        current->value = std::move(trimmed);
      }
    }
    current = nullptr;
    current_text = nullptr;
    in_via = false;
    current_usable = true;
  };

  while (pos < in.size()) {
    lf = in.find('\n', pos);
    if (lf == std::string_view::npos) break;  // an unterminated last line is never copied
    std::string_view line = in.substr(pos, lf - pos);
    pos = lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (is_ws(line[0])) {     // continuation line
      if (current_text != nullptr) {
        if (current_text->size() > value_limit) {
          current_usable = false;
        } else {
          current_text->push_back(' ');
          current_text->append(trim(line));
        }
      }
      continue;
    }
    finish();
    std::size_t i = 0;
    while (i < line.size() && is_token_char(line[i]))
      ++i;
    std::string_view name = line.substr(0, i);
    i = skip_ws(line, i);
    if (name.empty() || i >= line.size() || line[i] != ':') continue;  // not a header line
    std::string_view value = trim(line.substr(i + 1));
    switch (lookup_header(name)) {
      case header_id::via:
        if (vias.size() + 6 > lim.max_headers) vias_usable = false;
        in_via = true;
        via_value.assign(value.substr(0, value_limit + 1));
        current_text = &via_value;
        break;
      case header_id::from:
        current = &from;
        break;
      case header_id::to:
        current = &to;
        break;
      case header_id::call_id:
        current = &call_id;
        break;
      case header_id::cseq:
        current = &cseq;
        break;
      default:
        break;
    }
    if (current != nullptr) {
      if (current->seen) {  // a repeated single-value header: the first one counts
        current = nullptr;
        continue;
      }
      current->seen = true;
      current->value.assign(value.substr(0, value_limit + 1));
      current_text = &current->value;
    }
  }
  finish();

  // ---- what a response needs (§8.2.6.2) ----
  if (vias.empty() || !vias_usable) return std::nullopt;
  for (const auto& v : vias) {
    if (!valid_via_field(v)) return std::nullopt;
  }
  if (!call_id.seen || !call_id.usable || !valid_call_id(call_id.value)) return std::nullopt;
  if (!cseq.seen || !cseq.usable || !parse_cseq(cseq.value)) return std::nullopt;
  auto from_value = address_value(from);
  auto to_value = address_value(to);
  if (!from_value || !to_value) return std::nullopt;
  if (parse_name_addr(*to_value)->tag().empty()) {
    std::string tag = is_token(to_tag) && to_tag.size() <= max_tag_bytes
                          ? std::string(to_tag)
                          : derived_tag(vias, *from_value, call_id.value, cseq.value);
    to_value->append(";tag=").append(tag);
  }
  if (from_value->size() > value_limit || to_value->size() > value_limit) return std::nullopt;

  // ---- the response ----
  // "SIP/2.0 NNN " is 12 bytes; the reason must keep the Status-Line within the limit.
  if (lim.max_start_line_bytes < 13) return std::nullopt;
  std::string reason =
      sanitize_reason(err.reason, std::min(max_reason_bytes, lim.max_start_line_bytes - 12));
  if (reason.empty()) {
    reason = sanitize_reason(reason_phrase(err.status), lim.max_start_line_bytes - 12);
    if (reason.empty()) return std::nullopt;
  }
  std::string out;
  out.reserve(128 + reason.size() + from_value->size() + to_value->size() + call_id.value.size() +
              cseq.value.size() + vias.size() * 64);
  out.append("SIP/2.0 ").append(std::to_string(err.status)).append(" ").append(reason);
  out.append("\r\n");
  for (const auto& v : vias)
    out.append("Via: ").append(v).append("\r\n");
  out.append("From: ").append(*from_value).append("\r\n");
  out.append("To: ").append(*to_value).append("\r\n");
  out.append("Call-ID: ").append(call_id.value).append("\r\n");
  out.append("CSeq: ").append(cseq.value).append("\r\n");
  out.append("Content-Length: 0\r\n\r\n");
  if (out.size() > lim.max_message_bytes) return std::nullopt;
  return out;
}

}  // namespace internal

std::optional<std::string> make_error_response(std::string_view raw, const error& err,
                                               std::string_view to_tag, const limits& lim) {
  auto out = internal::assemble_error_response(raw, err, to_tag, lim);
  if (!out) return std::nullopt;
  // Second line of defence: what leaves here parses (the fuzz target checks it never fires).
  auto check = parse_datagram(*out, lim);
  if (!check || !check->is_response() || check->status_code() != err.status) return std::nullopt;
  return out;
}

}  // namespace fedgate::sip
