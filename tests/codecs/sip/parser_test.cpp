#include "codecs/sip/parser.hpp"

#include <string>

#include <gtest/gtest.h>

namespace fedgate::sip {
namespace {

const std::string message_request =
    "MESSAGE sip:bob@xmpp.test SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:15100;branch=z9hG4bK-1-0\r\n"
    "f: <sip:alice@sip.test>;tag=1SIPpTag001\r\n"
    "t: <sip:bob@xmpp.test>\r\n"
    "i: 1-1@127.0.0.1\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Max-Forwards: 70\r\n"
    "c: text/plain\r\n"
    "l: 11\r\n"
    "\r\n"
    "seq=1 t=0.1";

std::string with_header(const std::string& base, const std::string& line) {
  std::string out = base;
  out.insert(out.find("CSeq:"), line + "\r\n");
  return out;
}

TEST(sip_parser, parses_request_with_compact_headers) {
  auto m = parse_datagram(message_request);
  ASSERT_TRUE(m) << m.err().to_string();
  EXPECT_TRUE(m->is_request());
  EXPECT_EQ(m->method(), "MESSAGE");
  EXPECT_EQ(m->request_uri(), "sip:bob@xmpp.test");
  EXPECT_EQ(m->header_count(), 8u);
  EXPECT_EQ(m->header_at(1).name, "f");
  EXPECT_EQ(m->header_at(1).id, header_id::from);
  EXPECT_EQ(m->header("From"), "<sip:alice@sip.test>;tag=1SIPpTag001");
  EXPECT_EQ(m->header("content-type"), "text/plain");
  EXPECT_EQ(m->call_id(), "1-1@127.0.0.1");
  EXPECT_EQ(m->from().tag(), "1SIPpTag001");
  EXPECT_EQ(m->to().tag(), "");
  EXPECT_EQ(m->cseq().number, 1u);
  EXPECT_EQ(m->max_forwards(), 70);
  EXPECT_EQ(m->top_via().port, 15100);
  EXPECT_EQ(m->body(), "seq=1 t=0.1");
}

TEST(sip_parser, parses_response) {
  auto m = parse_datagram(
      "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
      "To: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(m) << m.err().to_string();
  EXPECT_TRUE(m->is_response());
  EXPECT_EQ(m->status_code(), 180);
  EXPECT_EQ(m->reason_phrase(), "Ringing");
  EXPECT_EQ(m->method(), "INVITE");
}

TEST(sip_parser, unfolds_continuation_lines_in_place) {
  auto m = parse_datagram(with_header(message_request, "Subject: first\r\n \t second\r\n  third"));
  ASSERT_TRUE(m) << m.err().to_string();
  EXPECT_EQ(m->header(header_id::subject), "first second third");
  auto again = parse_datagram(m->raw());  // raw() stays a valid message after unfolding
  ASSERT_TRUE(again);
  EXPECT_EQ(again->header(header_id::subject), "first second third");
}

TEST(sip_parser, copies_and_moves_keep_views_valid) {
  message copy;
  {
    auto m = parse_datagram(message_request);
    ASSERT_TRUE(m);
    message moved = std::move(*m);
    copy = moved;
  }
  EXPECT_EQ(copy.call_id(), "1-1@127.0.0.1");
  EXPECT_EQ(copy.from().address.user, "alice");
  EXPECT_EQ(copy.body(), "seq=1 t=0.1");
}

TEST(sip_parser, datagram_content_length_rules) {
  std::string no_length = message_request;
  no_length.erase(no_length.find("l: 11\r\n"), 7);
  auto m = parse_datagram(no_length);
  ASSERT_TRUE(m) << m.err().to_string();
  EXPECT_EQ(m->body(), "seq=1 t=0.1");  // optional on UDP: the rest of the datagram

  auto longer = parse_datagram(message_request.substr(0, message_request.size() - 1));
  ASSERT_FALSE(longer);
  EXPECT_EQ(longer.err().to_string(), "400 Content-Length larger than datagram");

  auto extra = parse_datagram(message_request + "garbage");
  ASSERT_TRUE(extra);
  EXPECT_EQ(extra->body(), "seq=1 t=0.1");  // §18.3: extra octets discarded
}

TEST(sip_parser, stream_message_requires_content_length) {
  std::string no_length = message_request;
  no_length.erase(no_length.find("l: 11\r\n"), 7);
  auto m = parse_stream_message(no_length);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.err().to_string(), "400 Missing Content-Length on stream transport");
  EXPECT_TRUE(parse_stream_message(message_request));
}

TEST(sip_parser, version_errors) {
  std::string v3 = message_request;
  v3.replace(v3.find("SIP/2.0\r\n"), 7, "SIP/3.0");
  EXPECT_EQ(parse_datagram(v3).err().status, 505);
  std::string junk = message_request;
  junk.replace(junk.find("SIP/2.0\r\n"), 7, "HTTP/1.1");
  EXPECT_EQ(parse_datagram(junk).err().to_string(), "400 Malformed Request-Line: bad SIP version");
  std::string lower = message_request;
  lower.replace(lower.find("SIP/2.0\r\n"), 7, "sip/2.0");  // §7.1: case-insensitive
  EXPECT_TRUE(parse_datagram(lower));
}

TEST(sip_parser, rejects_bad_line_endings) {
  std::string bare_lf = message_request;
  bare_lf.erase(bare_lf.find("\r\nf:"), 1);
  EXPECT_EQ(parse_datagram(bare_lf).err().to_string(), "400 Malformed header: bare LF");
  std::string bare_cr = with_header(message_request, "X-A: a\rb");
  EXPECT_EQ(parse_datagram(bare_cr).err().to_string(), "400 Malformed header: bare CR");
}

TEST(sip_parser, names_the_broken_header) {
  EXPECT_EQ(parse_datagram(with_header(message_request, "Via: SIP/2.0/UDP")).err().to_string(),
            "400 Malformed Via header: missing sent-by");
  EXPECT_EQ(
      parse_datagram(with_header(message_request, "Via: SIP/2.0/UDP h;branch=")).err().to_string(),
      "400 Malformed Via header: bad parameter");
  EXPECT_EQ(parse_datagram(with_header(message_request, "From: <sip:x@y>")).err().to_string(),
            "400 Multiple From headers");
  EXPECT_EQ(parse_datagram(with_header(message_request, "Max-Forwards: 70")).err().to_string(),
            "400 Multiple Max-Forwards headers");
  EXPECT_EQ(parse_datagram(with_header(message_request, "Max-Forwards: 256")).err().to_string(),
            "400 Malformed Max-Forwards header: not a number from 0 to 255");
  EXPECT_EQ(parse_datagram(with_header(message_request, "Contact: <sip:a@b")).err().to_string(),
            "400 Malformed Contact header: bad list");
  EXPECT_EQ(parse_datagram(with_header(message_request, "No colon here")).err().to_string(),
            "400 Malformed header: missing ':' after No");
  std::string bad_cseq = message_request;
  bad_cseq.replace(bad_cseq.find("1 MESSAGE"), 9, "x MESSAGE");
  EXPECT_EQ(parse_datagram(bad_cseq).err().to_string(),
            "400 Malformed CSeq header: missing sequence number");
}

TEST(sip_parser, enforces_limits_with_513) {
  limits small;
  small.max_message_bytes = 100;
  auto big = parse_datagram(message_request, small);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.err().status, 513);

