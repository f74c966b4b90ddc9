#include "codecs/sip/name_addr.hpp"

#include <gtest/gtest.h>

namespace fedgate::sip {
namespace {

TEST(sip_name_addr, forms) {
  auto q = parse_name_addr(R"("Alice \"A\"" <sip:alice@example.com;transport=tcp>;tag=1;x)");
  ASSERT_TRUE(q) << q.err().to_string();
  EXPECT_EQ(q->display_name_text(), R"(Alice "A")");
  EXPECT_TRUE(q->angle_brackets);
  EXPECT_EQ(q->address.param("transport"), "tcp");
  EXPECT_EQ(q->tag(), "1");
  EXPECT_EQ(q->param("x"), "");

  auto tokens = parse_name_addr("Alice  Smith <sip:a@b>");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(tokens->display_name, "Alice  Smith");

  auto bare = parse_name_addr("sip:a@b;tag=9", "To");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->angle_brackets);
  EXPECT_EQ(bare->uri_text, "sip:a@b");
  EXPECT_EQ(bare->tag(), "9");
  EXPECT_EQ(bare->address.params, "");

  auto other = parse_name_addr("<urn:service:sos>");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->address.scheme, uri_scheme::other);
}

TEST(sip_name_addr, errors_name_the_header) {
  EXPECT_EQ(parse_name_addr("\"open <sip:a@b>", "To").err().to_string(),
            "400 Malformed To header: unterminated quoted display name");
  EXPECT_EQ(parse_name_addr("< sip:a@b>", "To").err().to_string(),
            "400 Malformed To header: whitespace inside <>");
  EXPECT_EQ(parse_name_addr("sip:a@b?x=y", "Contact").err().to_string(),
            "400 Malformed Contact header: URI with ',' or '?' must be enclosed in <>");
  EXPECT_EQ(parse_name_addr("Doe, J <sip:a@b>").err().to_string(),
            "400 Malformed From header: display name is neither tokens nor a quoted string");
  EXPECT_EQ(parse_name_addr("<sip:a@b").err().to_string(),
            "400 Malformed From header: missing '>'");
  EXPECT_EQ(parse_name_addr("<sip:a@b>;tag=").err().status, 400);
  EXPECT_EQ(parse_name_addr("<sip:a@b>junk").err().to_string(),
            "400 Malformed From header: bad parameter");
  EXPECT_EQ(parse_name_addr("<sip:@b>").err().to_string(),
            "400 Malformed From header: Malformed URI: empty user");
  EXPECT_FALSE(parse_name_addr(""));
}

}  // namespace
}  // namespace fedgate::sip
