// The session actor (one per conversation), driven through the router as the S2S and SIP layers
// drive it: SIP MESSAGE -> stanza and the answer rules of docs/im.md ("Nothing lost"),
// duplicates, and <message/> -> SIP MESSAGE one at a time with its bounces and chat states.
// The conversation: alice (sip:alice@sip.local = alice@sip.test) and romeo@montague.example.
#include "actors/im/session.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "im_test_support.hpp"

namespace fedgate::im::testing {
namespace {

using clock = std::chrono::steady_clock;

// Timers a test does not exercise are long, so a slow machine cannot fire them mid-test.
im_config config(std::chrono::milliseconds delivery_timeout = 10s,
                 std::chrono::milliseconds error_window = 50ms) {
  auto cfg = test_config();
  cfg.delivery_timeout = delivery_timeout;
  cfg.error_window = error_window;
  cfg.session_idle = 60s;
  return cfg;
}

constexpr const char* stanzas_ns = "urn:ietf:params:xml:ns:xmpp-stanzas";

using im_session = im_fixture;

// ---- SIP -> XMPP --------------------------------------------------------------------------------

TEST_F(im_session, sip_message_becomes_a_chat_stanza_from_and_to_the_mapped_addresses) {
  start(config());
  send_sip(alice_message("But soft, what light?"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->from, alice_jid);
  EXPECT_EQ(s->to, romeo_jid);
  EXPECT_EQ(s->kind, "message");
  EXPECT_EQ(s->type, "chat");
  EXPECT_FALSE(s->id.empty());
  EXPECT_TRUE(s->on_written) << "nobody would learn that the stanza was written";
  parsed_stanza p(s->xml);
  ASSERT_TRUE(p.ok) << s->xml;
  EXPECT_STREQ(p.el.name(), "message");
  EXPECT_STREQ(p.el.attribute("from").value(), alice_jid);
  EXPECT_STREQ(p.el.attribute("to").value(), romeo_jid);
  EXPECT_STREQ(p.el.attribute("type").value(), "chat");
  EXPECT_EQ(p.el.attribute("id").value(), s->id);
  EXPECT_EQ(body_of(*s), "But soft, what light?");
  EXPECT_FALSE(std::string(p.el.child("thread").text().as_string()).empty())
      << "a SIP Call-ID gets a thread: " << s->xml;
}

TEST_F(im_session, sip_message_is_not_answered_before_its_stanza_is_written) {
  start(config(), 200);
  send_sip(alice_message("hello"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  // The session handled the MESSAGE before the probe; an answer would have reached the fake SIP
  // shard before the probe's request did.
  ASSERT_TRUE(probe_session("p1"));
  EXPECT_EQ(pending_responses(), 0u) << "answered before the stanza was written";
  written(*s);
  EXPECT_EQ(status_for(1), 200);
}

TEST_F(im_session, sip_message_is_answered_200_once_written_and_the_error_window_passed) {
  start(config());
  send_sip(alice_message("hello"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  auto t0 = clock::now();
  written(*s);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_GE(clock::now() - t0, 50ms) << "answered before the error window passed";
  EXPECT_EQ(r->status_code(), 200);
  EXPECT_EQ(r->call_id(), "c1@sip");
  EXPECT_EQ(r->cseq().number, 1u);
  EXPECT_FALSE(r->to().tag().empty());
  sync_fakes();
  EXPECT_EQ(pending_responses(), 0u) << "answered twice";
}

TEST_F(im_session, sip_message_whose_stanza_is_never_written_gets_408_after_delivery_timeout) {
  start(config(300ms));
  auto t0 = clock::now();
  send_sip(alice_message("anyone there?"), 1);
  ASSERT_TRUE(next_delivery());
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_GE(clock::now() - t0, 300ms) << "gave up before the delivery timeout";
  EXPECT_EQ(r->status_code(), 408);
  EXPECT_FALSE(r->to().tag().empty());
}

TEST_F(im_session, error_stanza_within_the_error_window_turns_the_answer_into_404) {
  // The error window is long here so the partner's error surely comes within it; the answer
  // does not wait for the window to end.
  start(config(10s, 10s));
  send_sip(alice_message("hello"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  written(*s);
  send_stanza(romeo_error(s->id, "item-not-found"));
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 404);
  EXPECT_FALSE(r->to().tag().empty());
  sync_fakes();
  EXPECT_EQ(pending_responses(), 0u) << "answered twice";
  EXPECT_EQ(pending_requests(), 0u) << "an error before the answer is not a late-error notice";
}

TEST_F(im_session, error_stanza_after_the_200_reaches_the_sip_user_as_a_message) {
  start(config(), 200);
  send_sip(alice_message("hello"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  written(*s);
  ASSERT_EQ(status_for(1), 200);
  send_stanza(romeo_error(s->id, "item-not-found", "no such user"));
  auto n = next_sip_request();
  ASSERT_TRUE(n);
  const auto& m = n->request;
  EXPECT_EQ(m.method(), "MESSAGE");
  EXPECT_EQ(m.request_uri(), alice_sip);
  EXPECT_EQ(m.from().uri_text, romeo_sip);
  EXPECT_EQ(m.to().uri_text, alice_sip);
  ASSERT_TRUE(m.header("Content-Type"));
  EXPECT_EQ(*m.header("Content-Type"), "text/plain;charset=UTF-8");
  EXPECT_EQ(m.body().rfind("[fedgate] Your message was not delivered: item-not-found", 0), 0u)
      << m.body();
  EXPECT_EQ(m.body(), "[fedgate] Your message was not delivered: item-not-found (no such user)");
  sync_fakes();
  EXPECT_EQ(pending_deliveries(), 0u) << "the gateway's own notice is never bounced";
}

// ---- duplicates ---------------------------------------------------------------------------------

TEST_F(im_session, duplicate_of_a_pending_message_gets_the_same_answer_and_no_second_stanza) {
  start(config(), 200);
  // The same request in two server transactions (another Via branch, another server id).
  send_sip(alice_message("once", "dup@sip", 7, "first"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  send_sip(alice_message("once", "dup@sip", 7, "second"), 2);
  ASSERT_TRUE(probe_session("p1"));  // the duplicate was handled while the first is pending
  EXPECT_EQ(pending_deliveries(), 0u) << "a second stanza for the duplicate";
  EXPECT_EQ(pending_responses(), 0u) << "the duplicate was answered before the first";
  written(*s);
  auto first = response_for(1);
  auto second = response_for(2);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(first->status_code(), 200);
  EXPECT_EQ(second->status_code(), 200);
  EXPECT_EQ(second->top_via().branch, "z9hG4bKsecond") << "each transaction gets its own answer";
  EXPECT_FALSE(second->to().tag().empty());
  sync_fakes();
  EXPECT_EQ(pending_deliveries(), 0u);
}

TEST_F(im_session, duplicate_of_an_answered_message_gets_the_same_status_and_no_new_stanza) {
  start(config(), 200);
  send_sip(alice_message("once", "dup@sip", 7, "first"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  written(*s);
  ASSERT_EQ(status_for(1), 200);
  send_sip(alice_message("once", "dup@sip", 7, "retry"), 2);
  auto r = response_for(2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 200);
  EXPECT_FALSE(r->to().tag().empty());
  ASSERT_TRUE(probe_session("p1"));
  EXPECT_EQ(pending_deliveries(), 0u) << "a new stanza for the repeat";
}

TEST_F(im_session, duplicate_of_a_message_answered_with_an_error_gets_that_error) {
  start(config(300ms), 200);
  send_sip(alice_message("lost", "dup@sip", 3, "first"), 1);
  ASSERT_TRUE(next_delivery());  // never written: 408
  ASSERT_EQ(status_for(1), 408);
  send_sip(alice_message("lost", "dup@sip", 3, "retry"), 2);
  EXPECT_EQ(status_for(2), 408);
  ASSERT_TRUE(probe_session("p1"));
  EXPECT_EQ(pending_deliveries(), 0u) << "a new stanza for the repeat";
}

TEST_F(im_session, message_with_a_new_cseq_is_not_a_duplicate) {
  start(config(), 200);
  send_sip(alice_message("one", "same@sip", 1, "b1"), 1);
  send_sip(alice_message("two", "same@sip", 2, "b2"), 2);
  auto a = next_delivery();
  auto b = next_delivery();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(body_of(*a), "one");
  EXPECT_EQ(body_of(*b), "two");
  EXPECT_NE(a->id, b->id);
  written(*a);
  written(*b);
  EXPECT_EQ(status_for(1), 200);
  EXPECT_EQ(status_for(2), 200);
}

TEST_F(im_session, empty_sip_message_gets_400_and_no_stanza) {
  start(config(), 200);
  send_sip(raw_request("MESSAGE", romeo_sip, alice_sip, romeo_sip, "empty@sip", 1, "b1", ""), 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 400);
  EXPECT_FALSE(r->to().tag().empty());
  ASSERT_TRUE(probe_session("p1"));
  EXPECT_EQ(pending_deliveries(), 0u);
}

// ---- XMPP -> SIP --------------------------------------------------------------------------------

TEST_F(im_session, xmpp_message_becomes_one_sip_message_to_the_local_user) {
  start(config(), 200);
  send_stanza(romeo_stanza("m1", "<subject>Tonight</subject><body>Wherefore art thou?</body>"));
  auto r = next_sip_request();
  ASSERT_TRUE(r);
  const auto& m = r->request;
  EXPECT_EQ(m.method(), "MESSAGE");
  EXPECT_EQ(m.request_uri(), alice_sip);
  EXPECT_EQ(m.from().uri_text, romeo_sip) << "the resource is dropped";
  EXPECT_FALSE(m.from().tag().empty());
  EXPECT_EQ(m.to().uri_text, alice_sip);
  EXPECT_TRUE(m.to().tag().empty());
  ASSERT_TRUE(m.header("Content-Type"));
  EXPECT_EQ(*m.header("Content-Type"), "text/plain;charset=UTF-8");
  EXPECT_EQ(m.body(), "Wherefore art thou?");
  EXPECT_EQ(m.header("Subject").value_or(""), "Tonight");
  EXPECT_EQ(m.cseq().number, 1u);
  EXPECT_EQ(m.max_forwards().value_or(0), 70);
  EXPECT_FALSE(m.call_id().empty());
  // The next message shows the first one's 200 was handled: it was sent once and not bounced.
  auto next = probe_session("p1");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->request.cseq().number, 2u);
  EXPECT_EQ(next->request.from().tag(), m.from().tag()) << "one From tag per session";
  EXPECT_EQ(pending_requests(), 0u) << "the stanza went out twice";
  EXPECT_EQ(pending_deliveries(), 0u) << "a 200 bounced the stanza";
}

TEST_F(im_session, xmpp_messages_go_to_sip_one_at_a_time_in_arrival_order) {
  start(config());  // the fake SIP shard holds each request until released
  send_stanza(romeo_says("m1", "one"));
  send_stanza(romeo_says("m2", "two"));
  send_stanza(romeo_says("m3", "three"));
  const char* bodies[] = {"one", "two", "three"};
  for (unsigned i = 0; i < 3; ++i) {
    auto r = next_sip_request();
    ASSERT_TRUE(r) << "request " << i + 1;
    EXPECT_EQ(r->request.body(), bodies[i]);
    EXPECT_EQ(r->in_flight, 1u) << "sent while an earlier MESSAGE had no final response";
    EXPECT_EQ(r->request.cseq().number, i + 1);
    release_sip(200);
  }
  ASSERT_TRUE(probe_session("p1"));
  EXPECT_EQ(pending_requests(), 0u);
  EXPECT_EQ(pending_deliveries(), 0u);
}

TEST_F(im_session, sip_404_bounces_the_stanza_to_its_sender_with_item_not_found_and_the_reason) {
  start(config(), 404);
  send_stanza(romeo_stanza("m1", "<body>Wherefore art thou?</body><thread>t1</thread>"));
  ASSERT_TRUE(next_sip_request());
  auto b = next_delivery();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->to, romeo_full) << "back to the original sender, resource included";
  EXPECT_EQ(b->from, alice_jid);
  EXPECT_EQ(b->kind, "message");
  EXPECT_EQ(b->type, "error");
  EXPECT_EQ(b->id, "m1");
  parsed_stanza p(b->xml);
  ASSERT_TRUE(p.ok) << b->xml;
  EXPECT_STREQ(p.el.attribute("type").value(), "error");
  EXPECT_STREQ(p.el.attribute("to").value(), romeo_full);
  auto error = p.el.child("error");
  ASSERT_TRUE(error) << b->xml;
  EXPECT_STREQ(error.attribute("type").value(), "cancel");
  auto condition = error.child("item-not-found");
  ASSERT_TRUE(condition) << b->xml;
  EXPECT_STREQ(condition.attribute("xmlns").value(), stanzas_ns);
  EXPECT_STREQ(error.child("text").text().as_string(), "Not Found") << b->xml;
  EXPECT_STREQ(p.el.child("body").text().as_string(), "Wherefore art thou?")
      << "the original children are kept";
}

TEST_F(im_session, chat_state_refused_with_415_is_not_bounced_and_stops_chat_states_to_sip) {
  start(config());
  send_stanza(romeo_stanza("cs1", "<composing xmlns='http://jabber.org/protocol/chatstates'/>"));
  auto r = next_sip_request();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request.header("Content-Type").value_or(""), "application/im-iscomposing+xml");
  release_sip(415);
  send_stanza(romeo_stanza("cs2", "<composing xmlns='http://jabber.org/protocol/chatstates'/>"));
  send_stanza(romeo_says("m1", "after the chat states"));
  // The next request is the message: the second chat state was not sent.
  auto next = next_sip_request();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->request.header("Content-Type").value_or(""), "text/plain;charset=UTF-8");
  EXPECT_EQ(next->request.body(), "after the chat states");
  release_sip(200);
  sync_fakes();
  EXPECT_EQ(pending_deliveries(), 0u) << "a refused chat state was bounced";
  EXPECT_EQ(pending_requests(), 0u);
}

TEST_F(im_session, full_queue_bounces_with_resource_constraint) {
  auto cfg = config();
  cfg.session_queue_max = 2;
  start(cfg);  // the first MESSAGE stays in flight: m2 and m3 wait, m4 finds the queue full
  for (const char* id : {"m1", "m2", "m3", "m4"})
    send_stanza(romeo_says(id, std::string("text of ") + id));
  auto first = next_sip_request();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->request.body(), "text of m1");
  auto b = next_delivery();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, "m4");
  EXPECT_EQ(b->to, romeo_full);
  EXPECT_EQ(b->type, "error");
  parsed_stanza p(b->xml);
  ASSERT_TRUE(p.ok) << b->xml;
  EXPECT_STREQ(p.el.child("error").attribute("type").value(), "wait");
  EXPECT_TRUE(p.el.child("error").child("resource-constraint")) << b->xml;
  // The two that waited go out in order; the bounced one does not.
  release_sip(200);
  auto second = next_sip_request();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->request.body(), "text of m2");
  release_sip(200);
  auto third = next_sip_request();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->request.body(), "text of m3");
  release_sip(200);
  auto probe = probe_session("p1");
  ASSERT_TRUE(probe);
  release_sip(200);
  EXPECT_EQ(pending_requests(), 0u);
  EXPECT_EQ(pending_deliveries(), 0u);
}

// ---- thread <-> Call-ID -------------------------------------------------------------------------

TEST_F(im_session, xmpp_thread_keeps_its_call_id_and_a_reply_on_it_comes_back_in_the_thread) {
  start(config(), 200);
  send_stanza(romeo_stanza("m1", "<body>one</body><thread>t-verona</thread>"));
  send_stanza(romeo_stanza("m2", "<body>two</body><thread>t-verona</thread>"));
  auto a = next_sip_request();
  auto b = next_sip_request();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->request.call_id(), b->request.call_id());
  // Alice answers in that Call-ID: the stanza carries romeo's thread.
  std::string call_id(a->request.call_id());
  send_sip(alice_message("reply", call_id, 1, "b1"), 1);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  parsed_stanza p(s->xml);
  ASSERT_TRUE(p.ok) << s->xml;
  EXPECT_STREQ(p.el.child("thread").text().as_string(), "t-verona");
}

}  // namespace
}  // namespace fedgate::im::testing
