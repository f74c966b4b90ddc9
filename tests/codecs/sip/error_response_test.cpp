// make_error_response(): answering requests the parser rejects (RFC 3261 §8.2, §8.2.6.2).
// The RFC 4475 table runs every torture message the parser rejects through it: a response must
// come out (and parse, with the parser's status, Call-ID, CSeq and Vias) unless the row says why
// none can.

#include "codecs/sip/error_response.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"
#include "codecs/sip/stream_framer.hpp"
#include "tests/codecs/sip/test_data.hpp"

namespace fedgate::sip {
namespace {

struct row {
  const char* file;
  bool answered;    // false: nullopt expected, for the reason in `why`
  const char* why;  // answered: what is special about it
  const char* call_id;
  std::uint32_t cseq;
  const char* cseq_method;
  std::vector<const char*> via_hosts;  // every Via, in order
  const char* to_uri;
  const char* to_tag;  // nullptr: derived (any token)
};

const std::vector<row>& table() {
  static const std::vector<row> rows = {
      {"badinv01",
       false,
       "only Via is malformed (';;,;,,'): nowhere to send",
       "",
       0,
       "",
       {},
       "",
       nullptr},
      {"clerr",
       true,
       "Content-Length larger than the datagram",
       "clerr.0ha0isndaksdjweiafasdk3",
       8,
       "INVITE",
       {"host5.example.com"},
       "sip:j.user@example.com",
       nullptr},
      {"ncl",
       true,
       "negative Content-Length",
       "ncl.0ha0isndaksdj2193423r542w35",
       0,
       "INVITE",
       {"192.0.2.53"},
       "sip:j.user@example.com",
       nullptr},
      {"scalar02",
       false,
       "CSeq number beyond 2^32-1 cannot be copied into a valid response",
       "",
       0,
       "",
       {},
       "",
       nullptr},
      {"quotbal",
       true,
       "To with an unterminated quote is reduced to its <addr-spec>",
       "quotbal.aksdj",
       8,
       "INVITE",
       {"192.0.2.59"},
       "sip:j.user@example.com",
       nullptr},
      {"ltgtruri",
       true,
       "Via without branch (RFC 2543 peer)",
       "ltgtruri.1@192.0.2.5",
       1,
       "INVITE",
       {"192.0.2.5"},
       "sip:user@example.com",
       nullptr},
      {"lwsruri",
       true,
       "To already has a tag: kept, none added",
       "lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423",
       2130706432,
       "INVITE",
       {"192.0.2.1"},
       "sip:user@example.com",
       "3xfe-9921883-z9f"},
      {"lwsstart",
       true,
       "",
       "lwsstart.dfknq234oi243099adsdfnawe3@example.com",
       1893884,
       "INVITE",
       {"host1.example.com"},
       "sip:user@example.com",
       nullptr},
      {"trws",
       true,
       "",
       "trws.oicu34958239neffasdhr2345r",
       238923,
       "OPTIONS",
       {"host1.examle.com"},
       "sip:remote-target@example.com",
       nullptr},
      {"escruri",
       true,
       "",
       "escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5",
       149209342,
       "INVITE",
       {"host-of-the-hour.example.com"},
       "sip:user@example.com",
       nullptr},
      {"regbadct",
       true,
       "the bad Contact is not copied",
       "regbadct.k345asrl3fdbv@10.0.0.1",
       1,
       "REGISTER",
       {"135.180.130.133"},
       "sip:user@example.com",
       nullptr},
      {"badaspec",
       true,
       "To with spaces inside <> is reduced to <addr-spec>",
       "badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3",
       3923239,
       "OPTIONS",
       {"host4.example.com"},
       "sip:t.watson@example.org",
       nullptr},
      {"baddn",
       true,
       "From and To with ',' in a token display name",
       "baddn.31415@c.example.com",
       3923239,
       "OPTIONS",
       {"c.example.com"},
       "sip:t.watson@example.org",
       nullptr},
      {"badvers",
       true,
       "505 answered in SIP/2.0",
       "badvers.31417@c.example.com",
       1,
       "OPTIONS",
       {"c.example.com"},
       "sip:t.watson@example.org",
       nullptr},
      {"mismatch01",
       true,
       "CSeq copied as sent",
       "mismatch01.dj0234sxdfl3",
       8,
       "INVITE",
       {"host.example.com"},
       "sip:j.user@example.com",
       nullptr},
      {"mismatch02",
       true,
       "",
       "mismatch02.dj0234sxdfl3",
       8,
       "INVITE",
       {"host.example.net"},
       "sip:j.user@example.com",
       nullptr},
      {"insuf", false, "no To, From or Call-ID", "", 0, "", {}, "", nullptr},
      {"multi01",
       true,
       "the first of each repeated header is used",
       "multi01.98asdh@192.0.2.1",
       5,
       "INVITE",
       {"192.0.2.25"},
       "sip:user@example.com",
       nullptr},
      {"mcl01",
       true,
       "",
       "mcl01.fhn2323orihawfdoa3o4r52o3irsdf",
       15932,
       "OPTIONS",
       {"host5.example.net"},
       "sip:user@example.com",
       nullptr},
      {"test", false, "no Via, no CSeq", "", 0, "", {}, "", nullptr},
      {"scalarlg", false, "a response: never answered (§18.1.2)", "", 0, "", {}, "", nullptr},
      {"bigcode", false, "a response: never answered (§18.1.2)", "", 0, "", {}, "", nullptr},
  };
  return rows;
}

TEST(sip_error_response, rfc4475_rejected_messages) {
  for (const auto& r : table()) {
    SCOPED_TRACE(r.file);
    std::string raw = test::rfc4475(r.file);
    ASSERT_FALSE(raw.empty());
    auto parsed = parse_datagram(raw);
    ASSERT_FALSE(parsed.ok()) << "the table lists rejected messages only";
    auto out = make_error_response(raw, parsed.err());
    if (!r.answered) {
      EXPECT_FALSE(out.has_value()) << r.why << "\n" << *out;
      continue;
    }
    ASSERT_TRUE(out.has_value()) << r.why;
    auto m = parse_datagram(*out);
    ASSERT_TRUE(m.ok()) << m.err().to_string() << "\n" << *out;
    EXPECT_TRUE(m->is_response());
    EXPECT_EQ(m->status_code(), parsed.err().status);
    EXPECT_EQ(m->reason_phrase(), parsed.err().reason);
    EXPECT_EQ(m->call_id(), r.call_id);
    EXPECT_EQ(m->cseq().number, r.cseq);
    EXPECT_EQ(m->cseq().method, r.cseq_method);
    auto vias = m->vias();
    ASSERT_EQ(vias.size(), r.via_hosts.size());
    for (std::size_t i = 0; i < vias.size(); ++i)
      EXPECT_EQ(vias[i].host, r.via_hosts[i]);
    EXPECT_EQ(m->to().uri_text, r.to_uri);
    if (r.to_tag != nullptr) {
      EXPECT_EQ(m->to().tag(), r.to_tag);
    } else {
      EXPECT_EQ(m->to().tag().size(), 16u);  // derived (§8.2.7)
    }
    EXPECT_EQ(m->body(), "");
    EXPECT_EQ(*make_error_response(raw, parsed.err()), *out) << "same request, same answer";
  }
}

TEST(sip_error_response, rfc4475_statuses) {
  auto badvers = test::rfc4475("badvers");
  auto out = make_error_response(badvers, parse_datagram(badvers).err());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->substr(0, 34), "SIP/2.0 505 Version Not Supported\r");
}

const std::string base =
    "MESSAGE sip:bob@xmpp.test SIP/2.0\r\n"
    "v: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1, SIP/2.0/UDP "
    "ua.example.com;branch=z9hG4bKua\r\n"
    "VIA : SIP/2.0/TCP first.example.com:5070\r\n"
    "  ;branch=z9hG4bK0\r\n"
    "f: \"Alice\" <sip:alice@sip.test>;tag=a1\r\n"
    "t: <sip:bob@xmpp.test>\r\n"
    "i: c1@sip.test\r\n"
    "CSeq: 7 MESSAGE\r\n"
    "X-Broken: \r\n"
    "Content-Length: 9999\r\n"
    "\r\n"
    "hello";

TEST(sip_error_response, compact_forms_folding_and_every_via_in_order) {
  auto e = parse_datagram(base).err();
  EXPECT_EQ(e.to_string(), "400 Content-Length larger than datagram");
  auto out = make_error_response(base, e, "gw1");
  ASSERT_TRUE(out);
  EXPECT_EQ(*out,
            "SIP/2.0 400 Content-Length larger than datagram\r\n"
            "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1, SIP/2.0/UDP "
            "ua.example.com;branch=z9hG4bKua\r\n"
            "Via: SIP/2.0/TCP first.example.com:5070 ;branch=z9hG4bK0\r\n"
            "From: \"Alice\" <sip:alice@sip.test>;tag=a1\r\n"
            "To: <sip:bob@xmpp.test>;tag=gw1\r\n"
            "Call-ID: c1@sip.test\r\n"
            "CSeq: 7 MESSAGE\r\n"
            "Content-Length: 0\r\n\r\n");
  auto m = parse_datagram(*out);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->vias().size(), 3u);
  EXPECT_EQ(m->vias()[2].branch, "z9hG4bK0");
}

