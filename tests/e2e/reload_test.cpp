// Config reload end to end (`fedgate ctl reload` and SIGHUP) with the real binary between real
// peers, everything on loopback:
//
//   SIPp (bob) ── SIP ── fedgate ══ S2S ══ Prosody xmpp.test (partner A, alice online)
//                                 ══ S2S ══ Prosody b.test   (partner B, added by the reload)
//                                 ── c.test                  (partner C, removed; never reachable)
//
// While SIPp sends a steady stream of MESSAGEs to alice, the config file is rewritten and
// reloaded: every message reaches alice exactly once, A's stream is never re-established, B is
// usable at once, C is gone and what was queued for it is answered with the mapped error.
#include <csignal>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/im_fixture.hpp"
#include "tests/support/http_get.hpp"

namespace fedgate::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int per_phase = 300;  // MESSAGEs to alice during each reload
constexpr int rate = 30;        // per second: each phase lasts about 10 s

// The `ctl partners` row of `domain`, or null when it is not listed.
nlohmann::json row_of(const nlohmann::json& partners, const std::string& domain) {
  for (const auto& r : partners) {
    if (r["domain"] == domain) return r;
  }
  return nullptr;
}

TEST_F(im_e2e, reload_adds_and_removes_partners_while_traffic_to_a_partner_flows) {
  options o;
  o.metrics_port = testing::free_port();
  const std::uint16_t nobody_c = testing::free_port(), nobody_d = testing::free_port();
  o.extra_partners = partner_toml("c.test", nobody_c);
  start(o);
  auto b = partner_prosody("b.test", {{"carol", "carolpw"}});
  const std::uint16_t b_port = b->options().s2s_port;

  const int expected = 1 + 2 * per_phase;
  auto client = alice({}, "", expected);
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  ASSERT_EQ(sipp_uac("alice", "warm-up", 200), 0) << diagnostics();

  auto [rc0, before] = ctl({"partners"});
  ASSERT_EQ(rc0, 0);
  auto a0 = row_of(before, "xmpp.test");
  ASSERT_FALSE(a0.is_null()) << before.dump();
  EXPECT_EQ(a0["streams_out"], 1) << before.dump();
  const auto a_established = a0["streams_established"].get<std::uint64_t>();
  EXPECT_GE(a_established, 1u);
  EXPECT_FALSE(row_of(before, "c.test").is_null()) << before.dump();
  // B is not a partner yet: refused by policy (forbidden -> 403).
  auto [rc_b0, b_before] = ctl({"test-im", "bob@sip.test", "carol@b.test", "too", "early"});
  EXPECT_THAT(b_before["result"].get<std::string>(), HasSubstr("refused: 403")) << b_before.dump();

  // A MESSAGE for C waits in C's queue (nobody answers there) when C is removed: it must come
  // back as the mapped error (forbidden -> 403), not be lost or time out (408).
  auto for_c = start_sipp_uac("dave@c.test", "queued for c", 403, 1, 1);
  ASSERT_TRUE(fedgate_->wait_for_line("msg=\"s2s connect failed\" partner=c.test", 20s))
      << diagnostics();

  // Phase 1: `fedgate ctl reload` adds B and removes C while MESSAGEs flow to alice.
  auto traffic = start_sipp_uac("alice", "one [call_number]", 200, per_phase, rate);
  ASSERT_TRUE(client->wait_for_line("\"one 30\"", 60s)) << client->output() << diagnostics();
  opt_.extra_partners = partner_toml("b.test", b_port);
  write_config();
  auto [rc1, reload] = ctl({"reload"});
  EXPECT_EQ(rc1, 0) << reload.dump();
  EXPECT_EQ(reload["result"], "applied") << reload.dump();
  EXPECT_THAT(reload["added"], ElementsAre("b.test"));
  EXPECT_THAT(reload["removed"], ElementsAre("c.test"));
  EXPECT_THAT(reload["changed"], IsEmpty());
  EXPECT_THAT(reload["needs_restart"], IsEmpty());
  EXPECT_THAT(reload["errors"], IsEmpty());

  EXPECT_EQ(for_c->wait_exit(30s), 0) << for_c->output().substr(0, 3000) << diagnostics();
  // B is usable at once (Prosody b.test stores the message for carol: delivered); C refuses.
  auto [rc_b, to_b] = ctl({"test-im", "bob@sip.test", "carol@b.test", "hello", "b"});
  EXPECT_EQ(to_b["ok"], true) << to_b.dump() << diagnostics();
  auto [rc_c, to_c] = ctl({"test-im", "bob@sip.test", "dave@c.test", "hello", "c"});
  EXPECT_THAT(to_c["result"].get<std::string>(), HasSubstr("refused: 403")) << to_c.dump();

  auto [rc2, after] = ctl({"partners"});
  EXPECT_TRUE(row_of(after, "c.test").is_null()) << after.dump();
  auto b_row = row_of(after, "b.test");
  ASSERT_FALSE(b_row.is_null()) << after.dump();
  EXPECT_EQ(b_row["configured"], true);
  EXPECT_EQ(b_row["streams_out"], 1) << after.dump();
  ASSERT_EQ(traffic->wait_exit(120s), 0) << traffic->output().substr(0, 3000) << diagnostics();

  // Phase 2: SIGHUP removes B (its stream is up) and adds D while MESSAGEs flow to alice.
  traffic = start_sipp_uac("alice", "two [call_number]", 200, per_phase, rate);
  ASSERT_TRUE(client->wait_for_line("\"two 30\"", 60s)) << client->output() << diagnostics();
  opt_.extra_partners = partner_toml("d.test", nobody_d);
  write_config();
  fedgate_->signal(SIGHUP);
  auto logged = fedgate_->wait_for_line("msg=\"config reloaded\" trigger=SIGHUP", 20s);
  ASSERT_TRUE(logged) << diagnostics();
  EXPECT_THAT(*logged, HasSubstr("added=d.test removed=b.test"));
  ASSERT_EQ(traffic->wait_exit(120s), 0) << traffic->output().substr(0, 3000) << diagnostics();
  auto [rc_b2, to_b2] = ctl({"test-im", "bob@sip.test", "carol@b.test", "gone"});
  EXPECT_THAT(to_b2["result"].get<std::string>(), HasSubstr("refused: 403")) << to_b2.dump();

  // Every MESSAGE to alice arrived, each exactly once.
  ASSERT_EQ(client->wait_exit(60s), 0) << client->output().substr(0, 3000) << diagnostics();
  auto got = received_stanzas(client->output());
  std::multiset<std::string> bodies;
  for (const auto& m : got)
    bodies.insert(body_of(m));
  EXPECT_EQ(got.size(), static_cast<std::size_t>(expected));
  EXPECT_EQ(bodies.count("warm-up"), 1u);
  for (int i = 1; i <= per_phase; ++i) {
    EXPECT_EQ(bodies.count("one " + std::to_string(i)), 1u) << "one " << i;
    EXPECT_EQ(bodies.count("two " + std::to_string(i)), 1u) << "two " << i;
  }

  // A's stream was never re-established; B is gone, D is there.
  auto [rc3, last] = ctl({"partners"});
  auto a1 = row_of(last, "xmpp.test");
  ASSERT_FALSE(a1.is_null()) << last.dump();
  EXPECT_EQ(a1["streams_established"].get<std::uint64_t>(), a_established) << last.dump();
  EXPECT_EQ(a1["streams_out"], 1);
  EXPECT_TRUE(row_of(last, "b.test").is_null()) << last.dump();
  EXPECT_FALSE(row_of(last, "d.test").is_null()) << last.dump();

  auto metrics = testing::http_get(o.metrics_port, "/metrics").second;
  EXPECT_THAT(metrics, HasSubstr("fedgate_config_reloads_total{result=\"applied\"} 2"));
  EXPECT_THAT(metrics, HasSubstr("fedgate_config_reloads_total{result=\"rejected\"} 0"));
}

