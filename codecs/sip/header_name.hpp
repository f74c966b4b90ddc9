#pragma once
// Header field names: the known headers as an enum, their canonical spelling, and the compact
// forms of RFC 3261 §7.3.3 (and the later RFCs that defined more). Header names are
// case-insensitive (RFC 3261 §7.3.1); lookup_header() maps any spelling to its id.
//
// Deliberately not here: per-header value grammars (see name_addr.hpp, via.hpp,
// header_values.hpp).

#include <cstdint>
#include <string_view>

namespace fedgate::sip {

enum class header_id : std::uint8_t {
  other,  // an extension header: compare names with iequals()
  accept,
  accept_contact,
  accept_encoding,
  accept_language,
  alert_info,
  allow,
  allow_events,
  authentication_info,
  authorization,
  call_id,
  call_info,
  contact,
  content_disposition,
  content_encoding,
  content_language,
  content_length,
  content_type,
  cseq,
  date,
  error_info,
  event,
  expires,
  from,
  identity,
  identity_info,
  in_reply_to,
  max_forwards,
  mime_version,
  min_expires,
  organization,
  priority,
  proxy_authenticate,
  proxy_authorization,
  proxy_require,
  record_route,
  refer_to,
  referred_by,
  reject_contact,
  reply_to,
  request_disposition,
  require,
  retry_after,
  route,
  server,
  session_expires,
  sip_etag,
  sip_if_match,
  subject,
  subscription_state,
  supported,
  timestamp,
  to,
  unsupported,
  user_agent,
  via,
  warning,
  www_authenticate,
};

/// The id of a header name in any case, full or compact form; header_id::other if unknown.
header_id lookup_header(std::string_view name);

/// Canonical full spelling ("Call-ID", "CSeq", "WWW-Authenticate"); empty for header_id::other.
std::string_view canonical_name(header_id id);

/// The compact form letter of a header (RFC 3261 §7.3.3 table), or '\0' if it has none.
char compact_form(header_id id);

}  // namespace fedgate::sip
