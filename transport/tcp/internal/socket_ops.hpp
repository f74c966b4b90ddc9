#pragma once
// Plain POSIX socket steps shared by the listener and the connector. Internal to transport/tcp.

#include <chrono>
#include <cstdint>
#include <string>

namespace fedgate::transport::internal {

// A non-blocking listening socket bound to host:port, or -1 with `error` set. `bound_port`
// receives the actual port.
int open_listening_socket(const std::string& host, std::uint16_t port, std::uint16_t& bound_port,
                          std::string& error);

// Resolves `host` and connects to the first address that answers within `timeout`; returns a
// connected non-blocking socket or -1 with `error` set.
int connect_with_timeout(const std::string& host, std::uint16_t port,
                         std::chrono::milliseconds timeout, std::string& error);

}  // namespace fedgate::transport::internal
