// Dialogs (RFC 3261 §12, RFC 6665 §4.1.2.4) from Kamailio-style messages with Record-Route:
// route sets on both sides, loose and strict routing of the next request, CSeq, next hop.
#include "actors/sip/dialog.hpp"

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"

namespace {

using namespace fedgate;
using namespace fedgate::sip_layer;

sip::message parse(std::string text) {
  auto r = sip::parse_datagram(text);
  EXPECT_TRUE(r.ok()) << r.err().to_string() << "\n" << text;
  return std::move(r).value();
}

// Kamailio (double Record-Route: it changed transport UDP -> TCP) relays a SUBSCRIBE from a SIP
// user to fedgate.
const char* subscribe_via_kamailio =
    "SUBSCRIBE sip:bob@xmpp.test SIP/2.0\r\n"
    "Record-Route: <sip:10.0.0.5;transport=tcp;r2=on;lr;ftag=a1b2>\r\n"
    "Record-Route: <sip:10.0.0.5;r2=on;lr;ftag=a1b2>\r\n"
    "Via: SIP/2.0/TCP 10.0.0.5;branch=z9hG4bKk1\r\n"
    "Via: SIP/2.0/UDP 10.0.0.7:5060;rport=5060;branch=z9hG4bKu1\r\n"
    "From: \"Alice\" <sip:alice@sip.test>;tag=a1b2\r\n"
    "To: <sip:bob@xmpp.test>\r\n"
    "Call-ID: c1@10.0.0.7\r\n"
    "CSeq: 10 SUBSCRIBE\r\n"
    "Contact: <sip:alice@10.0.0.7:5060;ob>\r\n"
    "Event: presence\r\n"
    "Max-Forwards: 69\r\n"
    "Content-Length: 0\r\n\r\n";

TEST(sip_dialog, uas_route_set_is_record_route_in_order_and_notify_routes_loosely) {
  auto sub = parse(subscribe_via_kamailio);
  auto d = dialog_as_uas(sub, "fg1");
  ASSERT_TRUE(d.ok()) << d.err().to_string();
  EXPECT_EQ(d->call_id, "c1@10.0.0.7");
  EXPECT_EQ(d->local_tag, "fg1");
  EXPECT_EQ(d->remote_tag, "a1b2");
  EXPECT_EQ(d->local_uri, "<sip:bob@xmpp.test>");
  EXPECT_EQ(d->remote_uri, "\"Alice\" <sip:alice@sip.test>");
  EXPECT_EQ(d->remote_target, "sip:alice@10.0.0.7:5060;ob");
  ASSERT_EQ(d->route_set.size(), 2u);
  EXPECT_EQ(d->route_set[0], "sip:10.0.0.5;transport=tcp;r2=on;lr;ftag=a1b2");
  EXPECT_EQ(d->route_set[1], "sip:10.0.0.5;r2=on;lr;ftag=a1b2");
  EXPECT_EQ(d->remote_cseq, 10u);
  EXPECT_FALSE(d->secure);

  auto b = next_request(*d, "NOTIFY");
  b.header("Via", "SIP/2.0/TCP 10.0.0.9;branch=z9hG4bKn1");
  auto n = b.build();
  ASSERT_TRUE(n.ok()) << n.err().to_string();
  EXPECT_EQ(n->request_uri(), "sip:alice@10.0.0.7:5060;ob");
  ASSERT_EQ(n->route_list().size(), 2u);
  EXPECT_EQ(n->route_list()[0].uri_text, "sip:10.0.0.5;transport=tcp;r2=on;lr;ftag=a1b2");
  EXPECT_EQ(n->from().tag(), "fg1");
  EXPECT_EQ(n->to().tag(), "a1b2");
  EXPECT_EQ(n->cseq().number, 1u);
  EXPECT_EQ(n->cseq().method, "NOTIFY");
  EXPECT_EQ(n->call_id(), "c1@10.0.0.7");
  // §8.1.2: the first Route has lr, so that is where the NOTIFY goes.
  EXPECT_EQ(next_hop_uri(n.value()), "sip:10.0.0.5;transport=tcp;r2=on;lr;ftag=a1b2");
  auto again = next_request(*d, "NOTIFY").build();
  (void)again;
  EXPECT_EQ(d->local_cseq, 2u);
}

TEST(sip_dialog, uac_route_set_is_the_2xx_record_route_reversed) {
  auto req = parse(
      "INVITE sip:alice@sip.test SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKf1;rport\r\n"
      "From: <sip:bob@xmpp.test>;tag=fgA\r\n"
      "To: <sip:alice@sip.test>\r\n"
      "Call-ID: out-1\r\n"
      "CSeq: 7 INVITE\r\n"
      "Contact: <sip:bob@10.0.0.9:5060>\r\n"
      "Max-Forwards: 70\r\n"
      "Content-Length: 0\r\n\r\n");
  auto ok = parse(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKf1;rport=5060\r\n"
      "Record-Route: <sip:p2.sip.test;lr>, <sip:p1.sip.test;lr>\r\n"
      "From: <sip:bob@xmpp.test>;tag=fgA\r\n"
      "To: <sip:alice@sip.test>;tag=al9\r\n"
      "Call-ID: out-1\r\n"
      "CSeq: 7 INVITE\r\n"
      "Contact: <sip:alice@10.0.0.7:5062;transport=tcp>\r\n"
      "Content-Length: 0\r\n\r\n");
  auto d = dialog_as_uac(req, ok);
  ASSERT_TRUE(d.ok()) << d.err().to_string();
  EXPECT_EQ(d->route_set, (std::vector<std::string>{"sip:p1.sip.test;lr", "sip:p2.sip.test;lr"}));
  EXPECT_EQ(d->remote_target, "sip:alice@10.0.0.7:5062;transport=tcp");
  EXPECT_EQ(d->remote_tag, "al9");
  EXPECT_EQ(d->local_cseq, 7u);
  EXPECT_FALSE(d->remote_cseq.has_value());

  auto ack_b = next_request(*d, "ACK");  // §13.2.2.4: same CSeq number as the INVITE
  ack_b.header("Via", "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKa1");
  auto ack = ack_b.build();
  ASSERT_TRUE(ack.ok()) << ack.err().to_string();
  EXPECT_EQ(ack->cseq().number, 7u);
  auto bye = next_request(*d, "BYE");
  bye.header("Via", "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKb1");
  auto m = bye.build();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->cseq().number, 8u);
  EXPECT_EQ(m->raw().find("Route: <sip:p1.sip.test;lr>, <sip:p2.sip.test;lr>\r\n") !=
                std::string_view::npos,
            true)
      << m->raw();
  EXPECT_EQ(next_hop_uri(m.value()), "sip:p1.sip.test;lr");
}

