#pragma once
// Messages of the presence actors. Traffic reaches them from their router shard as
// (im::routed_atom, key, s2s::stanza | sip_layer::incoming_request), like IM sessions; the shard
// retires an idle one with im::idle_atom under the same "nothing in flight" rule.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "actors/presence/subscription_store.hpp"

namespace fedgate::presence {

// gateway start -> shard -> presence actor: (restore, key, subscription_record) one stored
// subscription to take up again (re-SUBSCRIBE on the SIP side, probe on the XMPP side).
using restore_atom = caf::atom_constant<caf::atom("pr_restore")>;
// timers
using flush_atom = caf::atom_constant<caf::atom("pr_flush")>;      // coalesced updates go out
using refresh_atom = caf::atom_constant<caf::atom("pr_refresh")>;  // (watcher, generation)
using expire_atom = caf::atom_constant<caf::atom("pr_expire")>;    // (call-id, generation)
using idle_check_atom = caf::atom_constant<caf::atom("pr_idlechk")>;
// ctl -> shard -> presence actor: (presence_info_atom) -> presence_info
using presence_info_atom = caf::atom_constant<caf::atom("pr_info")>;

/// One watcher as `fedgate ctl presence` shows it.
struct watcher_info {
  std::string watcher;    // bare JID (an XMPP contact, or a local SIP user in XMPP form)
  std::string state;      // pending | active
  std::string sip;        // the SIP subscription: "none", "subscribing", "active 3412s", ...
  std::string last_sent;  // the presence last sent to this watcher ("" none yet)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watcher_info& x) {
  return f(caf::meta::type_name("presence_watcher_info"), x.watcher, x.state, x.sip, x.last_sent);
}

/// A presence actor as `fedgate ctl presence` shows it.
struct presence_info {
  std::string key;       // "#user alice@..." or "#contact bob@..."
  std::string presence;  // the current state, e.g. "available away \"in a meeting\""
  std::vector<watcher_info> watchers;
  std::uint64_t coalesced = 0;  // updates merged into later ones (storm control)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, presence_info& x) {
  return f(caf::meta::type_name("presence_info"), x.key, x.presence, x.watchers, x.coalesced);
}

}  // namespace fedgate::presence

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::presence::subscription_record)
