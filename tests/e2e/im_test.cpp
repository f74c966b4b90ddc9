// Instant messaging end to end with real software on both sides, everything on loopback:
//
//   slixmpp (im_client.py) ── Prosody ══ S2S ══ fedgate (the binary) ── SIP ── SIPp
//
// The fixture (im_fixture.hpp) starts a Prosody, a fedgate and SIPp scenarios written here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/im_fixture.hpp"
#include "tests/support/http_get.hpp"

namespace fedgate::e2e {
namespace {

using ::testing::HasSubstr;

// XMPP -> SIP over UDP: the text arrives byte for byte, in order, with the RFC 7572 headers.
TEST_F(im_e2e, xmpp_to_sip_keeps_text_subject_thread_and_languages) {
  start();
  auto uas = sipp_uas(3);
  const std::string unicode = "Grüße 😀 שלום e\u0301 \u202Bmixed\u202C";
  const std::string specials = "<a href=\"x\"> & 'q' ]]> </a>";
  auto client =
      alice({chat("<body>plain text</body>", "m1"), chat("<body>" + unicode + "</body>", "m2"),
             chat("<body>" + xml_escape(specials) + "</body>", "m3")},
            "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(60s), 0) << uas->output() << diagnostics();
  EXPECT_EQ(client->wait_exit(30s), 0) << client->output();
  auto got = received_requests(uas_log_);
  // Two messages of one thread: one Call-ID, so SIPp sees them as one call.
  uas = sipp_uas(1, 200, "OK", 2);
  client =
      alice({chat("<subject>Plans</subject><body>with subject</body><thread>t-42</thread>", "m4"),
             chat("<body>hello</body><body xml:lang='de'>hallo</body><thread>t-42</thread>", "m5",
                  " xml:lang='en'")},
            "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(60s), 0) << uas->output() << diagnostics();
  EXPECT_EQ(client->wait_exit(30s), 0) << client->output();
  for (auto& m : received_requests(uas_log_))
    got.push_back(std::move(m));
  ASSERT_EQ(got.size(), 5u) << diagnostics();
  for (const auto& m : got) {
    EXPECT_EQ(m.start_line, "MESSAGE sip:bob@sip.local SIP/2.0");
    EXPECT_THAT(m.header("from"), HasSubstr("<sip:alice@xmpp.test>;tag="));
    EXPECT_THAT(m.header("to"), HasSubstr("sip:bob@sip.local"));
  }
  EXPECT_EQ(got[0].body, "plain text");
  EXPECT_EQ(got[0].header("content-type"), "text/plain;charset=UTF-8");
  EXPECT_EQ(got[1].body, unicode);
  EXPECT_EQ(got[2].body, specials);
  EXPECT_EQ(got[3].body, "with subject");
  EXPECT_EQ(got[3].header("subject"), "Plans");
  // One thread, one Call-ID (the conversation stays together on the SIP side).
  EXPECT_EQ(got[3].header("call-id"), got[4].header("call-id"));
  EXPECT_NE(got[0].header("call-id"), got[3].header("call-id"));
  EXPECT_THAT(got[4].header("content-type"), HasSubstr("multipart/alternative"));
  EXPECT_THAT(got[4].body, HasSubstr("hello"));
  EXPECT_THAT(got[4].body, HasSubstr("Content-Language: de"));
  EXPECT_THAT(got[4].body, HasSubstr("hallo"));
}

// A 10 kB body: fedgate reaches this SIP domain over TCP and the whole body arrives.
TEST_F(im_e2e, ten_kilobyte_body_over_tcp) {
  options o;
  o.sip_route_transport = "tcp";
  start(o);
  auto uas = sipp_uas(1);
  std::string body;
  for (int i = 0; body.size() < 10240; ++i)
    body += "line " + std::to_string(i) + " of a long message; ";
  auto client = alice({chat("<body>" + body + "</body>", "big")}, "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(60s), 0) << uas->output() << diagnostics();
  auto got = received_requests(uas_log_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, body);
  EXPECT_THAT(got[0].header("via"), HasSubstr("SIP/2.0/TCP"));
}

// SIP -> XMPP over UDP and TCP: 200 only after delivery; alice sees bob@sip.test (the domain
// pair), the exact text, a chat message with a thread.
TEST_F(im_e2e, sip_to_xmpp_over_udp_and_tcp) {
  start();
  auto client = alice({}, "", 2);
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  const std::string unicode = "Привет 👋 <b>&amp;</b> مرحبا";
  EXPECT_EQ(sipp_uac("alice", unicode, 200, 1, "u1"), 0) << diagnostics();
  EXPECT_EQ(sipp_uac("alice", "over tcp", 200, 1, "t1"), 0) << diagnostics();
  ASSERT_EQ(client->wait_exit(30s), 0) << client->output() << diagnostics();
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["from"], "bob@sip.test");
  EXPECT_EQ(got[0]["type"], "chat");
  EXPECT_EQ(body_of(got[0]), unicode);
  EXPECT_FALSE(got[0]["thread"].is_null());
  EXPECT_EQ(body_of(got[1]), "over tcp");
}

// The SIP side does not know the user: 404 comes back to alice as item-not-found, with the
// reason phrase as text.
TEST_F(im_e2e, unknown_sip_user_bounces_item_not_found) {
  start();
  auto uas = sipp_uas(1, 404, "No Such User Here");
  auto client = alice({chat("<body>anyone?</body>", "u1")}, "nobody@sip.test", 0, true);
  ASSERT_EQ(client->wait_exit(60s), 0) << client->output() << diagnostics();
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["type"], "error");
  EXPECT_EQ(got[0]["id"], "u1");
  EXPECT_EQ(got[0]["error"]["condition"], "item-not-found");
  EXPECT_EQ(got[0]["error"]["text"], "No Such User Here");
  EXPECT_EQ(uas->wait_exit(10s), 0);
}

// Prosody does not know the user: its error becomes the SIP final response (service-unavailable
// -> 503 per the errors table), not a 200.
TEST_F(im_e2e, unknown_xmpp_user_gets_the_mapped_final_response) {
  start();
  EXPECT_EQ(sipp_uac("nobody", "hello?", 503), 0) << diagnostics();
}

// The partner cannot be reached: the SIP sender gets 408 (remote-server-timeout) within
// im.delivery_timeout_ms, never a hang.
TEST_F(im_e2e, unreachable_partner_answers_408_in_time) {
  options o;
  o.partner_reachable = false;
  o.delivery_timeout_ms = 2000;
  start(o);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(sipp_uac("alice", "are you there", 408), 0) << diagnostics();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 15s);
}

// 1,000 messages XMPP -> SIP in a burst: each arrives once, in order.
TEST_F(im_e2e, thousand_messages_xmpp_to_sip_in_order) {
  start();
  // First bring the S2S stream up: Prosody itself sends stanzas queued while it connects after
  // some sent once it is connected, so the order it hands over is only defined afterwards.
  auto warm = sipp_uas(1);
  alice({chat("<body>warm-up</body>", "w")}, "bob@sip.test")->wait_exit(30s);
  ASSERT_EQ(warm->wait_exit(60s), 0) << warm->output() << diagnostics();
  auto uas = sipp_uas(1000);
  std::vector<std::string> stanzas;
  for (int i = 0; i < 1000; ++i)
    stanzas.push_back(chat("<body>n=" + std::to_string(i) + "</body>", "b" + std::to_string(i)));
  auto client = alice(stanzas, "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(120s), 0) << uas->output().substr(0, 3000) << diagnostics();
  auto got = received_requests(uas_log_);
  ASSERT_EQ(got.size(), 1000u);
  std::string order;
  for (int i = 0; i < 1000; ++i)
    order += got[i].body + " ";
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(got[i].body, "n=" + std::to_string(i)) << "position " << i << ": " << order;
}

// 1,000 messages SIP -> XMPP (TCP, 20 in flight): each delivered once, in order, each answered.
TEST_F(im_e2e, thousand_messages_sip_to_xmpp_in_order) {
  start();
  auto client = alice({}, "", 1000);
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  EXPECT_EQ(
      sipp_uac("alice", "n=[call_number]", 200, 1000, "t1", "text/plain;charset=UTF-8", "", 20), 0)
      << diagnostics();
  ASSERT_EQ(client->wait_exit(60s), 0) << client->output().substr(0, 3000);
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 1000u);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(body_of(got[i]), "n=" + std::to_string(i + 1)) << "position " << i;
}

// Chat states: XEP-0085 <composing/> becomes an RFC 3994 isComposing MESSAGE, and back.
TEST_F(im_e2e, chat_state_round_trip) {
  start();
  auto uas = sipp_uas(1);
  auto sender = alice({"<message to='{to}' type='chat' id='cs1'><composing "
                       "xmlns='http://jabber.org/protocol/chatstates'/></message>"},
                      "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(60s), 0) << uas->output() << diagnostics();
  auto got = received_requests(uas_log_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("content-type"), "application/im-iscomposing+xml");
  EXPECT_THAT(got[0].body, HasSubstr("<state>active</state>"));
  sender->wait_exit(30s);

  auto client = alice({}, "", 1);
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  EXPECT_EQ(sipp_uac("alice",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">"
                     "<state>active</state><contenttype>text/plain</contenttype>"
                     "</isComposing>",
                     200, 1, "u1", "application/im-iscomposing+xml"),
            0);
  ASSERT_EQ(client->wait_exit(30s), 0) << client->output() << diagnostics();
  auto stanzas = received_stanzas(client->output());
  ASSERT_EQ(stanzas.size(), 1u);
  EXPECT_EQ(stanzas[0]["state"], "composing");
  EXPECT_TRUE(stanzas[0]["bodies"].empty());
}

// The SIP user agent confirms delivery with an IMDN (RFC 5438) for the imdn.Message-ID fedgate
// put in the CPIM wrapper it used because the XMPP sender asked for a receipt.
const char* imdn_answering_uas = R"XML(<?xml version="1.0" encoding="UTF-8" ?>
<scenario name="uas sending an IMDN">
  <recv request="MESSAGE">
    <action>
      <ereg regexp="imdn.Message-ID: ([^\r\n]+)" search_in="body" check_it="true"
            assign_to="all,mid" />
    </action>
  </recv>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]U[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
MESSAGE sip:alice@xmpp.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]R[call_number]
To: <sip:alice@xmpp.test>
Call-ID: [call_id]
CSeq: 1 MESSAGE
Max-Forwards: 70
Content-Type: message/imdn+xml
Content-Length: [len]

<?xml version="1.0" encoding="UTF-8"?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>[$mid]</message-id><datetime>2026-11-25T10:00:00Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>]]></send>
  <recv response="200" />
  <Reference variables="all" />
