#pragma once
// The IM router: where every stanza from a partner and every SIP request from the SIP side goes,
// and which hands each to the session actor that owns its conversation (session.hpp).
//
//   S2S streams ──(inbound, stanza)────────┐
//                                          ├─► router entry ──owner_of(key)──► shard k ──► session
//   SIP shards ──(sip_req, request)────────┘   (actor_pool:                    (key -> session,
//                                               no mailbox)                    spawns, retires)
//
// The entry is a CAF actor_pool whose policy runs in the *sender's* context: it computes the
// conversation key (ownership.hpp) from the addresses and enqueues straight into the owning
// shard's mailbox, so no single mailbox sees all traffic. Shards own the session map; a session
// asks its shard to retire it when idle, and the shard agrees only if nothing is in flight.
//
// Presence uses the same key space and shards: presence stanzas, SUBSCRIBE and NOTIFY go to
// the presence actor of the user or contact they are about (actors/presence/keys.hpp), spawned
// and retired by the shard like sessions.
//
// What is neither is answered by the shard itself: OPTIONS (200), methods other than
// MESSAGE/INVITE/BYE/SUBSCRIBE/NOTIFY (501); iq get/set (service-unavailable; pings to our
// domains are answered by the stream, XEP-0199 §4.2), presence to or from a bare domain
// (ignored). While draining (drain_im_router), a MESSAGE, INVITE or SUBSCRIBE outside a dialog
// gets 503 with Retry-After.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/im/im_config.hpp"
#include "actors/im/messages.hpp"
#include "actors/presence/messages.hpp"
#include "actors/presence/subscription_store.hpp"

namespace fedgate::im {

struct im_router {
  caf::actor entry;                // give this to the S2S service (sink) and the SIP service
  std::vector<caf::actor> shards;  // for status queries; stop via stop_im_router()
};

/// Starts the shards and the entry. `cfg.s2s` and `cfg.sip_shards` may still be empty: the S2S
/// and SIP services need the entry before they exist, so they are handed over with
/// connect_im_router() once started; shards hold back (never drop) what arrives before that.
im_router start_im_router(caf::actor_system& sys, im_config cfg);

/// Hands the started services to every shard.
void connect_im_router(const im_router& r, caf::actor s2s, std::vector<caf::actor> sip_shards,
                       sip_contact contact);

void stop_im_router(im_router& r);

/// Draining: from now on SIP requests that would start something new (a MESSAGE or INVITE
/// outside a dialog) get 503 with Retry-After, so a proxy sends them to another node (RFC 3261
/// §21.5.4); in-dialog requests and everything from XMPP go on.
void drain_im_router(const im_router& r);

/// Every live conversation (blocking; for the control thread): each shard asks its sessions.
std::vector<session_info> list_sessions(caf::actor_system& sys, const im_router& r);

/// Sends a test message from `local` (a local user's JID, user@xmpp-domain) to `remote` (a JID)
/// through the conversation's session and waits (blocking, at most `timeout`) for what came back:
/// the answer a SIP MESSAGE would have had. Errors in the addresses are reported as such.
std::string test_im(caf::actor_system& sys, const im_router& r, const std::string& local,
                    const std::string& remote, const std::string& text,
                    std::chrono::milliseconds timeout);

/// Takes up stored presence subscriptions after a restart: each goes to its presence actor,
/// which subscribes again on the SIP side or probes on the XMPP side (docs/presence.md).
void restore_presence(const im_router& r,
                      const std::vector<presence::subscription_record>& records);

/// `fedgate ctl presence <jid>` (blocking): the presence actors of `jid` (as a local user
/// watched by XMPP contacts, and as a contact watched by SIP users), those that exist.
std::vector<presence::presence_info> presence_of(caf::actor_system& sys, const im_router& r,
                                                 const std::string& jid);

}  // namespace fedgate::im
