#pragma once
// The presence of one local SIP user as XMPP contacts on partner domains see it (key
// "#user alice@sip-as-xmpp.example", keys.hpp). It owns, per watching contact:
//
//   - the authorisation (presence_settings::authorisation_for the contact's domain): automatic
//     ('subscribed' at once), forward (the SIP presence server decides: 'subscribed' on the
//     first active NOTIFY, nothing while pending, 'unsubscribed' when rejected) or refuse;
//   - the SIP subscription fedgate holds on the contact's behalf (RFC 7248: SUBSCRIBE From the
//     contact's SIP form to the user, Event: presence): sent on 'subscribe' (or on restart from
//     the store), refreshed at 80 % of the granted Expires, re-established after a failure or a
//     terminated NOTIFY with backoff, ended (Expires: 0) on 'unsubscribe'. Its ups and downs
//     never reach the XMPP roster: only the presence they carry does;
//   - the presence last sent, and the storm control: NOTIFYs arriving within
//     presence.coalesce_window merge (the last state wins), at most one stanza per window per
//     contact and within the partner's rate (partner_rate_limiter);
//   - answers to 'probe' (the last state; 'unsubscribed' to a contact with no subscription).
//
// Every change of authorisation is written to the store (subscription_store.hpp).

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/local_actor.hpp>

#include "actors/im/im_config.hpp"

namespace fedgate::presence {

// `user` is the local user's bare JID in XMPP form. Linked to `shard` (it stops with it).
caf::actor spawn_local_user_presence(caf::local_actor* shard, std::string key, std::string user,
                                     std::shared_ptr<const im::im_config> cfg);

}  // namespace fedgate::presence
