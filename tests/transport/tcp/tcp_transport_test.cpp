// The TCP transport against real loopback sockets: listener + connection broker + connector.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "transport/tcp/messages.hpp"
#include "transport/tcp/tcp_connector.hpp"
#include "transport/tcp/tcp_listener.hpp"

namespace fedgate::transport {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Owner that echoes every byte back and reports the close to `observer`.
caf::behavior echo_owner(caf::event_based_actor* self, caf::actor observer) {
  auto broker = std::make_shared<caf::actor>();
  return {
      [=](tcp_attach_atom, caf::actor b, const connection_info& info) {
        *broker = b;
        self->send(observer, tcp_attach_atom::value, b, info);
      },
      [=](tcp_data_atom, std::string& bytes) {
        self->send(*broker, tcp_write_atom::value, std::move(bytes));
      },
      [=](tcp_closed_atom, const std::string& why) {
        self->send(observer, tcp_closed_atom::value, why);
        self->quit();
      },
  };
}

class tcp_transport : public ::testing::Test {
 protected:
  tcp_transport() : system_(make_config()), self_(system_) {}
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

  tcp_listener start_echo_listener(const std::string& host = "127.0.0.1") {
    caf::actor observer = self_;
    auto l = listen_tcp(system_, host, 0, [this, observer](const connection_info&) {
      return system_.spawn(echo_owner, observer);
    });
    EXPECT_TRUE(l.broker) << l.error;
    EXPECT_NE(l.port, 0);
    return l;
  }

  // A plain POSIX client socket, to test against something that is not our own code.
  static int raw_connect(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  static std::string raw_read(int fd, std::size_t want) {
    std::string out;
    for (int i = 0; i < 100 && out.size() < want; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1) break;
      char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

  caf::actor_system system_;
  caf::scoped_actor self_;
};

TEST_F(tcp_transport, accepted_connection_echoes_through_its_owner) {
  auto l = start_echo_listener();
  int fd = raw_connect(l.port);
  connection_info info;
  self_->receive([&](tcp_attach_atom, caf::actor, const connection_info& i) { info = i; },
                 caf::after(5s) >> [] { FAIL() << "no attach"; });
  EXPECT_EQ(info.peer_address, "127.0.0.1");
  EXPECT_EQ(info.local_port, l.port);
  EXPECT_TRUE(info.inbound);
  std::string msg = "<stream:stream xmlns='jabber:server'>";
  ASSERT_EQ(::write(fd, msg.data(), msg.size()), static_cast<ssize_t>(msg.size()));
  EXPECT_EQ(raw_read(fd, msg.size()), msg);
  ::close(fd);
  self_->receive(
      [](tcp_closed_atom, const std::string& why) { EXPECT_THAT(why, HasSubstr("closed")); },
      caf::after(5s) >> [] { FAIL() << "no close"; });
  self_->send_exit(l.broker, caf::exit_reason::user_shutdown);
}

TEST_F(tcp_transport, connector_attaches_an_outbound_connection) {
  auto l = start_echo_listener();
  connect_tcp(system_, {{"127.0.0.1", l.port}}, 2s, self_);
  caf::actor out_broker;
  bool saw_inbound = false, saw_outbound = false;
  for (int i = 0; i < 2; ++i) {
    self_->receive(
        [&](tcp_attach_atom, caf::actor b, const connection_info& info) {
          if (info.inbound) {
            saw_inbound = true;
          } else {
            saw_outbound = true;
            out_broker = b;
            EXPECT_EQ(info.peer_port, l.port);
          }
        },
        caf::after(5s) >> [] { FAIL() << "no attach"; });
  }
  ASSERT_TRUE(saw_inbound && saw_outbound);
  self_->send(out_broker, tcp_write_atom::value, std::string("ping"));
  std::string got;
  while (got.size() < 4) {
    bool timed_out = false;
    self_->receive([&](tcp_data_atom, const std::string& b) { got += b; },
                   caf::after(5s) >> [&] { timed_out = true; });
    if (timed_out) break;
  }
  EXPECT_EQ(got, "ping");
  self_->send(out_broker, tcp_close_atom::value);
  self_->receive([](tcp_closed_atom, const std::string&) {},  // the echo side saw the close
                 caf::after(5s) >> [] { FAIL() << "no close"; });
  self_->send_exit(l.broker, caf::exit_reason::user_shutdown);
}

TEST_F(tcp_transport, connector_reports_every_failed_target) {
  // A port nothing listens on: our own listener's, after it stopped (awaited via monitor).
  auto l = start_echo_listener();
  auto port = l.port;
  self_->monitor(l.broker);
  self_->send_exit(l.broker, caf::exit_reason::user_shutdown);
  self_->receive([](const caf::down_msg&) {}, caf::after(5s) >> [] { FAIL() << "no down"; });
  connect_tcp(system_, {{"127.0.0.1", port}, {"no-such-host.invalid", 5269}}, 1s, self_);
  self_->receive(
      [&](tcp_failed_atom, const std::string& why) {
        EXPECT_THAT(why, HasSubstr("127.0.0.1:" + std::to_string(port)));
        EXPECT_THAT(why, HasSubstr("refused"));
        EXPECT_THAT(why, HasSubstr("cannot resolve no-such-host.invalid"));
      },
      caf::after(10s) >> [] { FAIL() << "no failure report"; });
}

TEST_F(tcp_transport, refused_by_factory_closes_the_connection) {
  auto l = listen_tcp(system_, "127.0.0.1", 0, [](const connection_info&) { return caf::actor{}; });
  ASSERT_TRUE(l.broker);
  int fd = raw_connect(l.port);
  EXPECT_EQ(raw_read(fd, 1), "");  // EOF: closed by us
  ::close(fd);
  self_->send_exit(l.broker, caf::exit_reason::user_shutdown);
}

TEST_F(tcp_transport, bind_errors_are_reported) {
  auto l = start_echo_listener();
  auto again =
      listen_tcp(system_, "127.0.0.1", l.port, [](const connection_info&) { return caf::actor{}; });
  EXPECT_FALSE(again.broker);
  EXPECT_THAT(again.error, HasSubstr("Address already in use"));
  auto bad =
      listen_tcp(system_, "localhost", 0, [](const connection_info&) { return caf::actor{}; });
  EXPECT_THAT(bad.error, HasSubstr("not an IP address"));
  self_->send_exit(l.broker, caf::exit_reason::user_shutdown);
}

TEST_F(tcp_transport, ipv6_loopback_works) {
  auto l = start_echo_listener("::1");
  ASSERT_TRUE(l.broker) << l.error;
  connect_tcp(system_, {{"::1", l.port}}, 2s, self_);
  int attaches = 0;
  for (int i = 0; i < 2; ++i) {
    self_->receive([&](tcp_attach_atom, caf::actor, const connection_info&) { ++attaches; },
                   caf::after(5s) >> [] {});
  }
  EXPECT_EQ(attaches, 2);
  self_->send_exit(l.broker, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace fedgate::transport
