// A real Prometheus (Debian's /usr/bin/prometheus) scrapes fedgate's admin server on loopback, and
// PromQL over its HTTP API returns exactly the counts the target produced. Both processes are
// started here and stopped by PID; Prometheus comes from tests/support/prometheus_server.hpp.

#include <chrono>
#include <filesystem>
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/prometheus_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedgate::metrics {
namespace {

using namespace std::chrono_literals;
using testing::child_process;

TEST(prometheus_interop, promql_returns_exactly_the_counts_fedgate_exposed) {
  ASSERT_TRUE(std::filesystem::exists(testing::prometheus_binary))
      << testing::prometheus_server::missing_binary_message();

  child_process target({FEDGATE_SCRAPE_TARGET}, /*with_stdin=*/true);
  auto line = target.wait_for_line("listening port=", 10s);
  ASSERT_TRUE(line) << target.output();
  std::string target_port = line->substr(line->find('=') + 1);

  fedgate::testing::temp_dir dir;
  testing::prometheus_server prometheus({dir.path(), {"127.0.0.1:" + target_port}});
  ASSERT_TRUE(prometheus.start()) << prometheus.log();

  auto up = prometheus.query_value("up{job=\"fedgate\"} == 1");
  ASSERT_TRUE(up) << "no successful scrape; last answer: " << prometheus.last_answer() << "\n"
                  << prometheus.log();
  EXPECT_EQ(*up, "1");

  auto delivered = prometheus.query_value(
      "fedgate_xmpp_stanzas_total{direction=\"in\",kind=\"message\",outcome=\"delivered\"}");
  ASSERT_TRUE(delivered) << prometheus.last_answer();
  EXPECT_EQ(*delivered, "1234");

  auto bounced = prometheus.query_value("sum(fedgate_xmpp_stanzas_total{outcome=\"bounced\"})");
  ASSERT_TRUE(bounced) << prometheus.last_answer();
  EXPECT_EQ(*bounced, "56");

  auto sip = prometheus.query_value(
      "fedgate_sip_requests_total{direction=\"out\",method=\"MESSAGE\","
      "outcome=\"bounced\",reason=\"4xx\"}");
  ASSERT_TRUE(sip) << prometheus.last_answer();
  EXPECT_EQ(*sip, "7");

  // Unconfigured partners fold into "other"; a configured one keeps its name.
  auto other = prometheus.query_value(
      "sum by (partner) (fedgate_s2s_negotiation_failures_total{partner=\"other\"})");
  ASSERT_TRUE(other) << prometheus.last_answer();
  EXPECT_EQ(*other, "3");
  auto named = prometheus.query_value(
      "sum(fedgate_s2s_negotiation_failures_total{partner=\"partner.example\","
      "reason=\"tls_handshake\"})");
  ASSERT_TRUE(named) << prometheus.last_answer();
  EXPECT_EQ(*named, "1");

  auto build =
      prometheus.query_value("fedgate_build_info{version=\"0.1.0-test\",revision=\"test\"}");
  ASSERT_TRUE(build) << prometheus.last_answer();
  EXPECT_EQ(*build, "1");
  auto fds = prometheus.query_value("process_open_fds > 0");
  EXPECT_TRUE(fds) << prometheus.last_answer();

  EXPECT_EQ(prometheus.stop(), std::optional<int>(0)) << prometheus.log();
  target.close_stdin();
  EXPECT_EQ(target.wait_exit(10s), std::optional<int>(0)) << target.output();
}

}  // namespace
}  // namespace fedgate::metrics
