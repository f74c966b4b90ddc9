// RFC 4475 (SIP torture tests), one table row per message of the archive. Each row says what the
// codec must do with the datagram and what it must have parsed. Rows marked DECISION are
// messages the RFC calls valid-but-rejected-by-the-application or invalid-but-tolerable; the
// comment gives the RFC's own guidance and what fedgate does.

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"
#include "tests/codecs/sip/test_data.hpp"

namespace fedgate::sip {
namespace {

enum class outcome { accept, reject };

struct row {
  const char* file;
  const char* section;
  outcome expect;
  int status;                                 // reject: the status the error carries
  const char* reason_part;                    // reject: a substring of the reason phrase
  std::function<void(const message&)> check;  // accept: what must have been parsed
};

const std::vector<row>& table() {
  static const std::vector<row> rows = {
      // ---- §3.1.1 valid messages: accept, and parse what makes them tortuous ----
      {"wsinv", "3.1.1.1", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.method(), "INVITE");
         EXPECT_EQ(m.to().uri_text, "sip:vivekg@chair-dnrc.example.com");
         EXPECT_EQ(m.to().tag(), "1918181833n");
         EXPECT_EQ(m.from().display_name_text(), "J Rosenberg \\\"");
         EXPECT_EQ(m.from().tag(), "98asjd8");
         EXPECT_EQ(m.max_forwards(), 68);
         EXPECT_EQ(m.cseq().number, 9u);
         EXPECT_EQ(m.cseq().method, "INVITE");
         auto vias = m.vias();
         ASSERT_EQ(vias.size(), 3u);
         EXPECT_EQ(vias[0].host, "192.0.2.2");
         EXPECT_EQ(vias[0].branch, "390skdjuw");
         EXPECT_EQ(vias[1].transport, "TCP");
         EXPECT_EQ(vias[1].host, "spindle.example.com");
         EXPECT_EQ(vias[1].branch, "z9hG4bK9ikj8");
         EXPECT_EQ(vias[2].host, "192.168.255.111");
         EXPECT_EQ(vias[2].branch, "z9hG4bK30239");
         EXPECT_EQ(m.header("NewFangledHeader"), "newfangled value continued newfangled value");
         EXPECT_EQ(m.header("UnknownHeaderWithUnusualValue"), ";;,,;;,;");
         EXPECT_EQ(m.header(header_id::subject), "");
         auto contacts = m.contacts();
         ASSERT_EQ(contacts.size(), 1u);
         EXPECT_EQ(contacts[0].display_name_text(), "Quoted string \"\"");
         EXPECT_EQ(contacts[0].param("newparam"), "newvalue");
         EXPECT_EQ(contacts[0].param("secondparam"), "");
         EXPECT_EQ(contacts[0].param("q"), "0.33");
         auto routes = m.routes();
         ASSERT_EQ(routes.size(), 1u);
         EXPECT_EQ(routes[0].address.param("lr"), "");
         EXPECT_EQ(routes[0].address.param("unknownwith"), "value");
         EXPECT_EQ(m.body().size(), 150u);
       }},
      {"intmeth", "3.1.1.2", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.method(), "!interesting-Method0123456789_*+`.%indeed'~");
         uri u = m.request_uri_parsed();
         EXPECT_EQ(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
         EXPECT_EQ(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
         EXPECT_EQ(u.host, "example.com");
         EXPECT_EQ(m.to().display_name_text(), std::string("BEL:\x07 NUL:\0 DEL:\x7f", 17));
         EXPECT_EQ(m.from().display_name, "token1~` token2'+_ token3*%!.-");
         EXPECT_TRUE(m.from().param("fromParam''~+*_!.-%").has_value());
         EXPECT_EQ(m.call_id(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
         EXPECT_EQ(m.top_via().branch, "z9hG4bK-.!%66*_+`'~");
         EXPECT_TRUE(m.header("extensionHeader-!.%*+_`'~").has_value());
       }},
      {"esc01", "3.1.1.3", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(unescape(m.request_uri_parsed().user), "sips:user@example.com");
         EXPECT_EQ(unescape(m.to().address.user), "user");
         EXPECT_EQ(unescape(m.from().address.user), "I have spaces");
         auto c = m.contacts();
         ASSERT_EQ(c.size(), 1u);
         EXPECT_EQ(unescape(c[0].address.user), "caller");
         EXPECT_EQ(c[0].address.param("%6C%72"), "");  // "lr", escaped as sent
         EXPECT_EQ(unescape(*c[0].address.param("n%61me")), "value%41");
         EXPECT_EQ(m.content_type()->subtype, "sdp");  // compact "C"
       }},
      {"escnull", "3.1.1.4", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(unescape(m.to().address.user), std::string("null-\0-null", 11));
         auto c = m.contacts();
         ASSERT_EQ(c.size(), 2u);
         EXPECT_EQ(unescape(c[0].address.user), std::string("\0", 1));
         EXPECT_EQ(unescape(c[1].address.user), std::string("\0\0", 2));
       }},
      {"esc02", "3.1.1.5", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.method(), "RE%47IST%45R");  // '%' is a token character: no unescaping
         EXPECT_EQ(m.to().display_name_text(), "%Z%45");
         EXPECT_EQ(m.top_via().branch, "z9hG4bK209%fzsnel234");
         EXPECT_EQ(m.contacts().size(), 2u);  // "C%6Fntact" is an extension header, not Contact
         EXPECT_EQ(m.header("C%6Fntact"), "<sip:alias2@host2.example.com>");
       }},
      {"lwsdisp", "3.1.1.6", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.from().display_name, "caller");
         EXPECT_EQ(m.from().uri_text, "sip:caller@example.com");
       }},
      {"longreq", "3.1.1.7", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.to().display_name_text().substr(0, 25), "I have a user name of ext");
         EXPECT_EQ(m.to().address.port, 6000);
         EXPECT_GT(m.to().address.param("unknownparam1")->size(), 80u);
         EXPECT_EQ(m.from().address.user.size(), 115u);
         EXPECT_GT(m.from().tag().size(), 150u);
         EXPECT_EQ(m.call_id().size(), 141u);
         auto unknown = m.header(
             "Unknown-"
             "LongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLong"
             "-Name");
         ASSERT_TRUE(unknown);
         EXPECT_GT(unknown->size(), 300u);
         auto vias = m.vias();
         EXPECT_EQ(vias.size(), 34u);
         EXPECT_EQ(vias.front().host, "sip33.example.com");
         EXPECT_EQ(vias.back().received, "192.0.2.5");
         EXPECT_GT(vias.back().branch.size(), 200u);
         EXPECT_EQ(m.body().size(), 150u);
       }},
      {"dblreq", "3.1.1.8", outcome::accept, 0, "",
       [](const message& m) {
         // §18.3: octets after Content-Length in a datagram are discarded.
         EXPECT_EQ(m.method(), "REGISTER");
         EXPECT_EQ(m.body(), "");
         EXPECT_EQ(m.raw().find("INVITE"), std::string_view::npos);
       }},
      {"semiuri", "3.1.1.9", outcome::accept, 0, "",
       [](const message& m) {
         uri u = m.request_uri_parsed();
         EXPECT_EQ(u.user, "user;par=u%40example.net");
         EXPECT_EQ(u.host, "example.com");
         EXPECT_EQ(u.params, "");
         auto accept = split_list(*m.header(header_id::accept));
         ASSERT_TRUE(accept);
         EXPECT_EQ(accept->size(), 6u);
       }},
      {"transports", "3.1.1.10", outcome::accept, 0, "",
       [](const message& m) {
         auto vias = m.vias();
         ASSERT_EQ(vias.size(), 5u);
         EXPECT_EQ(vias[0].transport, "UDP");
         EXPECT_EQ(vias[1].transport, "SCTP");
         EXPECT_EQ(vias[2].transport, "TLS");
         EXPECT_EQ(vias[3].transport, "UNKNOWN");
         EXPECT_EQ(vias[4].transport, "TCP");
       }},
      {"mpart01", "3.1.1.11", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.body().size(), 553u);
         auto ct = m.content_type();
         ASSERT_TRUE(ct);
         EXPECT_TRUE(ct->is("multipart", "mixed"));
         EXPECT_EQ(ct->param("boundary"), "7a9cbec02ceef655");
         EXPECT_TRUE(m.top_via().rport);
       }},
      {"unreason", "3.1.1.12", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.status_code(), 200);
         EXPECT_EQ(m.reason_phrase().substr(0, 14), "= 2**3 * 5**2 ");
         EXPECT_EQ(m.body().size(), 154u);
       }},
      {"noreason", "3.1.1.13", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.status_code(), 100);
         EXPECT_EQ(m.reason_phrase(), "");
         EXPECT_EQ(m.method(), "INVITE");  // a response answers its CSeq method
       }},

      // ---- §3.1.2 invalid messages: reject with 400 (or drop, for responses) ----
      {"badinv01", "3.1.2.1", outcome::reject, 400, "Via", nullptr},
      {"clerr", "3.1.2.2", outcome::reject, 400, "Content-Length larger than datagram", nullptr},
      {"ncl", "3.1.2.3", outcome::reject, 400, "Content-Length", nullptr},
      {"scalar02", "3.1.2.4", outcome::reject, 400, "CSeq", nullptr},
      // A response: nobody to answer; the error still names the problem.
      {"scalarlg", "3.1.2.5", outcome::reject, 400, "CSeq", nullptr},
      {"quotbal", "3.1.2.6", outcome::reject, 400, "To header", nullptr},
      {"ltgtruri", "3.1.2.7", outcome::reject, 400, "Request-URI", nullptr},
      {"lwsruri", "3.1.2.8", outcome::reject, 400, "Request-Line", nullptr},
      {"lwsstart", "3.1.2.9", outcome::reject, 400, "Request-Line", nullptr},
      {"trws", "3.1.2.10", outcome::reject, 400, "Request-Line", nullptr},
      {"escruri", "3.1.2.11", outcome::reject, 400, "Request-URI: headers not allowed", nullptr},
      // DECISION (§3.1.2.12): the RFC allows rejecting, "though an element shouldn't do that
      // unless the contents of the Date header field were actually important to its processing".
      // The gateway never interprets Date, so the codec does not validate it: accept.
      {"baddate", "3.1.2.12", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.header(header_id::date), "Fri, 01 Jan 2010 16:00:00 EST");
       }},
      {"regbadct", "3.1.2.13", outcome::reject, 400, "Contact header", nullptr},
      {"badaspec", "3.1.2.14", outcome::reject, 400, "To header: whitespace inside <>", nullptr},
      {"baddn", "3.1.2.15", outcome::reject, 400, "From header: display name", nullptr},
      {"badvers", "3.1.2.16", outcome::reject, 505, "Version Not Supported", nullptr},
      {"mismatch01", "3.1.2.17", outcome::reject, 400, "CSeq method", nullptr},
      // §3.1.2.18: the RFC expects 400 for the CSeq error (501 only if the CSeq is not looked at).
      {"mismatch02", "3.1.2.18", outcome::reject, 400, "CSeq method", nullptr},
      {"bigcode", "3.1.2.19", outcome::reject, 400, "status code", nullptr},

      // ---- §3.2 transaction layer ----
      // §3.2.1: a branch that is just the magic cookie is legal; the message is valid.
      {"badbranch", "3.2.1", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.top_via().branch, "z9hG4bK");
         EXPECT_TRUE(m.top_via().has_magic_cookie());
       }},

      // ---- §3.3 application layer: the codec parses; the application decides ----
      // DECISION (§3.3.1): "should respond with 400": the codec enforces §8.1.1's mandatory
      // headers (To, From, Call-ID, CSeq, Via), because no layer above can work without them.
      {"insuf", "3.3.1", outcome::reject, 400, "Missing required header: To, From, Call-ID",
       nullptr},
      // DECISION (§3.3.2, §3.3.3): syntactically valid; a UAS "should answer 416". The codec
      // accepts and unsupported_scheme() gives the 416 for the gateway to send.
      {"unkscm", "3.3.2", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.request_uri_parsed().scheme, uri_scheme::other);
         auto e = unsupported_scheme(m);
         ASSERT_TRUE(e);
         EXPECT_EQ(e->status, 416);
       }},
      {"novelsc", "3.3.3", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.request_uri_parsed().scheme_text, "soap.beep");
         auto e = unsupported_scheme(m);
         ASSERT_TRUE(e);
         EXPECT_EQ(e->status, 416);
       }},
      // §3.3.4: unknown schemes in To/From/Contact must be accepted.
      {"unksm2", "3.3.4", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.to().address.scheme_text, "isbn");
         EXPECT_EQ(m.to().address.opaque, "2983792873");
         EXPECT_EQ(m.from().address.scheme_text, "http");
         EXPECT_EQ(m.contacts()[0].uri_text, "name:John_Smith");
         EXPECT_FALSE(unsupported_scheme(m));  // the Request-URI is sip:
       }},
      // DECISION (§3.3.5): 420 Bad Extension is the application's answer (§8.2.2.3).
      {"bext01", "3.3.5", outcome::accept, 0, "",
       [](const message& m) {
         auto req = split_list(*m.header(header_id::require));
         ASSERT_TRUE(req);
         EXPECT_EQ(req->size(), 2u);
         EXPECT_TRUE(m.header(header_id::proxy_require).has_value());
       }},
      // DECISION (§3.3.6): 415 is the application's answer (§8.2.3).
      {"invut", "3.3.6", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_TRUE(m.content_type()->is("application", "unknownformat"));
         EXPECT_EQ(m.body().size(), 40u);
       }},
      {"regaut01", "3.3.7", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.header(header_id::authorization), "NoOneKnowsThisScheme opaque-data=here");
       }},
      // §3.3.8, §3.3.9: "respond with 400": duplicate single-value headers are rejected here.
      {"multi01", "3.3.8", outcome::reject, 400, "Multiple", nullptr},
      {"mcl01", "3.3.9", outcome::reject, 400, "Multiple Content-Length headers", nullptr},
      // DECISION (§3.3.10): valid; where a response goes is the transport's decision.
      {"bcast", "3.3.10", outcome::accept, 0, "",
       [](const message& m) { EXPECT_EQ(m.vias()[1].host, "255.255.255.255"); }},
      // DECISION (§3.3.11): valid; a proxy answers 483 (§16.3), a UAS processes it.
      {"zeromf", "3.3.11", outcome::accept, 0, "",
       [](const message& m) { EXPECT_EQ(m.max_forwards(), 0); }},
      {"cparam01", "3.3.12", outcome::accept, 0, "",
       [](const message& m) {
         auto c = m.contacts()[0];
         EXPECT_EQ(c.param("unknownparam"), "");  // a header parameter (no <>, §20.10)
         EXPECT_EQ(c.address.params, "");
       }},
      {"cparam02", "3.3.13", outcome::accept, 0, "",
       [](const message& m) {
         auto c = m.contacts()[0];
         EXPECT_EQ(c.address.param("unknownparam"), "");  // a URI parameter
         EXPECT_EQ(c.params, "");
       }},
      // §3.3.14: valid; the registrar may use or ignore the escaped Route.
      {"regescrt", "3.3.14", outcome::accept, 0, "",
       [](const message& m) {
         auto c = m.contacts()[0];
         EXPECT_EQ(unescape(*c.address.header("Route")), "<sip:sip.example.com>");
       }},
      // DECISION (§3.3.15): 406 is the application's answer.
      {"sdp01", "3.3.15", outcome::accept, 0, "",
       [](const message& m) { EXPECT_EQ(m.header(header_id::accept), "text/nobodyKnowsThis"); }},

      // ---- §3.4 backward compatibility ----
      // §3.4.1: RFC 2543 syntax (no branch, no Max-Forwards, no Content-Length) must be accepted.
      {"inv2543", "3.4.1", outcome::accept, 0, "",
       [](const message& m) {
         EXPECT_EQ(m.top_via().branch, "");
         EXPECT_FALSE(m.top_via().has_magic_cookie());
         EXPECT_FALSE(m.max_forwards());
         EXPECT_EQ(m.to().param("user"), "phone");            // no <>: a header parameter (§20.10)
         EXPECT_EQ(m.from().address.param("user"), "phone");  // inside <>: a URI parameter
         EXPECT_EQ(m.body().substr(0, 4), "v=0\r");  // datagram without Content-Length: the rest
       }},
      // Not in the RFC text (the archive's extra file): no SIP-Version, a line without ':'.
      {"test", "-", outcome::reject, 400, "Request-Line", nullptr},
  };
  return rows;
}

