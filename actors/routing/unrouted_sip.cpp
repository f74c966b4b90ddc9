#include "actors/routing/unrouted_sip.hpp"

#include <caf/all.hpp>

#include "actors/sip/messages.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"

namespace fedgate::routing {
namespace {

metrics::sip_method method_label(std::string_view m) {
  if (m == "MESSAGE") return metrics::sip_method::message;
  if (m == "SUBSCRIBE") return metrics::sip_method::subscribe;
  if (m == "NOTIFY") return metrics::sip_method::notify;
  if (m == "PUBLISH") return metrics::sip_method::publish;
  if (m == "OPTIONS") return metrics::sip_method::options;
  return metrics::sip_method::other;
}

// The int is unused: CAF 0.17 dereferences a null argument tuple when a function actor is
// spawned without arguments.
caf::behavior unrouted_sip(caf::event_based_actor*, int) {
  return {
      [](sip_layer::sip_request_atom, const sip_layer::incoming_request& in) {
        if (in.server_id == 0) return;  // ACK for a 2xx: no transaction, no answer
        std::string method(in.request.method());
        auto label = method_label(method);
        if (method == "OPTIONS") {
          metrics::sip_requests().inc(metrics::direction::in, label, metrics::outcome::delivered);
          sip_layer::respond(in, sip::make_response(in.request, 200).build().value());
          return;
        }
        log::info("sip request received",
                  {{"method", method},
                   {"from", std::string(in.request.header("From").value_or(""))},
                   {"to", std::string(in.request.request_uri())}});
        metrics::sip_requests().bounced(metrics::direction::in, label, 503);
        sip_layer::respond(
            in, sip::make_response(in.request, 503, "No route to the XMPP side configured yet")
                    .build()
                    .value());
      },
      [](sip_layer::sip_cancelled_atom, const caf::actor&, std::uint64_t) {},
  };
}

}  // namespace

caf::actor spawn_unrouted_sip(caf::actor_system& sys) {
  return sys.spawn(unrouted_sip, 0);
}

}  // namespace fedgate::routing
