// Messages as SIPp and Kamailio send them (data/peers/README.md), over UDP and over a stream.

#include <vector>

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"
#include "codecs/sip/stream_framer.hpp"
#include "tests/codecs/sip/test_data.hpp"

namespace fedgate::sip {
namespace {

std::string peer(const std::string& name) {
  return test::read_file("tests/codecs/sip/data/peers/" + name + ".sip");
}

TEST(sip_real_messages, kamailio_relayed_message) {
  auto m = parse_datagram(peer("kamailio_message"));
  ASSERT_TRUE(m) << m.err().to_string();
  EXPECT_EQ(m->method(), "MESSAGE");
  auto vias = m->vias();
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0].branch, "z9hG4bKcydzigwkX.1");
  EXPECT_EQ(vias[1].received, "127.0.0.1");
  EXPECT_EQ(vias[1].rport_value, 15100);
  auto rr = m->record_routes();
  ASSERT_EQ(rr.size(), 1u);
  EXPECT_EQ(rr[0].address.param("ftag"), "12345SIPpTag001");
  EXPECT_EQ(m->from().tag(), "12345SIPpTag001");
  EXPECT_EQ(m->request_uri_parsed().host, "xmpp.test");
  EXPECT_TRUE(m->content_type()->is("text", "plain"));
  EXPECT_EQ(m->body(), "seq=1 t=1764085000.12345");
  EXPECT_EQ(m->max_forwards(), 69);
}

TEST(sip_real_messages, sipp_uas_answer_matches_make_response) {
  auto req = parse_datagram(peer("kamailio_message"));
  auto sipp = parse_datagram(peer("sipp_200"));
  ASSERT_TRUE(req);
  ASSERT_TRUE(sipp) << sipp.err().to_string();
  auto ours = make_response(*req, 200, {}, "6789SIPpTag011").build();
  ASSERT_TRUE(ours);
  EXPECT_EQ(serialize(*ours), serialize(*sipp));  // same fields, same order as SIPp's answer
}

TEST(sip_real_messages, presence_subscribe) {
  auto m = parse_datagram(peer("kamailio_subscribe"));
  ASSERT_TRUE(m) << m.err().to_string();
  auto ev = parse_event(*m->header(header_id::event));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->package, "presence");
  EXPECT_EQ(parse_delta_seconds(*m->header(header_id::expires)).value(), 3600u);
  EXPECT_EQ(m->header(header_id::accept), "application/pidf+xml");
  EXPECT_EQ(m->contacts()[0].address.param("transport"), "tcp");
  EXPECT_EQ(m->top_via().transport, "TCP");
}

TEST(sip_real_messages, notify_with_pidf_body) {
  auto m = parse_datagram(peer("kamailio_notify"));
  ASSERT_TRUE(m) << m.err().to_string();
  auto st = parse_subscription_state(*m->header(header_id::subscription_state));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, "active");
  EXPECT_EQ(st->expires, 3599u);
  EXPECT_TRUE(m->content_type()->is("application", "pidf+xml"));
  EXPECT_EQ(m->body().substr(0, 5), "<?xml");
  EXPECT_NE(m->body().find("<basic>open</basic>"), std::string_view::npos);
  EXPECT_EQ(m->body().back(), '\n');
}

TEST(sip_real_messages, tcp_stream_with_all_of_them) {
  std::string stream = peer("kamailio_subscribe") + "\r\n\r\n" + peer("kamailio_notify") +
                       peer("kamailio_message") + peer("sipp_200");
  std::vector<std::string> methods;
  std::size_t keepalives = 0;
  stream_framer f(
      {[&methods](message&& m) { methods.emplace_back(m.is_request() ? m.method() : "200"); },
       [&keepalives](keepalive_kind) { ++keepalives; }, nullptr});
  // Deliver in 100-byte reads, as a socket might.
  for (std::size_t i = 0; i < stream.size(); i += 100) {
    ASSERT_TRUE(f.consume(std::string_view(stream).substr(i, 100)).ok());
  }
  EXPECT_EQ(methods, (std::vector<std::string>{"SUBSCRIBE", "NOTIFY", "MESSAGE", "200"}));
  EXPECT_EQ(keepalives, 1u);
}

}  // namespace
}  // namespace fedgate::sip
