#include "codecs/mapping/address.hpp"

#include "codecs/sip/uri.hpp"

namespace fedgate::mapping {
namespace {

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 3261 §25.1: unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'"
// / "(" / ")".
bool is_unreserved(unsigned char c) {
  if (is_alnum(c)) return true;
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '!':
    case '~':
    case '*':
    case '\'':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

// user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
bool is_user_unreserved(unsigned char c) {
  switch (c) {
    case '&':
    case '=':
    case '+':
    case '$':
    case ',':
    case ';':
    case '?':
    case '/':
      return true;
    default:
      return false;
  }
}

// param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"
bool is_param_unreserved(unsigned char c) {
  switch (c) {
    case '[':
    case ']':
    case '/':
    case ':':
    case '&':
    case '+':
    case '$':
      return true;
    default:
      return false;
  }
}

template <class Keep>
std::string escape(std::string_view s, Keep keep) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (keep(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  return out;
}

error fail(stanza_condition c, int status, std::string reason) {
  return error{c, status, std::move(reason)};
}

}  // namespace

std::string escape_sip_user(std::string_view user) {
  return escape(user, [](unsigned char c) { return is_unreserved(c) || is_user_unreserved(c); });
}

std::string escape_sip_param(std::string_view value) {
  return escape(value, [](unsigned char c) { return is_unreserved(c) || is_param_unreserved(c); });
}

bool domain_map::add(std::string_view sip_domain, std::string_view xmpp_domain) {
  auto sip = xmpp::normalize_domainpart(sip_domain);
  auto xmpp = xmpp::normalize_domainpart(xmpp_domain);
  if (!sip || !xmpp) return false;
  for (const auto& p : pairs_) {
    if (p.sip == *sip || p.xmpp == *xmpp) return false;
  }
  pairs_.push_back({std::move(*sip), std::move(*xmpp)});
  return true;
}

std::optional<std::string> domain_map::to_sip(std::string_view xmpp_domain) const {
  auto d = xmpp::normalize_domainpart(xmpp_domain);
  if (!d) return std::nullopt;
  for (const auto& p : pairs_) {
    if (p.xmpp == *d) return p.sip;
  }
  // A domain that is the SIP side of a pair is not reachable under its own name from XMPP: its
  // users are addressed through the paired XMPP domain (keeps the mapping one-to-one).
  for (const auto& p : pairs_) {
    if (p.sip == *d) return std::nullopt;
  }
  if (policy_ == unmapped::reject) return std::nullopt;
  return d;
}

std::optional<std::string> domain_map::to_xmpp(std::string_view sip_domain) const {
  auto d = xmpp::normalize_domainpart(sip_domain);
  if (!d) return std::nullopt;
  for (const auto& p : pairs_) {
    if (p.sip == *d) return p.xmpp;
  }
  for (const auto& p : pairs_) {
    if (p.xmpp == *d) return std::nullopt;
  }
  if (policy_ == unmapped::reject) return std::nullopt;
  return d;
}

result<std::string> jid_to_sip_uri(const xmpp::jid& address, const domain_map& map,
                                   const address_options& opt) {
  if (!address.has_local()) {
    return fail(stanza_condition::item_not_found, 404,
                "XMPP address without localpart has no SIP equivalent");
  }
  auto host = map.to_sip(address.domain());
  if (!host) {
    return fail(stanza_condition::item_not_found, 404,
                "No SIP domain for XMPP domain " + address.domain());
  }
  std::string out = opt.sips ? "sips:" : "sip:";
  out += escape_sip_user(address.local());
  out += '@';
  out += *host;
  if (opt.use_gruu && address.has_resource()) {
    out += ";gr=";
    out += escape_sip_param(address.resource());
  }
  // The result must be a URI the SIP codec accepts (it is what we put on the wire).
  if (!sip::parse_uri(out)) {
    return fail(stanza_condition::jid_malformed, 400, "XMPP address does not form a SIP URI");
  }
  return out;
}

result<xmpp::jid> sip_uri_to_jid(std::string_view uri_text, const domain_map& map,
                                 const address_options& opt) {
  auto parsed = sip::parse_uri(uri_text);
  if (!parsed) return fail(stanza_condition::jid_malformed, 400, "Malformed URI");
  const sip::uri& u = parsed.value();
  if (!u.is_sip()) {
    return fail(stanza_condition::jid_malformed, 416,
                "Unsupported URI Scheme " + std::string(u.scheme_text) + ": not mappable to XMPP");
  }
  if (!u.has_user || u.user.empty()) {
    return fail(stanza_condition::item_not_found, 404, "SIP URI without user part");
  }
  std::string user = sip::unescape(u.user);
  xmpp::jid_error why = xmpp::jid_error::none;
  auto local = xmpp::normalize_localpart(user, &why);
  if (!local) {
    return fail(stanza_condition::jid_malformed, 400,
                "SIP user is not an XMPP localpart: " + std::string(xmpp::to_string(why)));
  }
  auto domain = xmpp::normalize_domainpart(u.host, &why);
  if (!domain) {
    return fail(stanza_condition::jid_malformed, 400,
                "SIP host is not an XMPP domainpart: " + std::string(xmpp::to_string(why)));
  }
  auto mapped = map.to_xmpp(*domain);
  if (!mapped) {
    return fail(stanza_condition::item_not_found, 404, "No XMPP domain for SIP domain " + *domain);
  }
  std::string resource;
  if (opt.use_gruu) {
    if (auto gr = u.param("gr"); gr && !gr->empty()) resource = sip::unescape(*gr);
  }
  auto j = xmpp::jid::from_parts(*local, *mapped, resource, &why);
  if (!j) {
    return fail(stanza_condition::jid_malformed, 400,
                "SIP URI does not form a JID: " + std::string(xmpp::to_string(why)));
  }
  return std::move(*j);
}

}  // namespace fedgate::mapping
