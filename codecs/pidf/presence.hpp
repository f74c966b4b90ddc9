#pragma once
// The typed presence state carried by a PIDF document (RFC 3863) with the data-model elements of
// RFC 4479 and the rich-presence elements of RFC 4480 that the gateway needs.
//
// It is built so that the later mapping to an XMPP <presence/> (RFC 7248) is a small pure function:
// availability is `tuple::basic`, <show/> comes from `activities`, <status/> from the notes
// (with their xml:lang), idle from `user_input`. It deliberately does not keep what the gateway
// cannot map (RPID mood, place, privacy, sphere, CIPID, vendor extensions): the parser skips those
// (see codecs/pidf/README.md) and the serializer never writes them.
//
// Plain data: no invariants beyond those `validate()` (codecs/pidf/serializer.hpp) checks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedgate::pidf {

// RFC 3863 §4.1.4: <basic> is "open" or "closed".
enum class basic_status : std::uint8_t { open, closed };

std::string_view to_string(basic_status s);

// A <note> (RFC 3863 §4.1.6, RFC 4479 §4.5) or an <rpid:other> activity (RFC 4480 §3.2): free text
// with its language. `lang` is the in-scope xml:lang (inherited from an ancestor when the element
// has none, XML 1.0 §2.12); empty when none is in scope.
struct note {
  std::string text;
  std::string lang;
};

bool operator==(const note& a, const note& b);
inline bool operator!=(const note& a, const note& b) {
  return !(a == b);
}

// RFC 4480 §3.2 activity values, in the order of the RFC's list. `other` is not here: it carries
// text and lives in `activities::other`.
enum class activity : std::uint8_t {
  appointment,
  away,
  breakfast,
  busy,
  dinner,
  holiday,
  in_transit,
  looking_for_work,
  lunch,
  meal,
  meeting,
  on_the_phone,
  performance,
  permanent_absence,
  playing,
  presentation,
  shopping,
  sleeping,
  spectator,
  steering,
  travel,
  tv,
  unknown,
  vacation,
  working,
  worship,
};

inline constexpr std::size_t activity_count = 26;

// The element name of an activity (`in_transit` -> "in-transit").
std::string_view to_string(activity a);
// The activity whose element name is `name`; nullopt for names RFC 4480 does not define.
std::optional<activity> activity_from_name(std::string_view name);

// A set of activities as a bit mask: small, cheap to compare, order-free like the XML.
class activity_set {
 public:
  bool contains(activity a) const { return (bits_ >> static_cast<unsigned>(a)) & 1u; }
  void insert(activity a) { bits_ |= std::uint32_t{1} << static_cast<unsigned>(a); }
  void erase(activity a) { bits_ &= ~(std::uint32_t{1} << static_cast<unsigned>(a)); }
  bool empty() const { return bits_ == 0; }
  std::size_t size() const;
  std::uint32_t bits() const { return bits_; }
  friend bool operator==(activity_set a, activity_set b) { return a.bits_ == b.bits_; }
  friend bool operator!=(activity_set a, activity_set b) { return a.bits_ != b.bits_; }

 private:
  std::uint32_t bits_ = 0;
};

// <rpid:activities> (RFC 4480 §3.2). Empty (no values, no `other`) means the element is absent:
// the schema does not allow an empty <activities>.
struct activities {
  activity_set values;
  std::vector<note> other;  // <rpid:other xml:lang="..">text</rpid:other>, in document order

  bool empty() const { return values.empty() && other.empty(); }
};

bool operator==(const activities& a, const activities& b);
inline bool operator!=(const activities& a, const activities& b) {
  return !(a == b);
}

// <rpid:user-input> (RFC 4480 §3.8): whether the human is using the device/service.
enum class input_state : std::uint8_t { active, idle };

std::string_view to_string(input_state s);

struct user_input {
  input_state state = input_state::active;
  std::optional<std::uint32_t> idle_threshold;  // seconds (attribute idle-threshold)
  std::string last_input;  // xs:dateTime (attribute last-input); empty if absent
};

bool operator==(const user_input& a, const user_input& b);
inline bool operator!=(const user_input& a, const user_input& b) {
  return !(a == b);
}

// <contact> (RFC 3863 §4.1.3). The priority is a decimal in [0, 1] with at most three fraction
// digits, kept exact in thousandths so a round trip never changes it ("0.8" -> 800).
struct contact {
  std::string uri;
  std::optional<std::uint16_t> priority_milli;
};

bool operator==(const contact& a, const contact& b);
inline bool operator!=(const contact& a, const contact& b) {
  return !(a == b);
}

// <tuple> (RFC 3863 §4.1.2), a "service" in the RFC 4479 model.
struct tuple {
  std::string id;                     // required (RFC 3863 §4.1.2)
  std::optional<basic_status> basic;  // <status><basic>; <status> is required, <basic> is not
  // <rpid:activities> inside <status> or <tuple>: not where RFC 4480 puts them (that is <person>),
  // but pre-RFC 4479 clients do it; kept so the gateway can still map them.
  pidf::activities activities;
  std::optional<pidf::user_input> user_input;  // RFC 4480 §3.8 allows it on a service
  std::string device_id;                       // <dm:deviceID> (RFC 4479 §4.3.2); empty if absent
  std::optional<pidf::contact> contact;
  std::vector<note> notes;
  std::string timestamp;  // xs:dateTime, verbatim; empty if absent
};

bool operator==(const tuple& a, const tuple& b);
inline bool operator!=(const tuple& a, const tuple& b) {
  return !(a == b);
}

// <dm:person> (RFC 4479 §4.4.2): where RFC 4480 puts activities and where Kamailio, Asterisk and
// most clients put them.
struct person {
  // Required by the RFC 4479 schema, so set it when building a document; empty when a peer left it
  // out (Asterisk does), and then also left out when written.
  std::string id;
  pidf::activities activities;
  std::optional<pidf::user_input> user_input;
  std::vector<note> notes;
  std::string timestamp;
};

bool operator==(const person& a, const person& b);
inline bool operator!=(const person& a, const person& b) {
  return !(a == b);
}

// <dm:device> (RFC 4479 §4.4.3).
struct device {
  std::string id;         // as person::id
  std::string device_id;  // <dm:deviceID>; empty if absent
  std::optional<pidf::user_input> user_input;
  std::vector<note> notes;
  std::string timestamp;
};

bool operator==(const device& a, const device& b);
inline bool operator!=(const device& a, const device& b) {
  return !(a == b);
}

// A whole PIDF document: <presence entity="..."> (RFC 3863 §4.1.1).
struct document {
  std::string entity;         // required, the presentity URI (pres:, sip:, ...)
  std::vector<tuple> tuples;  // document order
  std::vector<note> notes;    // presence-level notes
  std::vector<person> persons;
  std::vector<device> devices;
};

bool operator==(const document& a, const document& b);
inline bool operator!=(const document& a, const document& b) {
  return !(a == b);
}

}  // namespace fedgate::pidf
