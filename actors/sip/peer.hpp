#pragma once
// Where a SIP message came from or goes to, as the transaction layer sees it: a transport, a
// numeric address and port, and the actor that moves the bytes (the UDP socket broker, or the
// codec actor of one TCP/TLS connection). The layer never opens sockets itself; it hands bytes
// to `flow`, or, for a stream transport with no live connection, to the connection registry.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/actor.hpp>

namespace fedgate::sip_layer {

enum class transport_kind : std::uint8_t { udp, tcp, tls };

/// RFC 3261 §17.1.1.1: timers that only exist to recover from datagram loss are skipped (or
/// set to zero) on reliable transports.
inline bool is_reliable(transport_kind t) {
  return t != transport_kind::udp;
}

/// "UDP", "TCP", "TLS": the Via transport token (RFC 3261 §20.42).
std::string_view via_token(transport_kind t);
/// "udp", "tcp", "tls": the transport= URI parameter value (RFC 3261 §19.1.1).
std::string_view uri_param(transport_kind t);

struct peer {
  transport_kind transport = transport_kind::udp;
  std::string address;  // numeric IPv4 or IPv6 (without brackets)
  std::uint16_t port = 0;
  // UDP: the socket broker the message came in on (responses leave through the same socket).
  // TCP/TLS: the connection codec actor; invalid means "reuse or open a connection".
  caf::actor flow;
  // Names of a verified TLS peer certificate (subjectAltName DNS-IDs), for trust checks.
  std::vector<std::string> certificate_names;

  std::string to_string() const;  // "udp:127.0.0.1:5060"
};

}  // namespace fedgate::sip_layer
