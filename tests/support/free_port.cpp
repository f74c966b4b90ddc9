#include "tests/support/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <set>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace fedgate::testing {

std::uint16_t free_port() {
  static std::set<std::uint16_t> handed_out;  // the kernel may hand the same port out again
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ::close(fd);
      continue;
    }
    ::close(fd);
    std::uint16_t port = ntohs(a.sin_port);
    if (handed_out.insert(port).second) return port;
  }
  throw std::runtime_error("no free port");
}

std::uint16_t free_udp_port() {
  int u = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(u, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(u);
    throw std::runtime_error("no free UDP port");
  }
  ::close(u);
  return ntohs(a.sin_port);
}

}  // namespace fedgate::testing
