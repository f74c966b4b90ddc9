#pragma once
// The stanza sink the gateway uses until the IM router exists (issue: instant messaging): every
// stanza that arrives from a partner is logged and, where RFC 6120 §8.3 allows a reply, answered
// with <service-unavailable/> through the S2S service, so a sender is never left waiting on a
// stanza that went nowhere. Error stanzas (bounces included) are only logged.

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace fedgate::routing {

// `s2s_service` carries the replies back out (deliver_atom).
caf::actor spawn_unrouted_sink(caf::actor_system& sys, caf::actor s2s_service);

}  // namespace fedgate::routing
