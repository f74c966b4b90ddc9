#include "actors/routing/unrouted_sink.hpp"

#include <caf/all.hpp>

#include "actors/s2s/bounce.hpp"
#include "actors/s2s/messages.hpp"
#include "metrics/log.hpp"

namespace fedgate::routing {

caf::actor spawn_unrouted_sink(caf::actor_system& sys, caf::actor s2s_service) {
  return sys.spawn([s2s_service](caf::event_based_actor* self) -> caf::behavior {
    return {
        [=](s2s::inbound_atom, const s2s::stanza& s) {
          log::info(
              "stanza received",
              {{"kind", s.kind}, {"type", s.type}, {"from", s.from}, {"to", s.to}, {"id", s.id}});
          if (auto reply = s2s::make_bounce(s, s2s::service_unavailable,
                                            "no route to the SIP side is configured yet")) {
            self->send(s2s_service, s2s::deliver_atom::value, std::move(*reply));
          }
        },
    };
  });
}

}  // namespace fedgate::routing
