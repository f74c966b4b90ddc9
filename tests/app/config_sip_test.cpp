// The [sip] keys added for the SIP transport and transaction layer (issue #4).
#include <gtest/gtest.h>

#include "app/config.hpp"

namespace fedgate::app {
namespace {

const std::string minimal = R"(
[general]
state_dir = "state"
[[domains]]
sip = "sip.example.com"
xmpp = "example.com"
)";

config_result load(const std::string& text) {
  return load_config_string(minimal + text, "/etc/fedgate");
}

TEST(config_sip, defaults) {
  auto r = load("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.cfg.sip.t1_ms, 500u);
  EXPECT_EQ(r.cfg.sip.t2_ms, 4000u);
  EXPECT_EQ(r.cfg.sip.t4_ms, 5000u);
  EXPECT_EQ(r.cfg.sip.tcp_idle_timeout, 300u);
  EXPECT_TRUE(r.cfg.sip.trusted_certificate_names.empty());
  EXPECT_TRUE(r.cfg.sip.routes.empty());
}

TEST(config_sip, timers_names_and_routes) {
  auto r = load(R"(
[sip]
t1_ms = 250
t2_ms = 2000
t4_ms = 3000
tcp_idle_timeout = 60
trusted_certificate_names = ["pool.sfb.example.com"]
[[sip.routes]]
domain = "partner.example"
uri = "sip:192.0.2.10:5070;transport=tcp"
[im]
delivery_timeout_ms = 10000
)");
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].key + ": " + r.errors[0].message);
  EXPECT_EQ(r.cfg.sip.t1_ms, 250u);
  EXPECT_EQ(r.cfg.sip.t2_ms, 2000u);
  EXPECT_EQ(r.cfg.sip.t4_ms, 3000u);
  EXPECT_EQ(r.cfg.sip.tcp_idle_timeout, 60u);
  EXPECT_EQ(r.cfg.sip.trusted_certificate_names, std::vector<std::string>{"pool.sfb.example.com"});
  ASSERT_EQ(r.cfg.sip.routes.size(), 1u);
  EXPECT_EQ(r.cfg.sip.routes[0].domain, "partner.example");
  EXPECT_EQ(r.cfg.sip.routes[0].uri, "sip:192.0.2.10:5070;transport=tcp");
}

TEST(config_sip, t2_below_t1_is_an_error) {
  auto r = load("[sip]\nt1_ms = 1000\nt2_ms = 500\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].key, "sip.t2_ms");
}

TEST(config_sip, route_needs_domain_and_sip_uri) {
  auto r = load("[[sip.routes]]\nuri = \"http://x\"\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].key.find("domain"), std::string::npos);
  EXPECT_NE(r.errors[1].message.find("sip: or sips:"), std::string::npos);
}

TEST(config_sip, unknown_route_key_is_an_error) {
  auto r = load("[[sip.routes]]\ndomain = \"a\"\nuri = \"sip:10.0.0.1\"\nport = 5\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].key.find("port"), std::string::npos);
}

}  // namespace
}  // namespace fedgate::app

namespace fedgate::app {
namespace {

TEST(config_im, defaults) {
  auto r = load("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.cfg.im.shards, 4u);
  EXPECT_EQ(r.cfg.im.delivery_timeout_ms, 25000u);
  EXPECT_EQ(r.cfg.im.error_window_ms, 200u);
  EXPECT_EQ(r.cfg.im.session_queue_max, 1000u);
  EXPECT_EQ(r.cfg.im.max_body_bytes, 65536u);
  EXPECT_TRUE(r.cfg.im.chat_states_to_sip);
}

TEST(config_im, every_key_is_read) {
  auto r = load(R"(
[im]
shards = 8
session_idle_timeout_ms = 60000
delivery_timeout_ms = 5000
error_window_ms = 100
session_queue_max = 50
max_body_bytes = 10000
chat_states_to_sip = false
)");
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].key + ": " + r.errors[0].message);
  EXPECT_EQ(r.cfg.im.shards, 8u);
  EXPECT_EQ(r.cfg.im.session_idle_timeout_ms, 60000u);
  EXPECT_EQ(r.cfg.im.delivery_timeout_ms, 5000u);
  EXPECT_EQ(r.cfg.im.error_window_ms, 100u);
  EXPECT_EQ(r.cfg.im.session_queue_max, 50u);
  EXPECT_EQ(r.cfg.im.max_body_bytes, 10000u);
  EXPECT_FALSE(r.cfg.im.chat_states_to_sip);
}

// The SIP sender must get fedgate's answer before its own transaction gives up (timer F).
TEST(config_im, delivery_timeout_must_fit_in_sip_timer_f) {
  auto r = load("[sip]\nt1_ms = 250\n");  // timer F = 16 s < 25 s + 0.5 s
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].key, "im.delivery_timeout_ms");
  EXPECT_NE(r.errors[0].message.find("16000"), std::string::npos);
}

