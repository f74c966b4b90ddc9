#pragma once
// The message interface of the SIP layer, for its users (the router, IM sessions, presence
// actors) and between its own actors.
//
// Incoming requests (server transactions). The handler actor given to start_sip_service() gets
//   (sip_request_atom, incoming_request)      a request that passed trust, domain and method
//                                             checks; answer it exactly once with respond().
//                                             ACK for a 2xx arrives with server_id == 0: do not
//                                             answer it.
//   (sip_cancelled_atom, caf::actor shard, uint64_t server_id)
//                                             the request was CANCELled; 487 was already sent.
// and answers with
//   (sip_respond_atom, uint64_t server_id, sip::message response)  to incoming_request::shard
// (respond() below does this). Retransmissions of the request never reach the handler: the
// transaction re-sends the last response (RFC 3261 §17.2).
//
// Outgoing requests (client transactions). Send to any shard (pick_shard() in sip_service.hpp):
//   request(shard, infinite, sip_send_atom, outgoing_request) -> sip::message
// The result is the final response; 408 when timer B/F fired, 503 when no route or the
// transport failed (the reason phrase says which). Provisional responses go to
// outgoing_request::progress as (sip_progress_atom, sip::message) if it is set.
//   (sip_cancel_atom, uint64_t token) is not offered yet: see docs/sip.md.
//
// sip::message and these structs are local-only message types
// (CAF_ALLOW_UNSAFE_MESSAGE_TYPE): cluster forwarding will need a serialised form.

#include <cstdint>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/send.hpp>

#include "actors/sip/peer.hpp"
#include "codecs/sip/message.hpp"
#include "codecs/sip/serializer.hpp"

namespace fedgate::sip_layer {

using sip_request_atom = caf::atom_constant<caf::atom("sip_req")>;
using sip_cancelled_atom = caf::atom_constant<caf::atom("sip_cancd")>;
using sip_respond_atom = caf::atom_constant<caf::atom("sip_resp")>;
using sip_send_atom = caf::atom_constant<caf::atom("sip_send")>;
using sip_progress_atom = caf::atom_constant<caf::atom("sip_prog")>;
// internal
using sip_in_atom = caf::atom_constant<caf::atom("sip_in")>;
using sip_timer_atom = caf::atom_constant<caf::atom("sip_timer")>;
using sip_write_atom = caf::atom_constant<caf::atom("sip_write")>;
using sip_connect_atom = caf::atom_constant<caf::atom("sip_conn")>;
using sip_txerr_atom = caf::atom_constant<caf::atom("sip_txerr")>;
using sip_idle_atom = caf::atom_constant<caf::atom("sip_idle")>;

struct incoming_request {
  sip::message request;
  peer from;
  caf::actor shard;             // the transaction shard holding the server transaction
  std::uint64_t server_id = 0;  // 0 for an ACK to a 2xx (no transaction)
};

struct outgoing_request {
  // The request without Via: the layer adds "Via: SIP/2.0/<T> <our address>;branch=...;rport".
  // It must carry From (with tag), To, Call-ID, CSeq, Max-Forwards (and Route for in-dialog
  // requests, dialog.hpp builds them).
  sip::message_builder request = sip::message_builder::request("MESSAGE", "sip:invalid");
  // Where to send it; nullopt = the service's outbound proxy, static routes, or the
  // Request-URI when it names an IP address (RFC 3263 §4 numeric hosts).
  std::optional<peer> next_hop;
  caf::actor progress;  // gets (sip_progress_atom, sip::message) for 1xx; may be invalid
};

/// Answers an incoming request (from any actor or thread).
inline void respond(const incoming_request& req, sip::message response) {
  caf::anon_send(req.shard, sip_respond_atom::value, req.server_id, std::move(response));
}

}  // namespace fedgate::sip_layer

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::sip::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::sip_layer::peer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::sip_layer::incoming_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::sip_layer::outgoing_request)
