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
//     on_bad_message with its error; framing continues, so the transport can answer 400 and keep
//     the connection.
//   * Lost framing (missing or invalid Content-Length, RFC 3261 §18.3; header section or
//     message over the size limit, 513) is fatal: consume() returns the error, the framer stays
//     failed, and the transport should answer if it can and close the connection.
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

class stream_framer {
 public:
  struct handlers {
    std::function<void(message&&)> on_message;
    std::function<void(keepalive_kind)> on_keepalive;
    std::function<void(const error&)> on_bad_message;
  };

  struct consume_result {
    std::size_t messages = 0;  // complete messages delivered (good or bad) by this call
    std::size_t keepalives = 0;
    std::optional<error> fatal;  // set when framing is lost (see above)
    bool ok() const { return !fatal.has_value(); }
  };

  explicit stream_framer(handlers h, limits lim = {});

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
  std::optional<error> fatal_;
};

/// Finds the Content-Length of a header section (start line excluded or not, folding allowed,
/// compact "l" too). Returns nullopt if absent, an error if invalid or duplicated. Used by the
/// framer; exposed for transports that frame by other means.
result<std::optional<std::size_t>> find_content_length(std::string_view header_section,
                                                       std::size_t max);

}  // namespace fedgate::sip
