#pragma once
// Address mapping between XMPP JIDs and SIP URIs, RFC 7247 §5 ([R]: the section text could not be
// retrieved to check the step order; the rules below follow the notes and RFC 3261/7622 grammar).
//
//   XMPP -> SIP  localpart@domainpart[/resourcepart] -> sip:user@host[;gr=resource]
//     - domainpart: already IDNA A-labels in a normalised jid (codecs/xmpp/jid.hpp), so it is a
//       valid SIP host as is; mapped through the configured domain_map when it has a pair;
//     - localpart -> user: every octet not allowed unescaped in the RFC 3261 `user` rule (§25.1:
//       unreserved / user-unreserved) is %HH-encoded, UTF-8 octets included;
//     - resourcepart: dropped for a bare address; kept as a GRUU `;gr=` parameter (RFC 5627) when
//       asked (the gateway's GRUU for one XMPP resource).
//   SIP -> XMPP  sip:user@host[;gr=x] -> user@host[/x]
//     - only sip:/sips: URIs with a user part map; tel: and other schemes -> 416 / jid-malformed,
//       userless URIs -> 404 / item-not-found (RFC 7247 §5 [R]);
//     - user: %-decoded, then enforced as an RFC 7622 localpart (PRECIS UsernameCaseMapped):
//       a forbidden or disallowed character -> 400 / jid-malformed (no XEP-0106 escaping);
//     - host: A-labels accepted as is (the jid keeps A-labels); mapped back through domain_map;
//     - URI parameters and headers are dropped, except `gr` which becomes the resource when asked.
//
// Not here: XEP-0106 JID escaping, Kamailio-style "user*domain@gateway" encoding, tel: numbers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/mapping/errors.hpp"
#include "codecs/xmpp/jid.hpp"

namespace fedgate::mapping {

/// Configured pairs "XMPP-facing domain <-> SIP domain of local users" (several pairs). Domains
/// compare case-insensitively: both sides are stored normalised (lower case, A-labels).
class domain_map {
 public:
  /// What to do with a domain that has no pair: keep it (identity mapping, the RFC 7247 default
  /// for federated domains) or refuse it (item-not-found / 404).
  enum class unmapped { pass_through, reject };

  explicit domain_map(unmapped policy = unmapped::pass_through) : policy_(policy) {}

  /// Adds a pair. False if either domain is not a valid domain (RFC 7622 §3.2 / RFC 3261 host) or
  /// already appears in another pair (the map must stay one-to-one to be reversible).
  bool add(std::string_view sip_domain, std::string_view xmpp_domain);

  /// The SIP domain for an XMPP domain (normalised), or nullopt if refused.
  std::optional<std::string> to_sip(std::string_view xmpp_domain) const;
  /// The XMPP domain for a SIP host (normalised), or nullopt if refused.
  std::optional<std::string> to_xmpp(std::string_view sip_domain) const;

  unmapped policy() const { return policy_; }
  std::size_t size() const { return pairs_.size(); }

 private:
  struct pair {
    std::string sip, xmpp;
  };
  std::vector<pair> pairs_;
  unmapped policy_;
};

struct address_options {
  /// XMPP -> SIP: put the resource of a full JID into `;gr=`. SIP -> XMPP: make `;gr=` the
  /// resource. Off: bare addresses only (RFC 7572 single messages address bare JIDs).
  bool use_gruu = false;
  /// sips: instead of sip: (XMPP -> SIP).
  bool sips = false;
};

/// %HH-encodes `user` for the RFC 3261 `user` rule (upper-case hex).
std::string escape_sip_user(std::string_view user);
/// %HH-encodes a URI parameter value for the RFC 3261 `pvalue` rule.
std::string escape_sip_param(std::string_view value);

/// "sip:juliet@example.com" (XMPP -> SIP). Errors answer the XMPP side: item-not-found (no
/// localpart, refused domain).
result<std::string> jid_to_sip_uri(const xmpp::jid& address, const domain_map& map,
                                   const address_options& opt = {});

/// The JID for a SIP or SIPS URI (text as in a Request-URI, To or From URI). Errors answer the
/// SIP side: 416 (not sip:/sips:), 404 (no user part, refused domain), 400 (malformed URI, user
/// not a valid localpart, host not a valid domainpart).
result<xmpp::jid> sip_uri_to_jid(std::string_view uri_text, const domain_map& map,
                                 const address_options& opt = {});

}  // namespace fedgate::mapping
