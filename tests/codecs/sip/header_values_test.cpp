#include "codecs/sip/header_values.hpp"

#include <gtest/gtest.h>

namespace fedgate::sip {
namespace {

TEST(sip_header_values, quoted_strings) {
  EXPECT_EQ(scan_quoted_string(R"("a\"b" rest)", 0), 6u);
  EXPECT_EQ(scan_quoted_string(R"("open)", 0), std::string_view::npos);
  EXPECT_EQ(scan_quoted_string(R"("ends in \")", 0), std::string_view::npos);
  EXPECT_EQ(unquote(R"("J \"R\" \\")"), R"(J "R" \)");
  EXPECT_EQ(unquote("token"), "token");
  EXPECT_EQ(quote(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(unquote(quote("x\"y")), "x\"y");
}

TEST(sip_header_values, lists_respect_quotes_and_brackets) {
  auto l = split_list(R"("Doe, J" <sip:j@x;a=b,c>, <sip:k@y> , sip:z@w)", "Contact");
  ASSERT_TRUE(l);
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0], R"("Doe, J" <sip:j@x;a=b,c>)");
  EXPECT_EQ((*l)[1], "<sip:k@y>");
  EXPECT_EQ((*l)[2], "sip:z@w");
  EXPECT_FALSE(split_list("a,,b"));
  EXPECT_FALSE(split_list("a,"));
  EXPECT_EQ(split_list(R"("unterminated, x)", "Contact").err().to_string(),
            "400 Malformed Contact header: bad list element");
  EXPECT_FALSE(split_list("<sip:a@b, c"));
}

TEST(sip_header_values, params) {
  std::string_view p = R"( ; tag = abc ;lr; q=0.5;x="a;b" ;received=[::1])";
  EXPECT_TRUE(valid_params(p));
  EXPECT_EQ(find_param(p, "TAG"), "abc");
  EXPECT_EQ(find_param(p, "lr"), "");
  EXPECT_EQ(find_param(p, "x"), "\"a;b\"");
  EXPECT_EQ(find_param(p, "received"), "[::1]");
  EXPECT_FALSE(find_param(p, "missing"));
  EXPECT_TRUE(valid_params(""));
  for (std::string_view bad : {";", ";;", ";a=", ";a b", "a", ";a=\"x", ";a=b c", ";=b"}) {
    EXPECT_FALSE(valid_params(bad)) << bad;
  }
}

TEST(sip_header_values, cseq) {
  auto c = parse_cseq("  4294967295   INVITE ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 4294967295u);
  EXPECT_EQ(c->method, "INVITE");
  EXPECT_EQ(parse_cseq("4294967296 INVITE").err().to_string(),
            "400 Malformed CSeq header: sequence number out of range");
  EXPECT_FALSE(parse_cseq("1INVITE"));
  EXPECT_FALSE(parse_cseq("1 INVITE x"));
  EXPECT_FALSE(parse_cseq("-1 INVITE"));
}

TEST(sip_header_values, numbers) {
  EXPECT_EQ(parse_max_forwards("0068").value(), 68);
  EXPECT_FALSE(parse_max_forwards("256"));
  EXPECT_FALSE(parse_max_forwards(""));
  EXPECT_EQ(parse_content_length(" 42 ", 100).value(), 42u);
  EXPECT_EQ(parse_content_length("101", 100).err().status, 513);
  EXPECT_EQ(parse_content_length("-1", 100).err().status, 400);
  EXPECT_EQ(parse_content_length("99999999999999999999999", 100).err().status, 513);
  EXPECT_EQ(parse_delta_seconds("4294967295").value(), 4294967295u);
  EXPECT_FALSE(parse_delta_seconds("4294967296"));
}

TEST(sip_header_values, call_id) {
  EXPECT_TRUE(valid_call_id("abc@host"));
  EXPECT_TRUE(valid_call_id("a-b.c!%*_+`'~()<>:\\\"/[]?{}"));
  EXPECT_FALSE(valid_call_id(""));
  EXPECT_FALSE(valid_call_id("a b"));
  EXPECT_FALSE(valid_call_id("a@"));
  EXPECT_FALSE(valid_call_id("a@b@c"));
}

TEST(sip_header_values, media_type_event_subscription_state) {
  auto mt = parse_media_type("Application / PIDF+XML ; charset=\"utf-8\"");
  ASSERT_TRUE(mt);
  EXPECT_TRUE(mt->is("application", "pidf+xml"));
  EXPECT_EQ(mt->param("charset"), "\"utf-8\"");
  EXPECT_FALSE(parse_media_type("text"));
  EXPECT_FALSE(parse_media_type("text/"));

  auto ev = parse_event("presence.winfo;id=7");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->package, "presence.winfo");
  EXPECT_EQ(ev->id(), "7");
  EXPECT_FALSE(parse_event(""));

  auto st = parse_subscription_state("terminated;reason=timeout;retry-after=30");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, "terminated");
  EXPECT_EQ(st->reason, "timeout");
  EXPECT_EQ(st->retry_after, 30u);
  EXPECT_FALSE(st->expires);
  EXPECT_FALSE(parse_subscription_state("active;expires=soon"));
}

}  // namespace
}  // namespace fedgate::sip
