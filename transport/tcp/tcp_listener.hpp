#pragma once
// A TCP listener: binds one address, accepts connections on CAF's I/O thread, and for each one
// asks a factory for the owner actor (the codec actor that will speak the protocol), then hands
// the connection to its own tcp_connection broker.
//
// We open and bind the socket ourselves (rather than CAF's add_tcp_doorman) to control the exact
// address (IPv6 with IPV6_V6ONLY, loopback-only defaults) and to report bind errors clearly.

#include <cstdint>
#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "transport/tcp/messages.hpp"

namespace fedgate::transport {

// Returns the owner for a new connection, or an invalid actor to refuse it (the connection is
// closed at once, e.g. over a connection limit or while draining).
using connection_factory = std::function<caf::actor(const connection_info&)>;

struct tcp_listener {
  caf::actor broker;       // invalid on failure
  std::uint16_t port = 0;  // the bound port (useful when asked for port 0)
  std::string error;
};

// `host` is a numeric IPv4 or IPv6 address.
tcp_listener listen_tcp(caf::actor_system& sys, const std::string& host, std::uint16_t port,
                        connection_factory factory);

}  // namespace fedgate::transport
