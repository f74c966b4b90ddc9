#pragma once
// The metrics labels of a stanza (metrics/labels.hpp): its kind, with presence subscription
// requests counted apart (RFC 6121 §3), and a stanza error condition by name; and the one way
// the S2S actors refuse an outbound stanza: count it, then bounce it to the sink.

#include <algorithm>
#include <string>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/s2s/bounce.hpp"
#include "actors/s2s/messages.hpp"
#include "metrics/families.hpp"
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

// Counts an outbound stanza as bounced and sends the bounce (when RFC 6120 §8.3.1 allows one)
// to `sink`, which hands it to the local sender.
inline void bounce_outbound(caf::event_based_actor* self, const caf::actor& sink, const stanza& s,
                            stanza_error_spec spec, const std::string& text) {
  metrics::xmpp_stanzas().bounced(metrics::direction::out, kind_of(s), condition_of(spec));
  if (auto b = make_bounce(s, spec, text)) self->send(sink, inbound_atom::value, std::move(*b));
}

}  // namespace fedgate::s2s
