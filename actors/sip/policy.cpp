#include "actors/sip/policy.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cstring>

#include "codecs/sip/parser.hpp"

namespace fedgate::sip_layer {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool starts_with_header(std::string_view line, std::string_view full, std::string_view compact) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
    name.remove_suffix(1);
  return iequals(name, full) || (!compact.empty() && iequals(name, compact));
}

}  // namespace

address_set::address_set(const std::vector<std::string>& entries) {
  for (const auto& e : entries) {
    net n;
    auto slash = e.find('/');
    std::string addr = e.substr(0, slash);
    if (::inet_pton(AF_INET, addr.c_str(), n.bytes) == 1) {
      n.family = AF_INET;
      n.prefix = 32;
    } else if (::inet_pton(AF_INET6, addr.c_str(), n.bytes) == 1) {
      n.family = AF_INET6;
      n.prefix = 128;
    } else {
      continue;
    }
    if (slash != std::string::npos) {
      try {
        n.prefix = std::min(n.prefix, std::stoi(e.substr(slash + 1)));
      } catch (...) {
        continue;
      }
    }
    nets_.push_back(n);
  }
}

bool address_set::contains(const std::string& address) const {
  unsigned char b[16] = {};
  int family = 0;
  if (::inet_pton(AF_INET, address.c_str(), b) == 1) {
    family = AF_INET;
  } else if (::inet_pton(AF_INET6, address.c_str(), b) == 1) {
    family = AF_INET6;
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched as IPv4.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b, mapped, 12) == 0) {
      std::memmove(b, b + 12, 4);
      family = AF_INET;
    }
  } else {
    return false;
  }
  for (const auto& n : nets_) {
    if (n.family != family) continue;
    int full = n.prefix / 8, rest = n.prefix % 8;
    if (std::memcmp(n.bytes, b, static_cast<std::size_t>(full)) != 0) continue;
    if (rest != 0) {
      auto mask = static_cast<unsigned char>(0xff << (8 - rest));
      if ((n.bytes[full] & mask) != (b[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string request_policy::allow_header() const {
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out;
}

std::optional<check_failure> check_request(const sip::message& request,
                                           const request_policy& policy) {
  if (auto e = sip::unsupported_scheme(request)) return check_failure{e->status, e->reason};
  std::string_view method = request.method();
  if (std::find(policy.methods.begin(), policy.methods.end(), method) == policy.methods.end()) {
    return check_failure{405, "Method Not Allowed", true};
  }
  if (auto mf = request.max_forwards(); mf && *mf == 0) {
    return check_failure{483, "Too Many Hops"};
  }
  auto uri = request.request_uri_parsed();
  // A request inside a dialog (its To has a tag) is addressed to the Contact we gave, an address
  // rather than a served domain (RFC 3261 §12.2.2): its dialog, not its domain, decides.
  bool in_dialog = !request.to().tag().empty();
  if (uri.is_sip() && !policy.serve_any_domain && !in_dialog) {
    bool served = std::any_of(policy.served_domains.begin(), policy.served_domains.end(),
                              [&](const std::string& d) { return iequals(d, uri.host); });
    if (!served) {
      return check_failure{404, "Not Found: domain " + std::string(uri.host) + " not served"};
    }
  }
  return std::nullopt;
}

std::optional<std::string> stateless_400(std::string_view raw, const std::string& reason) {
  if (raw.substr(0, 4) == "SIP/") return std::nullopt;  // a response: never answered
  auto first_end = raw.find("\r\n");
  std::string_view start = raw.substr(0, first_end);
  if (start.find(" SIP/") == std::string_view::npos &&
      start.find(" sip/") == std::string_view::npos) {
    return std::nullopt;  // not even a request line
  }
  std::string out = "SIP/2.0 400 " + reason + "\r\n";
  bool has_via = false;
  std::size_t pos = first_end == std::string_view::npos ? raw.size() : first_end + 2;
  while (pos < raw.size()) {
    auto end = raw.find("\r\n", pos);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view line = raw.substr(pos, end - pos);
    if (line.empty()) break;  // end of headers
    if (starts_with_header(line, "Via", "v")) has_via = true;
    if (starts_with_header(line, "Via", "v") || starts_with_header(line, "From", "f") ||
        starts_with_header(line, "To", "t") || starts_with_header(line, "Call-ID", "i") ||
        starts_with_header(line, "CSeq", "")) {
      if (line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos) {
        out += line;
        out += "\r\n";
      }
    }
    pos = end + 2;
  }
  if (!has_via) return std::nullopt;  // nowhere to send it per §18.2.2
  out += "Content-Length: 0\r\n\r\n";
  return out;
}

std::optional<std::string> add_received_rport(const sip::message& request,
                                              const std::string& source_address,
                                              std::uint16_t source_port) {
  sip::via v = request.top_via();
  std::string host(v.host);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  bool need_received = host != source_address;
  bool need_rport = v.rport && !v.rport_value;
  if (!need_received && !need_rport) return std::nullopt;
  // Rebuild the top Via element's parameters: drop an empty rport, append ours.
  std::string_view raw = request.raw();
  std::string_view params = v.params;
  std::size_t params_at = static_cast<std::size_t>(params.data() - raw.data());
  std::string rebuilt;
  std::size_t pos = 0;
  while (pos < params.size()) {
    auto next = params.find(';', pos + 1);
    if (next == std::string_view::npos) next = params.size();
    std::string_view p = params.substr(pos, next - pos);  // ";name[=value]"
    std::string_view name = p.substr(
        1, p.find('=') == std::string_view::npos ? std::string_view::npos : p.find('=') - 1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
      name.remove_suffix(1);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t'))
      name.remove_prefix(1);
    if (!(iequals(name, "rport") && need_rport) && !(iequals(name, "received") && need_received)) {
      rebuilt += p;
    }
    pos = next;
  }
  if (need_received) rebuilt += ";received=" + source_address;
  if (need_rport) rebuilt += ";rport=" + std::to_string(source_port);
  std::string out;
  out.reserve(raw.size() + rebuilt.size());
  out.append(raw.substr(0, params_at));
  out.append(rebuilt);
  out.append(raw.substr(params_at + params.size()));
  return out;
}

}  // namespace fedgate::sip_layer
