// metrics/alerts.yml: valid for Prometheus (promtool check rules), the alerts fire when they
// should (promtool test rules with tests/metrics/data/alerts_test.yml), and every metric they use
// exists in fedgate's exposition.

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "metrics/families.hpp"
#include "metrics/process_collector.hpp"
#include "metrics/registry.hpp"
#include "tests/support/child_process.hpp"

namespace fedgate::metrics {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path source_dir{FEDGATE_SOURCE_DIR};
constexpr const char* promtool = "/usr/bin/promtool";

struct run_result {
  std::optional<int> exit_code;
  std::string output;
};

run_result run(std::vector<std::string> argv) {
  testing::child_process p(std::move(argv));
  auto code = p.wait_exit(60s);
  return {code, p.output()};
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(alerts, promtool_check_rules_accepts_them) {
  ASSERT_TRUE(std::filesystem::exists(promtool)) << "install the Debian prometheus package";
  auto r = run({promtool, "check", "rules", (source_dir / "metrics/alerts.yml").string()});
  EXPECT_EQ(r.exit_code, std::optional<int>(0)) << r.output;
  EXPECT_NE(r.output.find("SUCCESS"), std::string::npos) << r.output;
}

TEST(alerts, promtool_unit_tests_pass) {
  ASSERT_TRUE(std::filesystem::exists(promtool)) << "install the Debian prometheus package";
  auto r = run(
      {promtool, "test", "rules", (source_dir / "tests/metrics/data/alerts_test.yml").string()});
  EXPECT_EQ(r.exit_code, std::optional<int>(0)) << r.output;
}

TEST(alerts, cover_partner_down_error_ratio_and_latency) {
  auto text = read_file(source_dir / "metrics/alerts.yml");
  for (const char* name : {"alert: FedgatePartnerDown", "alert: FedgateErrorRatioHigh",
                           "alert: FedgateTranslationLatencyHigh", "alert: FedgateDown"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
}

TEST(alerts, use_only_metrics_fedgate_exposes) {
  auto registry = std::make_shared<prometheus::Registry>();
  families f{*registry, options{}};
  auto exposition = serialize({registry, std::make_shared<process_collector>()});
  auto text = read_file(source_dir / "metrics/alerts.yml");
  std::regex metric("\\b((fedgate|process)_[a-z0-9_]+)");
  int checked = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), metric), end; it != end; ++it) {
    std::string name = (*it)[1];
    EXPECT_NE(exposition.find("\n" + name), std::string::npos) << name << " is not exposed";
    ++checked;
  }
  EXPECT_GT(checked, 5);
}

}  // namespace
}  // namespace fedgate::metrics
