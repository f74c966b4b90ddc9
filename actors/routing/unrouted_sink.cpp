#include "actors/routing/unrouted_sink.hpp"

#include <caf/all.hpp>

#include "actors/s2s/bounce.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/s2s/stanza_metrics.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"

namespace fedgate::routing {

namespace {

caf::behavior unrouted_sink(caf::event_based_actor* self, caf::actor s2s_service) {
  return {
      [=](s2s::inbound_atom, const s2s::stanza& s) {
        log::info(
            "stanza received",
            {{"kind", s.kind}, {"type", s.type}, {"from", s.from}, {"to", s.to}, {"id", s.id}});
        if (s.type != "error") {
          metrics::xmpp_stanzas().bounced(metrics::direction::in, s2s::kind_of(s),
                                          s2s::condition_of(s2s::service_unavailable));
        }
        if (auto reply = s2s::make_bounce(s, s2s::service_unavailable,
                                          "no route to the SIP side is configured yet")) {
          self->send(s2s_service, s2s::deliver_atom::value, std::move(*reply));
        }
      },
  };
}

}  // namespace

caf::actor spawn_unrouted_sink(caf::actor_system& sys, caf::actor s2s_service) {
  return sys.spawn(unrouted_sink, std::move(s2s_service));
}

}  // namespace fedgate::routing
