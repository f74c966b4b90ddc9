#pragma once
// Parses whole SIP messages (RFC 3261 §7, §18.3, §20, §25) into `message`. Every failure is an
// `error` carrying the status to answer with (error.hpp); nothing throws on bad input.
//
// Two framings (RFC 3261 §18.3):
//   * parse_datagram(): one UDP datagram. Content-Length is optional; if present and larger than
//     what follows the headers -> 400; if smaller, the extra octets are discarded. A datagram
//     that ends right after the last header line's CRLF (no empty line) is accepted with an empty
//     body: leniency for senders that drop the final CRLF on UDP, where the datagram boundary
//     already delimits the message.
//   * parse_stream_message(): exactly one message cut from a stream by stream_framer;
//     Content-Length is mandatory and must match.
//
// What the parser validates (so the typed accessors of `message` cannot fail):
//   start line; header line syntax, folding, limits; Via, From, To, Call-ID, CSeq,
//   Max-Forwards, Content-Length, Content-Type, Contact, Route, Record-Route; that To, From,
//   Call-ID, CSeq and Via are present (§8.1.1); that From, To, Call-ID, CSeq, Max-Forwards,
//   Content-Length and Content-Type appear once (RFC 4475 §3.3.8, §3.3.9); that the CSeq method
//   equals the request method (§8.1.1.5, RFC 4475 §3.1.2.17).
// What it leaves to the application (RFC 4475 §3.3 "application-layer semantics"): whether the
// Request-URI scheme is supported (see unsupported_scheme()), Max-Forwards of 0 (§16.3),
// Require/Proxy-Require (§8.2.2.3), unknown Content-Type or Accept (§8.2.3), Date and every
// header not listed above (parsed on demand by header_values.hpp).

#include <optional>
#include <string_view>

#include "codecs/sip/error.hpp"
#include "codecs/sip/limits.hpp"
#include "codecs/sip/message.hpp"

namespace fedgate::sip {

result<message> parse_datagram(std::string_view datagram, const limits& lim = {});

result<message> parse_stream_message(std::string_view bytes, const limits& lim = {});

/// True for a datagram made only of CRLFs (RFC 5626 §3.5.1 keepalive, sent over UDP by some UAs).
bool is_keepalive(std::string_view datagram);

/// 416 Unsupported URI Scheme (RFC 3261 §8.2.2.1) if the Request-URI of `request` is neither
/// sip:, sips: nor tel:; nullopt otherwise or for a response. A UAS/gateway calls this; a proxy
/// that can route other schemes does not (RFC 4475 §3.3.2, §3.3.3).
std::optional<error> unsupported_scheme(const message& request);

}  // namespace fedgate::sip
