// fedgate's SIP stack (through tests/interop/sip/sip_harness) against SIPp on loopback, UDP and
// TCP: MESSAGE, SUBSCRIBE/NOTIFY, 404/405, lost responses and lost requests (retransmissions
// both ways), a slow UAS (timer E backoff, then 408), and 1000 MESSAGEs in a row.
// SIPp and the harness are started by the test and stopped by PID; a missing SIPp fails.
#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <regex>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using fedgate::testing::child_process;
using fedgate::testing::temp_dir;

const std::string sipp_bin = "/usr/bin/sipp";
const std::string scenarios = std::string(FEDGATE_SOURCE_DIR) + "/tests/interop/sip/scenarios/";

// A free loopback port for both UDP and TCP (bound then released; SIPp binds it next).
std::uint16_t free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(u, reinterpret_cast<sockaddr*>(&a), &len);
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bool ok = ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    std::uint16_t port = ntohs(a.sin_port);
    ::close(t);
    ::close(u);
    if (ok) return port;
  }
  return 0;
}

struct harness {
  std::unique_ptr<child_process> proc;
  std::uint16_t udp = 0, tcp = 0;

  explicit harness(std::vector<std::string> extra) {
    std::vector<std::string> argv{FEDGATE_SIP_HARNESS, "--udp=127.0.0.1:0", "--tcp=127.0.0.1:0",
                                  "--domain=xmpp.test", "--trust=127.0.0.1/32"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc = std::make_unique<child_process>(argv);
    auto line = proc->wait_for_line("READY", 10s);
    EXPECT_TRUE(line) << proc->output();
    if (!line) return;
    std::smatch m;
    if (std::regex_search(*line, m, std::regex("udp=(\\d+) tcp=(\\d+)"))) {
      udp = static_cast<std::uint16_t>(std::stoi(m[1]));
      tcp = static_cast<std::uint16_t>(std::stoi(m[2]));
    }
  }
  ~harness() {
    if (proc) {
      proc->signal(SIGTERM);
      proc->wait_exit(5s);
    }
  }
};

// Runs SIPp to completion (bounded) and returns its exit code; 0 means every call succeeded.
int run_sipp(const std::vector<std::string>& args, std::string* output = nullptr,
             std::chrono::milliseconds limit = 120s) {
  EXPECT_TRUE(std::filesystem::exists(sipp_bin))
      << sipp_bin << " missing: scripts/install-deps installs sip-tester";
  std::vector<std::string> argv{sipp_bin};
  argv.insert(argv.end(), args.begin(), args.end());
  child_process sipp(argv);
  auto rc = sipp.wait_exit(limit);
  if (output) *output = sipp.output();
  if (!rc) {
    sipp.signal(SIGKILL);
    ADD_FAILURE() << "sipp did not finish in time:\n" << sipp.output();
    return -1;
  }
  if (*rc != 0) ADD_FAILURE() << "sipp exit " << *rc << ":\n" << sipp.output().substr(0, 4000);
  return *rc;
}

std::vector<std::string> uac_args(const std::string& scenario, std::uint16_t target,
                                  const std::string& transport, int calls, int rate = 50) {
  return {"127.0.0.1:" + std::to_string(target),
          "-sf",
          scenarios + scenario,
          "-m",
          std::to_string(calls),
          "-r",
          std::to_string(rate),
          "-t",
          transport,
          "-i",
          "127.0.0.1",
          "-p",
          std::to_string(free_port()),
          "-nostdin",
          "-timeout",
          "100s",
          "-timeout_error",
          "-max_recv_loops",
          "1000"};
}

// ------------------------------------------------------------------------ fedgate as UAS

TEST(sip_sipp, message_over_udp) {
  harness h({});
  ASSERT_NE(h.udp, 0);
  EXPECT_EQ(run_sipp(uac_args("uac_message.xml", h.udp, "u1", 20)), 0);
  EXPECT_TRUE(h.proc->wait_for_line("DELIVERED n=20 dup=0", 5s)) << h.proc->output();
}

TEST(sip_sipp, message_over_tcp) {
  harness h({});
  ASSERT_NE(h.tcp, 0);
  EXPECT_EQ(run_sipp(uac_args("uac_message.xml", h.tcp, "t1", 20)), 0);
  EXPECT_TRUE(h.proc->wait_for_line("DELIVERED n=20 dup=0", 5s)) << h.proc->output();
}

TEST(sip_sipp, subscribe_notify_over_udp) {
  harness h({});
  EXPECT_EQ(run_sipp(uac_args("uac_subscribe.xml", h.udp, "u1", 5)), 0);
  EXPECT_TRUE(h.proc->wait_for_line("NOTIFY status=200", 5s)) << h.proc->output();
}

TEST(sip_sipp, subscribe_notify_over_tcp) {
  harness h({});
  EXPECT_EQ(run_sipp(uac_args("uac_subscribe.xml", h.tcp, "t1", 5)), 0);
  EXPECT_TRUE(h.proc->wait_for_line("NOTIFY status=200", 5s)) << h.proc->output();
}

TEST(sip_sipp, unserved_domain_gets_404_and_unknown_method_405_with_allow) {
  harness h({});
  EXPECT_EQ(run_sipp(uac_args("uac_message_404.xml", h.udp, "u1", 3)), 0);
  EXPECT_EQ(run_sipp(uac_args("uac_publish_405.xml", h.tcp, "t1", 3)), 0);
  EXPECT_EQ(h.proc->output().find("DELIVERED"), std::string::npos);  // never reached the TU
}

TEST(sip_sipp, untrusted_peer_gets_403) {
  // A harness that trusts only 10/8, so SIPp on 127.0.0.1 is refused.
  std::vector<std::string> argv{FEDGATE_SIP_HARNESS, "--udp=127.0.0.1:0", "--tcp=127.0.0.1:0",
                                "--domain=xmpp.test", "--trust=10.0.0.0/8"};
  child_process strict(argv);
  auto line = strict.wait_for_line("READY", 10s);
  ASSERT_TRUE(line);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*line, m, std::regex("udp=(\\d+)")));
  auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  EXPECT_EQ(run_sipp(uac_args("uac_message_403.xml", port, "u1", 2)), 0);
  EXPECT_TRUE(strict.wait_for_line("status=403 reason=\"peer not trusted\"", 5s))
      << strict.output();
  EXPECT_EQ(strict.output().find("DELIVERED"), std::string::npos);
  strict.signal(SIGTERM);
  strict.wait_exit(5s);
}

