// A real Prometheus (Debian's /usr/bin/prometheus) scrapes fedgate's admin server on loopback, and
// PromQL over its HTTP API returns exactly the counts the target produced. Both processes are
// started here and stopped by PID.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedgate::metrics {
namespace {

using namespace std::chrono_literals;
using testing::child_process;

constexpr const char* prometheus_binary = "/usr/bin/prometheus";

// The value of a PromQL instant query with exactly one result, once Prometheus has it: polls the
// API (bounded in attempts and time), draining Prometheus' log between polls.
std::optional<std::string> query_value(std::uint16_t port, const std::string& promql,
                                       child_process& prometheus, std::string& last_answer) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2s);
  c.set_read_timeout(5s);
  auto deadline = std::chrono::steady_clock::now() + 60s;
  for (int attempt = 0; attempt < 300 && std::chrono::steady_clock::now() < deadline; ++attempt) {
    auto r = c.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
    if (r && r->status == 200) {
      last_answer = r->body;
      auto j = nlohmann::json::parse(r->body, nullptr, false);
      if (!j.is_discarded() && j.value("status", "") == "success") {
        const auto& result = j["data"]["result"];
        if (result.size() == 1) return result[0]["value"][1].get<std::string>();
        if (result.size() > 1) return "more than one series: " + r->body;
      }
    }
    // Not scraped yet: wait a little, reading Prometheus' output so its pipe never fills.
    prometheus.wait_for_line("a line that never appears", 200ms);
  }
  return std::nullopt;
}

TEST(prometheus_interop, promql_returns_exactly_the_counts_fedgate_exposed) {
  ASSERT_TRUE(std::filesystem::exists(prometheus_binary))
      << prometheus_binary << " is missing: install the Debian prometheus package "
      << "(scripts/install-deps, scripts/deps/metrics.list)";

  child_process target({FEDGATE_SCRAPE_TARGET}, /*with_stdin=*/true);
  auto line = target.wait_for_line("listening port=", 10s);
  ASSERT_TRUE(line) << target.output();
  std::string target_port = line->substr(line->find('=') + 1);

  fedgate::testing::temp_dir dir;
  auto config = dir.path() / "prometheus.yml";
  {
    std::ofstream out(config);
    out << "global:\n"
           "  scrape_interval: 1s\n"
           "  evaluation_interval: 1s\n"
           "scrape_configs:\n"
           "  - job_name: fedgate\n"
           "    static_configs:\n"
           "      - targets: ['127.0.0.1:"
        << target_port << "']\n";
  }
  std::uint16_t web_port = fedgate::testing::free_port();
  child_process prometheus({prometheus_binary, "--config.file=" + config.string(),
                            "--storage.tsdb.path=" + (dir.path() / "data").string(),
                            "--web.listen-address=127.0.0.1:" + std::to_string(web_port),
                            "--log.level=info"});
  ASSERT_TRUE(prometheus.wait_for_line("Server is ready to receive web requests", 60s))
      << prometheus.output();

  std::string answer;
  auto up = query_value(web_port, "up{job=\"fedgate\"} == 1", prometheus, answer);
  ASSERT_TRUE(up) << "no successful scrape; last answer: " << answer << "\n" << prometheus.output();
  EXPECT_EQ(*up, "1");

  auto delivered = query_value(
      web_port,
      "fedgate_xmpp_stanzas_total{direction=\"in\",kind=\"message\",outcome=\"delivered\"}",
      prometheus, answer);
  ASSERT_TRUE(delivered) << answer;
  EXPECT_EQ(*delivered, "1234");

  auto bounced = query_value(web_port, "sum(fedgate_xmpp_stanzas_total{outcome=\"bounced\"})",
                             prometheus, answer);
  ASSERT_TRUE(bounced) << answer;
  EXPECT_EQ(*bounced, "56");

  auto sip = query_value(web_port,
                         "fedgate_sip_requests_total{direction=\"out\",method=\"MESSAGE\","
                         "outcome=\"bounced\",reason=\"4xx\"}",
                         prometheus, answer);
  ASSERT_TRUE(sip) << answer;
  EXPECT_EQ(*sip, "7");

  // Unconfigured partners fold into "other"; a configured one keeps its name.
  auto other = query_value(
      web_port, "sum by (partner) (fedgate_s2s_negotiation_failures_total{partner=\"other\"})",
      prometheus, answer);
  ASSERT_TRUE(other) << answer;
  EXPECT_EQ(*other, "3");
  auto named = query_value(web_port,
                           "sum(fedgate_s2s_negotiation_failures_total{partner=\"partner.example\","
                           "reason=\"tls_handshake\"})",
                           prometheus, answer);
  ASSERT_TRUE(named) << answer;
  EXPECT_EQ(*named, "1");

  auto build = query_value(web_port, "fedgate_build_info{version=\"0.1.0-test\",revision=\"test\"}",
                           prometheus, answer);
  ASSERT_TRUE(build) << answer;
  EXPECT_EQ(*build, "1");
  auto fds = query_value(web_port, "process_open_fds > 0", prometheus, answer);
  EXPECT_TRUE(fds) << answer;

  prometheus.signal(SIGTERM);
  auto prometheus_exit = prometheus.wait_exit(30s);
  EXPECT_EQ(prometheus_exit, std::optional<int>(0)) << prometheus.output();
  target.close_stdin();
  EXPECT_EQ(target.wait_exit(10s), std::optional<int>(0)) << target.output();
}

}  // namespace
}  // namespace fedgate::metrics
