// fedgate's metrics as a real Prometheus sees them after real IM traffic, everything on loopback:
//
//   slixmpp (im_client.py) ── Prosody ══ S2S ══ fedgate (the binary) ── SIP ── SIPp
//                                                  │ /metrics, scraped every 1 s
//                                     Prometheus (Debian's /usr/bin/prometheus)
//                                                  │ PromQL over /api/v1/query
//                                               this test
//
// A known number of messages goes through fedgate each way; PromQL then returns exactly those
// counts. The IM fixture (im_fixture.hpp) starts Prosody, fedgate and SIPp; Prometheus comes from
// tests/support/prometheus_server.hpp. A missing prometheus binary fails the test.
#include <algorithm>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/e2e/im_fixture.hpp"
#include "tests/support/prometheus_server.hpp"

namespace fedgate::e2e {
namespace {

constexpr int to_sip = 25;   // XMPP -> SIP, answered 200 by SIPp
constexpr int to_xmpp = 15;  // SIP -> XMPP, delivered to alice (200)
constexpr int refused = 3;   // XMPP -> SIP, answered 404 by SIPp

// A PromQL query and the answer it must reach: a single label-less series is its value; anything
// else is "{label="value",...} value" per series, sorted, joined by "; ", and "" for no series.
struct expectation {
  std::string promql;
  std::string before;  // right after start, before any traffic
  std::string after;   // once the traffic went through
};

std::string render(const std::vector<testing::prometheus_sample>& result) {
  if (result.size() == 1 && result[0].labels.empty()) return result[0].value;
  std::vector<std::string> series;
  for (const auto& s : result) {
    std::string labels;
    for (const auto& [name, value] : s.labels)
      labels += (labels.empty() ? "" : ",") + name + "=\"" + value + "\"";
    series.push_back("{" + labels + "} " + s.value);
  }
  std::sort(series.begin(), series.end());
  std::string out;
  for (const auto& s : series)
    out += (out.empty() ? "" : "; ") + s;
  return out;
}

std::string n(int v) {
  return std::to_string(v);
}

const std::vector<expectation> expectations{
    // Stanzas from Prosody that became a SIP MESSAGE answered 2xx.
    {R"(sum(fedgate_xmpp_stanzas_total{direction="in",kind="message",outcome="delivered"}))", "0",
     n(to_sip)},
    {R"(sum(fedgate_sip_requests_total{direction="out",method="MESSAGE",outcome="delivered"}))",
     "0", n(to_sip)},
    // SIP MESSAGEs from SIPp written to the partner and answered 200.
    {R"(sum(fedgate_sip_requests_total{direction="in",method="MESSAGE",outcome="delivered"}))", "0",
     n(to_xmpp)},
    // The 404s: bounced with the status class as reason on the SIP side ...
    {R"(sum(fedgate_sip_requests_total{direction="out",outcome="bounced"}))", "0", n(refused)},
    {R"(sum by (method, reason) (fedgate_sip_requests_total{direction="out",outcome="bounced"}) > 0)",
     "", "{method=\"MESSAGE\",reason=\"4xx\"} " + n(refused)},
    // ... and item-not-found (RFC 7247's mapping of 404) on the XMPP side.
    {R"(sum(fedgate_xmpp_stanzas_total{direction="in",outcome="bounced",reason="item-not-found"}))",
     "0", n(refused)},
    {R"(sum by (kind, reason) (fedgate_xmpp_stanzas_total{direction="in",outcome="bounced"}) > 0)",
     "", "{kind=\"message\",reason=\"item-not-found\"} " + n(refused)},
    // Nothing refused or malformed on the way in.
    {R"(sum(fedgate_sip_requests_total{direction="in",outcome!="delivered"}))", "0", "0"},
    // One latency observation per translated message, each way.
    {R"(sum(fedgate_translation_duration_seconds_count{direction="sip_to_xmpp"}))", "0",
     n(to_xmpp)},
    {R"(sum(fedgate_translation_duration_seconds_count{direction="xmpp_to_sip"}))", "0", n(to_sip)},
};

// Reported with the results, not checked: what the traffic did to other families.
const std::vector<std::string> reported{
    R"(sum by (direction, kind, outcome, reason) (fedgate_xmpp_stanzas_total) > 0)",
    R"(sum by (direction, method, outcome, reason) (fedgate_sip_requests_total) > 0)",
    R"(fedgate_actors{type="session"})",
};

// Each expectation's query, evaluated now ("(query failed: ...)" when the API refused).
std::vector<std::string> evaluate(testing::prometheus_server& prometheus) {
  std::vector<std::string> out;
  for (const auto& e : expectations) {
    auto r = prometheus.query(e.promql);
    out.push_back(r ? render(*r) : "(query failed: " + prometheus.last_answer() + ")");
  }
  return out;
}

bool all_match(const std::vector<std::string>& got, std::string expectation::*want) {
  for (std::size_t i = 0; i < expectations.size(); ++i) {
    if (got[i] != expectations[i].*want) return false;
  }
  return true;
}

std::string table(const std::vector<std::string>& got, std::string expectation::*want) {
  std::ostringstream out;
  for (std::size_t i = 0; i < expectations.size(); ++i) {
    out << (got[i] == expectations[i].*want ? "  ok    " : "  WRONG ") << expectations[i].promql
        << "\n        got: " << got[i] << "\n       want: " << expectations[i].*want << "\n";
  }
  return out.str();
}

TEST_F(im_e2e, prometheus_counts_exactly_the_messages_sent_each_way) {
  ASSERT_TRUE(std::filesystem::exists(testing::prometheus_binary))
      << testing::prometheus_server::missing_binary_message();
  options o;
  o.metrics_port = testing::free_port();
  start(o);
  testing::prometheus_server prometheus(
      {dir_.path() / "prometheus", {"127.0.0.1:" + std::to_string(o.metrics_port)}});
  ASSERT_TRUE(prometheus.start()) << prometheus.log();

  // The first scrape: fedgate is up and every counter of this test starts at zero.
  ASSERT_TRUE(prometheus.wait_next_scrape(20s)) << "no scrape: " << prometheus.last_answer() << "\n"
                                                << prometheus.log();
  auto up = prometheus.query(R"(up{job="fedgate"})");
  ASSERT_TRUE(up && up->size() == 1 && up->front().value == "1")
      << "fedgate not scraped: " << prometheus.last_answer() << "\n"
      << prometheus.log() << diagnostics();
  auto before = evaluate(prometheus);
  ASSERT_TRUE(all_match(before, &expectation::before)) << table(before, &expectation::before);

  // XMPP -> SIP: `to_sip` messages, SIPp answers 200 to each.
  auto uas = sipp_uas(to_sip);
  std::vector<std::string> stanzas;
  for (int i = 0; i < to_sip; ++i)
    stanzas.push_back(chat("<body>to sip " + n(i) + "</body>", "s" + n(i)));
  auto client = alice(stanzas, "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(60s), 0) << uas->output().substr(0, 3000) << diagnostics();
  EXPECT_EQ(client->wait_exit(30s), 0) << client->output();
  EXPECT_EQ(received_requests(uas_log_).size(), static_cast<std::size_t>(to_sip));

  // XMPP -> SIP refused: SIPp answers 404, alice gets item-not-found for each.
  uas = sipp_uas(refused, 404, "No Such User Here");
  stanzas.clear();
  for (int i = 0; i < refused; ++i)
    stanzas.push_back(chat("<body>anyone " + n(i) + "?</body>", "r" + n(i)));
  client = alice(stanzas, "nobody@sip.test", refused);
  ASSERT_EQ(client->wait_exit(60s), 0) << client->output() << diagnostics();
  auto errors = received_stanzas(client->output());
  ASSERT_EQ(errors.size(), static_cast<std::size_t>(refused)) << client->output();
  for (const auto& e : errors) {
    EXPECT_EQ(e["type"], "error");
    EXPECT_EQ(e["error"]["condition"], "item-not-found");
  }
  EXPECT_EQ(uas->wait_exit(10s), 0) << uas->output().substr(0, 3000);

  // SIP -> XMPP: `to_xmpp` MESSAGEs from SIPp, each delivered to alice and answered 200.
  client = alice({}, "", to_xmpp);
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  EXPECT_EQ(sipp_uac("alice", "to xmpp [call_number]", 200, to_xmpp), 0) << diagnostics();
  ASSERT_EQ(client->wait_exit(30s), 0) << client->output() << diagnostics();
  EXPECT_EQ(received_stanzas(client->output()).size(), static_cast<std::size_t>(to_xmpp));

  // Each poll follows a scrape that began after the previous poll, up to 30 s: fedgate counts a
  // message when the answer comes back, a moment after the peers saw it.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  std::vector<std::string> got;
  int polls = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!prometheus.wait_next_scrape(left)) break;
    ++polls;
    got = evaluate(prometheus);
    if (all_match(got, &expectation::after)) break;
  }
  ASSERT_FALSE(got.empty()) << "no scrape after the traffic: " << prometheus.last_answer() << "\n"
                            << prometheus.log();
  std::cout << "PromQL after " << polls << " poll(s):\n" << table(got, &expectation::after);
  for (const auto& q : reported) {
    auto r = prometheus.query(q);
    std::cout << "  (reported) " << q << "\n        " << (r ? render(*r) : "query failed") << "\n";
  }
  ASSERT_TRUE(all_match(got, &expectation::after))
      << "PromQL did not reach the counts within 30 s:\n"
      << table(got, &expectation::after) << diagnostics();

  // And they stay there: a scrape later, nothing was counted late or twice.
  ASSERT_TRUE(prometheus.wait_next_scrape(10s)) << prometheus.last_answer();
  auto again = evaluate(prometheus);
  EXPECT_TRUE(all_match(again, &expectation::after))
      << "the counts moved after the traffic ended:\n"
      << table(again, &expectation::after);

  EXPECT_EQ(prometheus.stop(), std::optional<int>(0)) << prometheus.log();
}

}  // namespace
}  // namespace fedgate::e2e
