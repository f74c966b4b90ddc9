// Kamailio as the SIP proxy in front of fedgate's SIP stack (the harness), with a config the
// test writes: SIPp UAC -> Kamailio -> harness for a user of the XMPP domain, and harness ->
// Kamailio (outbound proxy) -> SIPp UAS for a user of the SIP domain. Everything on loopback,
// free ports, stopped by PID; a missing kamailio or sipp binary fails the test.
#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <regex>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/sip_probe.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using fedgate::testing::child_process;
using fedgate::testing::free_udp_port;
using fedgate::testing::temp_dir;
using fedgate::testing::wait_sip_ready;

const std::string kamailio_bin = "/usr/sbin/kamailio";
const std::string sipp_bin = "/usr/bin/sipp";
const std::string scenarios = std::string(FEDGATE_SOURCE_DIR) + "/tests/interop/sip/scenarios/";

struct kamailio {
  temp_dir dir;
  std::uint16_t port = free_udp_port();
  std::unique_ptr<child_process> proc;

  kamailio(std::uint16_t harness_port, std::uint16_t uas_port) {
    EXPECT_TRUE(std::filesystem::exists(kamailio_bin))
        << kamailio_bin << " missing: scripts/install-deps installs kamailio";
    auto cfg = dir.path() / "kamailio.cfg";
    std::ofstream(cfg) << "#!KAMAILIO\n"
                          "debug=2\nlog_stderror=yes\nchildren=2\nauto_aliases=no\n"
                          "dns=no\nrev_dns=no\nuse_dns_cache=off\ndisable_tcp=yes\n"
                          "listen=udp:127.0.0.1:"
                       << port
                       << "\n"
                          "mpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"\n"
                          "loadmodule \"tm.so\"\nloadmodule \"sl.so\"\n"
                          "loadmodule \"maxfwd.so\"\nloadmodule \"pv.so\"\n"
                          "request_route {\n"
                          "  if (!mf_process_maxfwd_header(\"10\")) {\n"
                          "    sl_send_reply(\"483\", \"Too Many Hops\"); exit;\n  }\n"
                          "  if ($rd == \"xmpp.test\") {\n"
                          "    $du = \"sip:127.0.0.1:"
                       << harness_port
                       << "\";\n"
                          "    if (!t_relay()) { sl_reply_error(); }\n    exit;\n  }\n"
                          "  if ($rd == \"sip.test\") {\n"
                          "    $du = \"sip:127.0.0.1:"
                       << uas_port
                       << "\";\n"
                          "    if (!t_relay()) { sl_reply_error(); }\n    exit;\n  }\n"
                          "  sl_send_reply(\"404\", \"Unknown domain\");\n}\n";
    proc = std::make_unique<child_process>(std::vector<std::string>{
        kamailio_bin, "-f", cfg.string(), "-DD", "-E", "-m", "64", "-M", "8", "-w",
        dir.path().string(), "-P", (dir.path() / "kamailio.pid").string(), "-Y",
        dir.path().string()});
    EXPECT_TRUE(wait_sip_ready(port)) << proc->output();
  }
  ~kamailio() {
    proc->signal(SIGTERM);
    if (!proc->wait_exit(10s)) proc->signal(SIGKILL);
  }
};

struct harness {
  std::unique_ptr<child_process> proc;
  std::uint16_t udp = 0;
  explicit harness(std::vector<std::string> extra) {
    std::vector<std::string> argv{FEDGATE_SIP_HARNESS, "--udp=127.0.0.1:0", "--domain=xmpp.test",
                                  "--domain=sip.test", "--trust=127.0.0.1/32"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc = std::make_unique<child_process>(argv);
    auto line = proc->wait_for_line("READY", 10s);
    EXPECT_TRUE(line) << proc->output();
    std::smatch m;
    if (line && std::regex_search(*line, m, std::regex("udp=(\\d+)"))) {
      udp = static_cast<std::uint16_t>(std::stoi(m[1]));
    }
  }
  ~harness() {
    proc->signal(SIGTERM);
    proc->wait_exit(5s);
  }
};

TEST(sip_kamailio, message_from_sip_user_reaches_fedgate_through_kamailio) {
  harness h({});
  ASSERT_NE(h.udp, 0);
  kamailio k(h.udp, free_udp_port());
  ASSERT_TRUE(std::filesystem::exists(sipp_bin));
  child_process sipp({sipp_bin, "127.0.0.1:" + std::to_string(k.port), "-sf",
                      scenarios + "uac_message.xml", "-m", "10", "-r", "20", "-t", "u1", "-i",
                      "127.0.0.1", "-p", std::to_string(free_udp_port()), "-nostdin", "-timeout",
                      "60s", "-timeout_error"});
  auto rc = sipp.wait_exit(90s);
  EXPECT_EQ(rc, 0) << sipp.output().substr(0, 4000);
  EXPECT_TRUE(h.proc->wait_for_line("DELIVERED n=10 dup=0", 5s)) << h.proc->output();
}

TEST(sip_kamailio, message_from_fedgate_reaches_sip_user_through_kamailio) {
  std::uint16_t uas_port = free_udp_port();
  ASSERT_TRUE(std::filesystem::exists(sipp_bin));
  child_process uas({sipp_bin, "-sf", scenarios + "uas_message.xml", "-m", "10", "-t", "u1", "-i",
                     "127.0.0.1", "-p", std::to_string(uas_port), "-nostdin", "-timeout", "60s",
                     "-timeout_error"});
  kamailio k(1, uas_port);  // nothing routes to the harness in this direction
  harness h({"--mode=originate", "--count=10", "--to=sip:alice@sip.test",
             "--proxy=sip:127.0.0.1:" + std::to_string(k.port)});
  EXPECT_TRUE(h.proc->wait_for_line("ORIGINATED ok=10 fail=0", 60s)) << h.proc->output();
  EXPECT_EQ(uas.wait_exit(30s), 0) << uas.output().substr(0, 3000);
}

}  // namespace
