#pragma once
// One federated conversation: a local user (SIP side) and a remote contact (a bare JID on a
// partner domain). The session actor owns everything that must be consistent per conversation:
//
//   - order: XMPP -> SIP messages go out one MESSAGE at a time (the next after the previous got
//     its final response), so a UDP hop cannot reorder them; SIP -> XMPP stanzas go to the S2S
//     service in arrival order over the one stream per domain pair;
//   - <thread/> <-> Call-ID: an XMPP thread gets its own Call-ID and keeps it; a SIP Call-ID gets
//     a thread of our making, so replies on either side stay in their conversation;
//   - the answer to every SIP MESSAGE (docs/im.md, "Nothing lost"): 200 once its stanza was
//     written to an authenticated stream and no error came back within im.error_window; the
//     mapped error when the partner refused it or it could not be written within
//     im.delivery_timeout. Errors arriving after the 200 reach the SIP sender as a MESSAGE;
//   - duplicates: a MESSAGE with a Call-ID and CSeq already seen gets the first one's answer
//     and no second stanza;
//   - what each side asked for: receipts (XEP-0184 <request/> / IMDN), whether the SIP side
//     takes isComposing;
//   - the conversation's Skype for Business style IM session, when one is up (chat_session.hpp):
//     its dialog, so XMPP replies go inside it, and the BYE when the conversation goes idle.
//
// The session is spawned by its router shard and stops when the shard retires it (router.hpp).

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/local_actor.hpp>

#include "actors/im/im_config.hpp"
#include "codecs/xmpp/jid.hpp"

namespace fedgate::im {

struct session_identity {
  std::string key;   // conversation_key(local, remote)
  xmpp::jid local;   // bare, XMPP form (user@xmpp-domain)
  xmpp::jid remote;  // bare
};

caf::actor spawn_session(caf::local_actor* parent, session_identity id,
                         std::shared_ptr<const im_config> cfg, caf::actor shard);

}  // namespace fedgate::im
