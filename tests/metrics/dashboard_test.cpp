// metrics/dashboards/fedgate.json: valid JSON shaped as a Grafana dashboard, with the rows the
// operations issue asks for, and every metric name in every query exposed by a freshly built
// fedgate registry (families + process collector).

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "metrics/families.hpp"
#include "metrics/process_collector.hpp"
#include "metrics/registry.hpp"

namespace fedgate::metrics {
namespace {

const std::filesystem::path dashboard_path =
    std::filesystem::path(FEDGATE_SOURCE_DIR) / "metrics/dashboards/fedgate.json";

nlohmann::json load() {
  std::ifstream in(dashboard_path);
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// Sample names in an exposition ("name{...} value" or "name value"), histogram suffixes included.
std::set<std::string> exposed_names() {
  auto registry = std::make_shared<prometheus::Registry>();
  families f{*registry, options{{"partner.example"}}};
  std::istringstream in(serialize({registry, std::make_shared<process_collector>()}));
  std::set<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

// Every PromQL string in the dashboard: panel target exprs and templating queries.
void collect_queries(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if ((it.key() == "expr" || it.key() == "query" || it.key() == "definition") &&
          it.value().is_string()) {
        out.push_back(it.value().get<std::string>());
      } else {
        collect_queries(it.value(), out);
      }
    }
  } else if (j.is_array()) {
    for (const auto& e : j)
      collect_queries(e, out);
  }
}

TEST(dashboard, parses_as_a_grafana_dashboard) {
  auto d = load();
  ASSERT_FALSE(d.is_discarded()) << dashboard_path << " is not valid JSON";
  EXPECT_EQ(d.value("uid", ""), "fedgate-overview");
  EXPECT_TRUE(d["schemaVersion"].is_number_integer());
  ASSERT_TRUE(d["panels"].is_array());
  std::set<std::string> rows;
  std::set<int> ids;
  for (const auto& p : d["panels"]) {
    EXPECT_TRUE(ids.insert(p["id"].get<int>()).second) << "duplicate panel id " << p["id"];
    ASSERT_TRUE(p["gridPos"].is_object());
    if (p["type"] == "row") {
      rows.insert(p["title"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(p["targets"].is_array()) << p["title"];
    EXPECT_FALSE(p["targets"].empty()) << p["title"];
    for (const auto& t : p["targets"])
      EXPECT_FALSE(t.value("expr", "").empty()) << p["title"];
  }
  for (const char* row : {"Traffic", "Errors", "Latency", "Partners", "Presence", "Process"})
    EXPECT_EQ(rows.count(row), 1u) << "missing row " << row;
}

TEST(dashboard, every_metric_in_its_queries_is_exposed_by_fedgate) {
  auto d = load();
  ASSERT_FALSE(d.is_discarded());
  std::vector<std::string> queries;
  collect_queries(d, queries);
  ASSERT_GT(queries.size(), 20u);
  auto exposed = exposed_names();
  std::regex metric("\\b((fedgate|process)_[a-z0-9_]+)");
  std::set<std::string> used;
  for (const auto& q : queries) {
    for (std::sregex_iterator it(q.begin(), q.end(), metric), end; it != end; ++it) {
      used.insert((*it)[1]);
      EXPECT_EQ(exposed.count((*it)[1]), 1u) << (*it)[1] << " in: " << q;
    }
  }
  // Latency quantiles come from the histogram buckets.
  EXPECT_EQ(used.count("fedgate_translation_duration_seconds_bucket"), 1u);
  EXPECT_GE(used.size(), 15u);
}

}  // namespace
}  // namespace fedgate::metrics
