#pragma once
// The SIP request handler the gateway uses until the IM router exists: every request that passed
// the SIP layer's checks (trust, domain, method; see actors/sip/policy.hpp) is answered, never
// left to time out. OPTIONS gets 200 (proxies such as Skype for Business and Kamailio probe their
// peers with it); ACK for a 2xx needs no answer; everything else gets 503 with a reason phrase
// saying why, which the sender's side maps to <service-unavailable/> (RFC 7247 §7).

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace fedgate::routing {

caf::actor spawn_unrouted_sip(caf::actor_system& sys);

}  // namespace fedgate::routing
