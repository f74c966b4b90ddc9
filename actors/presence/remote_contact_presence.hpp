#pragma once
// The presence of one XMPP contact on a partner domain as local SIP users see it (key
// "#contact bob@xmpp.example", keys.hpp). It owns:
//
//   - the contact's presence per resource (RFC 6121 §4.4), aggregated into one PIDF document
//     (the available resource with the highest priority; none: closed);
//   - per local user, the XMPP subscription fedgate holds in the user's name: 'subscribe' sent
//     on the user's first SUBSCRIBE, pending until the contact answers 'subscribed' (then the
//     NOTIFYs turn active) or 'unsubscribed' (terminated;reason=rejected);
//   - the SIP watchers' subscriptions (RFC 6665 notifier role): the dialog of each SUBSCRIBE,
//     its expiry (423 below presence.watcher_min_expires, lowered to watcher_max_expires),
//     a NOTIFY after every SUBSCRIBE, refreshes absorbed without a new stanza, Expires: 0 and
//     expiry ending in a terminated NOTIFY; a NOTIFY answered 481/408 or not at all ends that
//     subscription (RFC 6665 §4.2.2); one NOTIFY in flight per dialog, so they arrive in CSeq
//     order;
//   - the storm control: changes within presence.coalesce_window merge into one NOTIFY per
//     watcher (the last state wins), within the partner's rate.
//
// Subscriptions and their dialogs are written to the store, so after a restart NOTIFYs go on in
// the same dialogs and a probe fetches the contact's current presence.

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/local_actor.hpp>

#include "actors/im/im_config.hpp"

namespace fedgate::presence {

// `contact` is the contact's bare JID. Linked to `shard`.
caf::actor spawn_remote_contact_presence(caf::local_actor* shard, std::string key,
                                         std::string contact,
                                         std::shared_ptr<const im::im_config> cfg);

}  // namespace fedgate::presence
