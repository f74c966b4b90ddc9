#include "codecs/sip/header_name.hpp"

#include <array>

#include "codecs/sip/internal/chars.hpp"

namespace fedgate::sip {

namespace {

struct header_entry {
  header_id id;
  std::string_view name;
  char compact;  // '\0' if none
};

// One table for every known header: canonical name and compact form, each compact form cited.
constexpr header_entry header_table[] = {
    {header_id::accept, "Accept", 0},
    {header_id::accept_contact, "Accept-Contact", 'a'},  // RFC 3841 §9.2
    {header_id::accept_encoding, "Accept-Encoding", 0},
    {header_id::accept_language, "Accept-Language", 0},
    {header_id::alert_info, "Alert-Info", 0},
    {header_id::allow, "Allow", 0},
    {header_id::allow_events, "Allow-Events", 'u'},  // RFC 6665 §8.2.1
    {header_id::authentication_info, "Authentication-Info", 0},
    {header_id::authorization, "Authorization", 0},
    {header_id::call_id, "Call-ID", 'i'},  // RFC 3261 §7.3.3
    {header_id::call_info, "Call-Info", 0},
    {header_id::contact, "Contact", 'm'},  // RFC 3261 §7.3.3
    {header_id::content_disposition, "Content-Disposition", 0},
    {header_id::content_encoding, "Content-Encoding", 'e'},  // RFC 3261 §7.3.3
    {header_id::content_language, "Content-Language", 0},
    {header_id::content_length, "Content-Length", 'l'},  // RFC 3261 §7.3.3
    {header_id::content_type, "Content-Type", 'c'},      // RFC 3261 §7.3.3
    {header_id::cseq, "CSeq", 0},
    {header_id::date, "Date", 0},
    {header_id::error_info, "Error-Info", 0},
    {header_id::event, "Event", 'o'},  // RFC 6665 §8.2.1
    {header_id::expires, "Expires", 0},
    {header_id::from, "From", 'f'},                    // RFC 3261 §7.3.3
    {header_id::identity, "Identity", 'y'},            // RFC 8224 §4 (was RFC 4474)
    {header_id::identity_info, "Identity-Info", 'n'},  // RFC 4474 §9.2
    {header_id::in_reply_to, "In-Reply-To", 0},
    {header_id::max_forwards, "Max-Forwards", 0},
    {header_id::mime_version, "MIME-Version", 0},
    {header_id::min_expires, "Min-Expires", 0},
    {header_id::organization, "Organization", 0},
    {header_id::priority, "Priority", 0},
    {header_id::proxy_authenticate, "Proxy-Authenticate", 0},
    {header_id::proxy_authorization, "Proxy-Authorization", 0},
    {header_id::proxy_require, "Proxy-Require", 0},
    {header_id::record_route, "Record-Route", 0},
    {header_id::refer_to, "Refer-To", 'r'},              // RFC 3515 §2.1
    {header_id::referred_by, "Referred-By", 'b'},        // RFC 3892 §3
    {header_id::reject_contact, "Reject-Contact", 'j'},  // RFC 3841 §9.2
    {header_id::reply_to, "Reply-To", 0},
    {header_id::request_disposition, "Request-Disposition", 'd'},  // RFC 3841 §9.1
    {header_id::require, "Require", 0},
    {header_id::retry_after, "Retry-After", 0},
    {header_id::route, "Route", 0},
    {header_id::server, "Server", 0},
    {header_id::session_expires, "Session-Expires", 'x'},  // RFC 4028 §4
    {header_id::sip_etag, "SIP-ETag", 0},
    {header_id::sip_if_match, "SIP-If-Match", 0},
    {header_id::subject, "Subject", 's'},  // RFC 3261 §7.3.3
    {header_id::subscription_state, "Subscription-State", 0},
    {header_id::supported, "Supported", 'k'},  // RFC 3261 §7.3.3
    {header_id::timestamp, "Timestamp", 0},
    {header_id::to, "To", 't'},  // RFC 3261 §7.3.3
    {header_id::unsupported, "Unsupported", 0},
    {header_id::user_agent, "User-Agent", 0},
    {header_id::via, "Via", 'v'},  // RFC 3261 §7.3.3
    {header_id::warning, "Warning", 0},
    {header_id::www_authenticate, "WWW-Authenticate", 0},
};

// Lookup structures built once from header_table: compact letters by lower-case letter, full
// names bucketed by lower-case first letter; a lookup compares the length first, so it runs
// iequals() on (almost always) one candidate.
struct lookup_tables {
  std::array<header_id, 26> compact{};
  static constexpr std::size_t max_per_letter = 12;
  std::array<std::array<std::uint8_t, max_per_letter>, 26> by_first{};  // indices into header_table
  std::array<std::uint8_t, 26> by_first_count{};

  constexpr lookup_tables() {
    for (std::size_t i = 0; i < std::size(header_table); ++i) {
      const auto& e = header_table[i];
      if (e.compact != 0) compact[static_cast<std::size_t>(e.compact - 'a')] = e.id;
      auto letter = static_cast<std::size_t>(internal::to_lower(e.name[0]) - 'a');
      by_first[letter][by_first_count[letter]++] = static_cast<std::uint8_t>(i);
    }
  }
};

constexpr lookup_tables tables{};

}  // namespace

header_id lookup_header(std::string_view name) {
  if (name.empty()) return header_id::other;
  char c = internal::to_lower(name[0]);
  if (c < 'a' || c > 'z') return header_id::other;
  auto letter = static_cast<std::size_t>(c - 'a');
  if (name.size() == 1) return tables.compact[letter];
  const auto& bucket = tables.by_first[letter];
  for (std::size_t i = 0; i < tables.by_first_count[letter]; ++i) {
    const auto& e = header_table[bucket[i]];
    if (e.name.size() == name.size() && internal::iequals(e.name, name)) return e.id;
  }
  return header_id::other;
}

std::string_view canonical_name(header_id id) {
  for (const auto& e : header_table) {
    if (e.id == id) return e.name;
  }
  return {};
}

char compact_form(header_id id) {
  for (const auto& e : header_table) {
    if (e.id == id) return e.compact;
  }
  return 0;
}

}  // namespace fedgate::sip
