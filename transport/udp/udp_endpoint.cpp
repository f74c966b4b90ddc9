#include "transport/udp/udp_endpoint.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <caf/all.hpp>

namespace fedgate::transport {
namespace {

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// Fills `addr` from a numeric address; false if it is not one.
bool to_sockaddr(const std::string& host, std::uint16_t port, sockaddr_storage& addr,
                 socklen_t& len) {
  addr = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
    return true;
  }
  std::string h = host;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (::inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

int open_udp_socket(const std::string& host, std::uint16_t port, std::uint16_t& bound_port,
                    std::string& error) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (!to_sockaddr(host, port, addr, len)) {
    error = "\"" + host + "\" is not an IP address";
    return -1;
  }
  int family = addr.ss_family;
  int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = errno_text("socket");
    return -1;
  }
  int one = 1;
  if (family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  // Bursts of requests (and their retransmissions) must not overflow the kernel queue while
  // the I/O thread is busy elsewhere.
  int buf = 4 * 1024 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    error = errno_text("bind udp " + host + ":" + std::to_string(port));
    ::close(fd);
    return -1;
  }
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  bound_port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&addr)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// The receive loop runs on its own thread: CAF 0.17's datagram servant reports the sender's
// address through getpeername(), which is empty for an unconnected socket (found by
// tests/transport/udp: remote_addr() returned ""), so a server could not know where to answer.
// One blocking reader per socket is also one more I/O thread beside CAF's single multiplexer.
struct reader {
  int fd = -1;
  std::atomic<bool> stop{false};
  std::thread thread;
  ~reader() {
    stop = true;
    if (thread.joinable()) thread.join();
    if (fd >= 0) ::close(fd);
  }
};

void read_loop(reader* r, caf::actor_addr self_addr, std::vector<caf::actor> owners) {
  std::size_t next = 0;
  std::vector<char> buf(65536);
  while (!r->stop.load(std::memory_order_relaxed)) {
    pollfd p{r->fd, POLLIN, 0};
    int n = ::poll(&p, 1, 100);  // bounded, so stop is seen within 100 ms
    if (n <= 0) continue;
    for (int burst = 0; burst < 256; ++burst) {
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      auto got =
          ::recvfrom(r->fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (got < 0) break;  // EAGAIN: drained
      char host[INET6_ADDRSTRLEN] = {0};
      std::uint16_t port = 0;
      if (from.ss_family == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&from);
        ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        port = ntohs(a->sin_port);
      } else if (from.ss_family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&from);
        ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        port = ntohs(a->sin6_port);
      }
      auto self = caf::actor_cast<caf::actor>(self_addr);
      if (!self) return;  // the endpoint actor is gone
      caf::anon_send(owners[next++ % owners.size()], udp_recv_atom::value, self, std::string(host),
                     port, std::string(buf.data(), static_cast<std::size_t>(got)));
    }
  }
}

struct udp_state {
  std::shared_ptr<reader> rd;
};

caf::behavior udp_socket_actor(caf::stateful_actor<udp_state>* self, int fd,
                               std::vector<caf::actor> owners) {
  auto rd = std::make_shared<reader>();
  rd->fd = fd;
  rd->thread = std::thread(read_loop, rd.get(), self->address(), std::move(owners));
  self->state.rd = rd;
  return {
      [=](udp_send_atom, const std::string& address, std::uint16_t port, const std::string& bytes) {
        sockaddr_storage addr{};
        socklen_t len = 0;
        if (!to_sockaddr(address, port, addr, len)) return;
        // Non-blocking: on EAGAIN the datagram is lost, as it could be on the network.
        (void)::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&addr), len);
      },
      [=](udp_close_atom) {
        self->state.rd.reset();
        self->quit();
      },
  };
}

}  // namespace

udp_endpoint listen_udp(caf::actor_system& sys, const std::string& host, std::uint16_t port,
                        std::vector<caf::actor> owners) {
  udp_endpoint result;
  if (owners.empty()) {
    result.error = "listen_udp needs at least one owner";
    return result;
  }
  int fd = open_udp_socket(host, port, result.port, result.error);
  if (fd < 0) return result;
  result.broker = sys.spawn(udp_socket_actor, fd, std::move(owners));
  return result;
}

}  // namespace fedgate::transport
