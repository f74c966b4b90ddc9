#pragma once
// Outbound TCP: tries a list of targets in order (each with its own timeout) and attaches the
// first socket that connects to a new tcp_connection broker owned by `owner`.
//
// Connecting (and resolving a host name given as a static route) blocks, so it runs in a detached
// actor with its own thread, never on the I/O thread or a scheduler worker. Outbound connections
// are rare (one per partner stream), so a short-lived thread per attempt is cheap enough.
//
// Result for the owner: (tcp_attach, broker, info) from the new broker, or
// (tcp_failed, reason) naming every target tried and why it failed.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/meta/type_name.hpp>

namespace fedgate::transport {

struct tcp_target {
  std::string host;  // IP address or host name
  std::uint16_t port = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tcp_target& x) {
  return f(caf::meta::type_name("tcp_target"), x.host, x.port);
}

void connect_tcp(caf::actor_system& sys, std::vector<tcp_target> targets,
                 std::chrono::milliseconds timeout_per_target, caf::actor owner);

}  // namespace fedgate::transport
