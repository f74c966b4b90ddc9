#include "codecs/pidf/presence.hpp"

#include <array>
#include <tuple>
#include <utility>

namespace fedgate::pidf {

namespace {

// RFC 4480 §3.2: the activity element names, indexed by `activity`. The one table of them.
constexpr std::array<std::string_view, activity_count> activity_names = {
    "appointment", "away",
    "breakfast",   "busy",
    "dinner",      "holiday",
    "in-transit",  "looking-for-work",
    "lunch",       "meal",
    "meeting",     "on-the-phone",
    "performance", "permanent-absence",
    "playing",     "presentation",
    "shopping",    "sleeping",
    "spectator",   "steering",
    "travel",      "tv",
    "unknown",     "vacation",
    "working",     "worship",
};

static_assert(static_cast<std::size_t>(activity::worship) + 1 == activity_count);

}  // namespace

std::string_view to_string(basic_status s) {
  return s == basic_status::open ? "open" : "closed";
}

std::string_view to_string(input_state s) {
  return s == input_state::active ? "active" : "idle";
}

std::string_view to_string(activity a) {
  const auto i = static_cast<std::size_t>(a);
  return i < activity_names.size() ? activity_names[i] : std::string_view{};
}

std::optional<activity> activity_from_name(std::string_view name) {
  for (std::size_t i = 0; i < activity_names.size(); ++i) {
    if (activity_names[i] == name) return static_cast<activity>(i);
  }
  return std::nullopt;
}

std::size_t activity_set::size() const {
  std::size_t n = 0;
  for (std::uint32_t b = bits_; b != 0; b &= b - 1)
    ++n;
  return n;
}

bool operator==(const note& a, const note& b) {
  return std::tie(a.text, a.lang) == std::tie(b.text, b.lang);
}

bool operator==(const activities& a, const activities& b) {
  return a.values == b.values && a.other == b.other;
}

bool operator==(const user_input& a, const user_input& b) {
  return std::tie(a.state, a.idle_threshold, a.last_input) ==
         std::tie(b.state, b.idle_threshold, b.last_input);
}

bool operator==(const contact& a, const contact& b) {
  return std::tie(a.uri, a.priority_milli) == std::tie(b.uri, b.priority_milli);
}

bool operator==(const tuple& a, const tuple& b) {
  return std::tie(a.id, a.basic, a.activities, a.user_input, a.device_id, a.contact, a.notes,
                  a.timestamp) == std::tie(b.id, b.basic, b.activities, b.user_input, b.device_id,
                                           b.contact, b.notes, b.timestamp);
}

bool operator==(const person& a, const person& b) {
  return std::tie(a.id, a.activities, a.user_input, a.notes, a.timestamp) ==
         std::tie(b.id, b.activities, b.user_input, b.notes, b.timestamp);
}

bool operator==(const device& a, const device& b) {
  return std::tie(a.id, a.device_id, a.user_input, a.notes, a.timestamp) ==
         std::tie(b.id, b.device_id, b.user_input, b.notes, b.timestamp);
}

bool operator==(const document& a, const document& b) {
  return std::tie(a.entity, a.tuples, a.notes, a.persons, a.devices) ==
         std::tie(b.entity, b.tuples, b.notes, b.persons, b.devices);
}

}  // namespace fedgate::pidf
