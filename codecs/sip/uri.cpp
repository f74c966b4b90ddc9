#include "codecs/sip/uri.hpp"

#include "codecs/sip/internal/chars.hpp"

namespace fedgate::sip {

namespace {

using namespace internal;

error bad_uri(std::string_view what) {
  return bad_request("Malformed URI: " + std::string(what));
}

bool is_ipv4(std::string_view s) {
  // IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT (§25.1), each 0-255.
  int parts = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = i;
    while (j < s.size() && is_digit(s[j]))
      ++j;
    std::uint64_t v = 0;
    if (j == i || j - i > 3 || !parse_decimal(s.substr(i, j - i), 255, v)) return false;
    ++parts;
    if (j == s.size()) break;
    if (s[j] != '.' || parts == 4) return false;
    i = j + 1;
  }
  return parts == 4;
}

bool is_ipv6_address(std::string_view s) {
  // IPv6address (§25.1): hex groups separated by ':', at most one "::", optional trailing IPv4.
  if (s.size() < 2) return false;
  int groups = 0;
  bool double_colon = false;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    double_colon = true;
    i = 2;
    if (i == s.size()) return true;
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && has_class(s[j], cc_hex))
      ++j;
    if (j < s.size() && s[j] == '.') {  // embedded IPv4 as the last two groups
      if (!is_ipv4(s.substr(i))) return false;
      groups += 2;
      break;
    }
    if (j == i || j - i > 4) return false;
    ++groups;
    if (j == s.size()) break;
    if (s[j] != ':') return false;
    if (j + 1 < s.size() && s[j + 1] == ':') {
      if (double_colon) return false;
      double_colon = true;
      i = j + 2;
      if (i == s.size()) break;
    } else {
      i = j + 1;
      if (i == s.size()) return false;  // trailing single ':'
    }
  }
  return double_colon ? groups <= 7 : groups == 8;
}

bool is_hostname(std::string_view s) {
  // hostname = *( domainlabel "." ) toplabel [ "." ]; labels alphanum / "-" (§25.1). Underscores
  // are accepted too: they occur in real deployments (SRV-style names) and harm nothing here.
  if (s.empty()) return false;
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      std::size_t len = i - label_start;
      if (len == 0) return i == s.size() && i > 0;  // a single trailing dot is legal
      if (s[label_start] == '-' || s[i - 1] == '-') return false;
      label_start = i + 1;
      continue;
    }
    if (!has_class(s[i], cc_alnum) && s[i] != '-' && s[i] != '_') return false;
  }
  return true;
}

// Walks a ";name[=value]" list (uri-parameters or a Via/name-addr param list is different: see
// header_values.cpp) calling f(name, value, has_value); stops when f returns true.
template <class F>
bool find_in_list(std::string_view list, char sep, std::string_view name, F&& found) {
  std::size_t i = 0;
  while (i < list.size()) {
    if (list[i] == sep) ++i;
    std::size_t end = list.find(sep, i);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(i, end - i);
    std::size_t eq = item.find('=');
    std::string_view n = item.substr(0, eq);
    if (iequals(n, name)) {
      found(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1));
      return true;
    }
    i = end;
  }
  return false;
}

}  // namespace

host_kind classify_host(std::string_view host) {
  if (host.empty()) return host_kind::none;
  if (host.front() == '[') {
    if (host.back() != ']' || !is_ipv6_address(host.substr(1, host.size() - 2)))
      return host_kind::none;
    return host_kind::ipv6;
  }
  if (is_digit(host.front()) && is_ipv4(host)) return host_kind::ipv4;
  return is_hostname(host) ? host_kind::hostname : host_kind::none;
}

std::optional<std::string_view> uri::param(std::string_view name) const {
  std::optional<std::string_view> out;
  find_in_list(params, ';', name, [&out](std::string_view v) { out = v; });
  return out;
}

std::optional<std::string_view> uri::header(std::string_view name) const {
  std::optional<std::string_view> out;
  find_in_list(headers, '&', name, [&out](std::string_view v) { out = v; });
  return out;
}

