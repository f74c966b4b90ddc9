// Presence end to end (docs/presence.md), everything on loopback:
//
//   slixmpp (presence_client.py) ── Prosody ══ S2S ══ fedgate (the binary) ── SIP ── SIPp
//
// The XMPP user is alice@xmpp.test (the fixture's Prosody user), the SIP user bob@sip.local, seen
// on the XMPP side as bob@sip.test. The SIPp scenarios are in scenarios/presence_*.xml; the
// watcher scenarios print "STEP <name>" (an exec action) at each point the test waits for, so
// the test and SIPp take turns on events, never on time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/im_fixture.hpp"

namespace fedgate::e2e {
namespace {

using ::testing::HasSubstr;

const std::string presence_client =
    std::string(FEDGATE_SOURCE_DIR) + "/tests/e2e/presence_client.py";
const std::string scenarios = std::string(FEDGATE_SOURCE_DIR) + "/tests/e2e/scenarios/";

// One <presence/> the client printed ("PRES {json}").
struct seen_presence {
  std::string from, type, show, status;
};

std::vector<seen_presence> presences_from(const std::string& output, const std::string& from) {
  std::vector<seen_presence> out;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("PRES ", 0) != 0) continue;
    auto j = nlohmann::json::parse(line.substr(5));
    auto f = j["from"].get<std::string>();
    if (f != from && f.rfind(from + "/", 0) != 0) continue;
    out.push_back({f, j["type"], j["show"], j["status"]});
  }
  return out;
}

std::string describe(const std::vector<seen_presence>& ps) {
  std::string s;
  for (const auto& p : ps)
    s += p.type + "/" + p.show + "/" + p.status + "\n";
  return s;
}

class presence_e2e : public im_e2e {
 protected:
  // The fixture's gateway, then the same with `presence_toml` as its [presence] table (the
  // fixture writes none): fedgate is restarted on the extended config and the same state dir.
  void start_presence(const std::string& presence_toml) {
    start();
    if (HasFatalFailure()) return;
    kill_fedgate();
    std::ofstream(config_path(), std::ios::app) << "[presence]\n" << presence_toml;
    restart_fedgate();
  }

  // SIGKILL by PID, then waits until its listeners are gone (a restart binds them again).
  void kill_fedgate() {
    fedgate_->signal(SIGKILL);
    ASSERT_TRUE(fedgate_->wait_exit(10s).has_value());
    ASSERT_TRUE(wait_unbound(sip_udp_, false));
    ASSERT_TRUE(wait_unbound(s2s_port_, true));
  }

  void restart_fedgate() {
    fedgate_ = std::make_unique<child_process>(
        std::vector<std::string>{fedgate_binary, "--config", config_path().string()});
    ASSERT_TRUE(fedgate_->wait_for_line("fedgate started", 20s)) << fedgate_->output();
  }

  // alice on Prosody (presence_client.py), driven through its stdin; waits until it is online.
  std::unique_ptr<child_process> xmpp_user(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{"/usr/bin/python3",
                                  presence_client,
                                  "--jid",
                                  "alice@xmpp.test",
                                  "--password",
                                  "alicepw",
                                  "--port",
                                  std::to_string(prosody_->options().c2s_port),
                                  "--ca",
                                  pki_->ca_certificate().string(),
                                  "--timeout",
                                  "150"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<child_process>(argv, true);
    EXPECT_TRUE(p->wait_for_line("ONLINE", 30s)) << p->output();
    return p;
  }

  static void send(child_process& client, const std::string& stanza) {
    EXPECT_TRUE(client.write_stdin("SEND " + stanza + "\n"));
  }

  static void quit(child_process& client) {
    client.write_stdin("QUIT\n");
    EXPECT_EQ(client.wait_exit(20s), 0) << client.output();
  }

  // Reads the client's output until a presence from `from` with `type` (and `status`, when not
  // empty) arrives. Bounded by `timeout`.
  static bool wait_presence(child_process& client, const std::string& from, const std::string& type,
                            const std::string& status = "",
                            std::chrono::milliseconds timeout = 60s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto line = client.wait_for_line("PRES ", left);
      if (!line) return false;
      auto ps = presences_from(*line + "\n", from);
      if (!ps.empty() && ps[0].type == type && (status.empty() || ps[0].status == status)) {
        return true;
      }
    }
  }

