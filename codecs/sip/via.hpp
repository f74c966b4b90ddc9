#pragma once
// One Via element (RFC 3261 §20.42, grammar §25.1; rport RFC 3581 §3):
//   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
//   sent-protocol = protocol-name SLASH protocol-version SLASH transport
//   sent-by = host [ COLON port ]
// A Via header may hold several elements: split with list_reader. Views into the parsed text.
//
// The branch is optional here: RFC 3261 §8.1.1.7 requires it from RFC 3261 clients, but RFC 2543
// elements omit it and RFC 4475 §3.1.1.7 / §3.4.1 messages without it are valid. The transaction
// layer uses has_magic_cookie() to pick the matching rule (§17.2.3).

#include <cstdint>
#include <optional>
#include <string_view>

#include "codecs/sip/error.hpp"
#include "codecs/sip/header_values.hpp"
#include "codecs/sip/uri.hpp"

namespace fedgate::sip {

struct via {
  std::string_view protocol_name;     // "SIP"
  std::string_view protocol_version;  // "2.0"
  std::string_view transport;         // "UDP", "TCP", "TLS", "SCTP", "WS", or an extension token
  std::string_view host;              // IPv6 with brackets
  host_kind host_type = host_kind::none;
  std::optional<std::uint16_t> port;
  std::string_view params;  // from the first ';', as sent
  std::string_view branch;  // empty if absent
  std::string_view received;
  std::string_view maddr;
  std::optional<std::uint8_t> ttl;
  bool rport = false;  // RFC 3581: present, with or without a value
  std::optional<std::uint16_t> rport_value;

  /// RFC 3261 §8.1.1.7: branches of RFC 3261 clients start with "z9hG4bK".
  bool has_magic_cookie() const { return branch.substr(0, 7) == "z9hG4bK"; }
  std::optional<std::string_view> param(std::string_view name) const {
    return find_param(params, name);
  }
};

result<via> parse_via(std::string_view element);

}  // namespace fedgate::sip
