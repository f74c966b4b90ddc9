// The presence of a local SIP user (alice) watched by an XMPP contact (romeo): authorisation,
// the SIP subscription held on romeo's behalf, NOTIFY -> <presence/>, probes, storm control and
// the store. The router runs with fake S2S and SIP actors (presence_test_support.hpp).

#include "actors/presence/local_user_presence.hpp"

#include <set>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "presence_test_support.hpp"

namespace fedgate::presence::testing {
namespace {

class local_user_presence_test : public im_fixture {
 protected:
  std::shared_ptr<memory_subscription_store> store = std::make_shared<memory_subscription_store>();

  // romeo asks to see alice; returns fedgate's SUBSCRIBE (held by the fake SIP shard).
  std::optional<sent_request> romeo_subscribes() {
    send_stanza(romeo_presence("subscribe", {}, romeo_jid));
    return next_sip_request();
  }

  // alice's side sends a NOTIFY in the dialog of `subscribe` (answered 200 with To tag uas-tag).
  void notify(const sip::message& subscribe, int cseq, const std::string& state,
              const std::string& body, std::uint64_t server_id) {
    send_sip(presence_request("NOTIFY", "sip:romeo@192.0.2.9", alice_sip, "uas-tag", romeo_sip,
                              std::string(subscribe.from().tag()), std::string(subscribe.call_id()),
                              cseq, "n" + std::to_string(server_id),
                              {{"Event", "presence"}, {"Subscription-State", state}}, body),
             server_id);
  }

  static std::string attr(const s2s::stanza& s, const char* name) {
    pugi::xml_document d;
    d.load_string(s.xml.c_str());
    return d.first_child().attribute(name).value();
  }
  static std::string child(const s2s::stanza& s, const char* name) {
    pugi::xml_document d;
    d.load_string(s.xml.c_str());
    return d.first_child().child(name).text().get();
  }
};

TEST_F(local_user_presence_test, automatic_authorisation_says_subscribed_and_subscribes_on_sip) {
  start(presence_config(store, authorisation::automatic));
  auto sub = romeo_subscribes();
  ASSERT_TRUE(sub);
  const auto& m = sub->request;
  EXPECT_EQ(m.method(), "SUBSCRIBE");
  EXPECT_EQ(m.request_uri(), alice_sip);
  EXPECT_EQ(m.from().uri_text, romeo_sip) << "on the contact's behalf (RFC 7248)";
  EXPECT_EQ(m.to().uri_text, alice_sip);
  EXPECT_EQ(m.header("Event").value_or(""), "presence");
  EXPECT_EQ(m.header("Accept").value_or(""), "application/pidf+xml");
  EXPECT_EQ(m.header("Expires").value_or(""), "3600");
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "subscribed");
  EXPECT_EQ(s->from, alice_jid);
  EXPECT_EQ(s->to, romeo_jid);
  auto records = store->load_all();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].direction, watch_direction::xmpp_watches_sip);
  EXPECT_EQ(records[0].local, alice_jid);
  EXPECT_EQ(records[0].remote, romeo_jid);
  EXPECT_EQ(records[0].state, auth_state::active);
}

TEST_F(local_user_presence_test, notify_becomes_presence_for_the_watcher) {
  start(presence_config(store, authorisation::automatic));
  auto sub = romeo_subscribes();
  ASSERT_TRUE(sub);
  ASSERT_TRUE(next_delivery());  // subscribed
  release_sip(200);
  notify(sub->request, 1, "active;expires=3600", pidf(alice_sip, true, "away", "at lunch"), 10);
  EXPECT_EQ(status_for(10), 200);
  auto p = next_delivery();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, "presence");
  EXPECT_EQ(p->type, "");
  EXPECT_EQ(p->to, romeo_jid);
  EXPECT_EQ(child(*p, "show"), "away");
  EXPECT_EQ(child(*p, "status"), "at lunch");
  notify(sub->request, 2, "active;expires=3500", pidf(alice_sip, false), 11);
  EXPECT_EQ(status_for(11), 200);
  auto off = next_delivery();
  ASSERT_TRUE(off);
  EXPECT_EQ(off->type, "unavailable");
}

