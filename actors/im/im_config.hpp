#pragma once
// What the IM layer (router shards and session actors) needs to know, filled by app/ from the
// [im] and [[domains]] sections of the config (docs/im.md explains each figure).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "actors/presence/presence_config.hpp"
#include "codecs/mapping/address.hpp"
#include "codecs/mapping/message.hpp"

namespace fedgate::im {

/// Where the SIP side reaches this gateway for in-dialog requests (the Contact we send).
struct sip_contact {
  std::string host;  // numeric address
  std::uint16_t port = 0;
  std::string transport = "udp";  // udp | tcp | tls
  bool ok() const { return !host.empty() && port != 0; }
};

struct im_config {
  // SIP domain <-> XMPP domain of the local users; remote domains pass through unchanged.
  mapping::domain_map domains;
  // The XMPP-facing local domains (the `xmpp` side of `domains`): stanzas to these are ours.
  std::vector<std::string> local_xmpp_domains;
  std::size_t shards = 4;  // router shards (mailboxes) conversations are spread over

  // A session with no traffic and nothing pending for this long ends (its thread <-> Call-ID
  // map and duplicate memory with it).
  std::chrono::milliseconds session_idle{std::chrono::minutes(10)};
  // SIP -> XMPP: a MESSAGE whose stanza was not written to an authenticated stream within this
  // is answered with the mapped remote-server-timeout (408). Below SIP timer F (64*T1 = 32 s)
  // so the SIP sender gets an answer before its transaction gives up.
  std::chrono::milliseconds delivery_timeout{std::chrono::seconds(25)};
  // SIP -> XMPP: after the stanza was written, how long an error from the partner (an unknown
  // user, say) can still turn the answer into the mapped error instead of 200.
  std::chrono::milliseconds error_window{std::chrono::milliseconds(200)};
  // XMPP -> SIP: stanzas waiting per conversation while one MESSAGE is in flight; beyond it the
  // stanza bounces with resource-constraint.
  std::size_t session_queue_max = 1000;
  mapping::message_limits limits;
  // Send XEP-0085 chat states to SIP as RFC 3994 isComposing (stopped per conversation as soon
  // as the SIP side refuses one with 415/501/405).
  bool chat_states_to_sip = true;
  // Presence (actors/presence/, docs/presence.md): authorisation, SIP subscription timers,
  // storm control, the store. Presence actors live in the router shards next to sessions.
  presence::presence_settings presence;

  // SIP domains of local users whose side prefers Skype for Business style IM sessions
  // (INVITE + MESSAGE in the dialog + BYE) to pager-mode MESSAGEs: [[domains]] im_mode.
  std::vector<std::string> session_mode_sip_domains;

  // Set by connect_im_router() once the SIP listeners are bound.
  sip_contact contact;                 // our Contact in IM sessions (SDP too)
  caf::actor s2s;                      // the S2S service: (deliver_atom, stanza)
  std::vector<caf::actor> sip_shards;  // the SIP transaction shards: (sip_send_atom, request)
};

}  // namespace fedgate::im
