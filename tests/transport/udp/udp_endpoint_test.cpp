// The UDP broker against real loopback sockets: datagrams in (with the peer address), datagrams
// out to any peer, large datagrams intact, many peers, bind errors.
#include "transport/udp/udp_endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <set>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <gtest/gtest.h>

namespace fedgate::transport {
namespace {

using namespace std::chrono_literals;

struct plain_socket {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  std::uint16_t port = 0;
  plain_socket() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~plain_socket() { ::close(fd); }
  void send_to(std::uint16_t to, const std::string& bytes) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(to);
    ::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  std::string receive(int timeout_ms = 5000) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return "<timeout>";
    char buf[70000];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    return n < 0 ? "<error>" : std::string(buf, static_cast<std::size_t>(n));
  }
};

class udp_transport : public ::testing::Test {
 protected:
  udp_transport() : system_(make_config()), self_(system_) {}
  static caf::actor_system_config& make_config() {
    static caf::actor_system_config cfg;
    static bool loaded = false;
    if (!loaded) {
      cfg.set("scheduler.max-threads", 2);
      loaded = true;
    }
    return cfg;
  }
  caf::actor_system system_;
  caf::scoped_actor self_;
};

TEST_F(udp_transport, delivers_datagrams_with_peer_address_and_sends_to_any_peer) {
  auto ep = listen_udp(system_, "127.0.0.1", 0, {caf::actor{self_}});
  ASSERT_TRUE(ep.broker) << ep.error;
  plain_socket client;
  client.send_to(ep.port, "OPTIONS sip:x SIP/2.0\r\n\r\n");
  bool got = false;
  self_->receive(
      [&](udp_recv_atom, const caf::actor& broker, const std::string& addr, std::uint16_t port,
          const std::string& bytes) {
        got = true;
        EXPECT_EQ(broker, ep.broker);
        EXPECT_EQ(addr, "127.0.0.1");
        EXPECT_EQ(port, client.port);
        EXPECT_EQ(bytes, "OPTIONS sip:x SIP/2.0\r\n\r\n");
      },
      caf::after(5s) >> [] {});
  ASSERT_TRUE(got);
  plain_socket other;  // never sent anything to the broker
  self_->send(ep.broker, udp_send_atom::value, std::string("127.0.0.1"), other.port,
              std::string("hello"));
  EXPECT_EQ(other.receive(), "hello");
  self_->send(ep.broker, udp_close_atom::value);
}

TEST_F(udp_transport, large_datagrams_arrive_whole) {
  auto ep = listen_udp(system_, "127.0.0.1", 0, {caf::actor{self_}});
  ASSERT_TRUE(ep.broker) << ep.error;
  plain_socket client;
  std::string big(20000, 'x');
  client.send_to(ep.port, big);
  std::size_t size = 0;
  self_->receive([&](udp_recv_atom, const caf::actor&, const std::string&, std::uint16_t,
                     const std::string& bytes) { size = bytes.size(); },
                 caf::after(5s) >> [] {});
  EXPECT_EQ(size, big.size());
  self_->send(ep.broker, udp_send_atom::value, std::string("127.0.0.1"), client.port, big);
  EXPECT_EQ(client.receive().size(), big.size());
  self_->send(ep.broker, udp_close_atom::value);
}

TEST_F(udp_transport, many_peers_each_datagram_once_round_robin_over_owners) {
  caf::scoped_actor second{system_};
  auto ep = listen_udp(system_, "127.0.0.1", 0, {caf::actor{self_}, caf::actor{second}});
  ASSERT_TRUE(ep.broker) << ep.error;
  constexpr int peers = 40;
  std::vector<std::unique_ptr<plain_socket>> sockets;
  for (int i = 0; i < peers; ++i) {
    sockets.push_back(std::make_unique<plain_socket>());
    sockets.back()->send_to(ep.port, "d" + std::to_string(i));
    sockets.back()->send_to(ep.port, "e" + std::to_string(i));  // same peer again
  }
  std::set<std::string> seen;
  int first = 0, second_count = 0;
  auto collect = [&](caf::scoped_actor& who, int& count) {
    for (int i = 0; i < 2 * peers; ++i) {
      bool got = false;
      who->receive(
          [&](udp_recv_atom, const caf::actor&, const std::string&, std::uint16_t,
              const std::string& bytes) {
            got = true;
            EXPECT_TRUE(seen.insert(bytes).second) << "duplicate " << bytes;
          },
          caf::after(200ms) >> [] {});
      if (!got) break;
      ++count;
    }
  };
  collect(self_, first);
  collect(second, second_count);
  EXPECT_EQ(seen.size(), 2u * peers);
  EXPECT_EQ(first, peers);
  EXPECT_EQ(second_count, peers);
  self_->send(ep.broker, udp_close_atom::value);
}

TEST_F(udp_transport, bind_errors_are_reported) {
  auto a = listen_udp(system_, "127.0.0.1", 0, {caf::actor{self_}});
  ASSERT_TRUE(a.broker);
  auto b = listen_udp(system_, "127.0.0.1", a.port, {caf::actor{self_}});
  EXPECT_FALSE(b.broker);
  EXPECT_NE(b.error.find("bind udp 127.0.0.1"), std::string::npos) << b.error;
  auto c = listen_udp(system_, "not-an-ip", 0, {caf::actor{self_}});
  EXPECT_NE(c.error.find("not an IP address"), std::string::npos);
  self_->send(a.broker, udp_close_atom::value);
}

}  // namespace
}  // namespace fedgate::transport
