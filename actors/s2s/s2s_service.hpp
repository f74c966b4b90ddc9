#pragma once
// The XMPP federation side of the gateway as one actor: it listens for S2S connections, keeps one
// partner_domain actor per remote domain, applies the federation policy (allowlist or open,
// denylist, per-partner negotiation rules, connection limits), and hands every inbound stanza to
// the sink (the router).
//
// Everyone else talks to it with messages:
//   (deliver, stanza)      send a stanza to its remote domain; failures come back as bounces
//                          to the sink, never silently
//   (status)               -> std::vector<partner_status>
//   (shutdown)             close every stream with system-shutdown and stop
//   (reload, shared_ptr<const app::xmpp_config>) -> bool
//                          a config reload: partners and federation policy (messages.hpp)

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "app/config.hpp"
#include "transport/dns/resolver.hpp"
#include "transport/tls/tls_context.hpp"

namespace fedgate::s2s {

struct s2s_service_config {
  app::xmpp_config xmpp;  // listeners, policy, partners, limits, timeouts
  std::vector<std::string> local_domains;
  std::string dialback_secret;
  std::shared_ptr<tls::tls_context> tls;
  caf::actor sink;  // receives (inbound_atom, stanza): stanzas from partners, and bounces
  std::shared_ptr<dns::resolver> resolver;  // SRV for partners without routes; null: A/AAAA
};

struct s2s_service {
  caf::actor actor;
  std::vector<std::uint16_t> ports;             // bound listener ports, in config order
  std::vector<std::uint16_t> direct_tls_ports;  // the same for xmpp.direct_tls_listen
  std::string error;                            // why start failed (then actor is invalid)
};

s2s_service start_s2s_service(caf::actor_system& sys, s2s_service_config cfg);

}  // namespace fedgate::s2s

// The reload message carries the new [xmpp] config (local only).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const fedgate::app::xmpp_config>)
