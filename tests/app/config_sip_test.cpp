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
