// The fedgate binary as an operator uses it: check-config, version, run and stop.
#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedgate {
namespace {

using namespace std::chrono_literals;
using testing::child_process;
using ::testing::HasSubstr;

const std::string binary = FEDGATE_BINARY;
const std::filesystem::path source_dir = FEDGATE_SOURCE_DIR;

std::filesystem::path write_config(const std::filesystem::path& dir, const std::string& text) {
  auto path = dir / "fedgate.toml";
  std::ofstream(path) << text;
  return path;
}

// A config for a test run: its own state dir, nothing listening (ports come with later work).
std::string test_config(const std::string& extra = "") {
  return R"([general]
state_dir = "state"
worker_threads = 2
[[domains]]
sip = "sip.test"
xmpp = "sip.test"
[xmpp]
listen = []
[sip]
udp_listen = []
tcp_listen = []
tls_listen = []
[metrics]
listen = ""
)" + extra;
}

TEST(fedgate_binary, check_config_accepts_the_shipped_config) {
  child_process p({binary, "check-config", (source_dir / "config/fedgate.toml").string()});
  EXPECT_EQ(p.wait_exit(10s), 0) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("OK (1 domain pair, 0 partners)"));
}

TEST(fedgate_binary, check_config_prints_every_error_with_line_and_fails) {
  testing::temp_dir dir;
  auto cfg = write_config(dir.path(), test_config(R"([dns]
max_depht = 3
[[xmpp.partners]]
domain = "p.example"
tls = "sometimes"
)"));
  child_process p({binary, "check-config", cfg.string()});
  EXPECT_EQ(p.wait_exit(10s), 1);
  EXPECT_THAT(p.output(), HasSubstr(cfg.string() + ":16:1: dns.max_depht: unknown key"));
  EXPECT_THAT(p.output(),
              HasSubstr(cfg.string() +
                        ":19:7: xmpp.partners[0].tls: expected one of required, optional, never, "
                        "got \"sometimes\""));
  EXPECT_THAT(p.output(), HasSubstr("2 errors"));
}

TEST(fedgate_binary, check_config_verifies_certificate_files) {
  testing::temp_dir dir;
  std::ofstream(dir.path() / "cert.pem") << "junk\n";
  std::ofstream(dir.path() / "key.pem") << "junk\n";
  auto cfg = write_config(
      dir.path(), test_config("[[domains]]\nsip = \"b.test\"\nxmpp = \"b.test\"\ncertificate = "
                              "\"cert.pem\"\nkey = \"key.pem\"\n"));
  child_process p({binary, "check-config", cfg.string()});
  EXPECT_EQ(p.wait_exit(10s), 1);
  EXPECT_THAT(p.output(), HasSubstr("domains[1].certificate: cannot load a PEM certificate"));
}

TEST(fedgate_binary, version_prints_the_version) {
  child_process p({binary, "version"});
  EXPECT_EQ(p.wait_exit(10s), 0);
  EXPECT_THAT(p.output(), HasSubstr("fedgate 0.1.0"));
}

TEST(fedgate_binary, refuses_to_start_on_a_bad_config) {
  testing::temp_dir dir;
  auto cfg = write_config(dir.path(), "[general]\nstate_dir = 1\n");
  child_process p({binary, "--config", cfg.string()});
  EXPECT_EQ(p.wait_exit(10s), 1);
  EXPECT_THAT(p.output(), HasSubstr("not starting"));
}

TEST(fedgate_binary, unknown_option_is_a_usage_error) {
  child_process p({binary, "--no-such-option"});
  auto rc = p.wait_exit(10s);
  ASSERT_TRUE(rc);
  EXPECT_NE(*rc, 0);
}

class fedgate_run : public ::testing::TestWithParam<int> {};

// Starts on a fresh state dir (generating the certificate), then stops cleanly on the signal.
TEST_P(fedgate_run, starts_then_stops_cleanly_on_signal) {
  testing::temp_dir dir;
  auto cfg = write_config(dir.path(), test_config());
  child_process p({binary, "--config", cfg.string()});
  ASSERT_TRUE(p.wait_for_line("fedgate started", 20s)) << p.output();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state/tls/selfsigned.crt"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state/tls/selfsigned.key"));
  EXPECT_THAT(p.output(), HasSubstr("worker_threads=2"));
  p.signal(GetParam());
  EXPECT_EQ(p.wait_exit(20s), 0) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("msg=stopping"));
}