  // A SIPp UAS on uas_port_ (where fedgate's route for sip.local points) running one call of
  // scenarios/`scenario` for bob; what it received is logged to `log`.
  std::unique_ptr<child_process> sip_notifier(
      const std::string& scenario, const std::filesystem::path& log,
      const std::vector<std::pair<std::string, std::string>>& keys = {}) {
    std::vector<std::string> argv{sipp_bin,
                                  "-sf",
                                  scenarios + scenario,
                                  "-i",
                                  "127.0.0.1",
                                  "-p",
                                  std::to_string(uas_port_),
                                  "-t",
                                  "u1",
                                  "-m",
                                  "1",
                                  "-key",
                                  "who",
                                  "bob",
                                  "-key",
                                  "expires",
                                  "600",
                                  "-trace_msg",
                                  "-message_file",
                                  log.string(),
                                  "-nostdin",
                                  "-timeout",
                                  "120s",
                                  "-timeout_error"};
    for (const auto& [k, v] : keys)
      argv.insert(argv.end(), {"-key", k, v});
    auto p = std::make_unique<child_process>(argv);
    EXPECT_TRUE(wait_bound(uas_port_, false)) << "SIPp UAS did not bind: " << p->output();
    return p;
  }

  // A SIPp UAC (bob@sip.local) running scenarios/`scenario` against fedgate's UDP port, watching
  // alice@xmpp.test with Expires: `expires`.
  std::unique_ptr<child_process> sip_watcher(const std::string& scenario, unsigned expires,
                                             const std::filesystem::path& log) {
    return std::make_unique<child_process>(
        std::vector<std::string>{sipp_bin,
                                 "-sf",
                                 scenarios + scenario,
                                 "127.0.0.1:" + std::to_string(sip_udp_),
                                 "-i",
                                 "127.0.0.1",
                                 "-p",
                                 "0",
                                 "-t",
                                 "u1",
                                 "-m",
                                 "1",
                                 "-key",
                                 "who",
                                 "alice@xmpp.test",
                                 "-key",
                                 "expires",
                                 std::to_string(expires),
                                 "-trace_msg",
                                 "-message_file",
                                 log.string(),
                                 "-nostdin",
                                 "-timeout",
                                 "120s",
                                 "-timeout_error"});
  }

  static std::optional<std::string> step(child_process& sipp, const std::string& name,
                                         std::chrono::milliseconds timeout = 30s) {
    return sipp.wait_for_line("STEP " + name, timeout);
  }

  // What SIPp printed (without its screens' worth of statistics, cut) and fedgate's log.
  std::string report(child_process& sipp, child_process& client) {
    sipp.wait_for_line("\x01", 100ms);
    client.wait_for_line("\x01", 100ms);
    return "--- sipp ---\n" + sipp.output().substr(0, 6000) + "\n--- client ---\n" +
           client.output() + "\n" + diagnostics();
  }
};

const char* auto_now = "authorisation = \"auto\"\ncoalesce_ms = 0\nsubscribe_expires_s = 600\n";

// 1. An XMPP contact watches a SIP user, authorisation auto: 'subscribed' at once, a SUBSCRIBE
// to the SIP side with the RFC 7248 headers, and every NOTIFY's PIDF as presence.
TEST_F(presence_e2e, xmpp_contact_watches_sip_user_auto) {
  start_presence(auto_now);
  ASSERT_FALSE(HasFatalFailure());
  auto log = dir_.path() / "notifier.log";
  auto uas = sip_notifier("presence_notifier.xml", log, {{"note", "Lunch at noon"}});
  auto client = xmpp_user({"--subscribe", "bob@sip.test"});
  EXPECT_TRUE(wait_presence(*client, "bob@sip.test", "unavailable")) << report(*uas, *client);
  ASSERT_EQ(uas->wait_exit(30s), 0) << report(*uas, *client);
  quit(*client);
  auto got = presences_from(client->output(), "bob@sip.test");
  ASSERT_EQ(got.size(), 6u) << describe(got);
  EXPECT_EQ(got[0].type, "subscribed");
  EXPECT_EQ(got[0].from, "bob@sip.test");
  EXPECT_EQ(got[1].type, "available");
  EXPECT_EQ(got[1].show, "");
  EXPECT_EQ(got[2].type, "available");
  EXPECT_EQ(got[2].show, "away");
  EXPECT_EQ(got[3].show, "dnd");
  EXPECT_EQ(got[4].type, "available");
  EXPECT_EQ(got[4].show, "");
  EXPECT_EQ(got[4].status, "Lunch at noon");
  EXPECT_EQ(got[5].type, "unavailable");
  auto reqs = received_requests(log);
  ASSERT_GE(reqs.size(), 1u);
  const auto& sub = reqs[0];
  EXPECT_EQ(sub.start_line, "SUBSCRIBE sip:bob@sip.local SIP/2.0");
  EXPECT_THAT(sub.header("from"), HasSubstr("<sip:alice@xmpp.test>;tag="));
  EXPECT_THAT(sub.header("to"), HasSubstr("sip:bob@sip.local"));
  EXPECT_EQ(sub.header("event"), "presence");
  EXPECT_EQ(sub.header("accept"), "application/pidf+xml");
  EXPECT_EQ(sub.header("expires"), "600");
  EXPECT_THAT(sub.header("contact"), HasSubstr("sip:"));
}

