#pragma once
// The resolver (resolver.hpp) as an actor, for callers that want DNS answers as messages:
//   request(dns, timeout, dns_srv_atom, std::string name)             -> dns::srv_result
//   request(dns, timeout, dns_host_atom, std::string name)            -> dns::host_result
//   request(dns, timeout, dns_service_atom, std::string service, std::string domain,
//           std::uint16_t default_port)                               -> dns::service_result
// DNS failures are results (result.code), never caf::errors; a request is always answered
// (within about timeout * tries of the resolver options). The actor owns the resolver: when it
// exits, queries in flight end as status::cancelled and the resolver thread is joined.
//
// The result structs are local-only message types (CAF_ALLOW_UNSAFE_MESSAGE_TYPE).

#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "transport/dns/resolver.hpp"

namespace fedgate::dns {

using dns_srv_atom = caf::atom_constant<caf::atom("dns_srv")>;
using dns_host_atom = caf::atom_constant<caf::atom("dns_host")>;
using dns_service_atom = caf::atom_constant<caf::atom("dns_svc")>;
using dns_done_atom = caf::atom_constant<caf::atom("dns_done")>;  // internal

/// Spawns the resolver actor (the resolver runs on its own thread, the actor only relays).
caf::actor spawn_resolver_actor(caf::actor_system& sys, resolver_options options);

/// The same, around an existing resolver that others share (e.g. the SIP layer's).
caf::actor spawn_resolver_actor(caf::actor_system& sys, std::shared_ptr<resolver> shared);

}  // namespace fedgate::dns

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::dns::srv_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::dns::host_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::dns::service_result)