TEST(sip_error_response, bare_lf_line_ends_are_read) {
  std::string lf;
  for (char c : base) {
    if (c != '\r') lf.push_back(c);
  }
  auto out = make_error_response(lf, bad_request("Malformed header: bare LF"), "x");
  ASSERT_TRUE(out);
  EXPECT_TRUE(parse_datagram(*out));
}

TEST(sip_error_response, to_tag_rules) {
  auto e = bad_request("Broken");
  auto derived = make_error_response(base, e);
  auto again = make_error_response(base, e, "not a token!");  // invalid: derived instead
  ASSERT_TRUE(derived && again);
  EXPECT_EQ(*derived, *again);
  std::string other = base;
  other.replace(other.find("CSeq: 7"), 7, "CSeq: 8");
  auto different = make_error_response(other, e);
  ASSERT_TRUE(different);
  EXPECT_NE(parse_datagram(*derived)->to().tag(), parse_datagram(*different)->to().tag());
}

TEST(sip_error_response, what_cannot_be_answered) {
  auto e = bad_request("Broken");
  EXPECT_FALSE(make_error_response("", e));
  EXPECT_FALSE(make_error_response("\x01\x02garbage\r\n\r\n", e));
  EXPECT_FALSE(make_error_response("SIP/2.0 200 OK\r\n" + base.substr(base.find('\n') + 1), e));
  std::string no_via = base;
  no_via.erase(no_via.find("v: "), no_via.find("f: ") - no_via.find("v: "));
  EXPECT_FALSE(make_error_response(no_via, e));
  std::string bad_lower_via = base;
  bad_lower_via.replace(bad_lower_via.find("first.example.com:5070"), 22,
                        "first.example.com:99999");
  EXPECT_FALSE(make_error_response(bad_lower_via, e));
  std::string bad_call_id = base;
  bad_call_id.replace(bad_call_id.find("i: c1@"), 6, "i: c 1@");
  EXPECT_FALSE(make_error_response(bad_call_id, e));
  std::string no_cseq = base;
  no_cseq.erase(no_cseq.find("CSeq: 7 MESSAGE\r\n"), 17);
  EXPECT_FALSE(make_error_response(no_cseq, e));
  std::string hopeless_to = base;
  hopeless_to.replace(hopeless_to.find("t: <sip:bob@xmpp.test>"), 22, "t: bob at xmpp");
  EXPECT_FALSE(make_error_response(hopeless_to, e));
  EXPECT_FALSE(make_error_response(base, error{200, "OK"}));  // not an error status
}

