#include "codecs/sip/uri.hpp"

#include <gtest/gtest.h>

namespace fedgate::sip {
namespace {

TEST(sip_uri, sip_uri_components) {
  auto u = parse_uri("sips:alice:secret@example.com:5061;transport=tcp;lr?subject=hi&x=%20y");
  ASSERT_TRUE(u) << u.err().to_string();
  EXPECT_EQ(u->scheme, uri_scheme::sips);
  EXPECT_EQ(u->user, "alice");
  EXPECT_EQ(u->password, "secret");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->host_type, host_kind::hostname);
  EXPECT_EQ(u->port, 5061);
  EXPECT_EQ(u->params, ";transport=tcp;lr");
  EXPECT_EQ(u->param("TRANSPORT"), "tcp");
  EXPECT_EQ(u->param("lr"), "");
  EXPECT_FALSE(u->param("maddr"));
  EXPECT_EQ(u->header("subject"), "hi");
  EXPECT_EQ(unescape(*u->header("x")), " y");
}

TEST(sip_uri, hosts) {
  auto v6 = parse_uri("sip:[2001:db8::10]:5070");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "[2001:db8::10]");
  EXPECT_EQ(v6->host_type, host_kind::ipv6);
  EXPECT_EQ(v6->port, 5070);
  EXPECT_FALSE(v6->has_user);
  EXPECT_EQ(parse_uri("sip:192.0.2.4")->host_type, host_kind::ipv4);
  EXPECT_EQ(parse_uri("sip:[::ffff:192.0.2.4]")->host_type, host_kind::ipv6);
  EXPECT_EQ(parse_uri("sip:example.com.")->host_type, host_kind::hostname);
  EXPECT_EQ(classify_host("[1:2:3:4:5:6:7:8]"), host_kind::ipv6);
  EXPECT_EQ(classify_host("[1:2:3:4:5:6:7:8:9]"), host_kind::none);
  EXPECT_EQ(classify_host("[1::2::3]"), host_kind::none);
  EXPECT_EQ(classify_host("-bad.example.com"), host_kind::none);
  EXPECT_EQ(classify_host("a..b"), host_kind::none);
}

TEST(sip_uri, other_schemes_are_opaque) {
  auto tel = parse_uri("tel:+1-212-555-0101;phone-context=example.com");
  ASSERT_TRUE(tel);
  EXPECT_EQ(tel->scheme, uri_scheme::other);
  EXPECT_EQ(tel->scheme_text, "tel");
  EXPECT_EQ(tel->opaque, "+1-212-555-0101;phone-context=example.com");
  EXPECT_TRUE(parse_uri("xmpp:juliet@example.com"));
  EXPECT_FALSE(parse_uri("1tel:123"));
  EXPECT_FALSE(parse_uri("tel:"));
  EXPECT_FALSE(parse_uri("im:a b"));
}

TEST(sip_uri, rejects_malformed_sip_uris) {
  for (std::string_view bad : {"sip:", "sip:@example.com", "sip:user@", "sip:user@host:70000",
                               "sip:user@host:", "sip:us%G1er@host", "sip:host;", "sip:host;=v",
                               "sip:host?", "sip:host?a", "sip:[::1", "sip:a b@host",
                               "sip:user@ho st", "<sip:user@host>", "sip:host;p=v=w;q=\"x\""}) {
    auto u = parse_uri(bad);
    EXPECT_FALSE(u) << bad;
    if (!u) {
      EXPECT_EQ(u.err().reason.rfind("Malformed URI: ", 0), 0u) << bad;
    }
  }
}

TEST(sip_uri, unescape_decodes_percent_escapes_only) {
  EXPECT_EQ(unescape("a%20b%2c%2C"), "a b,,");
  EXPECT_EQ(unescape("%00"), std::string(1, '\0'));
  EXPECT_EQ(unescape("100%"), "100%");
  EXPECT_EQ(unescape("%Z1"), "%Z1");
}

}  // namespace
}  // namespace fedgate::sip
