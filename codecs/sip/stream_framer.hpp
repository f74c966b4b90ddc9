#pragma once
// Cuts SIP messages out of a byte stream (TCP, TLS, WebSocket payloads): RFC 3261 §18.3 framing
// by Content-Length, plus the CRLF keepalives of RFC 5626 §3.5.1 ("\r\n\r\n" ping, "\r\n" pong)
// and the CRLFs a sender may put before a start line (§7.5).
//
// Push model: consume() takes whatever bytes arrived, calls the handlers for every complete
// message / keepalive / malformed message, in stream order, and buffers the rest. Handlers run
// synchronously inside consume() and must not call consume() themselves.
//
// Two kinds of failure:
//   * A malformed message whose extent is known (headers end, valid Content-Length) goes to
//     on_bad_message with its error (and to on_bad_message_bytes with its bytes too); framing
//     continues, so the transport can answer 400 (make_error_response(), error_response.hpp) and
//     keep the connection.
//   * Lost framing (missing or invalid Content-Length, RFC 3261 §18.3; header section or
//     message over the size limit, 513) is fatal: consume() returns the error and the bytes of
//     the message it was framing (consume_result::fatal_bytes), the framer stays failed, and the
//     transport should answer if it can and close the connection.
//
// Keepalives and the split-ping ambiguity (RFC 5626 §3.5.1). "\r\n\r\n" is a ping, "\r\n" a
// pong. When a read ends with a lone "\r\n", the framer cannot tell a pong from the first half
// of a ping whose second half is still in flight; only the receiver's role can:
//   * keepalive_side::sends_pings (the default; the flow's client, RFC 5626 §4.4.1, which waits
//     for pongs): the "\r\n" is reported at once as a pong, because the pong it is waiting for
//     is exactly a lone "\r\n" that nothing follows. Consequence: a ping whose two CRLFs
//     arrive in different reads is reported as two pongs (this side does not answer pings).
//   * keepalive_side::answers_pings (the flow's server, RFC 5626 §5.4, the side of a connection
//     it accepted): a lone "\r\n" at the end of the bytes is held back (buffered() counts it)
//     until the next bytes arrive: "\r\n" completes one ping, anything else makes it a pong (a
//     stray CRLF, RFC 3261 §7.5). A split ping is then reported once, as a ping; the order and
//     kinds of keepalives do not depend on how the stream was cut into reads.
//
// Not here: TLS, WebSocket framing (RFC 7118 messages are one per frame: use parse_datagram-like
// handling there), or any I/O.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "codecs/sip/error.hpp"
#include "codecs/sip/limits.hpp"
#include "codecs/sip/message.hpp"

namespace fedgate::sip {

enum class keepalive_kind { ping, pong };  // RFC 5626 §3.5.1: CRLFCRLF ping, CRLF pong

/// Which end of RFC 5626 keepalives reads this stream (see the split-ping note above).
enum class keepalive_side {
  sends_pings,    // client of the flow: a lone "\r\n" is a pong at once (default)
  answers_pings,  // server of the flow: a lone trailing "\r\n" waits for the next bytes
};

class stream_framer {
 public:
  struct handlers {
    std::function<void(message&&)> on_message;
    std::function<void(keepalive_kind)> on_keepalive;
    std::function<void(const error&)> on_bad_message;
    /// Optional, called after on_bad_message with the bytes of that message (valid during the
    /// call only): what make_error_response() needs to answer it.
    std::function<void(const error&, std::string_view bytes)> on_bad_message_bytes = nullptr;
  };

  struct consume_result {
    std::size_t messages = 0;  // complete messages delivered (good or bad) by this call
    std::size_t keepalives = 0;
    std::optional<error> fatal;  // set when framing is lost (see above)
    /// In the call that lost framing: the bytes of the message being framed (at most
    /// limits::max_message_bytes; the header section may be incomplete), for
    /// make_error_response(). Empty otherwise.
    std::string fatal_bytes;
    bool ok() const { return !fatal.has_value(); }
  };

  explicit stream_framer(handlers h, limits lim = {});
  stream_framer(handlers h, limits lim, keepalive_side side);

  consume_result consume(std::string_view bytes);

  bool failed() const { return fatal_.has_value(); }
  /// Bytes held back waiting for the rest of a message.
  std::size_t buffered() const { return pending_.size(); }

 private:
  // Frames as much of `data` as possible; returns bytes used.
  std::size_t frame(std::string_view data, consume_result& out);

  handlers handlers_;
  limits limits_;
  std::string pending_;
  std::size_t scanned_ = 0;  // bytes of pending_ already searched for the end of headers
  keepalive_side side_ = keepalive_side::sends_pings;
  std::optional<error> fatal_;
};

/// Finds the Content-Length of a header section (start line excluded or not, folding allowed,
/// compact "l" too). Returns nullopt if absent, an error if invalid or duplicated. Used by the
/// framer; exposed for transports that frame by other means.
result<std::optional<std::size_t>> find_content_length(std::string_view header_section,
                                                       std::size_t max);

}  // namespace fedgate::sip