</scenario>
)XML";

// XEP-0184 request from XMPP -> IMDN offered on SIP -> the SIP side's IMDN -> <received/>.
TEST_F(im_e2e, receipt_requested_by_xmpp_comes_back_from_the_sip_imdn) {
  start();
  auto client =
      alice({chat("<body>please confirm</body><request xmlns='urn:xmpp:receipts'/>", "rcpt-1")},
            "bob@sip.test", 1);
  auto log = dir_.path() / "imdn-uas.log";
  EXPECT_EQ(run_sipp("imdn-uas", imdn_answering_uas, uas_port_, 0, log), 0) << diagnostics();
  ASSERT_EQ(client->wait_exit(30s), 0) << client->output() << diagnostics();
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["from"], "bob@sip.test");
  EXPECT_EQ(got[0]["received"], "rcpt-1");
  EXPECT_TRUE(got[0]["bodies"].empty());
  auto requests = received_requests(log);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("content-type"), "message/cpim");
  EXPECT_THAT(requests[0].body, HasSubstr("imdn.Disposition-Notification: positive-delivery"));
  EXPECT_THAT(requests[0].body, HasSubstr("please confirm"));
}

// A SIP sender asking for an IMDN: the XMPP client's <received/> comes back as an IMDN
// "delivered" for the same message id, inside the sender's conversation (its Call-ID).
const char* imdn_requesting_uac = R"XML(<?xml version="1.0" encoding="UTF-8" ?>
<scenario name="uac requesting an IMDN">
  <send retrans="500"><![CDATA[
MESSAGE sip:alice@xmpp.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]T[call_number]
To: <sip:alice@xmpp.test>
Call-ID: [call_id]
CSeq: 1 MESSAGE
Max-Forwards: 70
Content-Type: message/cpim
Content-Length: [len]

From: <sip:bob@sip.local>
To: <sip:alice@xmpp.test>
NS: imdn <urn:ietf:params:imdn>
imdn.Message-ID: sip-msg-77
DateTime: 2026-11-25T10:00:00Z
imdn.Disposition-Notification: positive-delivery

Content-Type: text/plain;charset=UTF-8

did you get this?]]></send>
  <recv response="200" />
  <recv request="MESSAGE" timeout="30000">
    <action>
      <ereg regexp="<message-id>sip-msg-77</message-id>" search_in="body" check_it="true"
            assign_to="id" />
      <ereg regexp="<delivered/>" search_in="body" check_it="true" assign_to="delivered" />
    </action>
  </recv>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <Reference variables="id,delivered" />
