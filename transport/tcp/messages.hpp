#pragma once
// The message interface between a TCP connection broker (transport/, on CAF's single I/O thread)
// and the actor that owns the connection's protocol (a codec actor, on the worker pool).
//
// Why this split: CAF 0.17 runs every broker on one multiplexer thread, so a broker that parsed or
// encrypted would cap the gateway at one core. Brokers only move bytes; everything else happens in
// the owner, which can run on any core.
//
//   broker → owner:  (tcp_attach, broker, connection_info)   once, before any data
//                    (tcp_data, std::string bytes)            bytes as read
//                    (tcp_closed, std::string reason)          the connection is gone; broker quits
//   owner → broker:  (tcp_write, std::string bytes)           queue bytes and flush
//                    (tcp_close)                               flush, close, quit
//   connector → owner: (tcp_failed, std::string reason)        no endpoint could be reached
//
// A broker monitors its owner and closes the connection when the owner goes away, so a crashed
// codec actor never leaks a socket.

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

namespace fedgate::transport {

using tcp_attach_atom = caf::atom_constant<caf::atom("tcp_attach")>;
using tcp_data_atom = caf::atom_constant<caf::atom("tcp_data")>;
using tcp_closed_atom = caf::atom_constant<caf::atom("tcp_closed")>;
using tcp_write_atom = caf::atom_constant<caf::atom("tcp_write")>;
using tcp_close_atom = caf::atom_constant<caf::atom("tcp_close")>;
using tcp_failed_atom = caf::atom_constant<caf::atom("tcp_failed")>;

struct connection_info {
  std::string peer_address;  // numeric, as the socket reports it
  std::uint16_t peer_port = 0;
  std::uint16_t local_port = 0;
  bool inbound = true;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connection_info& x) {
  return f(caf::meta::type_name("connection_info"), x.peer_address, x.peer_port, x.local_port,
           x.inbound);
}

}  // namespace fedgate::transport
