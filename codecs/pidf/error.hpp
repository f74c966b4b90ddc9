#pragma once
// Errors of the PIDF codec, returned as values: a PIDF body arrives in a SIP PUBLISH or NOTIFY from
// a peer, and bad input is that peer's fault, never an exception. Each error carries the SIP
// response the gateway should answer a PUBLISH with (RFC 3903 §6: 400 for a body it cannot
// process, 413 when it is too large) and a message for the logs saying what and where.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace fedgate::pidf {

enum class error_code : std::uint8_t {
  too_large,             // input longer than limits::max_bytes
  invalid_utf8,          // not UTF-8 (we accept only UTF-8), or an XML-forbidden character
  unsupported_encoding,  // <?xml encoding="..."?> names something other than UTF-8
  doctype_forbidden,     // a <!DOCTYPE>: no DTDs, no entity declarations (XML bombs)
  malformed_xml,         // not well-formed XML (pugixml's diagnosis and byte offset in the message)
  unbound_prefix,        // an element prefix with no xmlns declaration in scope
  not_pidf,              // root is not <presence> in urn:ietf:params:xml:ns:pidf (RFC 3863 §4.1.1)
  missing_entity,        // <presence> without `entity` (RFC 3863 §4.1.1)
  missing_id,            // <tuple> without `id` (RFC 3863 §4.1.2)
  missing_status,        // <tuple> without <status> (RFC 3863 §4.1.2)
  duplicate_element,     // a second <status>, <basic>, <contact>, <timestamp>, ... where one is
                         // allowed
  invalid_value,         // bad <basic>, priority, timestamp, user-input, contact, ...
  must_understand,       // unknown extension marked mustUnderstand (RFC 3863 §4.3, §7)
  too_many_tuples,       // more than limits::max_tuples
  too_many_notes,        // more than limits::max_notes, counted over the whole document
  too_many_elements,     // more than limits::max_persons / limits::max_devices
};

std::string_view to_string(error_code c);

struct error {
  error_code code;
  std::string message;

  // The SIP status code and reason phrase to answer a PUBLISH carrying this body with.
  int sip_status() const { return code == error_code::too_large ? 413 : 400; }
  std::string_view sip_reason() const {
    return code == error_code::too_large ? "Request Entity Too Large" : "Bad Request";
  }
};

// A value or an error. Small on purpose: the codec needs nothing more.
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  result(pidf::error err) : v_(std::move(err)) {}  // NOLINT: implicit by design
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const pidf::error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, pidf::error> v_;
};

}  // namespace fedgate::pidf
