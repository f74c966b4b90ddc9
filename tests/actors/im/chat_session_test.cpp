// Skype for Business style IM sessions: the plain functions of chat_session.hpp, and the session
// actor answering INVITE, re-INVITE and BYE (driven through the router with fake S2S and SIP
// actors, im_test_support.hpp).
#include "actors/im/chat_session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"
#include "im_test_support.hpp"

namespace fedgate::im::testing {
namespace {

using ::testing::HasSubstr;

const std::string sfb_sdp =
    "v=0\r\no=- 0 0 IN IP4 192.0.2.5\r\ns=session\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
    "m=message 5060 sip null\r\na=accept-types:text/plain\r\n";

sip::message parse(const std::string& raw) {
  return std::move(sip::parse_datagram(raw)).value();
}

TEST(chat_session, an_invite_with_an_m_message_sip_line_offers_an_im_session) {
  auto invite = raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "i1@sip", 1, "i1", sfb_sdp,
                            "application/sdp");
  EXPECT_TRUE(offers_im_session(parse(invite)));
  // LF-only line ends are tolerated.
  auto lf = raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "i1@sip", 1, "i1",
                        "v=0\nm=message 5060 sip null\n", "application/sdp");
  EXPECT_TRUE(offers_im_session(parse(lf)));
}

TEST(chat_session, audio_msrp_or_no_sdp_is_not_an_im_session) {
  auto audio = raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "i1@sip", 1, "i1",
                           "v=0\r\nm=audio 49170 RTP/AVP 0\r\n", "application/sdp");
  EXPECT_FALSE(offers_im_session(parse(audio)));
  auto msrp = raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "i1@sip", 1, "i1",
                          "v=0\r\nm=message 7394 TCP/MSRP *\r\n", "application/sdp");
  EXPECT_FALSE(offers_im_session(parse(msrp)));
  auto none = raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "i1@sip", 1, "i1");
  EXPECT_FALSE(offers_im_session(parse(none)));
}

TEST(chat_session, our_sdp_and_contact_name_the_listener) {
  sip_contact c{"127.0.0.1", 5070, "udp"};
  auto sdp = im_session_sdp(c);
  EXPECT_THAT(sdp, HasSubstr("c=IN IP4 127.0.0.1\r\n"));
  EXPECT_THAT(sdp, HasSubstr("m=message 5070 sip null\r\n"));
  EXPECT_EQ(contact_header("romeo", c), "<sip:romeo@127.0.0.1:5070;transport=udp>");
  sip_contact v6{"::1", 5061, "tcp"};
  EXPECT_THAT(im_session_sdp(v6), HasSubstr("c=IN IP6 ::1\r\n"));
  EXPECT_EQ(contact_header("romeo", v6), "<sip:romeo@[::1]:5061;transport=tcp>");
}

TEST(chat_session, statuses_that_refuse_sessions_for_good) {
  for (int status : {405, 415, 488, 501, 606})
    EXPECT_TRUE(refuses_sessions(status)) << status;
  for (int status : {200, 404, 408, 480, 486, 500, 503, 603})
    EXPECT_FALSE(refuses_sessions(status)) << status;
}

class im_chat_session : public im_fixture {
 protected:
  void SetUp() override {
    auto cfg = test_config();
    cfg.session_idle = 60s;
    start_unconnected(cfg, 200);
    connect(sip_contact{"127.0.0.1", 5070, "udp"});
  }
  std::string invite(int cseq, const std::string& to_tag = {}) {
    auto r = raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "sess@sip", cseq,
                         "inv" + std::to_string(cseq), sfb_sdp, "application/sdp");
    // The SfB side's Contact, and the To tag of an in-dialog request.
    r.insert(r.find("Call-ID:"), "Contact: <sip:alice@192.0.2.5:5060>\r\n");
    if (!to_tag.empty())
      r.replace(r.find("To: <" + std::string(romeo_sip) + ">"),
                5 + std::string(romeo_sip).size() + 1,
                "To: <" + std::string(romeo_sip) + ">;tag=" + to_tag);
    return r;
  }
};

TEST_F(im_chat_session, invite_is_answered_with_our_sdp_and_a_reinvite_keeps_the_dialog) {
  send_sip(invite(1), 1);
  auto ok = response_for(1);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status_code(), 200);
  std::string tag(ok->to().tag());
  ASSERT_FALSE(tag.empty());
  EXPECT_THAT(std::string(ok->header("Contact").value_or("")),
              HasSubstr("sip:romeo@127.0.0.1:5070"));
  EXPECT_THAT(std::string(ok->body()), HasSubstr("m=message 5070 sip null"));

  // A re-INVITE in the dialog: the same To tag, no BYE for a "previous" session.
  send_sip(invite(2, tag), 2);
  auto again = response_for(2);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status_code(), 200);
  EXPECT_EQ(again->to().tag(), tag);

  // XMPP -> SIP now goes inside that dialog: our From tag is the one the SfB side knows.
  send_stanza(romeo_says("x1", "inside"));
  auto r = next_sip_request();
  ASSERT_TRUE(r);
  const sip::message& m = r->request;
  EXPECT_EQ(m.method(), "MESSAGE");
  EXPECT_EQ(m.call_id(), "sess@sip");
  EXPECT_EQ(m.from().tag(), tag);
  EXPECT_FALSE(m.to().tag().empty());
}

TEST_F(im_chat_session, bye_ends_the_session_and_an_unknown_one_gets_481) {
  send_sip(invite(1), 1);
  auto ok = response_for(1);
  ASSERT_TRUE(ok);
  std::string tag(ok->to().tag());
  auto bye = raw_request("BYE", romeo_sip, alice_sip, romeo_sip, "sess@sip", 2, "bye1");
  bye.replace(bye.find("To: <" + std::string(romeo_sip) + ">"),
              5 + std::string(romeo_sip).size() + 1,
              "To: <" + std::string(romeo_sip) + ">;tag=" + tag);
  send_sip(bye, 2);
  EXPECT_EQ(status_for(2), 200);
  send_sip(bye, 3);  // the dialog is gone now
  EXPECT_EQ(status_for(3), 481);
}

TEST_F(im_chat_session, invite_without_an_im_offer_gets_488) {
  send_sip(raw_request("INVITE", romeo_sip, alice_sip, romeo_sip, "a1@sip", 1, "a1",
                       "v=0\r\nm=audio 49170 RTP/AVP 0\r\n", "application/sdp"),
           1);
  EXPECT_EQ(status_for(1), 488);
}

}  // namespace
}  // namespace fedgate::im::testing