TEST_F(local_user_presence_test, forward_waits_for_the_sip_side_to_authorise) {
  start(presence_config(store, authorisation::forward));
  auto sub = romeo_subscribes();
  ASSERT_TRUE(sub);
  release_sip(202);
  notify(sub->request, 1, "pending;expires=3600", {}, 10);
  EXPECT_EQ(status_for(10), 200);
  sync_fakes();
  EXPECT_EQ(pending_deliveries(), 0u) << "nothing to XMPP while pending";
  ASSERT_EQ(store->load_all().size(), 1u);
  EXPECT_EQ(store->load_all()[0].state, auth_state::pending);
  notify(sub->request, 2, "active;expires=3600", pidf(alice_sip, true), 11);
  EXPECT_EQ(status_for(11), 200);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "subscribed");
  auto p = next_delivery();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, "");
  EXPECT_EQ(store->load_all()[0].state, auth_state::active);
}

TEST_F(local_user_presence_test, rejected_on_the_sip_side_is_unsubscribed) {
  start(presence_config(store, authorisation::forward));
  auto sub = romeo_subscribes();
  ASSERT_TRUE(sub);
  release_sip(200);
  notify(sub->request, 1, "terminated;reason=rejected", {}, 10);
  EXPECT_EQ(status_for(10), 200);
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "unsubscribed");
  EXPECT_TRUE(store->load_all().empty());
}

TEST_F(local_user_presence_test, refuse_policy_answers_unsubscribed_without_sip) {
  auto cfg = presence_config(store, authorisation::automatic);
  cfg.presence.partner_authorisation["montague.example"] = authorisation::refuse;
  start(cfg);
  send_stanza(romeo_presence("subscribe", {}, romeo_jid));
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "unsubscribed");
  sync_fakes();
  EXPECT_EQ(pending_requests(), 0u);
  EXPECT_TRUE(store->load_all().empty());
}

TEST_F(local_user_presence_test, probe_from_a_stranger_gets_unsubscribed) {
  start(presence_config(store));
  send_stanza(romeo_presence("probe", {}, romeo_jid));
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "unsubscribed");
}

TEST_F(local_user_presence_test, probe_from_a_watcher_gets_the_last_state) {
  start(presence_config(store));
  auto sub = romeo_subscribes();
  ASSERT_TRUE(sub);
  ASSERT_TRUE(next_delivery());  // subscribed
  release_sip(200);
  notify(sub->request, 1, "active", pidf(alice_sip, true, "busy"), 10);
  ASSERT_EQ(status_for(10), 200);
  ASSERT_TRUE(next_delivery());
  send_stanza(romeo_presence("probe", {}, romeo_jid));
  auto p = next_delivery();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, "");
  EXPECT_EQ(child(*p, "show"), "dnd");
}

TEST_F(local_user_presence_test, unsubscribe_ends_the_sip_subscription) {
  start(presence_config(store));
  auto sub = romeo_subscribes();
  ASSERT_TRUE(sub);
  ASSERT_TRUE(next_delivery());
  release_sip(200);
  notify(sub->request, 1, "active", pidf(alice_sip, true), 10);  // the dialog is up
  ASSERT_EQ(status_for(10), 200);
  ASSERT_TRUE(next_delivery());
  send_stanza(romeo_presence("unsubscribe", {}, romeo_jid));
  auto end = next_sip_request();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->request.method(), "SUBSCRIBE");
  EXPECT_EQ(end->request.header("Expires").value_or(""), "0");
  EXPECT_EQ(end->request.call_id(), sub->request.call_id()) << "in the same dialog";
  auto u = next_delivery();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->type, "unavailable");
  EXPECT_TRUE(store->load_all().empty());
}

TEST_F(local_user_presence_test, notify_for_an_unknown_subscription_gets_481) {
  start(presence_config(store));
  send_sip(presence_request("NOTIFY", "sip:romeo@192.0.2.9", alice_sip, "x", romeo_sip, "y",
                            "nobody@sip", 1, "b1",
                            {{"Event", "presence"}, {"Subscription-State", "active"}}),
           1);
  EXPECT_EQ(status_for(1), 481);
}

