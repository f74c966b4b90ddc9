#pragma once
// The broker behaviour for one TCP connection: reads bytes and sends them to the owner actor,
// writes what the owner sends back. See messages.hpp for the interface and why it is so thin.

#include <caf/actor.hpp>
#include <caf/io/broker.hpp>

#include "transport/tcp/messages.hpp"

namespace fedgate::transport {

// For a connection the broker already holds (accepted, then forked from the listener). The owner
// gets (tcp_attach, ...) first.
// `info` carries what the caller knows (direction, local port); the peer's address is filled in.
caf::behavior tcp_connection(caf::io::broker* self, caf::io::connection_handle hdl,
                             caf::actor owner, connection_info info);

// For a connected socket handed over by the connector.
caf::behavior tcp_connection_from_fd(caf::io::broker* self, int fd, caf::actor owner);

}  // namespace fedgate::transport
