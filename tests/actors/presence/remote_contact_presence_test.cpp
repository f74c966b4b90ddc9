// The presence of an XMPP contact (romeo) watched by a local SIP user (alice): SUBSCRIBE
// handling (notifier role, RFC 6665), the XMPP subscription held in alice's name, XMPP presence
// -> NOTIFY with PIDF, refresh, unsubscribe, the store and restore.

#include "actors/presence/remote_contact_presence.hpp"

#include <set>

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "actors/presence/stored_dialog.hpp"
#include "metrics/families.hpp"
#include "presence_test_support.hpp"

namespace fedgate::presence::testing {
namespace {

class remote_contact_presence_test : public im_fixture {
 protected:
  std::shared_ptr<memory_subscription_store> store = std::make_shared<memory_subscription_store>();

  void subscribe(int cseq, unsigned expires, std::uint64_t server_id,
                 const std::string& to_tag = {}, const std::string& call_id = "w1@sip") {
    send_sip(presence_request("SUBSCRIBE", romeo_sip, alice_sip, "alice-tag", romeo_sip, to_tag,
                              call_id, cseq, "s" + std::to_string(server_id),
                              {{"Event", "presence"}, {"Expires", std::to_string(expires)}}),
             server_id);
  }

  // The first SUBSCRIBE: answered 200, then NOTIFY pending and <presence type='subscribe'/>.
  std::string subscribe_and_check_pending() {
    subscribe(1, 600, 1);
    auto r = response_for(1);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status_code(), 200);
    EXPECT_EQ(r->header("Expires").value_or(""), "600");
    auto n = next_sip_request();
    EXPECT_TRUE(n);
    if (!n) return {};
    EXPECT_EQ(n->request.method(), "NOTIFY");
    EXPECT_EQ(n->request.call_id(), "w1@sip");
    EXPECT_EQ(n->request.header("Subscription-State").value_or("").substr(0, 7), "pending");
    auto s = next_delivery();
    EXPECT_TRUE(s);
    if (s) {
      EXPECT_EQ(s->type, "subscribe");
      EXPECT_EQ(s->from, alice_jid);
      EXPECT_EQ(s->to, romeo_jid);
    }
    return std::string(r->to().tag());
  }
};

TEST_F(remote_contact_presence_test, subscribe_asks_the_contact_and_notifies_pending) {
  start(presence_config(store), 200);
  auto tag = subscribe_and_check_pending();
  EXPECT_FALSE(tag.empty());
  auto records = store->load_all();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].direction, watch_direction::sip_watches_xmpp);
  EXPECT_EQ(records[0].state, auth_state::pending);
  auto d = dialog_from_text(records[0].sip_dialog);
  ASSERT_TRUE(d) << records[0].sip_dialog;
  EXPECT_EQ(d->call_id, "w1@sip");
}

TEST_F(remote_contact_presence_test, subscribed_then_presence_become_notifies_with_pidf) {
  start(presence_config(store), 200);
  subscribe_and_check_pending();
  send_stanza(romeo_presence("subscribed", {}, romeo_jid));
  auto active = next_sip_request();
  ASSERT_TRUE(active);
  EXPECT_EQ(active->request.header("Subscription-State").value_or("").substr(0, 6), "active");
  EXPECT_NE(active->request.body().find("closed"), std::string_view::npos)
      << "no resource online yet: closed";
  send_stanza(romeo_presence("", "<show>away</show><status>gone fishing</status>"));
  auto n = next_sip_request();
  ASSERT_TRUE(n);
  auto body = std::string(n->request.body());
  EXPECT_NE(body.find("open"), std::string::npos) << body;
  EXPECT_NE(body.find("away"), std::string::npos) << body;
  EXPECT_NE(body.find("gone fishing"), std::string::npos) << body;
  send_stanza(romeo_presence("unavailable"));
  auto off = next_sip_request();
  ASSERT_TRUE(off);
  EXPECT_NE(std::string(off->request.body()).find("closed"), std::string::npos);
  EXPECT_EQ(store->load_all()[0].state, auth_state::active);
}