class sip_rfc4475 : public ::testing::TestWithParam<row> {};

TEST_P(sip_rfc4475, datagram_outcome_matches_table) {
  const row& r = GetParam();
  std::string bytes = test::rfc4475(r.file);
  ASSERT_FALSE(bytes.empty()) << "missing data file " << r.file;
  auto m = parse_datagram(bytes);
  if (r.expect == outcome::accept) {
    ASSERT_TRUE(m) << r.file << ": " << m.err().to_string();
    r.check(*m);
    // Round trip: the serialized form parses again to the same serialized form.
    std::string once = serialize(*m);
    auto again = parse_datagram(once);
    ASSERT_TRUE(again) << again.err().to_string();
    EXPECT_EQ(serialize(*again), once);
    r.check(*again);
  } else {
    ASSERT_FALSE(m) << r.file << " was accepted";
    EXPECT_EQ(m.err().status, r.status) << m.err().to_string();
    EXPECT_NE(m.err().reason.find(r.reason_part), std::string::npos) << m.err().to_string();
    EXPECT_EQ(m.err().reason.find_first_of("\r\n"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(all, sip_rfc4475, ::testing::ValuesIn(table()),
                         [](const ::testing::TestParamInfo<row>& info) {
                           return std::string(info.param.file);
                         });

TEST(sip_rfc4475_table, covers_all_fifty_files) {
  EXPECT_EQ(table().size(), 50u);
}

}  // namespace
}  // namespace fedgate::sip
