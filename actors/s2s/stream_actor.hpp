#pragma once
// The codec actor of one S2S connection: TLS (transport/tls, on memory BIOs), the stream framer
// and the negotiator, on CAF's worker pool. Its broker (transport/tcp) only moves bytes.
//
//   broker ──tcp_data──► stream_actor: TLS → framer → negotiator ──► partner_domain / sink
//   partner ──s2s_send──► stream_actor ──► negotiator → TLS ──tcp_write──► broker
//
// Lifetime: it quits when the stream closes, after telling its partner_domain actor (stream_dn)
// and closing the connection; the broker also closes the socket if this actor dies.

#include <chrono>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/s2s/stream_negotiator.hpp"
#include "transport/tls/tls_context.hpp"

namespace fedgate::s2s {

struct stream_actor_config {
  stream_settings settings;  // role, domains, policy lookup, secret, limits
  std::shared_ptr<tls::tls_context> tls;
  caf::actor partner;  // initiating: the partner_domain actor that owns the stream
  caf::actor service;  // receiving: where verification requests and stream events go
  caf::actor sink;     // where inbound stanzas go
  std::chrono::milliseconds establish_timeout{30000};
  std::chrono::milliseconds keepalive_interval{60000};
  std::chrono::milliseconds idle_timeout{600000};  // no stanza either way: close
  bool direct_tls = false;  // XEP-0368: TLS from the first byte instead of STARTTLS
};

// Spawns a stream actor. Initiating streams open when the connector attaches their broker
// (transport::connect_tcp with this actor as owner); receiving ones when the listener does.
caf::actor spawn_stream_actor(caf::actor_system& sys, stream_actor_config cfg);

}  // namespace fedgate::s2s