// What the dashboard's presence panels show: SUBSCRIBE in, NOTIFY out, presence stanzas in,
// active subscriptions.
TEST_F(remote_contact_presence_test, presence_traffic_is_counted) {
  using namespace metrics;
  auto value = [](direction d, sip_method m) {
    return sip_requests().series(d, m, outcome::delivered, status_class::s5xx).Value();
  };
  double subscribes = value(direction::in, sip_method::subscribe);
  double notifies = value(direction::out, sip_method::notify);
  double active = metrics::presence().subscriptions_series(translation::sip_to_xmpp).Value();
  auto& presence_in = xmpp_stanzas().series(direction::in, stanza_kind::subscription,
                                            outcome::delivered, stanza_error::undefined_condition);
  double stanzas = presence_in.Value();
  start(presence_config(store), 200);
  auto tag = subscribe_and_check_pending();
  send_stanza(romeo_presence("subscribed", {}, romeo_jid));
  ASSERT_TRUE(next_sip_request());  // NOTIFY active: the stanza was counted before it
  EXPECT_EQ(metrics::presence().subscriptions_series(translation::sip_to_xmpp).Value(), active + 1);
  EXPECT_EQ(presence_in.Value(), stanzas + 1);
  // A refresh: a third NOTIFY.
  subscribe(2, 300, 2, tag);
  ASSERT_EQ(status_for(2), 200);
  EXPECT_EQ(value(direction::in, sip_method::subscribe), subscribes + 2);
  // Their 200s reach the actor asynchronously: no message tells the test.
  EXPECT_TRUE(eventually([&] { return value(direction::out, sip_method::notify) >= notifies + 3; }))
      << "NOTIFYs counted: " << value(direction::out, sip_method::notify) - notifies;
}

// One change, three watchers, a fan-out bound of one: the other two NOTIFYs go out in follow-up
// messages, none is lost.
TEST_F(remote_contact_presence_test, fan_out_beyond_the_bound_continues_in_follow_ups) {
  auto cfg = presence_config(store);
  cfg.presence.max_fanout_per_message = 1;
  start(cfg, 200);
  std::set<std::string> dialogs;
  for (int i = 1; i <= 3; ++i) {
    auto user = "sip:user" + std::to_string(i) + "@sip.local";
    auto call_id = "fan" + std::to_string(i) + "@sip";
    send_sip(presence_request("SUBSCRIBE", romeo_sip, user, "t" + std::to_string(i), romeo_sip, {},
                              call_id, 1, "f" + std::to_string(i),
                              {{"Event", "presence"}, {"Expires", "600"}}),
             static_cast<std::uint64_t>(i));
    ASSERT_EQ(status_for(static_cast<std::uint64_t>(i)), 200);
    ASSERT_TRUE(next_sip_request());  // NOTIFY pending
    auto ask = next_delivery();
    ASSERT_TRUE(ask);
    ASSERT_EQ(ask->type, "subscribe");
    std::string approve = "<presence from='" + std::string(romeo_jid) + "' to='" + ask->from +
                          "' type='subscribed'/>";
    send_stanza(s2s::stanza{approve, romeo_jid, ask->from, "presence", "subscribed", ""});
    auto active = next_sip_request();
    ASSERT_TRUE(active);
    dialogs.insert(std::string(active->request.call_id()));
  }
  ASSERT_EQ(dialogs.size(), 3u);
  send_stanza(romeo_presence("", "<show>dnd</show><status>fan out</status>"));
  std::set<std::string> notified;
  for (int i = 0; i < 3; ++i) {
    auto n = next_sip_request();
    ASSERT_TRUE(n) << "NOTIFY " << i + 1 << " of 3 never came";
    EXPECT_NE(std::string(n->request.body()).find("fan out"), std::string::npos);
    notified.insert(std::string(n->request.call_id()));
  }
  EXPECT_EQ(notified, dialogs);
}

