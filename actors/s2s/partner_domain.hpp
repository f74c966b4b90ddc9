#pragma once
// One actor per remote XMPP domain (a federation partner): its outbound streams (one per local
// domain that sends to it), the stanzas queued while a stream is being set up, reconnection with
// exponential backoff and jitter, the dialback verification streams towards its authoritative
// server, and the count of inbound streams authenticated for it.
//
// Nothing it accepts is lost: a queued stanza is either written to an authenticated stream or,
// once it has waited `queue_timeout`, bounced to its sender with remote-server-not-found (the
// domain was never reached) or remote-server-timeout (it was reached but no stream came up). A
// full queue bounces with resource-constraint at once.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/s2s/stream_actor.hpp"
#include "transport/dns/resolver.hpp"
#include "transport/tcp/tcp_connector.hpp"

namespace fedgate::s2s {

struct partner_domain_config {
  std::string domain;
  std::vector<transport::tcp_target> routes;  // tried in order; empty: domain:5269
  bool direct_tls = false;                    // routes speak TLS first (XEP-0368)
  std::size_t max_inbound = 4;                // inbound streams authenticated at once
  std::size_t queue_max = 1000;
  std::chrono::milliseconds queue_timeout{30000};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{60000};
  stream_actor_config stream;  // template for its streams (policy, secret, TLS, sink, service)
  caf::actor bounce_to;        // where bounces go (the sink: they are for local senders)
  // DNS for partners without static routes: _xmpps-server._tcp (direct TLS, XEP-0368), then
  // _xmpp-server._tcp, then the domain's A/AAAA on 5269 (RFC 6120 §3.2). Null: A/AAAA only,
  // through the system resolver.
  std::shared_ptr<dns::resolver> resolver;
};

caf::actor spawn_partner_domain(caf::actor_system& sys, partner_domain_config cfg);

// Reply to (status_atom): one line of facts about the partner, for ctl and tests.
struct partner_status {
  std::string domain;
  std::string state;  // idle | connecting | up | backoff (of the first outbound stream)
  std::size_t outbound_up = 0;
  std::size_t inbound = 0;
  std::size_t queued = 0;
  std::string auth;        // method of the last authenticated stream
  std::string last_error;  // why the last stream failed
  // Streams authenticated for this partner since its actor started (both directions): when it
  // stays the same, no stream was re-established (a reload leaves unaffected partners alone).
  std::uint64_t established = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partner_status& x) {
  return f(caf::meta::type_name("partner_status"), x.domain, x.state, x.outbound_up, x.inbound,
           x.queued, x.auth, x.last_error, x.established);
}

}  // namespace fedgate::s2s

// (reconfigure_atom, config): new policy and routes after a reload (local only).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const fedgate::s2s::partner_domain_config>)