</scenario>
)XML";

TEST_F(im_e2e, receipt_requested_by_sip_comes_back_as_an_imdn) {
  options o;
  o.error_window_ms = 0;  // the 200 leaves before the receipt can (SIPp wants them in order)
  start(o);
  auto client = alice({}, "", 1, false, {"--ack-receipts"});
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  auto log = dir_.path() / "imdn-uac.log";
  EXPECT_EQ(run_sipp("imdn-uac", imdn_requesting_uac, uas_port_, sip_udp_, log), 0)
      << diagnostics();
  ASSERT_EQ(client->wait_exit(30s), 0) << client->output();
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["id"], "sip-msg-77");
  EXPECT_TRUE(got[0]["request"]);
  EXPECT_EQ(body_of(got[0]), "did you get this?");
  auto requests = received_requests(log);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0].header("content-type"), HasSubstr("message/"));
  EXPECT_THAT(requests[0].body, HasSubstr("<delivered/>"));
}

// `fedgate ctl test-im` and `fedgate ctl sessions` against the running gateway: a test message
// reaches a real XMPP user, one to an unknown user comes back refused with the mapped status,
// and the conversations show up.
TEST_F(im_e2e, ctl_test_im_and_sessions) {
  start();
  auto client = alice({}, "", 1);
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  auto ctl = [&](std::vector<std::string> words) {
    std::vector<std::string> argv{fedgate_binary, "ctl", "--config",
                                  (dir_.path() / "fedgate.toml").string(), "--json"};
    argv.insert(argv.end(), words.begin(), words.end());
    child_process p(argv);
    auto rc = p.wait_exit(60s);
    EXPECT_TRUE(rc.has_value());
    return std::make_pair(rc.value_or(-1), nlohmann::json::parse(p.output(), nullptr, false));
  };
  auto [rc, ok] = ctl({"test-im", "bob@sip.test", "alice@xmpp.test", "ping", "from", "ctl"});
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(ok["ok"], true) << ok.dump() << diagnostics();
  EXPECT_THAT(ok["result"].get<std::string>(), HasSubstr("delivered"));
  ASSERT_EQ(client->wait_exit(30s), 0) << client->output();
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(body_of(got[0]), "ping from ctl");
  EXPECT_EQ(got[0]["from"], "bob@sip.test");

  auto [rc2, refused] = ctl({"test-im", "bob@sip.test", "nobody@xmpp.test", "hello"});
  EXPECT_EQ(rc2, 0);
  EXPECT_EQ(refused["ok"], false);
  EXPECT_THAT(refused["result"].get<std::string>(), HasSubstr("refused: 503"));

  auto [rc3, sessions] = ctl({"sessions"});
  EXPECT_EQ(rc3, 0);
  ASSERT_TRUE(sessions.is_array()) << sessions.dump();
  std::vector<std::string> conversations;
  for (const auto& s : sessions)
    conversations.push_back(s["conversation"]);
  EXPECT_THAT(conversations, ::testing::UnorderedElementsAre("bob@sip.test alice@xmpp.test",
                                                             "bob@sip.test nobody@xmpp.test"));
}

