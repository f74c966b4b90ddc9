#pragma once
// The metrics labels of a stanza (metrics/labels.hpp): its kind, with presence subscription
// requests counted apart (RFC 6121 §3), and a stanza error condition by name.

#include <algorithm>
#include <string_view>

#include "actors/s2s/bounce.hpp"
#include "actors/s2s/messages.hpp"
#include "metrics/labels.hpp"

namespace fedgate::s2s {

inline metrics::stanza_kind kind_of(const stanza& s) {
  if (s.kind == "iq") return metrics::stanza_kind::iq;
  if (s.kind == "presence") {
    bool subscription = s.type == "subscribe" || s.type == "subscribed" ||
                        s.type == "unsubscribe" || s.type == "unsubscribed";
    return subscription ? metrics::stanza_kind::subscription : metrics::stanza_kind::presence;
  }
  return metrics::stanza_kind::message;
}

inline metrics::stanza_error condition_of(stanza_error_spec spec) {
  const auto& names = metrics::stanza_error_labels;
  auto it = std::find(names.begin(), names.end(), spec.condition);
  return it == names.end() ? metrics::stanza_error::undefined_condition
                           : static_cast<metrics::stanza_error>(it - names.begin());
}

}  // namespace fedgate::s2s