// 1b. fedgate's own SIP subscription on the watcher's behalf: refreshed in its dialog before
// the granted Expires runs out (the SIP side grants 2 s), presence still flows after it; the
// XMPP watcher's 'unsubscribe' ends it in the dialog with Expires: 0 and the watcher gets
// 'unavailable' (RFC 6121 §3.3.3).
TEST_F(presence_e2e, xmpp_contact_refresh_then_unsubscribe) {
  start_presence(auto_now);
  ASSERT_FALSE(HasFatalFailure());
  auto log = dir_.path() / "notifier_refresh.log";
  auto uas = sip_notifier("presence_notifier_refresh.xml", log,
                          {{"short_expires", "2"}, {"note", "after the refresh"}});
  auto client = xmpp_user({"--subscribe", "bob@sip.test"});
  auto refreshed = step(*uas, "refreshed", 20s);
  ASSERT_TRUE(refreshed) << report(*uas, *client);
  EXPECT_THAT(*refreshed, HasSubstr("expires=600")) << "asks for the configured Expires again";
  EXPECT_TRUE(wait_presence(*client, "bob@sip.test", "available", "after the refresh"))
      << report(*uas, *client);
  // fedgate ctl presence: bob's actor, alice watching, active, what she was last sent.
  auto [rc, rows] = ctl({"presence", "bob@sip.test"});
  EXPECT_EQ(rc, 0) << rows.dump();
  ASSERT_TRUE(rows.is_array()) << rows.dump();
  bool found = false;
  for (const auto& r : rows) {
    if (r["actor"] != "#user bob@sip.test" || r["watcher"] != "alice@xmpp.test") continue;
    found = true;
    EXPECT_EQ(r["state"], "active");
    EXPECT_THAT(r["sip"].get<std::string>(), HasSubstr("active")) << r.dump();
    EXPECT_EQ(r["last_sent"], "available \"after the refresh\"");
    EXPECT_THAT(r["presence"].get<std::string>(), HasSubstr("after the refresh"));
  }
  EXPECT_TRUE(found) << rows.dump();
  send(*client, "<presence to='bob@sip.test' type='unsubscribe'/>");
  EXPECT_TRUE(step(*uas, "ended")) << report(*uas, *client);
  EXPECT_TRUE(wait_presence(*client, "bob@sip.test", "unavailable")) << report(*uas, *client);
  ASSERT_EQ(uas->wait_exit(30s), 0) << report(*uas, *client);
  quit(*client);
  auto reqs = received_requests(log);
  ASSERT_EQ(reqs.size(), 3u) << "SUBSCRIBE, its refresh, its end";
  EXPECT_EQ(reqs[1].header("call-id"), reqs[0].header("call-id")) << "the refresh is in the dialog";
  EXPECT_EQ(reqs[2].header("call-id"), reqs[0].header("call-id"));
  EXPECT_EQ(reqs[2].header("expires"), "0");
}