INSTANTIATE_TEST_SUITE_P(signals, fedgate_run, ::testing::Values(SIGTERM, SIGINT));

TEST(fedgate_binary, sighup_does_not_stop_it) {
  testing::temp_dir dir;
  auto cfg = write_config(dir.path(), test_config());
  child_process p({binary, "--config", cfg.string()});
  ASSERT_TRUE(p.wait_for_line("fedgate started", 20s)) << p.output();
  p.signal(SIGHUP);
  ASSERT_TRUE(p.wait_for_line("SIGHUP", 10s)) << p.output();
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(20s), 0);
}

TEST(fedgate_binary, serves_metrics_and_health) {
  testing::temp_dir dir;
  auto port = testing::free_port();
  auto cfg = write_config(dir.path(), R"([general]
state_dir = "state"
[[domains]]
sip = "sip.test"
xmpp = "sip.test"
[xmpp]
listen = []
[metrics]
listen = "127.0.0.1:)" + std::to_string(port) +
                                          "\"\n");
  child_process p({binary, "--config", cfg.string()});
  ASSERT_TRUE(p.wait_for_line("fedgate started", 20s)) << p.output();
  auto [status, body] = testing::http_get(port, "/healthz");
  EXPECT_THAT(status, HasSubstr("200")) << body;
  auto [rstatus, rbody] = testing::http_get(port, "/readyz");
  EXPECT_THAT(rstatus, HasSubstr("200")) << rbody;
  EXPECT_THAT(rbody, HasSubstr("xmpp listeners"));
  auto [mstatus, metrics] = testing::http_get(port, "/metrics");
  EXPECT_THAT(mstatus, HasSubstr("200"));
  EXPECT_THAT(metrics, HasSubstr("fedgate_build_info{"));
  EXPECT_THAT(metrics, HasSubstr("version=\"0.1.0\""));
  EXPECT_THAT(metrics, HasSubstr("process_open_fds"));
  EXPECT_THAT(metrics, HasSubstr("fedgate_xmpp_stanzas_total"));
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(20s), 0) << p.output();
}

// The SIP side of the binary: trusted peers get answers (OPTIONS 200; a MESSAGE to a partner
// that cannot be reached, the mapped remote-server-timeout 408 after im.delivery_timeout_ms; an
// unknown domain 404), never silence.
TEST(fedgate_binary, answers_sip_requests) {
  testing::temp_dir dir;
  auto sip_port = testing::free_port();
  auto cfg = write_config(dir.path(), R"([general]
state_dir = "state"
[[domains]]
sip = "sip.test"
xmpp = "sip.test"
[xmpp]
listen = []
[[xmpp.partners]]
domain = "xmpp.test"
routes = ["127.0.0.1:9"]
[sip]
udp_listen = ["127.0.0.1:)" + std::to_string(sip_port) +
                                          R"("]
tcp_listen = []
tls_listen = []
trusted_peers = ["127.0.0.1"]
[im]
delivery_timeout_ms = 1000
[metrics]
listen = ""
)");
  child_process p({binary, "--config", cfg.string()});
  ASSERT_TRUE(p.wait_for_line("fedgate started", 20s)) << p.output();
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(sip_port);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  sockaddr_in local{};
  socklen_t len = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
  auto request = [&](const std::string& method, const std::string& ruri, int cseq,
                     const std::string& body = "") {
    std::string via = "SIP/2.0/UDP 127.0.0.1:" + std::to_string(ntohs(local.sin_port)) +
                      ";branch=z9hG4bK-bin-" + std::to_string(cseq) + ";rport";
    std::string msg = method + " " + ruri + " SIP/2.0\r\nVia: " + via +
                      "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@sip.test>;tag=a1\r\n"
                      "To: <" +
                      ruri + ">\r\nCall-ID: bin-" + std::to_string(cseq) +
                      "@127.0.0.1\r\nCSeq: " + std::to_string(cseq) + " " + method +
                      (body.empty() ? "" : "\r\nContent-Type: text/plain") +
                      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ::send(fd, msg.data(), msg.size(), 0);
    char buf[4096];
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 10000) != 1) return std::string("no answer");
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  };
  EXPECT_THAT(request("OPTIONS", "sip:xmpp.test", 1), HasSubstr("SIP/2.0 200"));
  auto answer = request("MESSAGE", "sip:bob@xmpp.test", 2, "hello");
  EXPECT_THAT(answer, HasSubstr("SIP/2.0 408 no stream to xmpp.test within 1000 ms"));
  EXPECT_THAT(request("MESSAGE", "sip:bob@unknown.test", 3, "hello"), HasSubstr("SIP/2.0 404"));
  EXPECT_THAT(request("MESSAGE", "sip:bob@xmpp.test", 4), HasSubstr("SIP/2.0 400 MESSAGE without"));
  ::close(fd);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(20s), 0) << p.output();
}