TEST(sip_sipp, malformed_request_gets_400_naming_the_problem) {
  harness h({});
  int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  a.sin_port = htons(h.udp);
  std::string bad =
      "MESSAGE sip:bob@xmpp.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad\r\n"
      "From: <sip:alice@sip.test>;tag=1\r\nTo: <sip:bob@xmpp.test>\r\nCall-ID: bad-1\r\n"
      "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  ::sendto(s, bad.data(), bad.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  pollfd p{s, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  char buf[4096];
  auto n = ::recv(s, buf, sizeof buf, 0);
  ::close(s);
  std::string reply(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  EXPECT_EQ(reply.rfind("SIP/2.0 400 ", 0), 0u) << reply;
  EXPECT_NE(reply.find("CSeq"), std::string::npos) << reply;  // the reason names it
  EXPECT_NE(reply.find("Call-ID: bad-1"), std::string::npos) << reply;
}

TEST(sip_sipp, lost_responses_are_absorbed_retransmissions_not_redelivered) {
  harness h({});
  // SIPp drops 30% of the 200s it receives and retransmits the MESSAGE (500 ms): the server
  // transaction must re-send its 200 without handing the request to the TU again.
  std::string out;
  EXPECT_EQ(run_sipp(uac_args("uac_message_lossy.xml", h.udp, "u1", 60, 30), &out), 0);
  EXPECT_TRUE(h.proc->wait_for_line("DELIVERED n=60 dup=0", 5s)) << h.proc->output();
  EXPECT_EQ(h.proc->output().find("DELIVERED n=61"), std::string::npos);
}

TEST(sip_sipp, thousand_messages_in_a_row_none_lost_or_duplicated) {
  harness h({});
  EXPECT_EQ(run_sipp(uac_args("uac_message.xml", h.udp, "u1", 1000, 200)), 0);
  EXPECT_TRUE(h.proc->wait_for_line("DELIVERED n=1000 dup=0", 10s));
  EXPECT_EQ(h.proc->output().find("DELIVERED n=1001"), std::string::npos);
}

// ------------------------------------------------------------------------ fedgate as UAC

std::vector<std::string> uas_args(const std::string& scenario, std::uint16_t port,
                                  const std::string& transport, int calls) {
  return {"-sf",  scenarios + scenario, "-m", std::to_string(calls), "-t",       transport,
          "-i",   "127.0.0.1",          "-p", std::to_string(port),  "-nostdin", "-timeout",
          "100s", "-timeout_error"};
}

TEST(sip_sipp, originated_messages_reach_sipp_uas_over_udp_with_request_loss) {
  std::uint16_t uas_port = free_port();
  child_process uas([&] {
    std::vector<std::string> a{sipp_bin};
    auto rest = uas_args("uas_message_lossy.xml", uas_port, "u1", 20);
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  }());
  // SIPp has no readiness line; the harness retransmits (timer E) until SIPp listens, and
  // SIPp itself drops 40% of what it receives, so retransmissions are what make this pass.
  harness h({"--mode=originate", "--count=20", "--t1=100",
             "--to=sip:alice@127.0.0.1:" + std::to_string(uas_port)});
  EXPECT_TRUE(h.proc->wait_for_line("ORIGINATED ok=20 fail=0", 60s)) << h.proc->output();
  auto rc = uas.wait_exit(30s);
  EXPECT_EQ(rc, 0) << uas.output().substr(0, 3000);
}

TEST(sip_sipp, originated_message_over_tcp) {
  std::uint16_t uas_port = free_port();
  std::vector<std::string> a{sipp_bin};
  auto rest = uas_args("uas_message.xml", uas_port, "t1", 5);
  a.insert(a.end(), rest.begin(), rest.end());
  child_process uas(a);
  // On TCP there are no retransmissions: wait until SIPp accepts connections (bounded).
  bool listening = false;
  for (int i = 0; i < 100 && !listening; ++i) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(uas_port);
    listening = ::connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(s);
    if (!listening) uas.wait_for_line("\x01never", 50ms);  // bounded wait on SIPp's output
  }
  ASSERT_TRUE(listening);
  harness h({"--mode=originate", "--count=5",
             "--to=sip:alice@127.0.0.1:" + std::to_string(uas_port) + ";transport=tcp"});
  EXPECT_TRUE(h.proc->wait_for_line("ORIGINATED ok=5 fail=0", 30s)) << h.proc->output();
  EXPECT_EQ(uas.wait_exit(30s), 0) << uas.output().substr(0, 3000);
}

