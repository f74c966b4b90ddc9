#include "tests/support/prometheus_server.hpp"

#include <csignal>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/free_port.hpp"

namespace fedgate::testing {

using namespace std::chrono_literals;

std::string prometheus_server::missing_binary_message() {
  return std::string(prometheus_binary) +
         " is missing: install the Debian prometheus package (scripts/install-deps, "
         "scripts/deps/metrics.list)";
}

prometheus_server::prometheus_server(prometheus_options opts) : opts_(std::move(opts)) {
  std::filesystem::create_directories(opts_.dir);
  std::ofstream out(opts_.dir / "prometheus.yml");
  out << "global:\n"
         "  scrape_interval: "
      << opts_.scrape_interval << "\n  evaluation_interval: " << opts_.scrape_interval
      << "\nscrape_configs:\n"
         "  - job_name: "
      << opts_.job << "\n    static_configs:\n      - targets: [";
  for (std::size_t i = 0; i < opts_.targets.size(); ++i)
    out << (i ? ", " : "") << "'" << opts_.targets[i] << "'";
  out << "]\n";
}

prometheus_server::~prometheus_server() = default;

bool prometheus_server::start(std::chrono::milliseconds timeout) {
  if (!std::filesystem::exists(prometheus_binary)) return false;
  port_ = free_port();
  process_ = std::make_unique<child_process>(std::vector<std::string>{
      prometheus_binary, "--config.file=" + (opts_.dir / "prometheus.yml").string(),
      "--storage.tsdb.path=" + (opts_.dir / "data").string(),
      "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=info"});
  return process_->wait_for_line("Server is ready to receive web requests", timeout).has_value();
}

std::optional<int> prometheus_server::stop(std::chrono::milliseconds timeout) {
  if (!process_) return std::nullopt;
  process_->signal(SIGTERM);
  auto rc = process_->wait_exit(timeout);
  if (!rc) {
    process_->signal(SIGKILL);
    process_->wait_exit(10s);
  }
  return rc;
}

std::string prometheus_server::log() {
  if (!process_) return "(prometheus not started)";
  process_->wait_for_line("\x01", 100ms);  // drain what it printed so far
  return process_->output();
}

void prometheus_server::pause(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  if (process_) process_->wait_for_line("\x01", d);  // returns early when Prometheus is gone
  std::this_thread::sleep_until(until);
}

std::optional<std::vector<prometheus_sample>> prometheus_server::query(const std::string& promql) {
  httplib::Client c("127.0.0.1", port_);
  c.set_connection_timeout(2s);
  c.set_read_timeout(5s);
  auto r = c.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
  if (!r) {
    last_answer_ = "no HTTP answer (" + httplib::to_string(r.error()) + ") to " + promql;
    return std::nullopt;
  }
  last_answer_ = r->body;
  if (r->status != 200) return std::nullopt;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success") return std::nullopt;
  const auto& data = j["data"];
  std::vector<prometheus_sample> out;
  if (data.value("resultType", "") == "scalar") {
    out.push_back({{}, data["result"][1].get<std::string>()});
    return out;
  }
  for (const auto& series : data["result"]) {
    prometheus_sample s;
    for (const auto& [name, value] : series["metric"].items())
      s.labels[name] = value.get<std::string>();
    s.value = series["value"][1].get<std::string>();
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<std::string> prometheus_server::query_value(const std::string& promql,
                                                          std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int attempt = 0; attempt < 1000 && std::chrono::steady_clock::now() < deadline; ++attempt) {
    if (auto result = query(promql)) {
      if (result->size() == 1) return result->front().value;
      if (result->size() > 1) return "more than one series: " + last_answer_;
    }
    pause(200ms);  // not scraped yet
  }
  return std::nullopt;
}

bool prometheus_server::wait_next_scrape(std::chrono::milliseconds timeout) {
  // A scrape's samples carry the time the scrape began, and `up` is committed with them. 10 ms
  // of margin: Prometheus may align a timestamp to the interval by up to 2 ms
  // (--scrape.adjust-timestamps).
  double after =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() +
      0.010;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string promql = "timestamp(up{job=\"" + opts_.job + "\"})";
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto result = query(promql); result && result->size() == opts_.targets.size()) {
      bool all = true;
      for (const auto& s : *result)
        all = all && std::stod(s.value) >= after;
      if (all) return true;
    }
    pause(100ms);
  }
  return false;
}

}  // namespace fedgate::testing