result<uri> parse_uri(std::string_view text) {
  uri u;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 2396 §3.1)
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return bad_uri("missing scheme");
  u.scheme_text = text.substr(0, colon);
  if (!is_alpha(u.scheme_text[0]) || !all_of_class(u.scheme_text, cc_scheme))
    return bad_uri("invalid scheme");
  std::string_view rest = text.substr(colon + 1);
  if (iequals(u.scheme_text, "sip")) {
    u.scheme = uri_scheme::sip;
  } else if (iequals(u.scheme_text, "sips")) {
    u.scheme = uri_scheme::sips;
  } else {
    // absoluteURI = scheme ":" ( hier-part / opaque-part ), all uric characters (RFC 2396 §3).
    if (rest.empty()) return bad_uri("empty " + std::string(u.scheme_text) + " URI");
    if (!all_of_class_or_escaped(rest, cc_uric)) return bad_uri("invalid character");
    u.opaque = rest;
    return u;
  }

  // SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ] (§19.1.1, §25.1).
  // No unescaped '@' may appear outside userinfo, so the first '@' ends it.
  std::size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    std::size_t pw = userinfo.find(':');
    u.user = userinfo.substr(0, pw);
    u.has_user = true;
    if (pw != std::string_view::npos) {
      u.password = userinfo.substr(pw + 1);
      u.has_password = true;
      if (!all_of_class_or_escaped(u.password, cc_password)) return bad_uri("invalid password");
    }
    if (u.user.empty()) return bad_uri("empty user");
    if (!all_of_class_or_escaped(u.user, cc_user)) return bad_uri("invalid user");
    rest = rest.substr(at + 1);
  }
  // hostport ends at ';' (parameters), '?' (headers) or the end.
  std::size_t host_end = 0;
  if (!rest.empty() && rest[0] == '[') {
    host_end = rest.find(']');
    if (host_end == std::string_view::npos) return bad_uri("unterminated IPv6 reference");
    ++host_end;
  }
  host_end = find_any(rest, ":;?", host_end);
  if (host_end == std::string_view::npos) host_end = rest.size();
  u.host = rest.substr(0, host_end);
  u.host_type = classify_host(u.host);
  if (u.host_type == host_kind::none) return bad_uri("invalid host");
  rest = rest.substr(host_end);
  if (!rest.empty() && rest[0] == ':') {
    std::size_t pend = find_any(rest, ";?");
    if (pend == std::string_view::npos) pend = rest.size();
    std::uint64_t port = 0;
    if (!parse_decimal(rest.substr(1, pend - 1), 65535, port)) return bad_uri("invalid port");
    u.port = static_cast<std::uint16_t>(port);
    rest = rest.substr(pend);
  }
  std::size_t q = rest.find('?');
  u.params = rest.substr(0, q);
  // uri-parameter = pname [ "=" pvalue ], paramchar = param-unreserved / unreserved / escaped.
  for (std::size_t i = 0; i < u.params.size();) {
    std::size_t end = u.params.find(';', i + 1);
    if (end == std::string_view::npos) end = u.params.size();
    std::string_view item = u.params.substr(i + 1, end - i - 1);
    std::size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    if (name.empty() || !all_of_class_or_escaped(name, cc_param))
      return bad_uri("invalid parameter");
    if (eq != std::string_view::npos) {
      std::string_view value = item.substr(eq + 1);
      if (value.empty() || !all_of_class_or_escaped(value, cc_param))
        return bad_uri("invalid parameter value");
    }
    i = end;
  }
  if (q != std::string_view::npos) {
    // headers = "?" header *( "&" header ); header = hname "=" hvalue (§25.1)
    u.headers = rest.substr(q + 1);
    u.has_headers = true;
    std::size_t i = 0;
    while (true) {
      std::size_t end = u.headers.find('&', i);
      if (end == std::string_view::npos) end = u.headers.size();
      std::string_view item = u.headers.substr(i, end - i);
      std::size_t eq = item.find('=');
      if (eq == std::string_view::npos || eq == 0) return bad_uri("invalid header");
      if (!all_of_class_or_escaped(item.substr(0, eq), cc_hnv) ||
          !all_of_class_or_escaped(item.substr(eq + 1), cc_hnv))
        return bad_uri("invalid header");
      if (end == u.headers.size()) break;
      i = end + 1;
    }
  }
  return u;
}

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    return internal::to_lower(c) - 'a' + 10;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (internal::is_escape_at(text, i)) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace fedgate::sip