TEST_F(local_user_presence_test, a_burst_is_coalesced_and_the_last_state_wins) {
  auto cfg = presence_config(store);
  cfg.presence.coalesce_window = std::chrono::milliseconds(300);
  start(cfg);
  auto sub = romeo_subscribes();
  ASSERT_TRUE(sub);
  ASSERT_TRUE(next_delivery());
  release_sip(200);
  constexpr int burst = 200;
  for (int i = 1; i <= burst; ++i) {
    notify(sub->request, i, "active", pidf(alice_sip, true, {}, "state " + std::to_string(i)),
           static_cast<std::uint64_t>(100 + i));
  }
  for (int i = 1; i <= burst; ++i)
    ASSERT_EQ(status_for(static_cast<std::uint64_t>(100 + i)), 200);
  // Stanzas until the final state arrives (bounded by the burst size).
  int received = 0;
  std::string last;
  while (last != "state " + std::to_string(burst) && received < burst) {
    auto p = next_delivery();
    ASSERT_TRUE(p) << "the final state never arrived; last was \"" << last << "\"";
    ++received;
    last = child(*p, "status");
  }
  EXPECT_EQ(last, "state " + std::to_string(burst));
  EXPECT_LT(received, burst / 4) << "a burst must be merged, not forwarded one by one";
}

// The window is per watcher: one change of alice's state reaches each watcher through its own
// SIP subscription (one NOTIFY each), and every watcher gets it at once, not one watcher now and
// the others a window later (fedgate-bench presence-fanout found the per-user window).
TEST_F(local_user_presence_test, one_change_reaches_every_watcher_without_waiting_a_window) {
  auto cfg = presence_config(store);
  cfg.presence.coalesce_window = std::chrono::seconds(60);  // longer than any wait below
  start(cfg);
  const std::vector<std::string> watchers = {romeo_jid, "benvolio@montague.example",
                                             "mercutio@montague.example"};
  std::vector<sip::message> subscribes;
  for (const auto& jid : watchers) {
    send_stanza(romeo_presence("subscribe", {}, jid));
    auto sub = next_sip_request();
    ASSERT_TRUE(sub);
    subscribes.push_back(sub->request);
    auto s = next_delivery();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->type, "subscribed");
    release_sip(200);
  }
  std::uint64_t server_id = 300;
  auto notify_all = [&](int cseq, const std::string& note) {
    for (const auto& sub : subscribes) {
      send_sip(presence_request("NOTIFY", "sip:w@192.0.2.9", alice_sip, "uas-tag",
                                std::string(sub.from().uri_text), std::string(sub.from().tag()),
                                std::string(sub.call_id()), cseq, "n" + std::to_string(server_id),
                                {{"Event", "presence"}, {"Subscription-State", "active"}},
                                pidf(alice_sip, true, {}, note)),
               server_id);
      EXPECT_EQ(status_for(server_id++), 200);
    }
  };
  notify_all(1, "first");
  std::set<std::string> reached;
  for (std::size_t i = 0; i < watchers.size(); ++i) {
    auto p = next_delivery();
    ASSERT_TRUE(p) << "only " << reached.size() << " of " << watchers.size()
                   << " watchers got the change before the window ended";
    EXPECT_EQ(child(*p, "status"), "first");
    reached.insert(p->to);
  }
  EXPECT_EQ(reached.size(), watchers.size());
  // A second change within every watcher's window waits for it (storm control still holds).
  notify_all(2, "second");
  sync_fakes();
  EXPECT_EQ(pending_deliveries(), 0u);
}

TEST_F(local_user_presence_test, restore_subscribes_again_with_the_stored_authorisation) {
  start(presence_config(store, authorisation::forward));
  subscription_record r;
  r.direction = watch_direction::xmpp_watches_sip;
  r.local = alice_jid;
  r.remote = romeo_jid;
  r.state = auth_state::active;
  im::restore_presence(router_, {r});
  auto sub = next_sip_request();
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->request.method(), "SUBSCRIBE");
  EXPECT_EQ(sub->request.from().uri_text, romeo_sip);
  release_sip(200);
  notify(sub->request, 1, "active", pidf(alice_sip, true), 10);
  EXPECT_EQ(status_for(10), 200);
  auto p = next_delivery();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, "") << "authorised before the restart: presence flows at once";
}

}  // namespace
}  // namespace fedgate::presence::testing
