#pragma once
// The message interface between a UDP socket broker (on CAF's single I/O thread) and the actors
// that parse what arrives (SIP codec actors, on the worker pool). Same split as transport/tcp:
// the broker only moves datagrams.
//
//   broker → owner:  (udp_recv, broker, std::string peer_address, uint16_t peer_port,
//                     std::string bytes)                  one datagram, as received
//   anyone → broker: (udp_send, std::string address, uint16_t port, std::string bytes)
//                                                         one datagram to any peer
//   anyone → broker: (udp_close)                          close the socket, quit
//
// Datagrams are spread round-robin over the owners the listener was given, so parsing runs on
// as many workers as there are owners; UDP has no ordering to keep.

#include <caf/atom.hpp>

namespace fedgate::transport {

using udp_recv_atom = caf::atom_constant<caf::atom("udp_recv")>;
using udp_send_atom = caf::atom_constant<caf::atom("udp_send")>;
using udp_close_atom = caf::atom_constant<caf::atom("udp_close")>;

}  // namespace fedgate::transport