  limits few;
  few.max_headers = 4;
  auto many = parse_datagram(message_request, few);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.err().to_string(), "513 Message Too Large: too many header fields");

  limits narrow;
  narrow.max_header_line_bytes = 40;
  auto wide =
      parse_datagram(with_header(message_request, "X-Long: " + std::string(60, 'a')), narrow);
  ASSERT_FALSE(wide);
  EXPECT_EQ(wide.err().to_string(), "513 Message Too Large: header field too long");

  EXPECT_EQ(parse_datagram(with_header(message_request, "Content-Length: 99999999")).err().status,
            513);  // a Content-Length over the size limit
}

TEST(sip_parser, keepalive_datagrams) {
  EXPECT_TRUE(is_keepalive("\r\n\r\n"));
  EXPECT_TRUE(is_keepalive("\r\n"));
  EXPECT_FALSE(is_keepalive(""));
  EXPECT_FALSE(is_keepalive("\r\n\r"));
  EXPECT_FALSE(is_keepalive(message_request));
}

TEST(sip_parser, unsupported_scheme_only_for_unknown_request_uri_schemes) {
  EXPECT_FALSE(unsupported_scheme(*parse_datagram(message_request)));
  std::string tel = message_request;
  tel.replace(tel.find("sip:bob@xmpp.test"), 17, "tel:+15551234567");
  EXPECT_FALSE(unsupported_scheme(*parse_datagram(tel)));
  std::string im = message_request;
  im.replace(im.find("sip:bob@xmpp.test"), 17, "im:bob@xmpp.test");
  auto e = unsupported_scheme(*parse_datagram(im));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->to_string(), "416 Unsupported URI Scheme");
}

TEST(sip_parser, rejects_garbage_without_crashing) {
  for (std::string_view junk : {"", "\r\n", "INVITE", "SIP/2.0 200 OK\r\n", "\r\n\r\n",
                                "SIP/2.0 99 X\r\n\r\n", "A B C\r\n\r\n"}) {
    auto m = parse_datagram(junk);
    EXPECT_FALSE(m) << junk;
    if (!m) {
      EXPECT_EQ(m.err().status, 400);
    }
  }
}

}  // namespace
}  // namespace fedgate::sip