TEST(sip_dialog, strict_router_becomes_the_request_uri_and_the_target_the_last_route) {
  dialog d;
  d.call_id = "s1";
  d.local_tag = "l";
  d.remote_tag = "r";
  d.local_uri = "<sip:bob@xmpp.test>";
  d.remote_uri = "<sip:alice@sip.test>";
  d.remote_target = "sip:alice@10.0.0.7";
  d.route_set = {"sip:strict.sip.test", "sip:p2.sip.test;lr"};
  auto b = next_request(d, "MESSAGE");
  b.header("Via", "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKs1");
  auto m = b.build();
  ASSERT_TRUE(m.ok()) << m.err().to_string();
  EXPECT_EQ(m->request_uri(), "sip:strict.sip.test");  // §12.2.1.1 strict routing
  ASSERT_EQ(m->route_list().size(), 2u);
  EXPECT_EQ(m->route_list()[0].uri_text, "sip:p2.sip.test;lr");
  EXPECT_EQ(m->route_list()[1].uri_text, "sip:alice@10.0.0.7");
  EXPECT_EQ(next_hop_uri(d), "sip:strict.sip.test");  // the Request-URI
  EXPECT_EQ(m->request_uri(), next_hop_uri(d));
}

TEST(sip_dialog, no_route_set_targets_the_contact_and_has_no_next_hop_uri) {
  auto sub = parse(
      "SUBSCRIBE sip:bob@xmpp.test SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKu2\r\n"
      "From: <sip:alice@sip.test>;tag=x\r\n"
      "To: <sip:bob@xmpp.test>\r\n"
      "Call-ID: c2\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:alice@10.0.0.7>\r\n"
      "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
  auto d = dialog_as_uas(sub, "t");
  ASSERT_TRUE(d.ok());
  auto b = next_request(*d, "NOTIFY");
  b.header("Via", "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKn2");
  auto m = b.build();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->request_uri(), "sip:alice@10.0.0.7");
  EXPECT_TRUE(m->route_list().empty());
  EXPECT_EQ(next_hop_uri(m.value()), "");
}

