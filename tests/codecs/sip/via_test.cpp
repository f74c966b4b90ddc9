#include "codecs/sip/via.hpp"

#include <gtest/gtest.h>

namespace fedgate::sip {
namespace {

TEST(sip_via, all_parameters) {
  auto v = parse_via(
      "SIP / 2.0 / TLS [2001:db8::1] : 5061 ;branch=z9hG4bK77;received=2001:db8::9;rport=5062;"
      "maddr=239.255.255.1;ttl=16;x-ext=1");
  ASSERT_TRUE(v) << v.err().to_string();
  EXPECT_EQ(v->protocol_name, "SIP");
  EXPECT_EQ(v->protocol_version, "2.0");
  EXPECT_EQ(v->transport, "TLS");
  EXPECT_EQ(v->host, "[2001:db8::1]");
  EXPECT_EQ(v->host_type, host_kind::ipv6);
  EXPECT_EQ(v->port, 5061);
  EXPECT_EQ(v->branch, "z9hG4bK77");
  EXPECT_TRUE(v->has_magic_cookie());
  EXPECT_EQ(v->received, "2001:db8::9");
  EXPECT_TRUE(v->rport);
  EXPECT_EQ(v->rport_value, 5062);
  EXPECT_EQ(v->maddr, "239.255.255.1");
  EXPECT_EQ(v->ttl, 16);
  EXPECT_EQ(v->param("x-ext"), "1");
}

TEST(sip_via, rfc2543_and_rport_without_value) {
  auto v = parse_via("SIP/2.0/UDP host.example.com;rport");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->branch, "");
  EXPECT_FALSE(v->has_magic_cookie());
  EXPECT_TRUE(v->rport);
  EXPECT_FALSE(v->rport_value);
  EXPECT_FALSE(v->port);
}

TEST(sip_via, errors) {
  auto reason = [](std::string_view s) {
    auto v = parse_via(s);
    return v ? std::string("accepted") : v.err().to_string();
  };
  EXPECT_EQ(reason("SIP/2.0/UDP"), "400 Malformed Via header: missing sent-by");
  EXPECT_EQ(reason("SIP/2.0 UDP h"), "400 Malformed Via header: bad sent-protocol");
  EXPECT_EQ(reason("SIP/2.0/UDP h:99999"), "400 Malformed Via header: bad sent-by port");
  EXPECT_EQ(reason("SIP/2.0/UDP h;branch"), "400 Malformed Via header: bad branch");
  EXPECT_EQ(reason("SIP/2.0/UDP h;received=host.example.com"),
            "400 Malformed Via header: bad received address");
  EXPECT_EQ(reason("SIP/2.0/UDP h;ttl=256"), "400 Malformed Via header: bad ttl");
  EXPECT_EQ(reason("SIP/2.0/UDP h;rport=x"), "400 Malformed Via header: bad rport");
  EXPECT_EQ(reason("SIP/2.0/UDP h junk"), "400 Malformed Via header: junk after sent-by");
  EXPECT_EQ(reason("SIP/2.0/UDP h;;"), "400 Malformed Via header: bad parameter");
  EXPECT_EQ(reason("SIP/2.0/UDP [::1"), "400 Malformed Via header: bad sent-by host");
}

}  // namespace
}  // namespace fedgate::sip
