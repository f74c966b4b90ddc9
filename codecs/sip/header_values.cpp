#include "codecs/sip/header_values.hpp"

#include <limits>

#include "codecs/sip/internal/chars.hpp"

namespace fedgate::sip {

using namespace internal;

std::size_t scan_quoted_string(std::string_view text, std::size_t pos) {
  // quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE (§25.1)
  if (pos >= text.size() || text[pos] != '"') return std::string_view::npos;
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') return i + 1;
    if (c == '\\') {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): anything but CR and LF.
      if (i + 1 >= text.size() || text[i + 1] == '\r' || text[i + 1] == '\n')
        return std::string_view::npos;
      ++i;
    } else if (c == '\r' || c == '\n') {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

std::string unquote(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"')
    return std::string(quoted);
  std::string out;
  out.reserve(quoted.size() - 2);
  for (std::size_t i = 1; i + 1 < quoted.size(); ++i) {
    if (quoted[i] == '\\' && i + 2 < quoted.size()) ++i;
    out.push_back(quoted[i]);
  }
  return out;
}

std::string quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool list_reader::next(std::string_view& out) {
  if (done_ || failed_) return false;
  std::size_t start = pos_;
  std::size_t i = pos_;
  while (i < text_.size()) {
    char c = text_[i];
    if (c == ',') break;
    if (c == '"') {
      i = scan_quoted_string(text_, i);
      if (i == std::string_view::npos) {
        failed_ = true;
        return false;
      }
      continue;
    }
    if (c == '<') {
      i = text_.find('>', i);
      if (i == std::string_view::npos) {
        failed_ = true;
        return false;
      }
    }
    ++i;
  }
  out = trim(text_.substr(start, i - start));
  if (i >= text_.size()) {
    done_ = true;
  } else {
    pos_ = i + 1;
  }
  if (out.empty()) {
    failed_ = true;
    return false;
  }
  return true;
}

result<std::vector<std::string_view>> split_list(std::string_view value,
                                                 std::string_view header_name) {
  std::vector<std::string_view> out;
  list_reader reader(value);
  std::string_view element;
  while (reader.next(element))
    out.push_back(element);
  if (reader.failed()) {
    return bad_request("Malformed " + std::string(header_name) + " header: bad list element");
  }
  return out;
}

bool param_reader::next(generic_param& out) {
  if (failed_) return false;
  std::size_t i = skip_ws(text_, pos_);
  if (i == text_.size()) {
    pos_ = i;
    return false;
  }
  if (text_[i] != ';') {
    failed_ = true;
    return false;
  }
  i = skip_ws(text_, i + 1);
  std::size_t name_start = i;
  while (i < text_.size() && is_token_char(text_[i]))
    ++i;
  if (i == name_start) {
    failed_ = true;
    return false;
  }
  out = generic_param{text_.substr(name_start, i - name_start), {}, false};
  std::size_t after_name = i;
  i = skip_ws(text_, i);
  if (i < text_.size() && text_[i] == '=') {
    i = skip_ws(text_, i + 1);
    std::size_t value_start = i;
    if (i < text_.size() && text_[i] == '"') {
      i = scan_quoted_string(text_, i);
      if (i == std::string_view::npos) {
        failed_ = true;
        return false;
      }
    } else {
      // gen-value = token / host: token characters plus ':' '[' ']' for IPv6 hosts.
      while (i < text_.size() &&
             (is_token_char(text_[i]) || text_[i] == ':' || text_[i] == '[' || text_[i] == ']'))
        ++i;
    }
    if (i == value_start) {
      failed_ = true;
      return false;
    }
    out.value = text_.substr(value_start, i - value_start);
    out.has_value = true;
    pos_ = i;
  } else {
    pos_ = after_name;
  }
  // What follows must be SWS then ';' or the end.
  std::size_t j = skip_ws(text_, pos_);
  if (j < text_.size() && text_[j] != ';') {
    failed_ = true;
    return false;
  }
  return true;
}

bool valid_params(std::string_view text) {
  param_reader reader(text);
  generic_param p;
  while (reader.next(p)) {
  }
  return !reader.failed();
}

std::optional<std::string_view> find_param(std::string_view params, std::string_view name) {
  param_reader reader(params);
  generic_param p;
  while (reader.next(p)) {
    if (iequals(p.name, name)) return p.value;
  }
  return std::nullopt;
}

result<cseq_value> parse_cseq(std::string_view value) {
  auto bad = [](const char* what) {
    return bad_request(std::string("Malformed CSeq header: ") + what);
  };
  value = trim(value);
  std::size_t i = 0;
  while (i < value.size() && is_digit(value[i]))
    ++i;
  std::uint64_t number = 0;
  if (i == 0) return bad("missing sequence number");
  if (!parse_decimal(value.substr(0, i), std::numeric_limits<std::uint32_t>::max(), number))
    return bad("sequence number out of range");
  std::size_t m = skip_ws(value, i);
  if (m == i) return bad("missing method");
  std::string_view method = value.substr(m);
  if (!is_token(method)) return bad("invalid method");
  return cseq_value{static_cast<std::uint32_t>(number), method};
}

result<std::uint8_t> parse_max_forwards(std::string_view value) {
  std::uint64_t v = 0;
  if (!parse_decimal(trim(value), 255, v))
    return bad_request("Malformed Max-Forwards header: not a number from 0 to 255");
  return static_cast<std::uint8_t>(v);
}

result<std::size_t> parse_content_length(std::string_view value, std::size_t max) {
  value = trim(value);
  std::uint64_t v = 0;
  if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos)
    return bad_request("Malformed Content-Length header: not a number");
  if (!parse_decimal(value, max, v)) return error{513, "Message Too Large: Content-Length"};
  return static_cast<std::size_t>(v);
}

result<std::uint32_t> parse_delta_seconds(std::string_view value) {
  std::uint64_t v = 0;
  if (!parse_decimal(trim(value), std::numeric_limits<std::uint32_t>::max(), v))
    return bad_request("Malformed delta-seconds: not a number from 0 to 2^32-1");
  return static_cast<std::uint32_t>(v);
}

bool valid_call_id(std::string_view value) {
  std::size_t at = value.find('@');
  std::string_view first = value.substr(0, at);
  if (first.empty() || !all_of_class(first, cc_word)) return false;
  if (at == std::string_view::npos) return true;
  std::string_view second = value.substr(at + 1);
  return !second.empty() && all_of_class(second, cc_word);
}

bool media_type::is(std::string_view t, std::string_view s) const {
  return iequals(type, t) && iequals(subtype, s);
}

namespace {

// token SLASH token, then a parameter list; shared by Content-Type.
std::size_t scan_token(std::string_view v, std::size_t i) {
  while (i < v.size() && is_token_char(v[i]))
    ++i;
  return i;
}

}  // namespace

result<media_type> parse_media_type(std::string_view value) {
  // Built only on failure: an error holds a std::string, and this runs for every message.
  auto bad = [] { return bad_request("Malformed Content-Type header"); };
  value = trim(value);
  media_type mt;
  std::size_t i = scan_token(value, 0);
  if (i == 0) return bad();
  mt.type = value.substr(0, i);
  i = skip_ws(value, i);
  if (i >= value.size() || value[i] != '/') return bad();
  i = skip_ws(value, i + 1);
  std::size_t s = i;
  i = scan_token(value, i);
  if (i == s) return bad();
  mt.subtype = value.substr(s, i - s);
  mt.params = value.substr(i);
  if (!valid_params(mt.params)) return bad();
  return mt;
}

result<event_value> parse_event(std::string_view value) {
  value = trim(value);
  std::size_t i = scan_token(value, 0);
  if (i == 0) return bad_request("Malformed Event header");
  event_value ev{value.substr(0, i), value.substr(i)};
  if (!valid_params(ev.params)) return bad_request("Malformed Event header: bad parameter");
  return ev;
}

result<subscription_state_value> parse_subscription_state(std::string_view value) {
  auto bad = [](const char* what) {
    return bad_request(std::string("Malformed Subscription-State header: ") + what);
  };
  value = trim(value);
  std::size_t i = scan_token(value, 0);
  if (i == 0) return bad("missing state");
  subscription_state_value st;
  st.state = value.substr(0, i);
  st.params = value.substr(i);
  param_reader reader(st.params);
  generic_param p;
  while (reader.next(p)) {
    if (iequals(p.name, "expires") || iequals(p.name, "retry-after")) {
      auto d = parse_delta_seconds(p.value);
      if (!d) return bad("bad delta-seconds");
      (iequals(p.name, "expires") ? st.expires : st.retry_after) = *d;
    } else if (iequals(p.name, "reason")) {
      st.reason = p.value;
    }
  }
  if (reader.failed()) return bad("bad parameter");
  return st;
}

}  // namespace fedgate::sip