TEST_F(remote_contact_presence_test, refresh_is_absorbed_with_a_notify_and_no_stanza) {
  start(presence_config(store), 200);
  auto tag = subscribe_and_check_pending();
  subscribe(2, 300, 2, tag);
  auto r = response_for(2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 200);
  EXPECT_EQ(r->header("Expires").value_or(""), "300");
  auto n = next_sip_request();
  ASSERT_TRUE(n);
  EXPECT_EQ(n->request.method(), "NOTIFY");
  sync_fakes();
  EXPECT_EQ(pending_deliveries(), 0u) << "a refresh sends nothing to XMPP";
}

TEST_F(remote_contact_presence_test, expires_zero_terminates_and_unsubscribes) {
  start(presence_config(store), 200);
  auto tag = subscribe_and_check_pending();
  subscribe(2, 0, 2, tag);
  EXPECT_EQ(status_for(2), 200);
  auto n = next_sip_request();
  ASSERT_TRUE(n);
  EXPECT_EQ(n->request.header("Subscription-State").value_or("").substr(0, 10), "terminated");
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "unsubscribe");
  EXPECT_TRUE(store->load_all().empty());
}

TEST_F(remote_contact_presence_test, unsubscribed_from_the_contact_terminates_rejected) {
  start(presence_config(store), 200);
  subscribe_and_check_pending();
  send_stanza(romeo_presence("unsubscribed", {}, romeo_jid));
  auto n = next_sip_request();
  ASSERT_TRUE(n);
  auto state = std::string(n->request.header("Subscription-State").value_or(""));
  EXPECT_EQ(state.substr(0, 10), "terminated");
  EXPECT_NE(state.find("rejected"), std::string::npos) << state;
  EXPECT_TRUE(store->load_all().empty());
}

TEST_F(remote_contact_presence_test, too_brief_expires_gets_423_with_min_expires) {
  start(presence_config(store), 200);
  subscribe(1, 5, 1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 423);
  EXPECT_EQ(r->header("Min-Expires").value_or(""), "60");
}

TEST_F(remote_contact_presence_test, another_event_package_gets_489) {
  start(presence_config(store), 200);
  send_sip(presence_request("SUBSCRIBE", romeo_sip, alice_sip, "t", romeo_sip, {}, "d@sip", 1, "b1",
                            {{"Event", "dialog"}, {"Expires", "600"}}),
           1);
  auto r = response_for(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 489);
  EXPECT_EQ(r->header("Allow-Events").value_or(""), "presence");
}

TEST_F(remote_contact_presence_test, refresh_of_an_unknown_dialog_gets_481) {
  start(presence_config(store), 200);
  subscribe(2, 600, 1, "no-such-tag", "unknown@sip");
  EXPECT_EQ(status_for(1), 481);
}

TEST_F(remote_contact_presence_test, restore_resumes_the_dialog_and_probes_the_contact) {
  start(presence_config(store), 200);
  sip_layer::dialog d;
  d.call_id = "kept@sip";
  d.local_tag = "ours";
  d.remote_tag = "alice-tag";
  d.local_uri = std::string("<") + romeo_sip + ">";
  d.remote_uri = std::string("<") + alice_sip + ">";
  d.local_cseq = 7;
  d.remote_target = "sip:alice@192.0.2.5:5060";
  subscription_record r;
  r.direction = watch_direction::sip_watches_xmpp;
  r.local = alice_jid;
  r.remote = romeo_jid;
  r.state = auth_state::active;
  r.sip_dialog = dialog_to_text(d);
  r.expires_unix = static_cast<std::int64_t>(std::time(nullptr)) + 600;
  im::restore_presence(router_, {r});
  auto probe = next_delivery();
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->type, "probe");
  EXPECT_EQ(probe->from, alice_jid);
  EXPECT_EQ(probe->to, romeo_jid);
  send_stanza(romeo_presence("", "<show>dnd</show>"));
  auto n = next_sip_request();
  ASSERT_TRUE(n);
  EXPECT_EQ(n->request.call_id(), "kept@sip") << "NOTIFYs go on in the stored dialog";
  EXPECT_GT(n->request.cseq().number, 7u + 1000u) << "past anything sent before the restart";
  EXPECT_NE(std::string(n->request.body()).find("busy"), std::string::npos);
}

}  // namespace
}  // namespace fedgate::presence::testing