// A file that does not load changes nothing: ctl reload exits non-zero with every error, and the
// gateway goes on with its partners.
TEST_F(im_e2e, reload_of_a_broken_file_changes_nothing) {
  start();
  std::ofstream(config_path(), std::ios::app)
      << "[[xmpp.partners]]\ndomain = \"e.test\"\ntls = \"sometimes\"\n"
      << "[dns]\ntries = 0\n";
  auto [rc, answer] = ctl({"reload"});
  EXPECT_EQ(rc, 1) << answer.dump();
  EXPECT_EQ(answer["result"], "rejected");
  ASSERT_EQ(answer["errors"].size(), 2u) << answer.dump();
  EXPECT_THAT(answer["errors"][0].get<std::string>() + answer["errors"][1].get<std::string>(),
              HasSubstr("tls"));
  EXPECT_TRUE(fedgate_->wait_for_line("config reload rejected", 10s)) << diagnostics();
  // The same through --config (the broken file still names the state directory), as a table:
  // the errors on stderr, exit 1.
  child_process table({fedgate_binary, "ctl", "--config", config_path().string(), "reload"});
  EXPECT_EQ(table.wait_exit(30s), 1) << table.output();
  EXPECT_THAT(table.output(), HasSubstr("dns.tries"));
  EXPECT_THAT(table.output(), HasSubstr("reload rejected: 2 errors"));
  auto [rc2, partners] = ctl({"partners"});
  EXPECT_EQ(partners.size(), 1u) << partners.dump();
  EXPECT_EQ(partners[0]["domain"], "xmpp.test");
  // Still federating with xmpp.test: Prosody answers for its unknown user (503), as before.
  EXPECT_EQ(sipp_uac("nobody", "still here", 503), 0) << diagnostics();
}

}  // namespace
}  // namespace fedgate::e2e