TEST(sip_sipp, slow_uas_sees_timer_e_backoff_then_the_sender_gets_408) {
  temp_dir dir;
  std::uint16_t uas_port = free_port();
  std::string log = (dir.path() / "uas_messages.log").string();
  std::vector<std::string> a{sipp_bin};
  auto rest = uas_args("uas_message_slow.xml", uas_port, "u1", 1);
  a.insert(a.end(), rest.begin(), rest.end());
  a.insert(a.end(), {"-trace_msg", "-message_file", log});
  child_process uas(a);
  // T1 = 50 ms, T2 = 400 ms: timer F fires at 64*T1 = 3.2 s.
  auto started = std::chrono::steady_clock::now();
  harness h({"--mode=originate", "--count=1", "--t1=50", "--t2=400",
             "--to=sip:alice@127.0.0.1:" + std::to_string(uas_port)});
  EXPECT_TRUE(h.proc->wait_for_line("RESULT i=1 status=408", 20s)) << h.proc->output();
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 3s);
  EXPECT_EQ(uas.wait_exit(30s), 0);
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::size_t copies = 0;
  for (auto p = text.find("MESSAGE sip:alice@"); p != std::string::npos;
       p = text.find("MESSAGE sip:alice@", p + 1)) {
    ++copies;
  }
  // Sends at 0, 50, 150, 350, 750, then every 400 ms until 3200: 11 copies. SIPp may miss the
  // first ones before it listens, so at least 8 (and never more than 11: backoff, not flood).
  EXPECT_GE(copies, 8u) << text.substr(0, 2000);
  EXPECT_LE(copies, 11u);
}

}  // namespace
