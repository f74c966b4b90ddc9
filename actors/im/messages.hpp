#pragma once
// Messages inside the IM layer (router shards <-> session actors). The outside world talks to
// the router with the S2S and SIP layers' own messages (actors/s2s/messages.hpp,
// actors/sip/messages.hpp); the router's ownership policy rewrites them into these, with the
// conversation key it computed, so nobody computes it twice.

#include <cstdint>
#include <string>

#include <caf/atom.hpp>

namespace fedgate::im {

// router policy -> shard -> session: (routed, key, s2s::stanza) or
// (routed, key, sip_layer::incoming_request). An empty key: the addresses did not map.
using routed_atom = caf::atom_constant<caf::atom("im_routed")>;
// session -> shard: (idle, key, processed) the session has been idle; the shard stops it only if
// it forwarded exactly `processed` messages to it, so nothing in flight is lost.
using idle_atom = caf::atom_constant<caf::atom("im_idle")>;
// session timers
using idle_check_atom = caf::atom_constant<caf::atom("im_idlechk")>;
using delivery_timeout_atom = caf::atom_constant<caf::atom("im_dto")>;
using settle_atom = caf::atom_constant<caf::atom("im_settle")>;
// anyone -> router shard: number of live sessions (for ctl and tests)
using count_sessions_atom = caf::atom_constant<caf::atom("im_count")>;

}  // namespace fedgate::im
