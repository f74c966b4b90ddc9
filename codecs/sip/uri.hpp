#pragma once
// SIP and SIPS URIs (RFC 3261 §19.1, grammar §25.1) and, for every other scheme, the generic
// absoluteURI of RFC 2396 that RFC 3261 allows in Request-URIs and name-addr (RFC 4475 §3.3.2-4).
//
// A parsed `uri` is a set of std::string_view into the text it was parsed from: it owns nothing
// and is valid only as long as that text is. Components keep their %-escapes as sent (RFC 3261
// §19.1.4 compares unescaped values); unescape() decodes them when a caller needs the value.
//
// Not here: URI comparison (§19.1.4) and tel URIs (RFC 3966) beyond the generic form.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "codecs/sip/error.hpp"

namespace fedgate::sip {

enum class uri_scheme : std::uint8_t { sip, sips, other };
enum class host_kind : std::uint8_t { none, hostname, ipv4, ipv6 };

struct uri {
  uri_scheme scheme = uri_scheme::other;
  std::string_view scheme_text;  // as written ("sip", "SIP", "soap.beep")
  // SIP/SIPS components (empty for other schemes).
  std::string_view user;      // escaped as sent; may be empty even if has_user (never for valid)
  std::string_view password;  // escaped as sent
  bool has_user = false;
  bool has_password = false;
  std::string_view host;  // IPv6 references keep their brackets: "[2001:db8::1]"
  host_kind host_type = host_kind::none;
  std::optional<std::uint16_t> port;
  std::string_view params;   // ";transport=tcp;lr" with the leading ';', or empty
  std::string_view headers;  // "Route=%3Csip:x%3E&a=b" without the '?', or empty
  bool has_headers = false;
  // Other schemes: everything after "scheme:" (RFC 2396 hier-part / opaque-part).
  std::string_view opaque;

  bool is_sip() const { return scheme != uri_scheme::other; }

  /// Value of URI parameter `name` (case-insensitive, RFC 3261 §19.1.4), still escaped; an empty
  /// view for a parameter without value ("lr"); nullopt if absent.
  std::optional<std::string_view> param(std::string_view name) const;

  /// Value of URI header `name` (RFC 3261 §19.1.1 "headers"), still escaped.
  std::optional<std::string_view> header(std::string_view name) const;
};

/// Parses one URI. Any scheme is accepted here (scheme ":" non-empty, RFC 2396 characters);
/// sip: and sips: are parsed into their components and validated strictly. Whether the
/// application supports the scheme is decided elsewhere (see unsupported_scheme() in parser.hpp).
result<uri> parse_uri(std::string_view text);

/// Decodes %HH escapes (RFC 3261 §19.1.2, §25.1 "escaped"). A '%' not followed by two hex digits
/// is kept as is. May produce NUL bytes (RFC 4475 §3.1.1.4).
std::string unescape(std::string_view text);

/// True if `host` is a valid hostname / IPv4address / IPv6reference (RFC 3261 §25.1 "host").
host_kind classify_host(std::string_view host);

}  // namespace fedgate::sip