// 2. A SIP user watches an XMPP contact: 200 + Expires, NOTIFY pending and a 'subscribe' to the
// contact; its approval turns the NOTIFYs active; its changes arrive as PIDF; a refresh is
// absorbed (no new stanza); Expires: 0 ends it with a terminated NOTIFY and an 'unsubscribe'.
TEST_F(presence_e2e, sip_user_watches_xmpp_contact) {
  start_presence(auto_now);
  ASSERT_FALSE(HasFatalFailure());
  auto client = xmpp_user();
  auto log = dir_.path() / "watcher.log";
  auto uac = sip_watcher("presence_watcher.xml", 60, log);
  auto first = step(*uac, "subscribed");
  ASSERT_TRUE(first) << report(*uac, *client);
  EXPECT_THAT(*first, HasSubstr("expires=60 state=pending"));
  ASSERT_TRUE(wait_presence(*client, "bob@sip.test", "subscribe")) << report(*uac, *client);
  send(*client, "<presence to='bob@sip.test' type='subscribed'/>");
  ASSERT_TRUE(step(*uac, "online")) << report(*uac, *client);
  send(*client, "<presence><show>away</show></presence>");
  ASSERT_TRUE(step(*uac, "away")) << report(*uac, *client);
  send(*client, "<presence><show>dnd</show></presence>");
  ASSERT_TRUE(step(*uac, "dnd")) << report(*uac, *client);
  send(*client, "<presence><status>Lunch at noon</status></presence>");
  ASSERT_TRUE(step(*uac, "note")) << report(*uac, *client);
  send(*client, "<presence type='unavailable'/>");
  ASSERT_TRUE(step(*uac, "offline")) << report(*uac, *client);
  send(*client, "<presence/>");  // back, so it is told of the unsubscribe
  ASSERT_TRUE(step(*uac, "back")) << report(*uac, *client);
  auto refreshed = step(*uac, "refreshed");
  ASSERT_TRUE(refreshed) << report(*uac, *client);
  EXPECT_THAT(*refreshed, HasSubstr("expires=60 state=active"));
  auto ended = step(*uac, "unsubscribed");
  ASSERT_TRUE(ended) << report(*uac, *client);
  EXPECT_THAT(*ended, HasSubstr("state=terminated"));
  EXPECT_TRUE(wait_presence(*client, "bob@sip.test", "unsubscribe")) << report(*uac, *client);
  EXPECT_EQ(uac->wait_exit(30s), 0) << report(*uac, *client);
  quit(*client);
  // One 'subscribe' for the whole subscription: the refresh made no stanza.
  int subscribes = 0;
  for (const auto& p : presences_from(client->output(), "bob@sip.test"))
    subscribes += p.type == "subscribe";
  EXPECT_EQ(subscribes, 1) << client->output();
}

// 3a. Restart, XMPP watching SIP: fedgate is killed and started again on the same state dir;
// it subscribes again on the SIP side and the new NOTIFY reaches the XMPP watcher.
TEST_F(presence_e2e, restart_resubscribes_for_xmpp_watcher) {
  start_presence(auto_now);
  ASSERT_FALSE(HasFatalFailure());
  auto uas = sip_notifier("presence_notify_once.xml", dir_.path() / "before.log",
                          {{"note", "before restart"}});
  auto client = xmpp_user({"--subscribe", "bob@sip.test"});
  ASSERT_TRUE(wait_presence(*client, "bob@sip.test", "available", "before restart"))
      << report(*uas, *client);
  ASSERT_EQ(uas->wait_exit(30s), 0) << report(*uas, *client);
  kill_fedgate();
  ASSERT_FALSE(HasFatalFailure());
  auto log = dir_.path() / "after.log";
  uas = sip_notifier("presence_notify_once.xml", log, {{"note", "after restart"}});
  restart_fedgate();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(wait_presence(*client, "bob@sip.test", "available", "after restart"))
      << report(*uas, *client);
  EXPECT_EQ(uas->wait_exit(30s), 0) << report(*uas, *client);
  quit(*client);
  auto reqs = received_requests(log);
  ASSERT_GE(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].start_line, "SUBSCRIBE sip:bob@sip.local SIP/2.0");
  EXPECT_THAT(reqs[0].header("from"), HasSubstr("<sip:alice@xmpp.test>;tag="));
}

