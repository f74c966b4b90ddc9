#include "codecs/sip/serializer.hpp"

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"

namespace fedgate::sip {
namespace {

const std::string invite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "v: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1, SIP/2.0/UDP "
    "ua.example.com;branch=z9hG4bKua\r\n"
    "Via: SIP/2.0/UDP first.example.com;branch=z9hG4bK0\r\n"
    "Record-Route: <sip:p1.example.com;lr>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: c1@example.com\r\n"
    "CSeq: 314 INVITE\r\n"
    "Timestamp: 54\r\n"
    "Max-Forwards: 69\r\n"
    "Subject: folded\r\n  over two lines\r\n"
    "Content-Type: application/sdp\r\n"
    "l: 4\r\n"
    "\r\n"
    "v=0\n";

TEST(sip_serializer, round_trip_is_stable) {
  auto m = parse_datagram(invite);
  ASSERT_TRUE(m) << m.err().to_string();
  std::string once = serialize(*m);
  EXPECT_NE(once.find("v: SIP/2.0/UDP p1.example.com"), std::string::npos);  // compact name kept
  EXPECT_NE(once.find("Subject: folded over two lines\r\n"), std::string::npos);
  EXPECT_NE(once.find("l: 4\r\n\r\nv=0\n"), std::string::npos);
  auto again = parse_datagram(once);
  ASSERT_TRUE(again) << again.err().to_string();
  EXPECT_EQ(serialize(*again), once);
  EXPECT_EQ(again->vias().size(), 3u);
  EXPECT_EQ(again->body(), "v=0\n");
}

TEST(sip_serializer, rewrites_or_adds_content_length) {
  auto truncated = parse_datagram(invite + "trailing junk");
  ASSERT_TRUE(truncated);
  EXPECT_EQ(serialize(*truncated).substr(serialize(*truncated).size() - 4), "v=0\n");

  std::string no_length = invite;
  no_length.erase(no_length.find("l: 4\r\n"), 6);
  auto m = parse_datagram(no_length);
  ASSERT_TRUE(m);
  std::string out = serialize(*m);
  EXPECT_NE(out.find("Content-Length: 4\r\n\r\nv=0\n"), std::string::npos);
  EXPECT_TRUE(parse_stream_message(out));  // now frameable on a stream
}

TEST(sip_serializer, builder_makes_valid_requests) {
  auto b = message_builder::request("MESSAGE", "sip:bob@xmpp.test");
  b.header("Via", "SIP/2.0/TCP gw.example.com;branch=z9hG4bK1")
      .header(header_id::from, "<sip:alice@sip.test>;tag=x")
      .header(header_id::to, "<sip:bob@xmpp.test>")
      .header(header_id::call_id, "id1")
      .header(header_id::cseq, "1 MESSAGE")
      .header(header_id::max_forwards, "70")
      .header("Content-Length", "999")  // ignored: always computed
      .body("text/plain;charset=UTF-8", "hi there");
  auto bytes = b.serialize();
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->find("999"), std::string::npos);
  auto m = b.build();
  ASSERT_TRUE(m) << m.err().to_string();
  EXPECT_EQ(m->body(), "hi there");
  EXPECT_EQ(m->content_type()->param("charset"), "UTF-8");
  EXPECT_TRUE(parse_stream_message(*bytes));

  b.prepend_header("Via", "SIP/2.0/TCP proxy.example.com;branch=z9hG4bK2");
  EXPECT_EQ(b.build()->top_via().host, "proxy.example.com");
  b.remove_header(header_id::via);
  EXPECT_EQ(b.build().err().to_string(), "400 Missing required header: Via");
}

TEST(sip_serializer, builder_refuses_header_injection) {
  auto b = message_builder::request("MESSAGE", "sip:bob@xmpp.test");
  b.header("Subject", "hi\r\nVia: evil");
  EXPECT_EQ(b.serialize().err().to_string(), "400 CR or LF in header value");
  auto c = message_builder::request("MESSAGE", "sip:bob@xmpp.test");
  c.header("Bad Name", "x");
  EXPECT_FALSE(c.serialize());
  EXPECT_FALSE(message_builder::request("BAD METHOD", "sip:x").serialize());
  EXPECT_FALSE(message_builder::response(42).serialize());
}

TEST(sip_serializer, make_response_follows_8_2_6) {
  auto req = parse_datagram(invite);
  ASSERT_TRUE(req);
  auto ok = make_response(*req, 200, {}, "b7").build();
  ASSERT_TRUE(ok) << ok.err().to_string();
  EXPECT_EQ(ok->status_code(), 200);
  EXPECT_EQ(ok->reason_phrase(), "OK");
  auto vias = ok->vias();
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[0].host, "p1.example.com");
  EXPECT_EQ(vias[2].host, "first.example.com");
  EXPECT_EQ(ok->to().tag(), "b7");
  EXPECT_EQ(ok->from().tag(), "a1");
  EXPECT_EQ(ok->call_id(), "c1@example.com");
  EXPECT_EQ(ok->cseq().number, 314u);
  EXPECT_EQ(ok->cseq().method, "INVITE");
  EXPECT_EQ(ok->record_routes().size(), 1u);  // INVITE creates a dialog (§12.1.1)
  EXPECT_FALSE(ok->header(header_id::timestamp));
  EXPECT_FALSE(ok->header(header_id::subject));

  auto trying = make_response(*req, 100, {}, "b7").build();
  ASSERT_TRUE(trying);
  EXPECT_EQ(trying->to().tag(), "");                      // no tag on 100 (§8.2.6.2)
  EXPECT_EQ(trying->header(header_id::timestamp), "54");  // §8.2.6.1
  EXPECT_TRUE(trying->record_routes().empty());

  auto busy = make_response(*req, 486, "Busy Here Now").build();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->reason_phrase(), "Busy Here Now");
  EXPECT_TRUE(busy->record_routes().empty());
}

TEST(sip_serializer, make_response_keeps_an_existing_to_tag) {
  auto req = parse_datagram(
      "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\n"
      "To: <sip:b@x>;tag=existing\r\nCall-ID: c\r\nCSeq: 2 MESSAGE\r\nRecord-Route: <sip:p;lr>\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(req);
  auto ok = make_response(*req, 202, {}, "new").build();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->to().tag(), "existing");
  EXPECT_EQ(ok->reason_phrase(), "Accepted");
  EXPECT_TRUE(ok->record_routes().empty());  // MESSAGE creates no dialog
}

TEST(sip_serializer, reason_phrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(416), "Unsupported URI Scheme");
  EXPECT_EQ(reason_phrase(513), "Message Too Large");
  EXPECT_EQ(reason_phrase(499), "Client Error");
  EXPECT_EQ(reason_phrase(699), "Global Failure");
}

}  // namespace
}  // namespace fedgate::sip
