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
// The result is the final response; 408 when timer B/F fired, 503 when no route, DNS found no
// target, or the transport failed (the reason phrase says which). When RFC 3263 gave several
// targets, a 503 or 408 from one is followed by the next (§4.3) before the result is delivered.
// Provisional responses go to outgoing_request::progress as (sip_progress_atom, sip::message)
// if it is set. An ACK (for a 2xx: next_request(dialog, "ACK")) has no transaction: it is sent
// once and the result is a 200 "ACK sent" made up by the layer.
//   (sip_cancel_atom, std::string cancel_key)  to the same shard: CANCELs the pending INVITE
//   sent with that outgoing_request::cancel_key (RFC 3261 §9.1; sent once a provisional response
//   came). The INVITE's result is then normally the 487 from the UAS.
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
using sip_cancel_atom = caf::atom_constant<caf::atom("sip_cancel")>;
// internal
using sip_in_atom = caf::atom_constant<caf::atom("sip_in")>;
using sip_timer_atom = caf::atom_constant<caf::atom("sip_timer")>;
using sip_write_atom = caf::atom_constant<caf::atom("sip_write")>;
using sip_connect_atom = caf::atom_constant<caf::atom("sip_conn")>;
using sip_txerr_atom = caf::atom_constant<caf::atom("sip_txerr")>;
using sip_idle_atom = caf::atom_constant<caf::atom("sip_idle")>;
using sip_located_atom = caf::atom_constant<caf::atom("sip_locd")>;
using sip_retry_atom = caf::atom_constant<caf::atom("sip_retry")>;

struct incoming_request {
  sip::message request;
  peer from;
  caf::actor shard;             // the transaction shard holding the server transaction
  std::uint64_t server_id = 0;  // 0 for an ACK to a 2xx (no transaction)
};

struct outgoing_request {
  // The request without Via: the layer adds "Via: SIP/2.0/<T> <our address>;branch=...;rport".
  // It must carry From (with tag), To, Call-ID, CSeq, Max-Forwards (and Route for in-dialog
  // requests: next_request() in dialog.hpp builds them).
  sip::message_builder request = sip::message_builder::request("MESSAGE", "sip:invalid");
  // Where to send it; nullopt = in this order: the first Route URI (loose routing, §8.1.2; the
  // Request-URI for a strict router), the static route of the Request-URI's domain, the
  // outbound proxy, the Request-URI; host names are resolved by RFC 3263 (locator.hpp). A UDP
  // hop becomes TCP to the same address and port when the request is larger than
  // max_udp_request_bytes (RFC 3261 §18.1.1, sip_service.hpp).
  std::optional<peer> next_hop;
  // Without next_hop: a URI to resolve (RFC 3263) instead of the rules above; in-dialog
  // requests set next_hop_uri(dialog) here (it also covers strict routers, §12.2.1.1).
  std::string target_uri;
  caf::actor progress;     // gets (sip_progress_atom, sip::message) for 1xx; may be invalid
  std::string cancel_key;  // non-empty: (sip_cancel_atom, cancel_key) cancels this INVITE
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
