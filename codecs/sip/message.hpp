#pragma once
// A parsed SIP request or response (RFC 3261 §7). Produced only by the parser (parser.hpp) or
// by message_builder::build() (serializer.hpp).
//
// Ownership rule (zero-copy, move-safe):
//   * A message owns exactly one buffer (a std::string holding the message bytes) and records
//     every piece it found as (offset, length) pairs into it. Accessors build std::string_view
//     from buffer + offset on each call.
//   * Storing offsets rather than views is what makes messages safely movable and copyable: a
//     moved std::string may relocate its characters (small-string optimisation), which would
//     leave stored views dangling; offsets stay correct in any buffer.
//   * Every std::string_view (and every struct of views: via, name_addr, uri) returned by a
//     message is valid while that message object lives and has not been moved from or assigned
//     to. Copy what you keep longer.
//   * Folded header lines (RFC 3261 §7.3.1) are unfolded in place while parsing: each fold
//     (CRLF + whitespace, with the whitespace around it) becomes one SP and the freed bytes are
//     padded with SP, so every value is contiguous and raw() is still a valid message.
//
// Typed headers are parsed once. The parser validates Via, From, To, CSeq, Call-ID, Contact,
// Route, Record-Route, Content-Type, Content-Length and Max-Forwards and keeps what it parsed
// (structs of views into the buffer) inside the message, so the typed accessors (from(), to(),
// vias(), ...) only copy a stored value and the *_list() accessors do not even copy. Copy-safety:
// a copy re-derives these views over its own buffer (by parsing the stored header values again,
// which cannot fail), and a move re-derives them only if the buffer's characters moved (a
// std::string that owns heap memory keeps it on move, so in practice a move never re-parses).
// A moved-from message is empty.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/sip/header_name.hpp"
#include "codecs/sip/header_values.hpp"
#include "codecs/sip/name_addr.hpp"
#include "codecs/sip/uri.hpp"
#include "codecs/sip/via.hpp"

namespace fedgate::sip {

namespace internal {
class message_parser;
}

/// One header field line (after unfolding). `name` is as sent ("v", "VIA"); `id` is its meaning.
struct header_field {
  header_id id = header_id::other;
  std::string_view name;
  std::string_view value;  // trimmed, unfolded
};

class message {
 public:
  message() = default;
  message(const message& other);
  message(message&& other) noexcept;
  message& operator=(const message& other);
  message& operator=(message&& other) noexcept;
  ~message() = default;

  bool is_request() const { return request_; }
  bool is_response() const { return !request_; }

  // ---- start line (RFC 3261 §7.1, §7.2) ----
  /// Request method; for a response, the CSeq method (what the response answers).
  std::string_view method() const { return request_ ? view(method_) : view(cseq_method_); }
  std::string_view request_uri() const { return view(request_uri_); }
  /// The Request-URI parsed (validated by the parser, so always well-formed).
  uri request_uri_parsed() const { return parse_uri(request_uri()).value(); }
  int status_code() const { return status_; }
  std::string_view reason_phrase() const { return view(reason_); }

  // ---- header fields, in order ----
  std::size_t header_count() const { return fields_.size(); }
  header_field header_at(std::size_t i) const {
    return {fields_[i].id, view(fields_[i].name), view(fields_[i].value)};
  }
  /// Value of the first field with this id (any spelling: full, compact, any case).
  std::optional<std::string_view> header(header_id id) const;
  /// Value of the first field with this name; known names match their compact form too.
  std::optional<std::string_view> header(std::string_view name) const;
  /// Values of every field with this id, in order (each field once; not split at commas).
  std::vector<std::string_view> header_values(header_id id) const;

  // ---- typed headers validated (and kept) at parse time ----
  name_addr from() const { return from_value_; }
  name_addr to() const { return to_value_; }
  std::string_view call_id() const { return view(fields_[call_id_].value); }
  cseq_value cseq() const { return {cseq_number_, view(cseq_method_)}; }
  std::optional<std::uint8_t> max_forwards() const;
  /// Every Via element, topmost first (several per field and several fields, §7.3.1).
  std::vector<via> vias() const { return vias_; }
  via top_via() const { return vias_.empty() ? via{} : vias_.front(); }
  /// Contact elements (empty for "Contact: *", see contact_is_wildcard()).
  std::vector<name_addr> contacts() const { return contacts_; }
  bool contact_is_wildcard() const;
  std::vector<name_addr> routes() const { return routes_; }
  std::vector<name_addr> record_routes() const { return record_routes_; }
  std::optional<media_type> content_type() const { return content_type_value_; }

  // The same lists without a copy: valid while the message lives (see the ownership rule).
  const std::vector<via>& via_list() const { return vias_; }
  const std::vector<name_addr>& contact_list() const { return contacts_; }
  const std::vector<name_addr>& route_list() const { return routes_; }
  const std::vector<name_addr>& record_route_list() const { return record_routes_; }

  // ---- body ----
  std::string_view body() const { return view(body_); }

  /// The message bytes (headers unfolded in place; trailing datagram bytes beyond
  /// Content-Length dropped, RFC 3261 §18.3).
  std::string_view raw() const { return buffer_; }

 private:
  friend class internal::message_parser;

  struct span {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  struct field {
    span name;
    span value;
    header_id id = header_id::other;
  };
  static constexpr std::uint16_t none = 0xffff;

  std::string_view view(span s) const { return {buffer_.data() + s.offset, s.length}; }
  // Re-parses the typed values from the stored fields (after a copy; cannot fail).
  void derive_typed();
  void clear_typed();
  void reset_scalars();

  std::string buffer_;
  std::vector<field> fields_;
  // Parsed at parse time; views into buffer_ (see the header comment for copy/move).
  std::vector<via> vias_;
  name_addr from_value_, to_value_;
  std::vector<name_addr> contacts_, routes_, record_routes_;
  std::optional<media_type> content_type_value_;
  span method_, request_uri_, reason_, body_, cseq_method_;
  std::uint32_t cseq_number_ = 0;
  std::uint16_t status_ = 0;
  std::uint16_t from_ = none, to_ = none, call_id_ = none, content_type_ = none;
  std::int16_t max_forwards_ = -1;
  bool request_ = true;
};

}  // namespace fedgate::sip
