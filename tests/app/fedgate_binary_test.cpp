// The fedgate binary as an operator uses it: check-config, version, run and stop.
#include <fstream>
#include <signal.h>

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
  auto cfg = write_config(dir.path(), test_config(R"([sip]
max_depht = 3
[[xmpp.partners]]
domain = "p.example"
tls = "sometimes"
)"));
  child_process p({binary, "check-config", cfg.string()});
  EXPECT_EQ(p.wait_exit(10s), 1);
  EXPECT_THAT(p.output(), HasSubstr(cfg.string() + ":12:1: sip.max_depht: unknown key"));
  EXPECT_THAT(p.output(),
              HasSubstr(cfg.string() +
                        ":15:7: xmpp.partners[0].tls: expected one of required, optional, never, "
                        "got \"sometimes\""));
  EXPECT_THAT(p.output(), HasSubstr("2 errors"));
}

TEST(fedgate_binary, check_config_verifies_certificate_files) {
  testing::temp_dir dir;
  std::ofstream(dir.path() / "cert.pem") << "junk\n";
  std::ofstream(dir.path() / "key.pem") << "junk\n";
  auto cfg = write_config(dir.path(),
                          test_config("[sip]\ncertificate = \"cert.pem\"\nkey = \"key.pem\"\n"));
  child_process p({binary, "check-config", cfg.string()});
  EXPECT_EQ(p.wait_exit(10s), 1);
  EXPECT_THAT(p.output(), HasSubstr("sip.certificate: cannot load a PEM certificate"));
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
