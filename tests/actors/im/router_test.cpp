// The router (entry and shards): what the shards answer themselves (OPTIONS, SUBSCRIBE, other
// methods, addresses that do not map, iq, foreign claims of our domains), the To tag of every
// final response, holding traffic back until the services are connected, and retiring idle
// sessions without losing the conversation.
#include "actors/im/router.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "im_test_support.hpp"

namespace fedgate::im::testing {
namespace {

using clock = std::chrono::steady_clock;

im_config config() {
  auto cfg = test_config();
  cfg.delivery_timeout = 10s;  // not exercised here (the 408 has its test in session_test)
  cfg.session_idle = 60s;      // only the retirement tests use a short one
  return cfg;
}

using im_router_test = im_fixture;

TEST_F(im_router_test, options_gets_200) {
  start(config());
  send_sip(raw_request("OPTIONS", "sip:sip.local", romeo_sip, alice_sip, "o1@sip", 1, "b1"), 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 200);
  EXPECT_FALSE(r->to().tag().empty());
}

// SUBSCRIBE goes to the contact's presence actor, which wants the presence event package.
TEST_F(im_router_test, subscribe_without_the_presence_event_gets_489) {
  start(config());
  send_sip(raw_request("SUBSCRIBE", alice_sip, romeo_sip, alice_sip, "s1@sip", 1, "b1"), 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 489);
  EXPECT_FALSE(r->to().tag().empty());
}

TEST_F(im_router_test, invite_gets_488_and_nothing_goes_to_xmpp) {
  start(config(), 200);
  send_sip(raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "i1@sip", 1, "b1"), 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 488);
  EXPECT_FALSE(r->to().tag().empty());
  ASSERT_TRUE(probe_session("p1"));
  EXPECT_EQ(pending_deliveries(), 0u);
}

// A NOTIFY for no subscription fedgate holds: the user's presence actor answers 481.
TEST_F(im_router_test, notify_without_a_subscription_gets_481) {
  start(config());
  send_sip(raw_request("NOTIFY", alice_sip, romeo_sip, alice_sip, "n1@sip", 1, "b1"), 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 481);
  EXPECT_FALSE(r->to().tag().empty());
}

TEST_F(im_router_test, other_methods_get_501) {
  start(config());
  send_sip(raw_request("PUBLISH", alice_sip, romeo_sip, alice_sip, "n1@sip", 1, "b1"), 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 501);
  EXPECT_FALSE(r->to().tag().empty());
}

TEST_F(im_router_test, message_to_an_unmappable_address_gets_416) {
  start(config());
  send_sip(raw_request("MESSAGE", romeo_sip, alice_sip, "tel:+123", "t1@sip", 1, "b1", "hi"), 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 416);
  EXPECT_EQ(r->reason_phrase().rfind("To:", 0), 0u) << r->reason_phrase();
  EXPECT_FALSE(r->to().tag().empty());
  sync_fakes();
  EXPECT_EQ(pending_deliveries(), 0u);
  EXPECT_EQ(count_sessions(), 0u) << "no conversation for addresses that do not map";
}

TEST_F(im_router_test, message_from_an_unmappable_address_gets_416) {
  start(config());
  send_sip(raw_request("MESSAGE", romeo_sip, "tel:+123", romeo_sip, "t2@sip", 1, "b1", "hi"), 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 416);
  EXPECT_EQ(r->reason_phrase().rfind("From:", 0), 0u) << r->reason_phrase();
  EXPECT_FALSE(r->to().tag().empty());
}

TEST_F(im_router_test, every_final_response_has_a_to_tag) {
  start(config(), 200);
  send_sip(raw_request("OPTIONS", "sip:sip.local", romeo_sip, alice_sip, "a@sip", 1, "b1"), 1);
  send_sip(raw_request("SUBSCRIBE", alice_sip, romeo_sip, alice_sip, "b@sip", 1, "b2"), 2);
  send_sip(raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "c@sip", 1, "b3"), 3);
  send_sip(raw_request("PUBLISH", alice_sip, romeo_sip, alice_sip, "d@sip", 1, "b4"), 4);
  send_sip(raw_request("MESSAGE", romeo_sip, alice_sip, "tel:+123", "e@sip", 1, "b5", "x"), 5);
  send_sip(raw_request("MESSAGE", romeo_sip, alice_sip, romeo_sip, "f@sip", 1, "b6", ""), 6);
  send_sip(alice_message("delivered", "g@sip", 1, "b7"), 7);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  written(*s);
  const int expected[] = {200, 489, 488, 501, 416, 400, 200};
  for (std::uint64_t id = 1; id <= 7; ++id) {
    auto r = response_for(id);
    ASSERT_TRUE(r) << "server transaction " << id;
    EXPECT_EQ(r->status_code(), expected[id - 1]) << "server transaction " << id;
    EXPECT_FALSE(r->to().tag().empty())
        << "no To tag on the " << r->status_code() << " to " << r->method();
  }
}

