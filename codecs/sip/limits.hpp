#pragma once
// Resource limits applied while parsing and framing. Defaults suit a federation gateway (SIP over
// UDP is bounded by 65,535 bytes anyway, RFC 3261 §18.1.1); the config may tighten them.
// Exceeding max_message_bytes is answered with 513 Message Too Large (RFC 3261 §21.5.11);
// exceeding the header count or line length is answered the same way, because it is also a
// message the server is not willing to process for its size.

#include <cstddef>

namespace fedgate::sip {

struct limits {
  std::size_t max_message_bytes = 65535;      // start line + headers + body
  std::size_t max_headers = 256;              // header fields (after unfolding)
  std::size_t max_header_line_bytes = 16384;  // one header field, continuation lines included
  std::size_t max_start_line_bytes = 8192;    // request line or status line
};

}  // namespace fedgate::sip
