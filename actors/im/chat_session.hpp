#pragma once
// Skype for Business style IM sessions ("session mode"): an INVITE whose SDP has a
// `m=message <port> sip null` line opens a dialog, MESSAGEs travel inside it, BYE ends it. This
// is what Lync/SfB use between their own servers and towards gateways (the SIP SIMPLE IM
// session without MSRP); the dialog itself follows RFC 3261 §12 (actors/sip/dialog.hpp).
//
// Plain functions the session actor (session.hpp) calls; no actors, no I/O.

#include <string>
#include <string_view>

#include "actors/im/im_config.hpp"
#include "actors/sip/dialog.hpp"
#include "codecs/mapping/message.hpp"
#include "codecs/sip/message.hpp"
#include "codecs/sip/serializer.hpp"

namespace fedgate::im {

/// True if `request` (an INVITE) offers an IM session: an application/sdp body (alone or as a
/// multipart part) with a `m=message` media line using the `sip` protocol.
bool offers_im_session(const sip::message& request);

/// Our SDP for an IM session (offer and answer are the same: one `m=message` line, text/plain).
std::string im_session_sdp(const sip_contact& contact);

/// "<sip:user@host:port;transport=x>" for the Contact header; `user` already escaped.
std::string contact_header(std::string_view user, const sip_contact& contact);

/// The INVITE that opens a session from `p` (a MESSAGE's addresses as to_sip() made them):
/// Request-URI, From (with `from_tag`), To, Call-ID, CSeq 1, Max-Forwards, Contact, SDP.
sip::message_builder session_invite(const mapping::sip_request_parts& p, std::string_view from_tag,
                                    std::string_view call_id, const std::string& contact,
                                    const sip_contact& where);

/// A MESSAGE inside `d` carrying `p`'s headers and body (next_request() numbers it).
sip::message_builder in_dialog_message(sip_layer::dialog& d, const mapping::sip_request_parts& p);

/// Final statuses by which a SIP side says it does not do INVITE sessions at all (so messages
/// to it go in pager mode from then on): 405, 415, 488, 501, 606.
bool refuses_sessions(int status);

}  // namespace fedgate::im