TEST_F(im_router_test, ack_for_a_2xx_is_not_answered) {
  start(config(), 200);
  send_sip(raw_request("ACK", alice_sip, romeo_sip, alice_sip, "k1@sip", 1, "b1"), 0);
  // A request to every shard after the ACK: its shard has handled the ACK when it answers.
  EXPECT_EQ(count_sessions(), 0u);
  sync_fakes();
  EXPECT_EQ(pending_responses(), 0u);
}

TEST_F(im_router_test, iq_get_is_refused_with_service_unavailable) {
  start(config());
  std::string xml = std::string("<iq from='") + romeo_full + "' to='" + alice_jid +
                    "' type='get' id='q1'><query xmlns='jabber:iq:version'/></iq>";
  send_stanza(s2s::stanza{xml, romeo_full, alice_jid, "iq", "get", "q1"});
  auto b = next_delivery();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->kind, "iq");
  EXPECT_EQ(b->type, "error");
  EXPECT_EQ(b->id, "q1");
  EXPECT_EQ(b->to, romeo_full);
  parsed_stanza p(b->xml);
  ASSERT_TRUE(p.ok) << b->xml;
  EXPECT_TRUE(p.el.child("error").child("service-unavailable")) << b->xml;
}

TEST_F(im_router_test, message_from_a_sender_claiming_a_local_domain_is_forbidden) {
  start(config());
  std::string xml = std::string("<message from='mallory@sip.test/x' to='") + alice_jid +
                    "' type='chat' id='f1'><body>hi</body></message>";
  send_stanza(s2s::stanza{xml, "mallory@sip.test/x", alice_jid, "message", "chat", "f1"});
  auto b = next_delivery();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type, "error");
  EXPECT_EQ(b->to, "mallory@sip.test/x");
  parsed_stanza p(b->xml);
  ASSERT_TRUE(p.ok) << b->xml;
  EXPECT_TRUE(p.el.child("error").child("forbidden")) << b->xml;
  sync_fakes();
  EXPECT_EQ(pending_requests(), 0u) << "sent to SIP anyway";
  EXPECT_EQ(count_sessions(), 0u);
}

TEST_F(im_router_test, traffic_before_connect_is_held_back_and_handled_after) {
  start_unconnected(config(), 200);
  send_sip(raw_request("OPTIONS", "sip:sip.local", romeo_sip, alice_sip, "o1@sip", 1, "b1"), 1);
  send_stanza(romeo_says("m1", "early"));
  send_sip(alice_message("early too"), 2);
  // Nothing is answered or sent before the services are connected.
  sync_fakes();
  EXPECT_EQ(pending_responses() + pending_requests() + pending_deliveries(), 0u);
  connect();
  EXPECT_EQ(status_for(1), 200);
  auto r = next_sip_request();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request.body(), "early");
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(body_of(*s), "early too");
  written(*s);
  EXPECT_EQ(status_for(2), 200);
}

TEST_F(im_router_test, idle_session_is_retired_and_the_conversation_goes_on_in_a_new_one) {
  auto cfg = config();
  cfg.session_idle = 200ms;
  start(cfg, 200);
  auto t0 = clock::now();
  send_sip(alice_message("first", "c1@sip", 1, "b1"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  caf::actor first_session = s->on_written;
  ASSERT_TRUE(first_session);
  written(*s);
  ASSERT_EQ(status_for(1), 200);
  ASSERT_TRUE(wait_until_down(first_session)) << "the idle session was not retired";
  EXPECT_GE(clock::now() - t0, 200ms) << "retired before session_idle";
  EXPECT_EQ(count_sessions(), 0u);
  // The same conversation again: a new session takes it.
  send_sip(alice_message("second", "c2@sip", 1, "b2"), 2);
  auto s2 = next_delivery();
  ASSERT_TRUE(s2);
  EXPECT_EQ(body_of(*s2), "second");
  EXPECT_NE(s2->on_written, first_session);
  written(*s2);
  EXPECT_EQ(status_for(2), 200);
}

TEST_F(im_router_test, idle_session_from_xmpp_is_retired_and_the_next_stanza_still_goes_out) {
  auto cfg = config();
  cfg.session_idle = 200ms;
  start(cfg, 200);
  send_stanza(romeo_says("m1", "first"));
  ASSERT_TRUE(next_sip_request());
  // The S2S hop of a SIP MESSAGE is the way to see the session actor from a test.
  send_sip(alice_message("answer"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  caf::actor session = s->on_written;
  written(*s);
  ASSERT_EQ(status_for(1), 200);
  ASSERT_TRUE(wait_until_down(session));
  EXPECT_EQ(count_sessions(), 0u);
  send_stanza(romeo_says("m2", "second"));
  auto r = next_sip_request();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request.body(), "second");
}

}  // namespace
}  // namespace fedgate::im::testing
