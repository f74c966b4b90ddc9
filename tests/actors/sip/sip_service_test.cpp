// The SIP service's client transactions against raw sockets on loopback, for the choice of
// transport that only the service makes: RFC 3261 §18.1.1, a request larger than
// max_udp_request_bytes (1300) whose next hop is UDP goes over TCP to the same address and port,
// with TCP in its Via; a smaller one stays on UDP; a refused connection gives 503 and nothing is
// sent over UDP. The test peer is a UDP socket and a TCP socket on the same port of 127.0.0.1.
// The shards also count their transactions in the SIP transaction metrics.
// Every wait is bounded (poll deadlines, request timeouts); nothing sleeps.
#include "actors/sip/sip_service.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/families.hpp"

namespace fedgate::sip_layer {
namespace {

using namespace std::chrono_literals;

constexpr int wait_ms = 5000;  // the bound of every socket wait

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN) != 0;
}

// The next hop: a UDP socket and a TCP socket bound to the same port of 127.0.0.1. The TCP one
// listens, or (listening == false) is only bound, so connections to it are refused.
struct test_peer {
  int udp = -1;
  int tcp = -1;
  std::uint16_t port = 0;

  explicit test_peer(bool listening) {
    for (int i = 0; i < 50 && tcp < 0; ++i) {  // the TCP port may be taken: try another pair
      close_all();
      udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      sockaddr_in a = loopback(0);
      if (::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) continue;
      socklen_t len = sizeof a;
      ::getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len);
      port = ntohs(a.sin_port);
      int t = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in b = loopback(port);
      if (::bind(t, reinterpret_cast<sockaddr*>(&b), sizeof b) != 0 ||
          (listening && ::listen(t, 4) != 0)) {
        ::close(t);
        continue;
      }
      tcp = t;
    }
  }
  ~test_peer() { close_all(); }
  test_peer(const test_peer&) = delete;
  test_peer& operator=(const test_peer&) = delete;

  void close_all() {
    if (udp >= 0) ::close(udp);
    if (tcp >= 0) ::close(tcp);
    udp = tcp = -1;
  }

  peer as_udp_hop() const {
    peer p;
    p.transport = transport_kind::udp;
    p.address = "127.0.0.1";
    p.port = port;
    return p;
  }

  // One datagram, or nullopt after the deadline.
  std::optional<std::string> receive_datagram(int timeout_ms = wait_ms) {
    if (!readable(udp, timeout_ms)) return std::nullopt;
    static char buf[70000];
    auto n = ::recv(udp, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

  void send_datagram(std::uint16_t to, const std::string& bytes) {
    sockaddr_in a = loopback(to);
    ::sendto(udp, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }

  // The next accepted connection, or -1 after the deadline.
  int accept_connection(int timeout_ms = wait_ms) {
    if (!readable(tcp, timeout_ms)) return -1;
    return ::accept4(tcp, nullptr, nullptr, SOCK_CLOEXEC);
  }
};

// Reads one SIP message from a stream (headers, then Content-Length bytes of body); nullopt
// when the peer closes or the deadline passes first.
std::optional<std::string> read_message(int fd) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto end = got.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t body = 0;
      auto cl = got.find("\r\nContent-Length: ");
      if (cl != std::string::npos && cl < end) body = std::stoul(got.substr(cl + 18));
      if (got.size() >= end + 4 + body) return got.substr(0, end + 4 + body);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0 || !readable(fd, static_cast<int>(left))) return std::nullopt;
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

std::string ok_for(const sip::message& request) {
  return sip::make_response(request, 200, {}, "uas1").serialize().value();
}

// The unused int: CAF 0.17 dereferences a null argument tuple (UBSan) when a function-based
// actor is spawned without arguments.
caf::behavior ignoring_handler(caf::event_based_actor*, int) {
  return {[](sip_request_atom, const incoming_request&) {}};
}

class sip_service_transport : public ::testing::Test {
 protected:
  sip_service_transport() : system_(make_config()), self_(system_) {
    sip_service_config cfg;
    cfg.udp = {{"127.0.0.1", 0}};
    cfg.trusted_peers = {"127.0.0.1"};
    cfg.shards = 2;
    cfg.connect_timeout = 3s;
    svc_ = start_sip_service(system_, cfg, system_.spawn(ignoring_handler, 0));
  }
  ~sip_service_transport() override { stop_sip_service(svc_); }

  static caf::actor_system_config& make_config() {
    static caf::actor_system_config cfg;
    static bool loaded = false;
    if (!loaded) {
      cfg.set("scheduler.max-threads", 2);
      cfg.load<caf::io::middleman>();
      loaded = true;
    }
    return cfg;
  }

  // A MESSAGE with a body of `body_size` bytes towards `hop`. Call-IDs of one length, so the
  // size of the request depends on the body only.
  static outgoing_request message(const peer& hop, std::size_t body_size, char id) {
    auto b = sip::message_builder::request("MESSAGE", "sip:bob@127.0.0.1");
    b.header("From", "<sip:alice@xmpp.test>;tag=a1");
    b.header("To", "<sip:bob@127.0.0.1>");
    b.header("Call-ID", std::string("mtu-test-") + id);
    b.header("CSeq", "1 MESSAGE");
    b.header("Max-Forwards", "70");
    b.body("text/plain", std::string(body_size, 'x'));
    outgoing_request o;
    o.request = std::move(b);
    o.next_hop = hop;
    return o;
  }

  // Sends `o` now; the handle's receive() awaits the final response (bounded).
  auto send(outgoing_request o) {
    caf::actor shard = pick_shard(svc_, o.next_hop->to_string());
    return self_->request(shard, 10s, sip_send_atom::value, std::move(o));
  }

  template <class Handle>
  int final_status(Handle&& h) {
    int status = 0;
    std::forward<Handle>(h).receive(
        [&](const sip::message& r) { status = r.status_code(); },
        [&](const caf::error& e) { ADD_FAILURE() << "no final response: " << system_.render(e); });
    return status;
  }

  // The request arrives as a datagram with UDP in its Via; answered with 200. Returns its size.
  std::size_t expect_over_udp(test_peer& p) {
    auto d = p.receive_datagram();
    EXPECT_TRUE(d) << "no datagram";
    if (!d) return 0;
    auto req = sip::parse_datagram(*d);
    EXPECT_TRUE(req.ok());
    if (!req.ok()) return 0;
    EXPECT_EQ(req->top_via().transport, "UDP");
    p.send_datagram(svc_.udp_ports.at(0), ok_for(req.value()));
    return d->size();
  }

  // The request arrives on a new TCP connection with TCP in its Via; answered with 200 on it.
  // Returns the connection (the caller closes it) and the size of the request's body.
  std::pair<int, std::size_t> expect_over_tcp(test_peer& p) {
    int fd = p.accept_connection();
    EXPECT_GE(fd, 0) << "no TCP connection";
    if (fd < 0) return {-1, 0};
    auto bytes = read_message(fd);
    EXPECT_TRUE(bytes) << "no request on the connection";
    if (!bytes) return {fd, 0};
    auto req = sip::parse_stream_message(*bytes);
    EXPECT_TRUE(req.ok());
    if (!req.ok()) return {fd, 0};
    EXPECT_EQ(req->method(), "MESSAGE");
    EXPECT_EQ(req->top_via().transport, "TCP");
    std::string ok = ok_for(req.value());
    EXPECT_EQ(::send(fd, ok.data(), ok.size(), MSG_NOSIGNAL), static_cast<ssize_t>(ok.size()));
    return {fd, req->body().size()};
  }

  caf::actor_system system_;
  caf::scoped_actor self_;
  sip_service svc_;
};

TEST_F(sip_service_transport, large_request_to_a_udp_hop_goes_over_tcp_to_the_same_port) {
  ASSERT_TRUE(svc_.ok()) << svc_.error;
  test_peer p(true);
  ASSERT_GE(p.tcp, 0);
  auto h = send(message(p.as_udp_hop(), 2000, '1'));
  auto [fd, body] = expect_over_tcp(p);
  EXPECT_EQ(body, 2000u);
  EXPECT_EQ(final_status(h), 200);
  EXPECT_FALSE(readable(p.udp, 0)) << "the request also went over UDP";
  if (fd >= 0) ::close(fd);  // the service's connection closes with it
}

TEST_F(sip_service_transport, small_request_to_a_udp_hop_stays_on_udp) {
  ASSERT_TRUE(svc_.ok()) << svc_.error;
  test_peer p(true);
  ASSERT_GE(p.tcp, 0);
  auto h = send(message(p.as_udp_hop(), 20, '1'));
  EXPECT_GT(expect_over_udp(p), 0u);
  EXPECT_EQ(final_status(h), 200);
  EXPECT_FALSE(readable(p.tcp, 0)) << "a TCP connection was opened";
}

TEST_F(sip_service_transport, udp_carries_requests_up_to_1300_bytes_and_tcp_the_larger_ones) {
  ASSERT_TRUE(svc_.ok()) << svc_.error;
  ASSERT_EQ(max_udp_request_bytes, 1300u);
  test_peer p(true);
  ASSERT_GE(p.tcp, 0);
  // The size without body, from a small request (Via, Call-ID and CSeq have fixed lengths).
  const std::size_t probe_body = 10;
  auto probe = send(message(p.as_udp_hop(), probe_body, '1'));
  std::size_t probe_size = expect_over_udp(p);
  ASSERT_EQ(final_status(probe), 200);
  ASSERT_GT(probe_size, 0u);
  // Content-Length grows from 2 to 4 digits for bodies of 1000 bytes and more.
  std::size_t body_at_limit = max_udp_request_bytes - (probe_size - probe_body) - 2;
  ASSERT_GE(body_at_limit, 1000u);

  auto at_limit = send(message(p.as_udp_hop(), body_at_limit, '2'));
  EXPECT_EQ(expect_over_udp(p), max_udp_request_bytes);
  EXPECT_EQ(final_status(at_limit), 200);

  auto over = send(message(p.as_udp_hop(), body_at_limit + 1, '3'));
  // (its TCP Via may differ in length from the UDP one: the body shows it was the 1301 bytes)
  auto [fd, body] = expect_over_tcp(p);
  EXPECT_EQ(body, body_at_limit + 1);
  EXPECT_EQ(final_status(over), 200);
  EXPECT_FALSE(readable(p.udp, 0)) << "the request also went over UDP";
  if (fd >= 0) ::close(fd);
}

// The shards hand their tables the metrics observer (transaction_metrics.hpp): a client
// transaction answered with 200 and one ended by a refused connection (503) are counted. The
// counter moves before the requester gets the response.
TEST_F(sip_service_transport, client_transactions_are_counted_in_the_sip_transaction_metrics) {
  ASSERT_TRUE(svc_.ok()) << svc_.error;
  using metrics::role;
  using metrics::sip_method;
  using metrics::status_class;
  auto& m = metrics::sip_transactions();
  double ok = m.completed_series(role::client, sip_method::message, status_class::s2xx).Value();
  double refused =
      m.completed_series(role::client, sip_method::message, status_class::s5xx).Value();
  test_peer p(false);
  ASSERT_GE(p.tcp, 0);
  auto small = send(message(p.as_udp_hop(), 20, '1'));
  EXPECT_GT(expect_over_udp(p), 0u);
  EXPECT_EQ(final_status(small), 200);
  EXPECT_EQ(m.completed_series(role::client, sip_method::message, status_class::s2xx).Value() - ok,
            1);
  auto large = send(message(p.as_udp_hop(), 2000, '2'));  // over TCP: refused
  EXPECT_EQ(final_status(large), 503);
  EXPECT_EQ(
      m.completed_series(role::client, sip_method::message, status_class::s5xx).Value() - refused,
      1);
  EXPECT_GE(m.active_series().Value(), 1);  // the UDP transaction waits for timer K
}

TEST_F(sip_service_transport, large_request_whose_tcp_connection_is_refused_gets_503) {
  ASSERT_TRUE(svc_.ok()) << svc_.error;
  test_peer p(false);  // TCP port bound, not listening: the connection is refused
  ASSERT_GE(p.tcp, 0);
  auto h = send(message(p.as_udp_hop(), 2000, '1'));
  EXPECT_EQ(final_status(h), 503);
  EXPECT_FALSE(readable(p.udp, 0)) << "fell back to UDP";
}

}  // namespace
}  // namespace fedgate::sip_layer