// A MESSAGE to alice that must be refused by a draining gateway: 503 naming the drain, with
// Retry-After.
const char* drained_uac = R"XML(<?xml version="1.0" encoding="UTF-8" ?>
<scenario name="uac refused while draining">
  <send retrans="500"><![CDATA[
MESSAGE sip:alice@xmpp.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]D[call_number]
To: <sip:alice@xmpp.test>
Call-ID: [call_id]
CSeq: 1 MESSAGE
Max-Forwards: 70
Content-Type: text/plain;charset=UTF-8
Content-Length: [len]

while draining]]></send>
  <recv response="503">
    <action>
      <ereg regexp="draining" search_in="msg" check_it="true" assign_to="why" />
      <ereg regexp="30" search_in="hdr" header="Retry-After:" check_it="true" assign_to="retry" />
    </action>
  </recv>
  <Reference variables="why,retry" />
</scenario>
)XML";

// `fedgate ctl drain`: readiness goes down, the S2S listener closes (new streams go elsewhere),
// a new SIP MESSAGE gets 503 with Retry-After (the proxy tries another node), and the stream
// already up keeps carrying stanzas.
TEST_F(im_e2e, ctl_drain_refuses_new_work_and_finishes_the_rest) {
  options o;
  o.metrics_port = testing::free_port();
  start(o);
  // A stream up before draining.
  auto warm = sipp_uas(1);
  alice({chat("<body>before</body>", "w")}, "bob@sip.test")->wait_exit(30s);
  ASSERT_EQ(warm->wait_exit(60s), 0) << warm->output() << diagnostics();
  EXPECT_THAT(testing::http_get(o.metrics_port, "/readyz").first, HasSubstr(" 200"));

  child_process ctl({fedgate_binary, "ctl", "--config", (dir_.path() / "fedgate.toml").string(),
                     "--json", "drain"});
  ASSERT_EQ(ctl.wait_exit(30s), 0) << ctl.output();
  auto answer = nlohmann::json::parse(ctl.output(), nullptr, false);
  EXPECT_EQ(answer["state"], "draining") << ctl.output();

  auto ready = testing::http_get(o.metrics_port, "/readyz");
  EXPECT_THAT(ready.first, HasSubstr(" 503"));
  EXPECT_THAT(ready.second, HasSubstr("draining"));
  EXPECT_TRUE(fedgate_->wait_for_line("s2s listeners closed", 10s)) << diagnostics();
  EXPECT_TRUE(wait_unbound(s2s_port_, true)) << "the S2S listener still accepts streams";

  // A new SIP conversation goes elsewhere: the drain's own 503, with Retry-After (a 503 for an
  // offline user would have neither).
  auto refused_log = dir_.path() / "drain-uac.log";
  EXPECT_EQ(run_sipp("drain-uac", drained_uac, 0, sip_udp_, refused_log), 0) << diagnostics();

  // The stream that was up still carries alice's messages to the SIP side.
  auto uas = sipp_uas(1);
  auto client = alice({chat("<body>after drain</body>", "a1")}, "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(60s), 0) << uas->output() << diagnostics();
  auto got = received_requests(uas_log_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "after drain");
}

}  // namespace
}  // namespace fedgate::e2e
