// The SIP stack's transports against real peers and raw sockets on loopback:
//   * RFC 3263: a Request-URI with a host name reaches a SIPp UAS through SRV records served by
//     a DNS responder in the test (UDP), and fails over to the next SRV target when the first
//     refuses the TCP connection (§4.3);
//   * stream connections: 400 naming the problem for a malformed request over TCP (connection
//     kept), 400 then close when framing is lost, CRLF keepalive ping answered with a pong,
//     idle timeout closing an unused connection;
//   * TLS with certificate-name trust (mutual TLS), with `openssl s_client` as the peer: the
//     trusted certificate's MESSAGE gets 200, an untrusted name and no certificate get 403 and a
//     log line.
// Every peer is started by the test and stopped by PID; a missing binary fails the test.
#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <netinet/in.h>
#include <poll.h>
#include <regex>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/transport/dns/fake_dns_server.hpp"

namespace {

using namespace std::chrono_literals;
using fedgate::testing::child_process;
using fedgate::testing::fake_dns_server;
using fedgate::testing::temp_dir;
using fedgate::testing::test_pki;

const std::string sipp_bin = "/usr/bin/sipp";
const std::string openssl_bin = "/usr/bin/openssl";
const std::string scenarios = std::string(FEDGATE_SOURCE_DIR) + "/tests/interop/sip/scenarios/";

struct harness {
  std::unique_ptr<child_process> proc;
  std::uint16_t udp = 0, tcp = 0, tls = 0;

  explicit harness(std::vector<std::string> args) {
    std::vector<std::string> argv{FEDGATE_SIP_HARNESS, "--domain=xmpp.test"};
    argv.insert(argv.end(), args.begin(), args.end());
    proc = std::make_unique<child_process>(argv);
    auto line = proc->wait_for_line("READY", 10s);
    EXPECT_TRUE(line) << proc->output();
    if (!line) return;
    std::smatch m;
    auto port_of = [&](const char* name, std::uint16_t& out) {
      if (std::regex_search(*line, m, std::regex(std::string(name) + "=(\\d+)"))) {
        out = static_cast<std::uint16_t>(std::stoi(m[1]));
      }
    };
    port_of("udp", udp);
    port_of("tcp", tcp);
    port_of("tls", tls);
  }
  ~harness() {
    if (proc) {
      proc->signal(SIGTERM);
      proc->wait_exit(5s);
    }
  }
};

int connect_tcp(std::uint16_t port) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(s);
    return -1;
  }
  return s;
}

// Reads until `needle` arrives, the peer closes (sets *closed), or the deadline passes.
std::string read_until(int fd, const std::string& needle, std::chrono::milliseconds limit,
                       bool* closed = nullptr) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (int i = 0; i < 10000 && got.find(needle) == std::string::npos; ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      break;
    }
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

void send_all(int fd, const std::string& bytes) {
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
}

std::string options_request(const std::string& branch) {
  return "OPTIONS sip:xmpp.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK" + branch +
         "\r\nFrom: <sip:alice@sip.test>;tag=o1\r\nTo: <sip:xmpp.test>\r\nCall-ID: opt-" + branch +
         "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
}

// Waits (bounded) until something accepts TCP connections on `port`.
bool wait_listening(child_process& peer, std::uint16_t port) {
  for (int i = 0; i < 100; ++i) {
    int s = connect_tcp(port);
    if (s >= 0) {
      ::close(s);
      return true;
    }
    peer.wait_for_line("\x01never", 50ms);  // bounded wait on the peer's output
  }
  return false;
}

std::vector<std::string> uas_argv(const std::string& scenario, std::uint16_t port,
                                  const std::string& transport, int calls) {
  EXPECT_TRUE(std::filesystem::exists(sipp_bin)) << "sipp missing: scripts/install-deps";
  return {sipp_bin,   "-sf", scenarios + scenario, "-m", std::to_string(calls), "-t",
          transport,  "-i",  "127.0.0.1",          "-p", std::to_string(port),  "-nostdin",
          "-timeout", "60s", "-timeout_error"};
}

// ---------------------------------------------------------------------------- RFC 3263

TEST(sip_transport, request_uri_host_name_reaches_sipp_through_srv_over_udp) {
  fake_dns_server dns;
  ASSERT_TRUE(dns.ok());
  std::uint16_t uas_port = fedgate::testing::free_port();
  dns.add_srv("_sip._udp.sip.test", 10, 0, uas_port, "uas.sip.test");
  dns.add_a("uas.sip.test", "127.0.0.1");
  child_process uas(uas_argv("uas_message.xml", uas_port, "u1", 3));
  harness h({"--udp=127.0.0.1:0", "--mode=originate", "--count=3", "--t1=100",
             "--to=sip:alice@sip.test", "--dns=" + dns.address()});
  EXPECT_TRUE(h.proc->wait_for_line("ORIGINATED ok=3 fail=0", 60s)) << h.proc->output();
  EXPECT_EQ(uas.wait_exit(30s), 0) << uas.output().substr(0, 3000);
  // RFC 3263 §4.1 without NAPTR: the TCP SRV is asked first (no TLS configured), then UDP.
  EXPECT_GE(dns.queries("_sip._tcp.sip.test", "SRV"), 1);
  EXPECT_GE(dns.queries("_sip._udp.sip.test", "SRV"), 1);
  EXPECT_EQ(dns.queries("_sips._tcp.sip.test", "SRV"), 0);
}

