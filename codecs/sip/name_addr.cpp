#include "codecs/sip/name_addr.hpp"

#include "codecs/sip/internal/chars.hpp"

namespace fedgate::sip {

using namespace internal;

result<name_addr> parse_name_addr(std::string_view element, std::string_view header_name) {
  auto bad = [header_name](std::string_view what) {
    return bad_request("Malformed " + std::string(header_name) + " header: " + std::string(what));
  };
  std::string_view v = trim(element);
  if (v.empty()) return bad("empty value");
  name_addr na;
  std::size_t i = 0;
  bool name_addr_form = false;
  if (v[0] == '"') {
    i = scan_quoted_string(v, 0);
    if (i == std::string_view::npos) return bad("unterminated quoted display name");
    na.display_name = v.substr(0, i);
    i = skip_ws(v, i);
    if (i >= v.size() || v[i] != '<') return bad("missing '<' after display name");
    name_addr_form = true;
  } else if (v[0] == '<') {
    name_addr_form = true;
  } else {
    // *(token LWS) then '<' means a display name; anything else is an addr-spec. LWS before '<'
    // is optional in practice (RFC 4475 §3.1.1.6).
    std::size_t j = 0;
    std::size_t last_token_end = 0;
    while (j < v.size() && is_token_char(v[j])) {
      while (j < v.size() && is_token_char(v[j]))
        ++j;
      last_token_end = j;
      j = skip_ws(v, j);
    }
    if (j < v.size() && v[j] == '<' && last_token_end > 0) {
      na.display_name = v.substr(0, last_token_end);
      i = j;
      name_addr_form = true;
    } else if (v.find('<') != std::string_view::npos) {
      return bad("display name is neither tokens nor a quoted string");
    }
  }

  std::string_view rest;
  if (name_addr_form) {
    std::size_t close = v.find('>', i);
    if (close == std::string_view::npos) return bad("missing '>'");
    na.uri_text = v.substr(i + 1, close - i - 1);
    na.angle_brackets = true;
    // LAQUOT = SWS "<" and RAQUOT = ">" SWS: no whitespace inside the brackets (RFC 4475 §3.1.2.14)
    if (na.uri_text.empty() || is_ws(na.uri_text.front()) || is_ws(na.uri_text.back()))
      return bad("whitespace inside <>");
    rest = v.substr(close + 1);
  } else {
    std::size_t semi = v.find(';');
    na.uri_text = trim(v.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : v.substr(semi);
    if (find_any(na.uri_text, " \t") != std::string_view::npos)
      return bad("whitespace in addr-spec");
    if (find_any(na.uri_text, ",?") != std::string_view::npos)
      return bad("URI with ',' or '?' must be enclosed in <>");
  }
  auto parsed = parse_uri(na.uri_text);
  if (!parsed) return bad(parsed.err().reason);
  na.address = *parsed;
  std::size_t p = skip_ws(rest, 0);
  na.params = rest.substr(p);
  if (!valid_params(na.params)) return bad("bad parameter");
  return na;
}

}  // namespace fedgate::sip
