#pragma once
// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released), for peers
// that must be told their port in a config file. Each call returns a different port.

#include <cstdint>

namespace fedgate::testing {

std::uint16_t free_port();

/// The same for UDP (SIPp and Kamailio listening on a datagram socket).
std::uint16_t free_udp_port();

}  // namespace fedgate::testing
