#pragma once
// Single instant messages between XMPP <message/> and SIP MESSAGE (RFC 7572, pager mode; RFC 3428),
// with chat states (XEP-0085 <-> RFC 3994 isComposing) and delivery receipts (XEP-0184 <-> RFC 5438
// IMDN). `im_message` is the neutral form: both directions go through it, addresses as JIDs (the
// SIP side is mapped with address.hpp).
//
// Rules ([R] = from notes written from memory, RFC 7572 text not checked; see docs/im.md):
//   - types normal and chat only (RFC 7572 [R]); groupchat is refused (feature-not-implemented),
//     headline is treated as normal; type='error' stanzas are mapped with errors.hpp, not here;
//   - <body/> <-> text/plain;charset=UTF-8; xml:lang <-> Content-Language; several bodies in
//     several languages <-> multipart/alternative, one text/plain part per language;
//   - <subject/> <-> Subject header (one subject: the one in the message's language, else the
//   first);
//   - <thread/> has no SIP equivalent: kept in im_message, not written to SIP (the thread <->
//     Call-ID map belongs to the session actor, not built yet);
//   - message/cpim (RFC 3862) is unwrapped on input and written on output when asked or when a
//     receipt is requested (IMDN needs CPIM headers, RFC 5438 §6);
//   - chat states go to SIP only when the peer accepts application/im-iscomposing+xml; composing
//     <-> state active, paused <-> state idle; active/inactive/gone have no isComposing form and
//     are not sent (XEP-0085 <-> RFC 3994 has no normative mapping; ours is in docs/im.md);
//   - receipts go to SIP only when the SIP side asked for them (imdn.Disposition-Notification
//     positive-delivery) and the caller says so; a SIP 2xx is never a receipt (RFC 7572 [R]):
//     nothing here turns a response into <received/>;
//   - size: bodies + subjects over limits.max_body_bytes -> policy-violation / 513.
//
// Not here: routing, ids of the gateway's own making, timestamps (the caller passes DateTime).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "codecs/mapping/address.hpp"
#include "codecs/mapping/errors.hpp"
#include "codecs/sip/message.hpp"
#include "codecs/sip/serializer.hpp"
#include "codecs/xmpp/jid.hpp"

namespace fedgate::mapping {

inline constexpr std::string_view chatstates_ns = "http://jabber.org/protocol/chatstates";
inline constexpr std::string_view receipts_ns = "urn:xmpp:receipts";
inline constexpr std::string_view iscomposing_ns = "urn:ietf:params:xml:ns:im-iscomposing";
inline constexpr std::string_view imdn_ns = "urn:ietf:params:imdn";  // CPIM header namespace
inline constexpr std::string_view imdn_xml_ns = "urn:ietf:params:xml:ns:imdn";

enum class message_type { normal, chat };
enum class chat_state { none, active, composing, paused, inactive, gone };

std::string_view to_string(message_type t) noexcept;
std::string_view to_string(chat_state s) noexcept;

/// Text in one language (`lang` empty: the message's default language).
struct localized_text {
  std::string lang;
  std::string text;
  friend bool operator==(const localized_text& a, const localized_text& b) {
    return a.lang == b.lang && a.text == b.text;
  }
};

struct im_message {
  std::optional<xmpp::jid> from, to;
  message_type type = message_type::normal;
  std::string id;    // XMPP id; on the SIP side imdn.Message-ID when present
  std::string lang;  // the stanza's xml:lang / the SIP Content-Language
  std::string thread;
  std::vector<localized_text> subjects;
  std::vector<localized_text> bodies;
  chat_state state = chat_state::none;
  std::optional<int> composing_refresh;  // RFC 3994 <refresh> seconds, SIP -> XMPP only
  bool receipt_requested = false;        // XEP-0184 <request/> / IMDN positive-delivery
  std::string receipt_for;               // XEP-0184 <received id/> / IMDN delivered message-id
  std::vector<std::string> dropped;      // names of child elements not mapped (for logs)

  /// True if there is something a person reads (a body or subject), not only a state/receipt.
  bool has_content() const { return !bodies.empty() || !subjects.empty(); }
};

struct message_limits {
  std::size_t max_body_bytes = 64 * 1024;  // bodies + subjects, UTF-8 octets
};

// ---- XMPP ---------------------------------------------------------------------------------------

/// Reads a <message/> stanza (any of jabber:server / jabber:client as default namespace). Errors:
/// jid-malformed/400 (bad from/to), feature-not-implemented/501 (groupchat), bad-request/400
/// (type='error', not a message), policy-violation/513 (too large).
result<im_message> from_xmpp(const pugi::xml_node& stanza, const message_limits& lim = {});

/// The stanza as XML text: <message xmlns='jabber:server' ...>. Fails (bad-request/400) only if a
/// text is not valid UTF-8 made of XML Chars.
result<std::string> to_xmpp(const im_message& m);

// ---- SIP ----------------------------------------------------------------------------------------

struct sip_in_options {
  /// Type for messages from SIP (SIP has no message type). [R] RFC 7572 does not settle this in
  /// our notes; chat is what XMPP clients display best and what Kamailio sends.
  message_type default_type = message_type::chat;
  address_options address;
};

/// Reads a SIP MESSAGE request: From/To mapped with `map`; bodies text/plain (charset UTF-8 or
/// US-ASCII), multipart/alternative of text/plain parts, message/cpim wrapping any of these,
/// application/im-iscomposing+xml, message/imdn+xml. Errors answer the SIP side: 415
/// (unsupported type or charset), 400 (malformed body, invalid UTF-8), 513 (too large), address
/// errors from address.hpp, 405 (not a MESSAGE request).
result<im_message> from_sip(const sip::message& request, const domain_map& map,
                            const message_limits& lim = {}, const sip_in_options& opt = {});

struct sip_out_options {
  bool use_cpim = false;                  // wrap the body in message/cpim (RFC 3862)
  bool peer_accepts_iscomposing = false;  // the peer takes application/im-iscomposing+xml
  bool peer_requested_imdn = false;       // the SIP side asked for delivery notifications
  bool offer_imdn = false;                // ask the SIP side for them (IMDN positive-delivery)
  std::string datetime;  // CPIM DateTime (RFC 3339), required with IMDN; caller's clock
  std::string multipart_boundary = "fedgate-alt-boundary";
  address_options address;
};

/// What a MESSAGE request carries, without the transaction parts (Via, Call-ID, CSeq, tags are the
/// caller's).
struct sip_request_parts {
  std::string request_uri;
  std::string from_uri, to_uri;
  std::vector<std::pair<std::string, std::string>> headers;  // Subject, Content-Language, ...
  std::string content_type;
  std::string body;

  /// A MESSAGE request builder with Request-URI, From (with `from_tag`), To, and the parts;
  /// the caller adds Via, Call-ID, CSeq, Max-Forwards.
  sip::message_builder to_builder(std::string_view from_tag) const;
};

/// XMPP -> SIP. nullopt: nothing to send (a chat state or receipt the SIP side did not ask for,
/// or an empty message). Errors answer the XMPP side: policy-violation (too large), address errors.
result<std::optional<sip_request_parts>> to_sip(const im_message& m, const domain_map& map,
                                                const message_limits& lim = {},
                                                const sip_out_options& opt = {});

}  // namespace fedgate::mapping
