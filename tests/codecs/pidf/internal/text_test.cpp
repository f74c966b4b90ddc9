#include "codecs/pidf/internal/text.hpp"

#include <gtest/gtest.h>

namespace fedgate::pidf::internal {
namespace {

TEST(PidfText, FindInvalidChar) {
  EXPECT_FALSE(find_invalid_char(""));
  EXPECT_FALSE(find_invalid_char("plain\t\r\n"));
  EXPECT_FALSE(find_invalid_char("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_EQ(find_invalid_char("ab\x01"), 2u);
  EXPECT_EQ(find_invalid_char(std::string_view("a\0", 2)), 1u);
  EXPECT_EQ(find_invalid_char("a\x80"), 1u);             // stray continuation
  EXPECT_EQ(find_invalid_char("a\xC3"), 1u);             // truncated
  EXPECT_EQ(find_invalid_char("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(find_invalid_char("\xED\xA0\x80"), 0u);      // surrogate
  EXPECT_EQ(find_invalid_char("\xEF\xBF\xBE"), 0u);      // U+FFFE
  EXPECT_EQ(find_invalid_char("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_char("\xF8\x88\x80\x80\x80"), 0u);
}

TEST(PidfText, DateTime) {
  for (const char* ok :
       {"2001-10-27T16:49:29Z", "2005-05-30T16:09:44+05:00", "2004-10-21T13:20:00.000-05:00",
        "2001-10-27T16:49:29", "-0044-03-15T12:00:00Z", "12345-01-01T00:00:00Z",
        "2016-12-31T23:59:60Z"}) {
    EXPECT_TRUE(is_date_time(ok)) << ok;
  }
  for (const char* bad :
       {"", "2001-10-27", "2001-10-27T16:49Z", "01-10-27T16:49:29Z", "2001-00-27T16:49:29Z",
        "2001-10-32T16:49:29Z", "2001-10-27T25:00:00Z", "2001-10-27T16:61:29Z",
        "2001-10-27T16:49:29.Z", "2001-10-27T16:49:29Zx", "2001-10-27T16:49:29+5:00",
        "2001-10-27T16:49:29+05", " 2001-10-27T16:49:29Z"}) {
    EXPECT_FALSE(is_date_time(bad)) << bad;
  }
}

TEST(PidfText, Priority) {
  EXPECT_EQ(parse_priority("0"), 0);
  EXPECT_EQ(parse_priority("1"), 1000);
  EXPECT_EQ(parse_priority("01"), 1000);
  EXPECT_EQ(parse_priority("0.8"), 800);
  EXPECT_EQ(parse_priority("0.08"), 80);
  EXPECT_EQ(parse_priority("0.008"), 8);
  EXPECT_EQ(parse_priority("0.0080"), 8);
  EXPECT_EQ(parse_priority("1.0000"), 1000);
  EXPECT_EQ(parse_priority("1."), 1000);
  EXPECT_EQ(parse_priority(".5"), 500);
  EXPECT_FALSE(parse_priority("1.001"));
  EXPECT_FALSE(parse_priority("2"));
  EXPECT_FALSE(parse_priority("10"));
  EXPECT_FALSE(parse_priority("0.0001"));
  EXPECT_FALSE(parse_priority("-0"));
  EXPECT_FALSE(parse_priority("."));
  EXPECT_FALSE(parse_priority(""));
  EXPECT_FALSE(parse_priority("0.5x"));
  EXPECT_FALSE(parse_priority("1e0"));
  for (std::uint16_t m = 0; m <= 1000; ++m)
    EXPECT_EQ(parse_priority(format_priority(m)), m);
}

TEST(PidfText, PositiveU32AndTrim) {
  EXPECT_EQ(parse_positive_u32("600"), 600u);
  EXPECT_EQ(parse_positive_u32("+1"), 1u);
  EXPECT_EQ(parse_positive_u32("4294967295"), 4294967295u);
  EXPECT_FALSE(parse_positive_u32("4294967296"));
  EXPECT_FALSE(parse_positive_u32("0"));
  EXPECT_FALSE(parse_positive_u32("-1"));
  EXPECT_FALSE(parse_positive_u32(""));
  EXPECT_FALSE(parse_positive_u32("1 "));
  EXPECT_EQ(trim(" \t\r\na b\n"), "a b");
  EXPECT_TRUE(is_trimmed("a b"));
  EXPECT_FALSE(is_trimmed("a "));
}

}  // namespace
}  // namespace fedgate::pidf::internal
