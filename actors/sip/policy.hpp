#pragma once
// What fedgate accepts from the SIP side, as plain functions (unit-tested without actors):
//   * trust (issue #4): requests only from configured peers, by address/CIDR or by a verified
//     TLS certificate name; anything else gets 403;
//   * the request checks a UAS makes before the transaction user sees a request (RFC 3261
//     §8.2): unsupported URI scheme 416 (§8.2.2.1), domain not served 404 (§8.2.2.1), method not
//     handled 405 with Allow (§8.2.1), Max-Forwards 0 483 (§16.3 step 3, applied as a UAS);
//   * the stateless 400 for a request that did not parse (§8.2, RFC 4475 §3.1.2), built from
//     the raw bytes because there is no parsed message to copy headers from;
//   * the received/rport parameters a server adds to the top Via (§18.2.1, RFC 3581 §4).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/sip/message.hpp"

namespace fedgate::sip_layer {

/// Address/CIDR list matcher. Entries are "10.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32";
/// invalid entries never match (the config validates them).
class address_set {
 public:
  explicit address_set(const std::vector<std::string>& entries);
  bool contains(const std::string& address) const;

 private:
  struct net {
    int family = 0;
    unsigned char bytes[16] = {};
    int prefix = 0;
  };
  std::vector<net> nets_;
};

struct request_policy {
  std::vector<std::string> served_domains;  // Request-URI hosts we accept (case-insensitive)
  bool serve_any_domain = false;
  std::vector<std::string> methods{"MESSAGE", "SUBSCRIBE", "NOTIFY", "OPTIONS", "INVITE",
                                   "ACK",     "BYE",       "CANCEL", "INFO"};
  std::string allow_header() const;  // "MESSAGE, SUBSCRIBE, ..." (§20.5)
};

struct check_failure {
  int status = 400;
  std::string reason;
  bool add_allow = false;  // 405: the response carries Allow
};

/// nullopt if the request may go to the transaction user.
std::optional<check_failure> check_request(const sip::message& request,
                                           const request_policy& policy);

/// A 400 for a datagram or stream message that failed to parse, built from its raw lines
/// (Via, From, To, Call-ID, CSeq copied if they are there). nullopt for responses (never
/// answered, §18.1.2) and for bytes that do not look like a SIP request.
std::optional<std::string> stateless_400(std::string_view raw, const std::string& reason);

/// The request bytes with received= (when the source address differs from the Via sent-by
/// host) and rport=<port> (when the client asked for it) added to the top Via; nullopt when
/// nothing needs adding.
std::optional<std::string> add_received_rport(const sip::message& request,
                                              const std::string& source_address,
                                              std::uint16_t source_port);

}  // namespace fedgate::sip_layer
