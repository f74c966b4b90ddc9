// Smoke test of the load benchmark (ctest label bench): the fedgate binary on loopback with a
// generated config, and fedgate-bench running each scenario for a couple of seconds at a low
// rate. It checks that nothing is lost or duplicated and that the JSON report is sane, not
// speed. Both processes are started and stopped by PID; every wait is bounded.

#include <array>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using fedgate::testing::child_process;

class bench_smoke : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s2s = fedgate::testing::free_port();
    auto bench_s2s = fedgate::testing::free_port();
    auto sip = fedgate::testing::free_udp_port();
    auto bench_sip = fedgate::testing::free_udp_port();
    config_ = dir_.path() / "fedgate.toml";
    std::ofstream cfg(config_);
    cfg << "[general]\nstate_dir = \"state\"\nlog_level = \"info\"\n"
        << "[[domains]]\nsip = \"sip.bench\"\nxmpp = \"sip-gw.bench\"\n"
        << "[xmpp]\nlisten = [\"127.0.0.1:" << s2s << "\"]\n"
        << "backoff_initial_ms = 200\nbackoff_max_ms = 1000\n";
    for (const char* d : {"xmpp-a.bench", "xmpp-b.bench"}) {
      cfg << "[[xmpp.partners]]\ndomain = \"" << d << "\"\nroutes = [\"127.0.0.1:" << bench_s2s
          << "\"]\npresence = \"auto\"\n";
    }
    cfg << "[sip]\nudp_listen = [\"127.0.0.1:" << sip << "\"]\ntcp_listen = [\"127.0.0.1:" << sip
        << "\"]\ntls_listen = []\ntrusted_peers = [\"127.0.0.1\"]\n"
        << "[[sip.routes]]\ndomain = \"sip.bench\"\nuri = \"sip:127.0.0.1:" << bench_sip
        << ";transport=udp\"\n"
        << "[im]\nerror_window_ms = 100\n"
        << "[presence]\npartner_rate_per_second = 0\nstore = \"memory\"\n"
        << "[metrics]\nlisten = \"\"\n";
    cfg.close();
    fedgate_ = std::make_unique<child_process>(
        std::vector<std::string>{FEDGATE_BINARY, "--config", config_.string()});
    ASSERT_TRUE(fedgate_->wait_for_line("fedgate started", 20s)) << fedgate_->output();
  }

  void TearDown() override {
    if (!fedgate_) return;
    fedgate_->signal(SIGTERM);
    auto rc = fedgate_->wait_exit(20s);
    EXPECT_EQ(rc.value_or(-1), 0) << fedgate_->output();
  }

  // Runs fedgate-bench with `args`; returns its JSON report (exit code checked).
  nlohmann::json bench(const std::vector<std::string>& args) {
    auto json = dir_.path() / ("report-" + std::to_string(++runs_) + ".json");
    last_json_ = json;
    std::vector<std::string> argv{FEDGATE_BENCH_BINARY,
                                  "--fedgate-config",
                                  config_.string(),
                                  "--pid",
                                  std::to_string(fedgate_->pid()),
                                  "--users",
                                  "20",
                                  "--drain",
                                  "10",
                                  "--json",
                                  json.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process p(argv);
    auto rc = p.wait_exit(60s);
    if (!rc) p.signal(SIGKILL);
    EXPECT_EQ(rc.value_or(-1), 0) << p.output();
    std::ifstream in(json);
    auto j = nlohmann::json::parse(in, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << p.output();
    return j;
  }

  // One open-loop result: everything sent arrived once, nothing failed, figures are sane.
  static void check_result(const nlohmann::json& r, std::uint64_t expected) {
    ASSERT_TRUE(r.is_object());
    EXPECT_TRUE(r["ok"].get<bool>()) << r.dump(2);
    EXPECT_EQ(r["sent"].get<std::uint64_t>(), expected);
    EXPECT_EQ(r["delivered"].get<std::uint64_t>(), expected);
    EXPECT_EQ(r["lost"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(r["duplicates"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(r["errors"].get<std::uint64_t>(), 0u) << r["errors_by_kind"].dump();
    const auto& l = r["latency_ms"];
    EXPECT_GT(l["p50"].get<double>(), 0.0);
    EXPECT_LE(l["p50"].get<double>(), l["p90"].get<double>());
    EXPECT_LE(l["p90"].get<double>(), l["p99"].get<double>());
    EXPECT_LE(l["p99"].get<double>(), l["max"].get<double>());
    EXPECT_GT(r["throughput"].get<double>(), 0.0);
    EXPECT_TRUE(r["fedgate"].contains("cpu_us_per_message")) << r.dump(2);
    EXPECT_GT(r["fedgate"]["rss_kib_max"].get<double>(), 0.0);
  }

  void open_loop(const std::string& scenario) {
    auto j = bench({"--scenario", scenario, "--rate", "50", "--duration", "2"});
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["scenario"], scenario);
    EXPECT_TRUE(j["ok"].get<bool>());
    check_result(j["result"], 100);
    // Open loop: the per-second series the plots are drawn from.
    const auto& ts = j["result"]["time_series"];
    ASSERT_FALSE(ts.empty()) << j.dump(2);
    std::uint64_t sum = 0;
    for (const auto& s : ts) {
      EXPECT_LE(s["p50_ms"].get<double>(), s["p99_ms"].get<double>());
      EXPECT_LE(s["p99_ms"].get<double>(), s["p999_ms"].get<double>());
      sum += s["delivered"].get<std::uint64_t>();
    }
    EXPECT_EQ(sum, 100u);
  }

  fedgate::testing::temp_dir dir_;
  std::filesystem::path config_;
  std::unique_ptr<child_process> fedgate_;
  int runs_ = 0;
  std::filesystem::path last_json_;  // the report of the last bench() run
};

TEST_F(bench_smoke, im_sip_to_xmpp) {
  open_loop("im-sip-to-xmpp");
}

TEST_F(bench_smoke, im_xmpp_to_sip) {
  open_loop("im-xmpp-to-sip");
}

TEST_F(bench_smoke, im_both) {
  open_loop("im-both");
}

TEST_F(bench_smoke, presence_scale) {
  auto j = bench({"--scenario", "presence-scale", "--subscriptions", "100", "--rate", "50"});
  ASSERT_TRUE(j.is_object());
  const auto& r = j["result"];
  check_result(r, 100);
  EXPECT_EQ(r["subscribes_received"].get<std::uint64_t>(), 100u);
  EXPECT_TRUE(r.contains("fedgate_rss_bytes_per_subscription")) << r.dump(2);
}

// Latency figures of a part of the report: present and ordered.
void check_latency(const nlohmann::json& l) {
  EXPECT_GT(l["p50"].get<double>(), 0.0);
  EXPECT_LE(l["p50"].get<double>(), l["p90"].get<double>());
  EXPECT_LE(l["p90"].get<double>(), l["p99"].get<double>());
  EXPECT_LE(l["p99"].get<double>(), l["p999"].get<double>());
  EXPECT_LE(l["p999"].get<double>(), l["max"].get<double>());
}

// The presence part of presence-fanout and mixed: every watcher reached and holding its user's
// last state, intermediate states only coalesced, nothing duplicated or mapped wrong.
void check_presence(const nlohmann::json& p, std::uint64_t changes, std::uint64_t watchers) {
  ASSERT_TRUE(p.is_object());
  EXPECT_TRUE(p["ok"].get<bool>()) << p.dump(2);
  EXPECT_EQ(p["changes"].get<std::uint64_t>(), changes);
  EXPECT_EQ(p["watchers"].get<std::uint64_t>(), watchers);
  EXPECT_EQ(p["watchers_reached"].get<std::uint64_t>(), watchers);
  EXPECT_EQ(p["watchers_with_last_state"].get<std::uint64_t>(), watchers);
  EXPECT_EQ(p["lost"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(p["duplicates"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(p["wrong_state"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(p["errors"].get<std::uint64_t>(), 0u) << p["errors_by_kind"].dump();
  auto expected = p["expected_updates"].get<std::uint64_t>();
  EXPECT_EQ(expected, changes * p["watchers_per_user"].get<std::uint64_t>());
  EXPECT_EQ(p["stanzas_delivered"].get<std::uint64_t>() + p["coalesced"].get<std::uint64_t>(),
            expected);
  EXPECT_GE(p["stanzas_delivered"].get<std::uint64_t>(), watchers);
  check_latency(p["latency_ms"]);
  EXPECT_FALSE(p["time_series"].empty());
}

TEST_F(bench_smoke, presence_fanout) {
  // 20 users x 3 watchers, 40 changes: each user changes twice, every watcher must end up with
  // the second state (the first may be coalesced away within fedgate's 1 s window).
  auto j = bench(
      {"--scenario", "presence-fanout", "--watchers", "3", "--rate", "20", "--duration", "2"});
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j["ok"].get<bool>()) << j.dump(2);
  const auto& r = j["result"];
  check_presence(r["presence"], 40, 60);
  EXPECT_GT(r["fedgate"]["cpu_us_per_change"].get<double>(), 0.0) << r.dump(2);
  EXPECT_GT(r["fedgate"]["cpu_us_per_stanza"].get<double>(), 0.0);
}

TEST_F(bench_smoke, mixed) {
  // 100 events: 20 presence changes (one in five) and 80 IM messages, both directions.
  auto j = bench({"--scenario", "mixed", "--watchers", "2", "--presence-share", "0.2", "--rate",
                  "50", "--duration", "2"});
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j["ok"].get<bool>()) << j.dump(2);
  const auto& r = j["result"];
  check_presence(r["presence"], 20, 40);
  const auto& im = r["im"];
  EXPECT_TRUE(im["ok"].get<bool>()) << im.dump(2);
  EXPECT_EQ(im["sent"].get<std::uint64_t>(), 80u);
  EXPECT_EQ(im["delivered"].get<std::uint64_t>(), 80u);
  EXPECT_EQ(im["lost"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(im["duplicates"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(im["errors"].get<std::uint64_t>(), 0u) << im["errors_by_kind"].dump();
  check_latency(im["latency_ms"]);
  EXPECT_GT(r["fedgate"]["cpu_us_per_delivered"].get<double>(), 0.0) << r.dump(2);
}

TEST_F(bench_smoke, closed_loop_ramp_reports_steps) {
  auto j =
      bench({"--scenario", "im-both", "--mode", "closed", "--start-rate", "40", "--step-factor",
             "2", "--max-rate", "100", "--step", "1", "--p99-bound-ms", "1000"});
  ASSERT_TRUE(j.is_object());
  ASSERT_EQ(j["steps"].size(), 2u) << j.dump(2);
  check_result(j["steps"][0], 40);
  check_result(j["steps"][1], 80);
  EXPECT_EQ(j["max_sustained_rate"].get<double>(), 80.0);
}

// bench/fedgate_bench/plot renders an open-loop report (latency percentiles per second) and a
// closed-loop one (throughput and p99 against the offered rate) as PNG files.
TEST_F(bench_smoke, plot_renders_png_from_reports) {
  auto open = bench({"--scenario", "im-both", "--rate", "50", "--duration", "2"});
  ASSERT_TRUE(open.is_object());
  auto open_json = last_json_;
  auto closed =
      bench({"--scenario", "im-both", "--mode", "closed", "--start-rate", "40", "--step-factor",
             "2", "--max-rate", "100", "--step", "1", "--p99-bound-ms", "1000"});
  ASSERT_TRUE(closed.is_object());
  auto closed_json = last_json_;
  auto out = dir_.path() / "plots";
  for (const auto& json : {open_json, closed_json}) {
    child_process plot({FEDGATE_BENCH_PLOT, json.string(), out.string()});
    auto rc = plot.wait_exit(60s);
    if (!rc) plot.signal(SIGKILL);
    EXPECT_EQ(rc.value_or(-1), 0) << plot.output();
  }
  const std::array<unsigned char, 8> signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  for (const char* name : {"report-1-timeseries.png", "report-2-ramp.png"}) {
    auto png = out / name;
    ASSERT_TRUE(std::filesystem::exists(png)) << png;
    EXPECT_GT(std::filesystem::file_size(png), 1000u) << png;
    std::ifstream in(png, std::ios::binary);
    std::array<unsigned char, 8> head{};
    in.read(reinterpret_cast<char*>(head.data()), head.size());
    EXPECT_EQ(head, signature) << png;
  }
}

}  // namespace