// `fedgate ctl` against the running gateway: status and partners, as JSON and as tables, the
// socket owner-only, errors for unknown commands, and a second gateway on the same state
// directory refused instead of stealing the socket.
TEST(fedgate_binary, ctl_answers_status_and_partners) {
  testing::temp_dir dir;
  auto cfg = write_config(dir.path(), test_config(R"([[xmpp.partners]]
domain = "xmpp.test"
routes = ["127.0.0.1:9"]
)"));
  child_process p({binary, "--config", cfg.string()});
  ASSERT_TRUE(p.wait_for_line("fedgate started", 20s)) << p.output();
  auto sock = dir.path() / "state" / "control.sock";
  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  child_process status({binary, "ctl", "--config", cfg.string(), "--json", "status"});
  EXPECT_EQ(status.wait_exit(10s), 0) << status.output();
  EXPECT_THAT(status.output(), HasSubstr("\"state\": \"running\""));
  EXPECT_THAT(status.output(), HasSubstr("\"partners_configured\": 1"));
  EXPECT_THAT(status.output(), HasSubstr("\"version\": \"0.1.0\""));

  child_process partners({binary, "ctl", "--socket", sock.string(), "partners"});
  EXPECT_EQ(partners.wait_exit(10s), 0) << partners.output();
  EXPECT_THAT(partners.output(), HasSubstr("DOMAIN"));
  EXPECT_THAT(partners.output(), HasSubstr("xmpp.test"));
  EXPECT_THAT(partners.output(), HasSubstr("idle"));

  child_process unknown({binary, "ctl", "--config", cfg.string(), "frobnicate"});
  EXPECT_EQ(unknown.wait_exit(10s), 1);
  EXPECT_THAT(unknown.output(), HasSubstr("unknown command"));

  child_process second({binary, "--config", cfg.string()});
  EXPECT_EQ(second.wait_exit(20s), 1);
  EXPECT_THAT(second.output(), HasSubstr("another fedgate is running"));

  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(20s), 0) << p.output();
  EXPECT_FALSE(std::filesystem::exists(sock));
  child_process gone({binary, "ctl", "--config", cfg.string(), "status"});
  EXPECT_EQ(gone.wait_exit(10s), 1);
  EXPECT_THAT(gone.output(), HasSubstr("is fedgate running"));
}

TEST(fedgate_binary, json_logs_when_configured) {
  testing::temp_dir dir;
  auto cfg = write_config(dir.path(), R"([general]
state_dir = "state"
log_format = "json"
[[domains]]
sip = "sip.test"
xmpp = "sip.test"
[xmpp]
listen = []
[sip]
udp_listen = []
tcp_listen = []
tls_listen = []
[metrics]
listen = ""
)");
  child_process p({binary, "--config", cfg.string()});
  auto line = p.wait_for_line("fedgate started", 20s);
  ASSERT_TRUE(line) << p.output();
  EXPECT_THAT(*line, HasSubstr("\"level\":\"info\",\"msg\":\"fedgate started\""));
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(20s), 0);
}

}  // namespace
}  // namespace fedgate
