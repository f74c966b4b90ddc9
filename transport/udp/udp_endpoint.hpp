#pragma once
// A UDP socket bound to one address: an actor that sends datagrams (sendto) and a reader thread
// that receives them and hands each, with the sender's address, to an owner actor.
//
// Why not CAF's datagram servant (add_datagram_servant): in CAF 0.17 it reports the sender's
// address via getpeername(), which is empty for an unconnected socket, so a SIP server could not
// know where to answer; and its handles only name peers that sent to us first, while a SIP element
// also sends requests to peers it has never heard from. A blocking reader thread per socket also
// keeps UDP off CAF's single multiplexer thread. The reader only moves bytes; parsing stays in the
// owners, on the worker pool.
//
// Send errors (EAGAIN on a full socket buffer, unreachable) drop the datagram: on UDP the
// transaction layer's retransmissions recover (RFC 3261 §17.1.1.2, §17.1.2.2).

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "transport/udp/messages.hpp"

namespace fedgate::transport {

struct udp_endpoint {
  caf::actor broker;       // the socket actor (udp_send, udp_close); invalid on failure
  std::uint16_t port = 0;  // the bound port (useful when asked for port 0)
  std::string error;
};

// `host` is a numeric IPv4 or IPv6 address. `owners` (at least one) receive the datagrams
// round-robin. Send udp_close to the socket actor to stop it (the reader thread ends within
// 100 ms); it also stops when the last reference to it goes away.
udp_endpoint listen_udp(caf::actor_system& sys, const std::string& host, std::uint16_t port,
                        std::vector<caf::actor> owners);

}  // namespace fedgate::transport
