#pragma once
// Helpers both presence actors use; not API (internal/).

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/local_actor.hpp>

#include "actors/im/im_config.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/sip/messages.hpp"
#include "actors/sip/tokens.hpp"
#include "codecs/mapping/presence.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/labels.hpp"

namespace fedgate::presence::internal {

// One line for logs and `fedgate ctl presence`: "available", "away \"at lunch\"", "unavailable".
std::string describe(const mapping::xmpp_presence& p);

// The SIP transaction shard that carries this actor's requests (the same one every time, so its
// requests leave in order).
caf::actor sip_shard_for(const im::im_config& cfg, std::string_view key);

// Sends a presence stanza to the S2S service.
void send_stanza(caf::local_actor* self, const im::im_config& cfg, std::string xml,
                 std::string from, std::string to, std::string type);

// A subscription-handshake stanza (subscribe, subscribed, unsubscribe, unsubscribed, probe).
void send_handshake(caf::local_actor* self, const im::im_config& cfg, mapping::presence_type t,
                    const std::string& from, const std::string& to);

// The presence of `from` to `to` (available or unavailable).
void send_presence(caf::local_actor* self, const im::im_config& cfg,
                   const mapping::xmpp_presence& p, const std::string& from, const std::string& to);

// Metrics of presence traffic (docs/operations.md): presence stanzas that reached a presence
// actor. SIP SUBSCRIBE/NOTIFY are counted by sip_layer::count_request and sip_layer::answer.
void count_stanza_in(const s2s::stanza& s);

// The Event header names the presence package (RFC 3856 §4), parameters allowed.
bool is_presence_event(const sip::message& m);

// The Expires header as seconds, if present and numeric.
std::optional<unsigned> expires_of(const sip::message& m);

// Contact header for requests on behalf of `user` (an XMPP-side user, escaped for SIP).
std::string contact_for(std::string_view user_localpart, const im::sip_contact& where);

}  // namespace fedgate::presence::internal