TEST(sip_transport, srv_failover_to_the_next_target_when_the_first_refuses_tcp) {
  fake_dns_server dns;
  std::uint16_t dead_port = fedgate::testing::free_port();  // nothing listens there
  std::uint16_t uas_port = fedgate::testing::free_port();
  dns.add_srv("_sip._tcp.sip.test", 1, 0, dead_port, "dead.sip.test");
  dns.add_srv("_sip._tcp.sip.test", 2, 0, uas_port, "uas.sip.test");
  dns.add_a("dead.sip.test", "127.0.0.1");
  dns.add_a("uas.sip.test", "127.0.0.1");
  child_process uas(uas_argv("uas_message.xml", uas_port, "t1", 2));
  ASSERT_TRUE(wait_listening(uas, uas_port)) << uas.output();
  harness h({"--udp=127.0.0.1:0", "--mode=originate", "--count=2", "--to=sip:alice@sip.test",
             "--dns=" + dns.address()});
  EXPECT_TRUE(h.proc->wait_for_line("ORIGINATED ok=2 fail=0", 30s)) << h.proc->output();
  EXPECT_NE(h.proc->output().find("sip trying next target"), std::string::npos);
  EXPECT_EQ(uas.wait_exit(30s), 0) << uas.output().substr(0, 3000);
}

TEST(sip_transport, unknown_host_name_ends_in_503_naming_dns) {
  fake_dns_server dns;
  harness h({"--udp=127.0.0.1:0", "--mode=originate", "--count=1", "--to=sip:alice@nowhere.test",
             "--dns=" + dns.address()});
  EXPECT_TRUE(h.proc->wait_for_line("ORIGINATED ok=0 fail=1", 30s)) << h.proc->output();
  EXPECT_NE(h.proc->output().find("RESULT i=1 status=503"), std::string::npos);
  EXPECT_GE(dns.queries("nowhere.test", "A"), 1);  // the A/AAAA fallback was tried
}

TEST(sip_transport, user_cancels_its_pending_invite_and_gets_487) {
  std::uint16_t uas_port = fedgate::testing::free_port();
  child_process uas(uas_argv("uas_invite_cancel.xml", uas_port, "u1", 1));
  harness h({"--udp=127.0.0.1:0", "--mode=invite-cancel", "--t1=100",
             "--to=sip:alice@127.0.0.1:" + std::to_string(uas_port)});
  EXPECT_TRUE(h.proc->wait_for_line("INVITE status=487", 30s)) << h.proc->output();
  EXPECT_NE(h.proc->output().find("PROGRESS status=180"), std::string::npos);
  EXPECT_EQ(uas.wait_exit(30s), 0) << uas.output().substr(0, 3000);
}

// ---------------------------------------------------------------------------- TCP

