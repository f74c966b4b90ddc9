#pragma once
// A real Prometheus (Debian's prometheus package, /usr/bin/prometheus) for interop and end-to-end
// tests: its own config (one scrape job over loopback targets) and TSDB in a temp directory, its
// web API on a free loopback port, started in the foreground and stopped by PID. A missing binary
// is a test failure, never a skip: missing_binary_message() names the package and
// scripts/install-deps.
//
//   testing::prometheus_server prom({dir / "prometheus", {"127.0.0.1:9464"}});
//   ASSERT_TRUE(prom.start()) << prom.log();
//   prom.wait_next_scrape();                          // what the target counted so far is stored
//   auto r = prom.query("sum(fedgate_xmpp_stanzas_total)");   // one instant query, now
//
// Every wait is bounded; waiting means reading Prometheus' output (so its pipe never fills).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace fedgate::testing {

inline constexpr const char* prometheus_binary = "/usr/bin/prometheus";

struct prometheus_options {
  std::filesystem::path dir;         // scratch directory (config, TSDB); created if needed
  std::vector<std::string> targets;  // "127.0.0.1:port", scraped at /metrics
  std::string job = "fedgate";       // the job label of every target
  std::string scrape_interval = "1s";
};

// One series of an instant query's result.
struct prometheus_sample {
  std::map<std::string, std::string> labels;  // __name__ included when Prometheus keeps it
  std::string value;                          // as Prometheus formats it: "25", "0.5", "NaN"
};

class prometheus_server {
 public:
  // The failure message for a missing /usr/bin/prometheus.
  static std::string missing_binary_message();

  // Writes the config; start() runs Prometheus.
  explicit prometheus_server(prometheus_options opts);
  ~prometheus_server();  // a Prometheus still running is killed (SIGKILL) and reaped
  prometheus_server(const prometheus_server&) = delete;
  prometheus_server& operator=(const prometheus_server&) = delete;

  // Starts Prometheus and waits until its web API is ready. False (output in log()) when the
  // binary is missing or it did not become ready within `timeout`.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // SIGTERM, then waits; returns the exit code, or nullopt when it did not exit in time (it is
  // then killed).
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  std::uint16_t port() const { return port_; }  // the web API on 127.0.0.1
  const prometheus_options& options() const { return opts_; }
  std::string log();  // what Prometheus printed so far

  // One PromQL instant query, now: the result vector, or nullopt when the API did not answer
  // with status success (the raw answer is in last_answer()).
  std::optional<std::vector<prometheus_sample>> query(const std::string& promql);

  // Polls `promql` (bounded by `timeout`) until the result has exactly one series and returns
  // its value; "more than one series: <answer>" when it has several; nullopt at the deadline.
  std::optional<std::string> query_value(
      const std::string& promql, std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Waits until every target of the job has been scraped by a scrape that began after this call
  // and whose samples are queryable: afterwards, everything the targets counted before the call is
  // in Prometheus. Returns false (with the last answer in last_answer()) at the deadline.
  bool wait_next_scrape(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // The body of the last API answer (for failure messages).
  const std::string& last_answer() const { return last_answer_; }

 private:
  void pause(std::chrono::milliseconds d);  // reads Prometheus' output for `d`

  prometheus_options opts_;
  std::uint16_t port_ = 0;
  std::unique_ptr<child_process> process_;
  std::string last_answer_;
};

}  // namespace fedgate::testing
