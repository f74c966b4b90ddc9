// RFC 3263 §4.1/§4.2 choices of the SIP locator (the DNS part runs in the interop test and in
// tests/transport/dns).
#include "actors/sip/locator.hpp"

#include <gtest/gtest.h>

namespace {

using namespace fedgate::sip_layer;

std::vector<std::string> services(const locate_plan& p) {
  std::vector<std::string> out;
  for (const auto& c : p.srv)
    out.push_back(c.service);
  return out;
}

TEST(sip_locator, numeric_host_needs_no_dns) {
  auto p = plan_locate("sip:127.0.0.1:5070;transport=tcp", false);
  ASSERT_EQ(p.error, "");
  EXPECT_TRUE(p.numeric);
  auto r = locate_without_dns(p);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->hops.size(), 1u);
  EXPECT_EQ(r->hops[0].to_string(), "tcp:127.0.0.1:5070");
  auto v6 = locate_without_dns(plan_locate("sips:[::1]", true));
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->hops[0].address, "::1");
  EXPECT_EQ(v6->hops[0].port, 5061);
  EXPECT_EQ(v6->hops[0].transport, transport_kind::tls);
}

TEST(sip_locator, host_with_port_uses_a_aaaa_only) {
  auto p = plan_locate("sip:proxy.sip.test:5080", true);
  EXPECT_FALSE(p.numeric);
  EXPECT_TRUE(p.srv.empty());
  EXPECT_EQ(p.host_port, 5080);
  EXPECT_EQ(p.host_transport, transport_kind::udp);
  EXPECT_FALSE(locate_without_dns(p));
}

TEST(sip_locator, transport_param_picks_that_srv_service) {
  auto p = plan_locate("sip:sip.test;transport=tcp", false);
  EXPECT_EQ(services(p), std::vector<std::string>{"_sip._tcp"});
  EXPECT_EQ(p.host_transport, transport_kind::tcp);
  EXPECT_EQ(p.host_port, 5060);
  auto s = plan_locate("sips:sip.test;transport=tcp", true);
  EXPECT_EQ(services(s), std::vector<std::string>{"_sips._tcp"});
  EXPECT_EQ(s.host_port, 5061);
}

TEST(sip_locator, no_transport_tries_every_supported_srv_in_preference_order) {
  EXPECT_EQ(services(plan_locate("sip:alice@sip.test", true)),
            (std::vector<std::string>{"_sips._tcp", "_sip._tcp", "_sip._udp"}));
  EXPECT_EQ(services(plan_locate("sip:alice@sip.test", false)),
            (std::vector<std::string>{"_sip._tcp", "_sip._udp"}));
  auto sips = plan_locate("sips:alice@sip.test", true);
  EXPECT_EQ(services(sips), std::vector<std::string>{"_sips._tcp"});
  EXPECT_EQ(sips.host_transport, transport_kind::tls);
}

TEST(sip_locator, unusable_uris_are_errors) {
  EXPECT_NE(plan_locate("tel:+15551234", true).error, "");
  EXPECT_NE(plan_locate("sips:alice@sip.test", false).error, "");  // no TLS configured
  EXPECT_NE(plan_locate("sip:a@sip.test;transport=sctp", true).error, "");
}

}  // namespace
