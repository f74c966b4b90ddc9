// Skype for Business style IM sessions end to end: INVITE with an m=message SDP, MESSAGEs inside
// the dialog, BYE. SIPp plays the SfB side; alice (slixmpp on Prosody) the XMPP side.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/im_fixture.hpp"

namespace fedgate::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class im_session_e2e : public im_e2e {
 protected:
  // Runs a SIPp UAC scenario against fedgate's UDP listener; what it received goes to log_.
  int run_uac(const std::string& scenario_xml) {
    log_ = dir_.path() / "session-uac.log";
    return run_sipp("session-uac", scenario_xml, 0, sip_udp_, log_);
  }
  std::filesystem::path log_;
};

// What Skype for Business sends: INVITE with "m=message 5060 sip null", ACK, MESSAGE in the
// dialog; it then waits for the XMPP user's answer inside the same dialog and ends with BYE.
const char* sfb_uac = R"(<?xml version="1.0" encoding="UTF-8" ?>
<scenario name="sfb session uac">
  <send retrans="500"><![CDATA[
INVITE sip:alice@xmpp.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]S[call_number]
To: <sip:alice@xmpp.test>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:bob@[local_ip]:[local_port];transport=udp>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 0 0 IN IP4 [local_ip]
s=session
c=IN IP4 [local_ip]
t=0 0
m=message 5060 sip null
a=accept-types:text/plain
]]></send>
  <recv response="100" optional="true" />
  <recv response="200" rrs="true">
    <action>
      <ereg regexp="m=message [0-9]+ sip" search_in="body" check_it="true" assign_to="m" />
      <log message="answer media: [$m]" />
    </action>
  </recv>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]S[call_number]
To: <sip:alice@xmpp.test>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
MESSAGE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]S[call_number]
To: <sip:alice@xmpp.test>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 MESSAGE
Max-Forwards: 70
Content-Type: text/plain;charset=UTF-8
Content-Length: [len]

hello from a session]]></send>
  <!-- alice's answer may overtake fedgate's 200 (which waits for im.error_window_ms) -->
  <recv response="200" optional="true" next="answered" />
  <recv request="MESSAGE" />
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <recv response="200" next="bye" />
  <label id="answered" />
  <recv request="MESSAGE" timeout="30000" />
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <label id="bye" />
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]S[call_number]
To: <sip:alice@xmpp.test>[peer_tag_param]
Call-ID: [call_id]
CSeq: 3 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" />
</scenario>
)";

TEST_F(im_session_e2e, session_opened_by_the_sip_side_is_bridged_both_ways) {
  options o;
  // fedgate's 200 then leaves as soon as the stanza is written, well before alice's answer
  // (an XMPP round trip later): SIPp handles the other order too, but not both at once.
  o.error_window_ms = 0;
  start(o);
  auto client = alice({}, "", 1, false, {"--reply", "hi bob, alice here"});
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  EXPECT_EQ(run_uac(sfb_uac), 0) << diagnostics();
  ASSERT_EQ(client->wait_exit(30s), 0) << client->output();
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["from"], "bob@sip.test");
  EXPECT_EQ(body_of(got[0]), "hello from a session");
  // alice's answer came back inside the dialog: same Call-ID as the INVITE, both tags.
  auto requests = received_requests(log_);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0].start_line, StartsWith("MESSAGE sip:bob@127.0.0.1:"));
  EXPECT_EQ(requests[0].body, "hi bob, alice here");
  EXPECT_THAT(requests[0].header("from"), HasSubstr("sip:alice@xmpp.test>;tag="));
  EXPECT_THAT(requests[0].header("to"), HasSubstr(";tag="));
  EXPECT_TRUE(fedgate_->wait_for_line("im session ended by the SIP side", 5s)) << diagnostics();
}

// The SfB side as UAS: answers the INVITE with its SDP, takes two MESSAGEs in the dialog, and
// gets the BYE fedgate sends once the conversation is idle.
const char* sfb_uas = R"(<?xml version="1.0" encoding="UTF-8" ?>
<scenario name="sfb session uas">
  <recv request="INVITE" rrs="true" />
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]U[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:bob@[local_ip]:[local_port];transport=udp>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 0 0 IN IP4 [local_ip]
s=session
c=IN IP4 [local_ip]
t=0 0
m=message 5060 sip null
a=accept-types:text/plain
]]></send>
  <recv request="ACK" />
  <recv request="MESSAGE" />
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <recv request="MESSAGE" />
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <recv request="BYE" timeout="30000" />
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
)";

TEST_F(im_session_e2e, xmpp_chat_opens_a_session_when_the_sip_domain_prefers_it) {
  options o;
  o.session_mode = true;
  o.session_idle_ms = 1000;
  start(o);
  auto scenario = dir_.path() / "session-uas.xml";
  std::ofstream(scenario) << sfb_uas;
  auto log = dir_.path() / "session-uas.log";
  child_process uas({sipp_bin, "-sf", scenario.string(), "-i", "127.0.0.1", "-p",
                     std::to_string(uas_port_), "-t", "u1", "-m", "1", "-trace_msg",
                     "-message_file", log.string(), "-nostdin", "-timeout", "60s",
                     "-timeout_error"});
  ASSERT_TRUE(wait_bound(uas_port_, false)) << uas.output();
  auto client =
      alice({chat("<body>first</body>", "s1"), chat("<body>second</body>", "s2")}, "bob@sip.test");
  ASSERT_EQ(uas.wait_exit(60s), 0) << uas.output() << diagnostics();
  auto got = received_requests(log);
  ASSERT_EQ(got.size(), 5u);  // INVITE, ACK, MESSAGE, MESSAGE, BYE
  EXPECT_THAT(got[0].start_line, StartsWith("INVITE sip:bob@sip.local "));
  EXPECT_EQ(got[0].header("content-type"), "application/sdp");
  EXPECT_THAT(got[0].body, HasSubstr("m=message "));
  EXPECT_THAT(got[1].start_line, StartsWith("ACK sip:bob@127.0.0.1:"));
  const std::string call_id = got[0].header("call-id");
  for (std::size_t i = 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].header("call-id"), call_id) << got[i].start_line;
    EXPECT_THAT(got[i].header("to"), HasSubstr(";tag=")) << got[i].start_line;
  }
  EXPECT_EQ(got[2].body, "first");
  EXPECT_EQ(got[3].body, "second");
  EXPECT_THAT(got[4].start_line, StartsWith("BYE "));
  EXPECT_EQ(client->wait_exit(30s), 0) << client->output();
}

}  // namespace
}  // namespace fedgate::e2e
