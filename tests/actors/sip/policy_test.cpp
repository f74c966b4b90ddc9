// Trust matching, request checks (404/405/416/483) and the stateless 400 built from raw bytes.
#include "actors/sip/policy.hpp"

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"

namespace fedgate::sip_layer {
namespace {

sip::message parse(const std::string& raw) {
  return std::move(sip::parse_datagram(raw)).value();
}

std::string req(const std::string& method, const std::string& ruri, int max_forwards = 70) {
  return method + " " + ruri +
         " SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport\r\n"
         "From: <sip:a@sip.test>;tag=1\r\nTo: <sip:b@xmpp.test>\r\nCall-ID: c1\r\nCSeq: 1 " +
         method + "\r\nMax-Forwards: " + std::to_string(max_forwards) +
         "\r\nContent-Length: 0\r\n\r\n";
}

TEST(sip_policy, address_set_matches_addresses_and_cidrs) {
  address_set s({"127.0.0.1", "10.0.0.0/8", "2001:db8::/32", "bogus"});
  EXPECT_TRUE(s.contains("127.0.0.1"));
  EXPECT_FALSE(s.contains("127.0.0.2"));
  EXPECT_TRUE(s.contains("10.200.3.4"));
  EXPECT_FALSE(s.contains("11.0.0.1"));
  EXPECT_TRUE(s.contains("2001:db8::5"));
  EXPECT_FALSE(s.contains("2001:db9::5"));
  EXPECT_TRUE(s.contains("::ffff:10.1.1.1"));  // IPv4-mapped
  EXPECT_FALSE(s.contains("not-an-address"));
}

TEST(sip_policy, checks_domain_method_scheme_and_max_forwards) {
  request_policy p;
  p.served_domains = {"xmpp.test"};
  EXPECT_FALSE(check_request(parse(req("MESSAGE", "sip:b@XMPP.test")), p));
  auto nf = check_request(parse(req("MESSAGE", "sip:b@other.test")), p);
  ASSERT_TRUE(nf);
  EXPECT_EQ(nf->status, 404);
  auto na = check_request(parse(req("PUBLISH", "sip:b@xmpp.test")), p);
  ASSERT_TRUE(na);
  EXPECT_EQ(na->status, 405);
  EXPECT_TRUE(na->add_allow);
  EXPECT_NE(p.allow_header().find("MESSAGE, SUBSCRIBE"), std::string::npos);
  auto scheme = check_request(parse(req("MESSAGE", "mailto:b@xmpp.test")), p);
  ASSERT_TRUE(scheme);
  EXPECT_EQ(scheme->status, 416);
  auto hops = check_request(parse(req("MESSAGE", "sip:b@xmpp.test", 0)), p);
  ASSERT_TRUE(hops);
  EXPECT_EQ(hops->status, 483);
}

// In-dialog requests go to our Contact (an address), not to a served domain.
TEST(sip_policy, in_dialog_requests_are_not_checked_against_served_domains) {
  request_policy p;
  p.served_domains = {"xmpp.test"};
  std::string in_dialog = req("MESSAGE", "sip:b@127.0.0.1:5060");
  in_dialog.replace(in_dialog.find("To: <sip:b@xmpp.test>"), 21, "To: <sip:b@xmpp.test>;tag=x");
  EXPECT_FALSE(check_request(parse(in_dialog), p));
  auto out_of_dialog = check_request(parse(req("MESSAGE", "sip:b@127.0.0.1:5060")), p);
  ASSERT_TRUE(out_of_dialog);
  EXPECT_EQ(out_of_dialog->status, 404);
}

TEST(sip_policy, malformed_request_gets_400_with_the_parser_reason_and_its_headers) {
  std::string bad = req("MESSAGE", "sip:b@xmpp.test");
  bad.replace(bad.find("CSeq: 1 MESSAGE"), 15, "CSeq: 1 INVITE");
  auto parsed = sip::parse_datagram(bad);
  ASSERT_FALSE(parsed.ok());
  auto r = stateless_400(bad, parsed.err().reason);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rfind("SIP/2.0 400 " + parsed.err().reason + "\r\n", 0), 0u) << *r;
  EXPECT_NE(parsed.err().reason.find("CSeq"), std::string::npos);  // names the problem
  EXPECT_NE(r->find("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1"), std::string::npos);
  EXPECT_NE(r->find("Call-ID: c1"), std::string::npos);
  EXPECT_FALSE(stateless_400("SIP/2.0 200 OK\r\n\r\n", "x"));         // responses: never
  EXPECT_FALSE(stateless_400("garbage\r\n\r\n", "x"));                // not a request
  EXPECT_FALSE(stateless_400("MESSAGE sip:x SIP/2.0\r\n\r\n", "x"));  // no Via: nowhere to send
}

TEST(sip_policy, received_and_rport_are_added_to_the_top_via) {
  auto m = parse(req("MESSAGE", "sip:b@xmpp.test"));
  auto fixed = add_received_rport(m, "192.0.2.7", 40000);
  ASSERT_TRUE(fixed);
  auto again = parse(*fixed);
  auto v = again.top_via();
  EXPECT_EQ(v.received, "192.0.2.7");
  EXPECT_EQ(v.rport_value, std::optional<std::uint16_t>(40000));
  EXPECT_EQ(v.branch, "z9hG4bK1");
}

}  // namespace
}  // namespace fedgate::sip_layer
