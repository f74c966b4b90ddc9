#pragma once
// Readiness of a SIP peer started by a test (Kamailio): it answers an OPTIONS on UDP (any
// response counts). Bounded: 100 probes, each waiting up to 100 ms for the answer.

#include <cstdint>

namespace fedgate::testing {

bool wait_sip_ready(std::uint16_t udp_port);

}  // namespace fedgate::testing