TEST(sip_transport, malformed_request_over_tcp_gets_400_and_the_connection_stays) {
  harness h({"--tcp=127.0.0.1:0", "--trust=127.0.0.1/32"});
  int s = connect_tcp(h.tcp);
  ASSERT_GE(s, 0);
  send_all(s,
           "MESSAGE sip:bob@xmpp.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKb1\r\n"
           "From: <sip:alice@sip.test>;tag=1\r\nTo: <sip:bob@xmpp.test>\r\nCall-ID: bad-tcp\r\n"
           "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
  std::string reply = read_until(s, "\r\n\r\n", 5s);
  EXPECT_EQ(reply.rfind("SIP/2.0 400 ", 0), 0u) << reply;
  EXPECT_NE(reply.substr(0, reply.find("\r\n")).find("CSeq"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Call-ID: bad-tcp"), std::string::npos) << reply;
  send_all(s, options_request("after400"));
  std::string ok = read_until(s, "\r\n\r\n", 5s);
  EXPECT_EQ(ok.rfind("SIP/2.0 200 ", 0), 0u) << ok;
  ::close(s);
}

TEST(sip_transport, lost_framing_over_tcp_gets_400_then_close) {
  harness h({"--tcp=127.0.0.1:0", "--trust=127.0.0.1/32"});
  int s = connect_tcp(h.tcp);
  ASSERT_GE(s, 0);
  send_all(s,
           "MESSAGE sip:bob@xmpp.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKb2\r\n"
           "From: <sip:alice@sip.test>;tag=1\r\nTo: <sip:bob@xmpp.test>\r\nCall-ID: nolen\r\n"
           "CSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n\r\nhello");
  bool closed = false;
  std::string reply = read_until(s, "\x01never", 5s, &closed);
  EXPECT_EQ(reply.rfind("SIP/2.0 400 ", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Length"), std::string::npos) << reply;
  EXPECT_TRUE(closed);
  ::close(s);
}

TEST(sip_transport, crlf_ping_gets_a_pong_and_an_idle_connection_is_closed) {
  harness h({"--tcp=127.0.0.1:0", "--trust=127.0.0.1/32", "--idle-ms=400"});
  int s = connect_tcp(h.tcp);
  ASSERT_GE(s, 0);
  send_all(s, "\r\n");  // a ping split across two writes is still one ping (RFC 5626 §3.5.1)
  std::string early = read_until(s, "\r\n", 100ms);
  EXPECT_EQ(early, "");
  send_all(s, "\r\n");
  EXPECT_EQ(read_until(s, "\r\n", 5s), "\r\n");
  // Then silence: the connection is closed after the idle timeout (event: EOF on the socket).
  auto quiet_since = std::chrono::steady_clock::now();
  bool closed = false;
  std::string rest = read_until(s, "\x01never", 10s, &closed);
  auto waited = std::chrono::steady_clock::now() - quiet_since;
  EXPECT_TRUE(closed);
  EXPECT_EQ(rest, "");
  EXPECT_GE(waited, 300ms);
  EXPECT_TRUE(h.proc->wait_for_line("idle timeout", 5s)) << h.proc->output();
  ::close(s);
}

// ---------------------------------------------------------------------------- TLS

struct tls_setup {
  temp_dir dir;
  std::unique_ptr<test_pki> pki;
  fedgate::testing::pem_files server, proxy, stranger;
  tls_setup() {
    pki = std::make_unique<test_pki>(dir.path());
    server = pki->issue("fedgate", {"localhost"});
    proxy = pki->issue("proxy", {"proxy.sip.test"});
    stranger = pki->issue("stranger", {"stranger.sip.test"});
  }
};

std::string tls_exchange(const tls_setup& t, std::uint16_t port, const std::string& request,
                         const fedgate::testing::pem_files* client_cert) {
  EXPECT_TRUE(std::filesystem::exists(openssl_bin));
  std::vector<std::string> argv{openssl_bin,
                                "s_client",
                                "-connect",
                                "127.0.0.1:" + std::to_string(port),
                                "-servername",
                                "localhost",
                                "-CAfile",
                                t.pki->ca_certificate().string(),
                                "-verify_return_error",
                                "-quiet"};
  if (client_cert) {
    argv.insert(argv.end(),
                {"-cert", client_cert->certificate.string(), "-key", client_cert->key.string()});
  }
  child_process client(argv, true);
  client.write_stdin(request);
  auto line = client.wait_for_line("SIP/2.0 ", 10s);
  client.wait_for_line("Content-Length", 5s);
  client.signal(SIGTERM);
  client.wait_exit(5s);
  return line ? client.output() : "no response: " + client.output();
}

std::string tls_message(const std::string& id) {
  return "MESSAGE sip:bob@xmpp.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bK" + id +
         "\r\nFrom: <sip:alice@sip.test>;tag=t1\r\nTo: <sip:bob@xmpp.test>\r\nCall-ID: tls-" + id +
         "\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Type: text/plain\r\n"
         "Content-Length: 2\r\n\r\nhi";
}

TEST(sip_transport, mutual_tls_trusts_the_configured_certificate_name_only) {
  tls_setup t;
  // No --trust: over TLS only the certificate name can make a peer trusted.
  harness h({"--tls=127.0.0.1:0", "--cert=" + t.server.certificate.string(),
             "--key=" + t.server.key.string(), "--ca=" + t.pki->ca_certificate().string(),
             "--trust-name=proxy.sip.test"});
  ASSERT_NE(h.tls, 0);

  std::string trusted = tls_exchange(t, h.tls, tls_message("a1"), &t.proxy);
  EXPECT_NE(trusted.find("SIP/2.0 200 "), std::string::npos) << trusted;
  EXPECT_TRUE(h.proc->wait_for_line("DELIVERED n=1", 5s)) << h.proc->output();

  std::string untrusted = tls_exchange(t, h.tls, tls_message("a2"), &t.stranger);
  EXPECT_NE(untrusted.find("SIP/2.0 403 Forbidden: peer not trusted"), std::string::npos)
      << untrusted;
  std::string anonymous = tls_exchange(t, h.tls, tls_message("a3"), nullptr);
  EXPECT_NE(anonymous.find("SIP/2.0 403 "), std::string::npos) << anonymous;
  EXPECT_TRUE(h.proc->wait_for_line("sip request refused", 5s)) << h.proc->output();
  EXPECT_EQ(h.proc->output().find("DELIVERED n=2"), std::string::npos);
}

}  // namespace
