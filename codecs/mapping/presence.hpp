#pragma once
// Presence between XMPP <presence/> (RFC 6121 §4) and SIP SIMPLE (SUBSCRIBE/NOTIFY, RFC 6665 +
// RFC 3856, with PIDF bodies, RFC 3863 + RFC 4479 + RFC 4480 RPID), per RFC 7248. Pure functions
// and tables: what one XMPP presence state is, how it reads from and writes to a stanza, how it
// maps to and from a typed PIDF document (codecs/pidf), how a Subscription-State header reads
// and writes, and what a SIP subscription state means for the XMPP side.
//
// Verification state ([R] = unverified, as elsewhere in codecs/mapping; see docs/presence.md):
//   - RFC 7248 itself (and RFC 8048, which obsoletes it, December 2016) could not be read through
//     the reference search: only the front matter came back. Every RFC 7248 row below is [R].
//   - RFC 6121 §4.7.2.1 <show/> values and their meaning: checked against library docs quoting the
//     RFC 3921 §2.2.2.1 / RFC 6121 text (secondary) [V2]. §4.7.2.2 status and §4.7.2.3 priority
//     range -128..127: [R].
//   - RFC 6665 §8.4 Subscription-State ABNF (incl. "invariant"): checked against three SIP stacks
//     that quote it verbatim (secondary) [V2]. RFC 6665 §4.2.2 / RFC 3265 §3.2.4 reason meanings
//     (deactivated: retry at once; probation: retry later, after retry-after; rejected: do not
//     retry; timeout: may retry at once; giveup: retry after retry-after; noresource: do not
//     retry): checked against an SDK doc quoting the RFC 3265 text [V2]; "invariant" (RFC 6665
//     only) and "no/unknown reason: may re-subscribe" [R].
//   - RFC 4480 §3.2 activity names: the enum in codecs/pidf (checked when that codec was written).
//
// Not here: the subscription state machine, refresh timers, authorisation, storms (the presence
// actors own those); SIP addresses (address.hpp); the SIP request itself.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "codecs/mapping/errors.hpp"
#include "codecs/mapping/message.hpp"  // localized_text
#include "codecs/pidf/presence.hpp"