TEST(sip_error_response, no_injection_through_values_or_reason) {
  // A bare CR inside a value must not become a line break in the answer.
  std::string cr = base;
  cr.replace(cr.find("i: c1@sip.test"), 14, "i: c1@sip.test\rX-Evil: 1");
  EXPECT_FALSE(make_error_response(cr, bad_request("x")));
  // A reason phrase with CR/LF or control bytes is sanitised; invalid UTF-8 too; UTF-8 is kept.
  auto out = make_error_response(base, error{400, "Bad\r\nX-Evil: 1\x01 \xc3\xa9t\xe9"});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->substr(0, out->find("\r\n")), "SIP/2.0 400 Bad??X-Evil: 1? \xc3\xa9t?");
  auto m = parse_datagram(*out);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header("X-Evil"), std::nullopt);
  // Empty reason: the default phrase of the status.
  auto plain = make_error_response(base, error{513, ""});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->substr(0, 29), "SIP/2.0 513 Message Too Large");
  // A long reason is cut (at a character boundary) to stay within the Status-Line limit.
  auto long_reason = make_error_response(base, error{400, std::string(5000, 'x')});
  ASSERT_TRUE(long_reason);
  EXPECT_LT(long_reason->find("\r\n"), 220u);
}

TEST(sip_error_response, bounded_by_limits) {
  limits lim;
  lim.max_headers = 6;  // 2 Via fields + From, To, Call-ID, CSeq, Content-Length = 7
  EXPECT_FALSE(make_error_response(base, bad_request("x"), "t", lim));
  lim.max_headers = 7;
  EXPECT_TRUE(make_error_response(base, bad_request("x"), "t", lim));
  limits tiny_lines;
  tiny_lines.max_header_line_bytes = 40;  // the first Via field is longer
  EXPECT_FALSE(make_error_response(base, bad_request("x"), "t", tiny_lines));
  // A header section cut in the middle of a line: the partial line is never copied.
  std::string cut = base.substr(0, base.find("z9hG4bKua") + 4);
  EXPECT_FALSE(make_error_response(cut, bad_request("x")));
}

TEST(sip_error_response, framer_hands_over_the_bytes_to_answer) {
  std::string good_len = base;
  good_len.replace(good_len.find("Content-Length: 9999"), 20, "Content-Length: 5");
  std::string broken = good_len;
  broken.replace(broken.find("CSeq: 7 MESSAGE"), 15, "CSeq: 7 INVITE");
  std::vector<std::string> answers;
  stream_framer f({nullptr, nullptr, nullptr, [&answers](const error& e, std::string_view bytes) {
                     auto out = make_error_response(bytes, e, "t");
                     ASSERT_TRUE(out);
                     answers.push_back(*out);
                   }});
  EXPECT_TRUE(f.consume(broken + good_len).ok());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].substr(0, 55), "SIP/2.0 400 CSeq method does not match request method\r\n");

  stream_framer g({});
  std::string no_len = good_len;
  no_len.erase(no_len.find("Content-Length: 5\r\n"), 19);
  auto res = g.consume(no_len);
  ASSERT_FALSE(res.ok());
  auto out = make_error_response(res.fatal_bytes, *res.fatal, "t");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->substr(0, 56), "SIP/2.0 400 Missing Content-Length on stream transport\r\n");
}

}  // namespace
}  // namespace fedgate::sip
