#pragma once
// Answers a request that could not be parsed (RFC 3261 §8.2, §16.3, §21.4.1: "400 Bad Request"
// with a reason phrase naming the problem). When parse_datagram() or the stream framer rejects a
// request there is no `message` to hand to make_response(); make_error_response() builds the
// answer from the raw bytes instead, copying what §8.2.6.2 asks a response to copy from the
// request: every Via (in order), From, To (with a To tag added if it has none), Call-ID and
// CSeq. Full and compact header names (§7.3.3), any case, folded lines (§7.3.1) and bare-LF line
// ends are read; the response always uses canonical names and CRLF.
//
// Best effort, never malformed: the result is either nullopt or a response that parse_datagram()
// accepts with the same limits (checked before returning). nullopt when
//   * the bytes are not a request (a response, RFC 3261 §18.1.2: malformed responses are
//     dropped; or no "token SP" at the start of the first line);
//   * a Via is missing or does not parse (the response could not retrace the request's path:
//     §18.2.2 sends it by the top Via, every proxy on the way pops its own; a partial Via list
//     would misroute it);
//   * Call-ID or CSeq is missing or does not parse (the client matches responses to its
//     transaction by the top Via branch and the CSeq method, §17.1.3, and logs by Call-ID);
//   * From or To is missing, or is so broken that not even a <addr-spec> can be recovered.
// A From or To that does not parse but holds a valid <addr-spec> is reduced to "<addr-spec>" plus
// its tag parameter if one is recoverable (e.g. an unterminated quoted display name, RFC 4475
// §3.1.2.6): §17.1.3 matching does not look at From/To, so the client still learns why its
// request failed instead of retransmitting until Timer F/B fires.
// When a single-value header appears several times (RFC 4475 §3.3.8), the first one is used.
//
// Only lines terminated by LF are read: a header section cut short (a framer that gave up on an
// over-long header, 513) never contributes a truncated value.
//
// The To tag (§8.2.6.2) is `to_tag` if it is a token, otherwise derived from the request's
// Via, From, Call-ID and CSeq: answering an unparsable request is stateless, and §8.2.7 requires
// a stateless UAS to give the same request the same tag (retransmissions get identical answers).
//
// Not here: sending (the transport sends to the top Via's sent-by / received / rport, §18.2.2),
// rate limiting of answers to garbage, Warning headers.

#include <optional>
#include <string>
#include <string_view>

#include "codecs/sip/error.hpp"
#include "codecs/sip/limits.hpp"

namespace fedgate::sip {

/// The bytes of a response to the request in `raw` carrying `err`'s status (400-699) and reason
/// phrase (sanitised: control characters and invalid UTF-8 replaced by '?', at most 200 bytes;
/// reason_phrase(status) if empty), or nullopt (see above). `lim` bounds the work (at most
/// lim.max_message_bytes of `raw` are read) and the response, which parses under `lim`.
std::optional<std::string> make_error_response(std::string_view raw, const error& err,
                                               std::string_view to_tag = {},
                                               const limits& lim = {});

}  // namespace fedgate::sip
