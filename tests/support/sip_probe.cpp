#include "tests/support/sip_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace fedgate::testing {

bool wait_sip_ready(std::uint16_t port) {
  int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  std::string me = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  a.sin_port = htons(port);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    std::string probe = "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP " + me +
                        ";branch=z9hG4bKprobe" + std::to_string(i) +
                        "\r\nFrom: <sip:t@t>;tag=1\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: probe" +
                        std::to_string(i) +
                        "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\n"
                        "Content-Length: 0\r\n\r\n";
    ::sendto(s, probe.data(), probe.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    pollfd p{s, POLLIN, 0};
    ready = ::poll(&p, 1, 100) == 1;
  }
  ::close(s);
  return ready;
}

}  // namespace fedgate::testing