namespace fedgate::mapping {

// ---- the XMPP presence state --------------------------------------------------------------------

/// RFC 6121 §4.7.2.1 <show/> values; none = available with no <show/>.
enum class show { none, chat, away, xa, dnd };
inline constexpr std::size_t show_count = 5;

/// "", "chat", "away", "xa", "dnd".
std::string_view to_string(show s) noexcept;
/// The <show/> value named `text` (exact, case-sensitive as the schema's enumeration); nullopt
/// for anything else, including "" (an empty <show/> is malformed).
std::optional<show> show_from(std::string_view text) noexcept;

/// The state of one XMPP presence (RFC 6121 §4.7): available or not, show, statuses by language,
/// priority.
struct xmpp_presence {
  bool available = true;                 // false: type='unavailable'
  show show_value = show::none;          // only meaningful when available
  std::vector<localized_text> statuses;  // <status xml:lang=..>, at most one per language
  int priority = 0;                      // <priority/>, -128..127
};

bool operator==(const xmpp_presence& a, const xmpp_presence& b);
bool operator!=(const xmpp_presence& a, const xmpp_presence& b);

/// Presence stanza types (RFC 6121 §4.7.1 [R]): which one a stanza is.
enum class presence_type {
  available,
  unavailable,
  subscribe,
  subscribed,
  unsubscribe,
  unsubscribed,
  probe,
  error
};

/// The type attribute value ("" for available).
std::string_view to_string(presence_type t) noexcept;
/// "" -> available; the seven type names -> their type; anything else -> nullopt.
std::optional<presence_type> presence_type_from(std::string_view type_attribute);

// ---- XMPP stanzas -------------------------------------------------------------------------------

/// Reads the state out of a <presence/> element whose type is absent or 'unavailable'. The
/// element may carry xmlns='jabber:server' / 'jabber:client' or no xmlns at all (stanzas travel
/// between actors without it, actors/s2s/messages.hpp). <status/> languages are the in-scope
/// xml:lang; a second <status/> in a language already seen is dropped. <show/> of an unavailable
/// presence is read (and checked) but not kept. Errors (all bad-request/400): not a <presence/>,
/// any other type, <show/> not one of the four values, <priority/> not an integer in -128..127,
/// more than one <show/> or <priority/> (RFC 6121 §4.7.2.1/§4.7.2.3 [R]).
result<xmpp_presence> presence_from_xmpp(const pugi::xml_node& stanza);

/// <presence from to [id] [type='unavailable']>[<show/>][<status/>*][<priority/>]</presence>, in
/// the jabber:server default namespace without an xmlns attribute (the inter-actor convention),
/// XML-escaped. <show/> only when available and not none; <priority/> only when not 0; a status
/// whose text is not valid XML character data is left out. No children: <presence .../>.
std::string presence_to_xmpp(const xmpp_presence& p, std::string_view from, std::string_view to,
                             std::string_view id = {});

/// A presence stanza of type `t` with no payload (<presence type='subscribe'/> etc.), same
/// conventions. available: no type attribute.
std::string presence_stanza_xml(presence_type t, std::string_view from, std::string_view to,
                                std::string_view id = {});

// ---- PIDF <-> XMPP (RFC 7248) -------------------------------------------------------------------

/// SIP -> XMPP, one row per RFC 4480 §3.2 activity, in pidf::activity order: the <show/> a
/// person (or pre-RFC 4479 tuple) doing that activity gets. `basis` says where the row comes from.
struct activity_row {
  pidf::activity activity;
  show show_value;
  std::string_view basis;
};
const activity_row* activity_rows() noexcept;  // pidf::activity_count rows

/// XMPP -> SIP, one row per show value, in enum order: the RPID activity written (nullopt: none).
struct show_row {
  show show_value;
  std::optional<pidf::activity> activity;
  std::string_view basis;
};
const show_row* show_rows() noexcept;  // show_count rows

/// When a document carries several activities, the strongest <show/> wins:
/// dnd > xa > away > none (chat is never produced from PIDF). Our rule, RFC 7248 has none [R].
int show_strength(show s) noexcept;

/// PIDF -> XMPP:
///   - available iff some tuple has <basic>open</basic>; all closed, or no <basic> at all:
///     unavailable (RFC 3863 §4.1.4; RFC 7248 [R]);
///   - show: the strongest activity_rows() show over the activities of every <dm:person> and
///     every tuple (pre-RFC 4479 placement), none when there are none or unavailable;
///   - statuses: the notes of the persons, then of the tuples, then of the document, each with
///     its xml:lang, first one per language kept; when there is no note at all, the <rpid:other>
///     activity texts stand in (Lync-style "Be Right Back");
///   - priority: 0 (the PIDF contact priority is per contact, not per presence: not mapped).
xmpp_presence presence_from_pidf(const pidf::document& doc);

/// XMPP -> PIDF: one tuple (basic open when available, closed when not) carrying the statuses as
/// <note xml:lang> (RFC 3863 §4.1.6, which every PIDF reader knows), and, when show_rows() gives
/// an activity, one <dm:person> with <rpid:activities> (RFC 4480 §3.2 puts activities there).
/// `entity` is the presentity URI (e.g. "sip:bob@xmpp.example"). Tuple id "t" and person id "p"
/// followed by 16 hex digits of a hash of the entity: stable (the same input gives the same
/// document) and distinct per presentity. Priority is not mapped. Passes pidf::validate when the
/// entity and texts are valid (an invalid status text is left out).
pidf::document presence_to_pidf(const xmpp_presence& p, std::string_view entity);

// ---- Subscription-State (RFC 6665 §8.2.3, ABNF §8.4) --------------------------------------------

enum class subscription_state { pending, active, terminated };

std::string_view to_string(subscription_state s) noexcept;

struct subscription_state_value {
  subscription_state state = subscription_state::active;
  std::optional<unsigned> expires;  // delta-seconds
  std::string reason;               // event-reason-value, lower-cased; "" when absent
  std::optional<unsigned> retry_after;
};

bool operator==(const subscription_state_value& a, const subscription_state_value& b);

/// Parses a Subscription-State header value: substate-value *( SEMI subexp-params ). State and
/// parameter names are case-insensitive; parameters in any order, whitespace around ';' and '='
/// allowed; generic parameters (with or without a value, quoted or not) ignored. Errors
/// (bad-request/400): empty, an extension-substate (RFC 6665 lets them exist; none is defined and
/// the actors cannot act on one), expires/retry-after not 1*DIGIT, reason not a token, a known
/// parameter twice, a quoted string not closed. delta-seconds above 2^32-1 read as 2^32-1.
result<subscription_state_value> parse_subscription_state(std::string_view header_value);

/// "active;expires=600", "terminated;reason=giveup;retry-after=30": state, then reason, expires,
/// retry-after when set.
std::string to_header_value(const subscription_state_value& v);

/// What a SIP subscription state means for the XMPP side.
enum class xmpp_subscription_effect {
  none,          // nothing to XMPP, nothing to do (pending; terminated;reason=invariant)
  subscribed,    // send <presence type='subscribed'/> (once: the actor remembers it sent it)
  unsubscribed,  // send <presence type='unsubscribed'/>: the SIP side refused or is gone
  resubscribe,   // nothing to XMPP; SUBSCRIBE again (after retry_after when the row says so)
};

std::string_view to_string(xmpp_subscription_effect e) noexcept;

/// The table, one row per defined reason (RFC 6665 §4.2.2), plus the row for no reason ("").
/// Unknown reasons take the no-reason row (RFC 3265 §3.2.4 [R]).
struct subscription_reason_row {
  std::string_view reason;
  xmpp_subscription_effect effect;
  bool honours_retry_after;  // wait retry_after seconds (when present) before re-subscribing
  std::string_view basis;
};
const subscription_reason_row* subscription_reason_rows() noexcept;
std::size_t subscription_reason_row_count() noexcept;

/// active -> subscribed; pending -> none; terminated -> the reason's row.
xmpp_subscription_effect effect_of(const subscription_state_value& v);

/// For an effect of resubscribe: how long to wait first, in seconds (retry_after when the row
/// honours it and it is present, else 0). 0 for every other effect.
unsigned resubscribe_delay(const subscription_state_value& v);

}  // namespace fedgate::mapping