TEST(config_im, unknown_keys_and_ranges_are_errors) {
  auto r = load("[im]\nshards = 0\nqueue = 3\n");
  EXPECT_EQ(r.errors.size(), 2u);
}

TEST(config_presence, defaults) {
  auto r = load("");
  ASSERT_TRUE(r.ok());
  const auto& p = r.cfg.presence;
  EXPECT_EQ(p.authorisation, presence_authorisation::forward);
  EXPECT_EQ(p.subscribe_expires_s, 3600u);
  EXPECT_EQ(p.watcher_min_expires_s, 60u);
  EXPECT_EQ(p.watcher_max_expires_s, 3600u);
  EXPECT_EQ(p.coalesce_ms, 1000u);
  EXPECT_EQ(p.partner_rate_per_second, 200u);
  EXPECT_EQ(p.max_watchers, 10000u);
  EXPECT_EQ(p.max_fanout_per_message, 256u);
  EXPECT_EQ(p.resubscribe_backoff_s, 5u);
  EXPECT_EQ(p.store, "sqlite");
}

TEST(config_presence, every_key_is_read) {
  auto r = load(R"(
[presence]
authorisation = "auto"
subscribe_expires_s = 600
watcher_min_expires_s = 10
watcher_max_expires_s = 120
coalesce_ms = 250
partner_rate_per_second = 0
max_watchers = 5
max_fanout_per_message = 7
resubscribe_backoff_s = 2
store = "memory"
)");
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].key + ": " + r.errors[0].message);
  const auto& p = r.cfg.presence;
  EXPECT_EQ(p.authorisation, presence_authorisation::automatic);
  EXPECT_EQ(p.subscribe_expires_s, 600u);
  EXPECT_EQ(p.watcher_min_expires_s, 10u);
  EXPECT_EQ(p.watcher_max_expires_s, 120u);
  EXPECT_EQ(p.coalesce_ms, 250u);
  EXPECT_EQ(p.partner_rate_per_second, 0u);
  EXPECT_EQ(p.max_watchers, 5u);
  EXPECT_EQ(p.max_fanout_per_message, 7u);
  EXPECT_EQ(p.resubscribe_backoff_s, 2u);
  EXPECT_EQ(p.store, "memory");
}

TEST(config_presence, partner_policy_overrides_the_default) {
  auto r = load(R"(
[xmpp]
[[xmpp.partners]]
domain = "a.example"
presence = "refuse"
[[xmpp.partners]]
domain = "b.example"
)");
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].key + ": " + r.errors[0].message);
  ASSERT_EQ(r.cfg.xmpp.partners.size(), 2u);
  ASSERT_TRUE(r.cfg.xmpp.partners[0].presence);
  EXPECT_EQ(*r.cfg.xmpp.partners[0].presence, presence_authorisation::refuse);
  EXPECT_FALSE(r.cfg.xmpp.partners[1].presence) << "unset: presence.authorisation applies";
}

TEST(config_presence, bad_values_are_errors) {
  auto r = load(R"(
[presence]
authorisation = "maybe"
watcher_min_expires_s = 100
watcher_max_expires_s = 50
store = "postgres"
colour = 1
)");
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].key, "presence.authorisation");
}

}  // namespace
}  // namespace fedgate::app
