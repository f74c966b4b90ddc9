#pragma once
// Messages inside the IM layer (router shards <-> session actors). The outside world talks to
// the router with the S2S and SIP layers' own messages (actors/s2s/messages.hpp,
// actors/sip/messages.hpp); the router's ownership policy rewrites them into these, with the
// conversation key it computed, so nobody computes it twice.

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

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
// ctl -> shard -> each session: (list_sessions) -> std::vector<session_info>
using list_sessions_atom = caf::atom_constant<caf::atom("im_list")>;
// ctl -> shard -> session: (test_im, key, text) -> std::string (what came back; `fedgate ctl
// test-im`, like the Lync gateway's Test-CsXmppIM)
using test_im_atom = caf::atom_constant<caf::atom("im_test")>;

// ctl -> every shard: drain (new SIP conversations get 503 + Retry-After; `fedgate ctl drain`)
using drain_atom = caf::atom_constant<caf::atom("im_drain")>;

/// One conversation as `fedgate ctl sessions` shows it.
struct session_info {
  std::string conversation;           // "local remote"
  std::uint64_t to_sip_queued = 0;    // XMPP stanzas waiting for the SIP side
  std::uint64_t to_xmpp_pending = 0;  // SIP MESSAGEs waiting for their answer
  bool sip_in_flight = false;
  std::string mode;  // pager | session (an IM session dialog is up)
  std::uint64_t idle_seconds = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_info& x) {
  return f(caf::meta::type_name("im_session_info"), x.conversation, x.to_sip_queued,
           x.to_xmpp_pending, x.sip_in_flight, x.mode, x.idle_seconds);
}

}  // namespace fedgate::im
