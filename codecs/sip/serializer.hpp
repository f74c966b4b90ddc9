#pragma once
// Writes SIP messages (RFC 3261 §7): serialize() for a parsed message (e.g. to forward it), and
// message_builder for new requests and responses, with make_response() building a response to a
// request per RFC 3261 §8.2.6.
//
// Content-Length is always computed from the body and written by the serializer (§18.3 makes it
// mandatory on streams; on UDP it is harmless and lets a receiver detect truncation). Round-trip
// guarantee: serialize(parse(serialize(m))) == serialize(m).
//
// Not here: transaction or dialog state (tags are chosen by the caller), Via insertion policy.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codecs/sip/error.hpp"
#include "codecs/sip/limits.hpp"
#include "codecs/sip/message.hpp"

namespace fedgate::sip {

/// The message as bytes: start line, every header field as "name: value" in order (names as they
/// were received, compact forms kept), Content-Length rewritten to the body size (added if it was
/// absent), empty line, body.
std::string serialize(const message& m);

/// The default reason phrase of a status code (RFC 3261 §21, RFC 3265/6665, RFC 3329, ...);
/// "Unknown" class text for codes it does not know.
std::string_view reason_phrase(int status);

class message_builder {
 public:
  static message_builder request(std::string_view method, std::string_view request_uri);
  /// An empty `reason` means reason_phrase(status).
  static message_builder response(int status, std::string_view reason = {});

  /// Appends a header field. Content-Length is ignored (always computed). A name that is not a
  /// token or a value with CR/LF makes serialize()/build() fail.
  message_builder& header(std::string_view name, std::string_view value);
  message_builder& header(header_id id, std::string_view value) {
    return header(canonical_name(id), value);
  }
  /// Inserts a header field before all others (a proxy's new Via, §16.6 step 8).
  message_builder& prepend_header(std::string_view name, std::string_view value);
  /// Removes every field with this id.
  message_builder& remove_header(header_id id);
  /// Sets the body and its Content-Type (replacing an earlier Content-Type).
  message_builder& body(std::string_view content_type, std::string_view bytes);

  /// The bytes to send, or the first invalid input.
  result<std::string> serialize() const;
  /// serialize() then parse_datagram(): a validated message (catches e.g. a missing To).
  result<message> build(const limits& lim = {}) const;

 private:
  explicit message_builder(std::string start_line) : start_line_(std::move(start_line)) {}
  void check(std::string_view name, std::string_view value);

  std::string start_line_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  std::optional<error> error_;
};

/// A response to `request` per RFC 3261 §8.2.6: copies every Via (in order), From, To, Call-ID,
/// CSeq (§8.2.6.2); adds `to_tag` to To if To has no tag yet and the status is not 100
/// (§8.2.6.2); copies Timestamp into 100 Trying (§8.2.6.1); copies Record-Route into 101-299
/// responses to dialog-creating requests (INVITE, SUBSCRIBE, REFER; §12.1.1). Add Contact,
/// body, etc. before serializing.
message_builder make_response(const message& request, int status, std::string_view reason = {},
                              std::string_view to_tag = {});

}  // namespace fedgate::sip
