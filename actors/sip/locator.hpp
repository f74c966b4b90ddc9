#pragma once
// RFC 3263 "Locating SIP Servers" for the client side: from a SIP/SIPS URI (a Request-URI, the
// first Route, the outbound proxy) to the ordered list of next hops (transport, address, port)
// to try, on top of the protocol-neutral resolver in transport/dns.
//
//   plan_locate()  the pure part (§4.1 transport, §4.2 port/SRV choice), unit-tested;
//   locate()       runs the plan on a dns::resolver; the callback runs on the resolver thread.
//
// Rules (§4.1, §4.2):
//   * numeric host: no DNS; transport from transport= (sips: TLS), else UDP for sip:, TLS for
//     sips:; port from the URI or 5060/5061;
//   * host name with a port: A/AAAA of the host, that port, the transport as above;
//   * host name with transport= and no port: SRV of that transport (_sip._udp, _sip._tcp,
//     _sips._tcp), then A/AAAA with the default port;
//   * host name with neither: SRV for each transport we support, in our preference order
//     (_sips._tcp when TLS is configured, _sip._tcp, _sip._udp; sips: only _sips._tcp); the first
//     one with usable targets wins; else A/AAAA with UDP/5060 (sips: TLS/5061).
// Every address of every target is one hop, in order, so the caller can fail over (§4.3).
// NAPTR (§4.1 first step) is not queried: RFC 3263 allows going straight to SRV.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/sip/peer.hpp"

namespace fedgate::dns {
class resolver;
}

namespace fedgate::sip_layer {

struct srv_candidate {
  std::string service;  // "_sip._udp", "_sip._tcp", "_sips._tcp"
  transport_kind transport = transport_kind::udp;
  std::uint16_t default_port = 5060;
};

struct locate_plan {
  std::string error;  // non-empty: not a SIP URI / transport not available
  std::string host;   // without IPv6 brackets
  bool numeric = false;
  std::vector<srv_candidate> srv;  // in order; empty when no SRV lookup is made
  transport_kind host_transport = transport_kind::udp;  // for the A/AAAA step (or numeric)
  std::uint16_t host_port = 5060;
};

locate_plan plan_locate(std::string_view uri_text, bool tls_available);

struct locate_result {
  std::vector<peer> hops;  // in the order to try
  std::string error;       // why there are none
};

/// The answer for plans that need no DNS (an error, or a numeric host); nullopt otherwise.
std::optional<locate_result> locate_without_dns(const locate_plan& plan);

/// Runs `plan`: at once on the caller's thread when locate_without_dns() answers it, else on the
/// resolver thread.
void locate(dns::resolver& resolver, const locate_plan& plan,
            std::function<void(locate_result)> done);

}  // namespace fedgate::sip_layer
