#include "codecs/sip/via.hpp"

#include "codecs/sip/internal/chars.hpp"

namespace fedgate::sip {

using namespace internal;

result<via> parse_via(std::string_view element) {
  auto bad = [](std::string_view what) {
    return bad_request("Malformed Via header: " + std::string(what));
  };
  std::string_view v = trim(element);
  via out;
  std::size_t i = 0;
  auto token = [&v, &i]() {
    std::size_t s = i;
    while (i < v.size() && is_token_char(v[i]))
      ++i;
    return v.substr(s, i - s);
  };
  auto slash = [&v, &i]() {  // SLASH = SWS "/" SWS
    i = skip_ws(v, i);
    if (i >= v.size() || v[i] != '/') return false;
    i = skip_ws(v, i + 1);
    return true;
  };
  out.protocol_name = token();
  if (out.protocol_name.empty() || !slash()) return bad("bad sent-protocol");
  out.protocol_version = token();
  if (out.protocol_version.empty() || !slash()) return bad("bad sent-protocol");
  out.transport = token();
  if (out.transport.empty()) return bad("bad sent-protocol");
  std::size_t before = i;
  i = skip_ws(v, i);
  if (i == before || i >= v.size()) return bad("missing sent-by");
  std::size_t host_start = i;
  if (v[i] == '[') {
    std::size_t close = v.find(']', i);
    if (close == std::string_view::npos) return bad("bad sent-by host");
    i = close + 1;
  } else {
    while (i < v.size() && (has_class(v[i], cc_host)))
      ++i;
  }
  out.host = v.substr(host_start, i - host_start);
  out.host_type = classify_host(out.host);
  if (out.host_type == host_kind::none) return bad("bad sent-by host");
  std::size_t j = skip_ws(v, i);
  if (j < v.size() && v[j] == ':') {  // COLON = SWS ":" SWS
    j = skip_ws(v, j + 1);
    std::size_t ps = j;
    while (j < v.size() && is_digit(v[j]))
      ++j;
    std::uint64_t port = 0;
    if (!parse_decimal(v.substr(ps, j - ps), 65535, port)) return bad("bad sent-by port");
    out.port = static_cast<std::uint16_t>(port);
    i = j;
  }
  out.params = v.substr(skip_ws(v, i));
  if (!out.params.empty() && out.params[0] != ';') return bad("junk after sent-by");
  param_reader reader(out.params);
  generic_param p;
  while (reader.next(p)) {
    if (iequals(p.name, "branch")) {
      if (!p.has_value || !is_token(p.value)) return bad("bad branch");
      out.branch = p.value;
    } else if (iequals(p.name, "received")) {
      auto kind = classify_host(p.value);
      bool bare_v6 = kind == host_kind::none && p.value.find(':') != std::string_view::npos &&
                     classify_host("[" + std::string(p.value) + "]") == host_kind::ipv6;
      if (kind != host_kind::ipv4 && kind != host_kind::ipv6 && !bare_v6)
        return bad("bad received address");
      out.received = p.value;
    } else if (iequals(p.name, "maddr")) {
      if (classify_host(p.value) == host_kind::none) return bad("bad maddr");
      out.maddr = p.value;
    } else if (iequals(p.name, "ttl")) {
      std::uint64_t ttl = 0;
      if (!parse_decimal(p.value, 255, ttl)) return bad("bad ttl");
      out.ttl = static_cast<std::uint8_t>(ttl);
    } else if (iequals(p.name, "rport")) {
      out.rport = true;
      if (p.has_value) {
        std::uint64_t port = 0;
        if (!parse_decimal(p.value, 65535, port)) return bad("bad rport");
        out.rport_value = static_cast<std::uint16_t>(port);
      }
    }
  }
  if (reader.failed()) return bad("bad parameter");
  return out;
}

}  // namespace fedgate::sip