TEST(sip_dialog, subscriber_dialog_from_the_first_notify) {
  auto sub = parse(
      "SUBSCRIBE sip:alice@sip.test SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKs9\r\n"
      "From: <sip:bob@xmpp.test>;tag=me\r\n"
      "To: <sip:alice@sip.test>\r\n"
      "Call-ID: sub-9\r\nCSeq: 3 SUBSCRIBE\r\nContact: <sip:bob@10.0.0.9>\r\nEvent: presence\r\n"
      "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
  auto notify = parse(
      "NOTIFY sip:bob@10.0.0.9 SIP/2.0\r\n"
      "Record-Route: <sip:10.0.0.5;lr>\r\n"
      "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKk9\r\n"
      "Via: SIP/2.0/UDP 10.0.0.7;branch=z9hG4bKn9\r\n"
      "From: <sip:alice@sip.test>;tag=her\r\n"
      "To: <sip:bob@xmpp.test>;tag=me\r\n"
      "Call-ID: sub-9\r\nCSeq: 20 NOTIFY\r\nContact: <sip:alice@10.0.0.7>\r\n"
      "Event: presence\r\nSubscription-State: active\r\n"
      "Max-Forwards: 69\r\nContent-Length: 0\r\n\r\n");
  auto d = dialog_from_notify(sub, notify);
  ASSERT_TRUE(d.ok()) << d.err().to_string();
  EXPECT_EQ(d->remote_tag, "her");
  EXPECT_EQ(d->route_set, std::vector<std::string>{"sip:10.0.0.5;lr"});
  EXPECT_EQ(d->remote_cseq, 20u);
  EXPECT_EQ(d->local_cseq, 3u);
  // §12.2.2: a lower CSeq in the dialog is refused (500), a higher one accepted.
  auto old = parse(std::string(notify.raw())
                       .replace(std::string(notify.raw()).find("20 NOTIFY"), 9, "19 NOTIFY"));
  EXPECT_FALSE(accept_remote_cseq(*d, old));
  EXPECT_TRUE(accept_remote_cseq(*d, notify));

  auto wrong = dialog_from_notify(
      sub, parse(std::string(notify.raw())
                     .replace(std::string(notify.raw()).find("tag=me"), 6, "tag=zz")));
  EXPECT_FALSE(wrong.ok());
}

TEST(sip_dialog, a_response_without_to_tag_or_contact_makes_no_dialog) {
  auto req = parse(
      "INVITE sip:alice@sip.test SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKq\r\n"
      "From: <sip:bob@xmpp.test>;tag=a\r\nTo: <sip:alice@sip.test>\r\nCall-ID: q\r\n"
      "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
  auto no_tag = parse(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKq\r\n"
      "From: <sip:bob@xmpp.test>;tag=a\r\nTo: <sip:alice@sip.test>\r\nCall-ID: q\r\n"
      "CSeq: 1 INVITE\r\nContact: <sip:a@10.0.0.7>\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(dialog_as_uac(req, no_tag).ok());
}

}  // namespace
