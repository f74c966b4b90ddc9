#pragma once
// What the presence actors need to know besides the IM wiring (im_config.hpp carries this as
// `presence`): who may watch local users, the soft-state timers of SIP subscriptions, the storm
// controls and the store. Filled by app/ from [presence] and [[xmpp.partners]] presence; each
// figure is explained in docs/presence.md.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "actors/presence/partner_rate_limiter.hpp"
#include "actors/presence/subscription_store.hpp"

namespace fedgate::presence {

// What happens when an XMPP contact asks to see a local SIP user's presence (the Lync gateway's
// partner types): `automatic` says yes at once, `forward` lets the SIP side decide (the SIP
// presence server's authorisation of the SUBSCRIBE fedgate sends on the contact's behalf: pending
// until the user allows it), `refuse` says no.
enum class authorisation { automatic, forward, refuse };

std::string_view to_string(authorisation a);

struct presence_settings {
  authorisation default_authorisation = authorisation::forward;
  // By XMPP partner domain ([[xmpp.partners]] presence = ...); others get the default.
  std::unordered_map<std::string, authorisation> partner_authorisation;
  // The Expires fedgate asks for in its SUBSCRIBEs to the SIP side; refreshed at 80 % of what
  // the SIP side granted (RFC 6665 §4.1.2.1).
  std::chrono::seconds subscribe_expires{3600};
  // SIP watchers: an Expires below the minimum gets 423 with Min-Expires (RFC 6665 §4.2.1.1);
  // above the maximum it is lowered to it.
  std::chrono::seconds watcher_min_expires{60};
  std::chrono::seconds watcher_max_expires{3600};
  // Storm control: presence changes for one watcher within this window merge into one (the last
  // state wins); at most this many presence stanzas and NOTIFYs per second per partner domain.
  std::chrono::milliseconds coalesce_window{1000};
  unsigned partner_rate_per_second = 200;
  // Watchers one presence actor takes (XMPP contacts of a local user; SIP subscriptions to a
  // contact); beyond it a subscription is refused (resource-constraint / 480).
  std::size_t max_watchers = 10000;
  // Fan-out bound: presence stanzas or NOTIFYs one flush sends before the rest goes out in a
  // follow-up message, so one popular user's change does not hold up an actor's other traffic.
  std::size_t max_fanout_per_message = 256;
  // Wait after a failed SIP subscription before the next try, doubled per failure up to 64x.
  std::chrono::seconds resubscribe_backoff{5};

  std::shared_ptr<subscription_store> store;  // never null once wired (a memory store at least)
  std::shared_ptr<partner_rate_limiter> rates;

  authorisation authorisation_for(std::string_view partner_domain) const {
    auto it = partner_authorisation.find(std::string(partner_domain));
    return it == partner_authorisation.end() ? default_authorisation : it->second;
  }
};

}  // namespace fedgate::presence