// 3b. Restart, SIP watching XMPP: after the restart fedgate probes the contact (a NOTIFY in the
// same dialog, CSeq past 100000) and the contact's next change arrives in that dialog.
TEST_F(presence_e2e, restart_keeps_sip_watcher_dialog) {
  start_presence(auto_now);
  ASSERT_FALSE(HasFatalFailure());
  auto client = xmpp_user();
  auto uac = sip_watcher("presence_watcher_restart.xml", 600, dir_.path() / "watcher.log");
  ASSERT_TRUE(step(*uac, "subscribed")) << report(*uac, *client);
  ASSERT_TRUE(wait_presence(*client, "bob@sip.test", "subscribe")) << report(*uac, *client);
  send(*client, "<presence to='bob@sip.test' type='subscribed'/>");
  ASSERT_TRUE(step(*uac, "online")) << report(*uac, *client);
  kill_fedgate();
  ASSERT_FALSE(HasFatalFailure());
  restart_fedgate();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(step(*uac, "probed")) << report(*uac, *client);
  send(*client, "<presence><show>away</show></presence>");
  EXPECT_TRUE(step(*uac, "away")) << report(*uac, *client);
  EXPECT_EQ(uac->wait_exit(30s), 0) << report(*uac, *client);
  quit(*client);
}

// 4. A storm: 1,000 NOTIFYs for one user in a row; the watcher gets far fewer stanzas
// (presence.coalesce_ms) and the last one is the final state.
TEST_F(presence_e2e, notify_storm_is_coalesced) {
  start_presence("authorisation = \"auto\"\ncoalesce_ms = 500\n");
  ASSERT_FALSE(HasFatalFailure());
  auto uas = sip_notifier("presence_storm.xml", dir_.path() / "storm.log");
  auto client = xmpp_user({"--subscribe", "bob@sip.test"});
  EXPECT_TRUE(wait_presence(*client, "bob@sip.test", "unavailable", "final", 120s))
      << report(*uas, *client);
  ASSERT_EQ(uas->wait_exit(60s), 0) << report(*uas, *client);
  // Whatever was still on its way arrives before the answer to a ping through the same server.
  client->write_stdin("PING\n");
  EXPECT_TRUE(client->wait_for_line("PONG 1", 30s));
  quit(*client);
  auto got = presences_from(client->output(), "bob@sip.test");
  ASSERT_GE(got.size(), 2u);
  EXPECT_LT(got.size(), 100u) << describe(got);
  EXPECT_EQ(got.back().type, "unavailable");
  EXPECT_EQ(got.back().status, "final");
}

// Forward: the SIP side decides. A pending NOTIFY sends nothing; the first active one sends
// 'subscribed' (then the presence); terminated;reason=rejected sends 'unsubscribed'.
TEST_F(presence_e2e, forward_authorisation_follows_the_sip_side) {
  start_presence("authorisation = \"forward\"\ncoalesce_ms = 0\n");
  ASSERT_FALSE(HasFatalFailure());
  auto uas = sip_notifier("presence_notifier_forward.xml", dir_.path() / "forward.log");
  auto client = xmpp_user({"--subscribe", "bob@sip.test"});
  EXPECT_TRUE(wait_presence(*client, "bob@sip.test", "unsubscribed")) << report(*uas, *client);
  ASSERT_EQ(uas->wait_exit(30s), 0) << report(*uas, *client);
  client->write_stdin("PING\n");
  EXPECT_TRUE(client->wait_for_line("PONG 1", 30s));
  quit(*client);
  auto got = presences_from(client->output(), "bob@sip.test");
  ASSERT_GE(got.size(), 3u) << describe(got);
  EXPECT_EQ(got[0].type, "subscribed") << describe(got);
  EXPECT_EQ(got[1].type, "available") << describe(got);
  EXPECT_EQ(got[2].type, "unsubscribed") << describe(got);
  int subscribed = 0;
  for (const auto& p : got)
    subscribed += p.type == "subscribed";
  EXPECT_EQ(subscribed, 1) << describe(got);
}

// A SIP watcher that does not refresh: at expiry fedgate sends NOTIFY terminated;reason=timeout.
TEST_F(presence_e2e, sip_watcher_expiry_ends_with_timeout) {
  start_presence("authorisation = \"auto\"\ncoalesce_ms = 0\nwatcher_min_expires_s = 1\n");
  ASSERT_FALSE(HasFatalFailure());
  auto client = xmpp_user();
  auto uac = sip_watcher("presence_watcher_expiry.xml", 3, dir_.path() / "expiry.log");
  auto first = step(*uac, "subscribed");
  ASSERT_TRUE(first) << report(*uac, *client);
  EXPECT_THAT(*first, HasSubstr("expires=3 state=pending"));
  EXPECT_TRUE(step(*uac, "timeout")) << report(*uac, *client);
  EXPECT_EQ(uac->wait_exit(30s), 0) << report(*uac, *client);
  quit(*client);
}

}  // namespace
}  // namespace fedgate::e2e
