// Instant messaging end to end through a real SIP proxy, everything on loopback:
//
//   slixmpp (im_client.py) ── Prosody ══ S2S ══ fedgate ── SIP/UDP ── Kamailio ── SIPp
//
// fedgate is "behind a SIP proxy" the production way: [sip] outbound_proxy is Kamailio and there
// is no [[sip.routes]] entry. Kamailio (config written here, stateful forwarding with tm, no
// record-route, nothing trusted specially) sends requests for sip.local to SIPp's UAS and
// requests for xmpp.test to fedgate's SIP UDP port, and logs each relay and each reply it
// forwards, so the tests can tell that traffic really passed through it. Kamailio is stopped by
// PID; a missing kamailio binary fails the test (scripts/install-deps installs it).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/im_fixture.hpp"
#include "tests/support/sip_probe.hpp"

namespace fedgate::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kamailio_bin = "/usr/sbin/kamailio";

// Kamailio's module directory (Debian's multiarch path, then the generic one).
std::string kamailio_modules() {
  for (const char* d :
       {"/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/aarch64-linux-gnu/kamailio/modules",
        "/usr/lib/kamailio/modules", "/usr/lib64/kamailio/modules"}) {
    if (std::filesystem::exists(std::string(d) + "/tm.so")) return d;
  }
  return "/usr/lib/x86_64-linux-gnu/kamailio/modules";
}

// The values of every `name` header of a logged request, top first.
std::vector<std::string> all_headers(const logged_sip& m, const std::string& name) {
  std::vector<std::string> out;
  auto range = m.headers.equal_range(name);
  for (auto it = range.first; it != range.second; ++it)
    out.push_back(it->second);
  return out;
}

class kamailio_im_e2e : public im_e2e {
 protected:
  // Prosody, fedgate behind Kamailio (outbound proxy), then Kamailio itself, which needs the
  // ports start() chose (fedgate's SIP UDP port, SIPp's UAS port). Fatal failures are reported
  // to the caller (ASSERT_NO_FATAL_FAILURE).
  void start_behind_kamailio() {
    ASSERT_TRUE(std::filesystem::exists(kamailio_bin))
        << kamailio_bin << " missing: run scripts/install-deps (it installs kamailio)";
    kamailio_port_ = testing::free_udp_port();
    options o;
    o.outbound_proxy = "sip:127.0.0.1:" + std::to_string(kamailio_port_);
    ASSERT_NO_FATAL_FAILURE(start(o));

    auto kdir = dir_.path() / "kamailio";
    std::filesystem::create_directories(kdir);
    auto cfg = kdir / "kamailio.cfg";
    std::ofstream(cfg) << "#!KAMAILIO\n"
                          "debug=2\nlog_stderror=yes\nchildren=2\nauto_aliases=no\n"
                          "dns=no\nrev_dns=no\nuse_dns_cache=off\ndisable_tcp=yes\n"
                          "listen=udp:127.0.0.1:"
                       << kamailio_port_ << "\nmpath=\"" << kamailio_modules() << "/\"\n"
                       << "loadmodule \"tm.so\"\nloadmodule \"sl.so\"\n"
                          "loadmodule \"maxfwd.so\"\nloadmodule \"pv.so\"\n"
                          "loadmodule \"xlog.so\"\n"
                          "request_route {\n"
                          "  if (!mf_process_maxfwd_header(\"10\")) {\n"
                          "    sl_send_reply(\"483\", \"Too Many Hops\"); exit;\n  }\n"
                          "  if ($rd == \"xmpp.test\") {\n"
                          "    $du = \"sip:127.0.0.1:"
                       << sip_udp_
                       << "\";\n"
                          "  } else if ($rd == \"sip.local\") {\n"
                          "    $du = \"sip:127.0.0.1:"
                       << uas_port_
                       << "\";\n"
                          "  } else {\n"
                          "    sl_send_reply(\"404\", \"Unknown domain\"); exit;\n  }\n"
                          "  xlog(\"L_NOTICE\", \"KAM RELAY $rm $ru to $du call $ci\\n\");\n"
                          "  t_on_reply(\"REPLY\");\n"
                          "  if (!t_relay()) { sl_reply_error(); }\n"
                          "  exit;\n}\n"
                          "onreply_route[REPLY] {\n"
                          "  xlog(\"L_NOTICE\", \"KAM REPLY $rs $rr call $ci\\n\");\n}\n";
    kamailio_ = std::make_unique<child_process>(std::vector<std::string>{
        kamailio_bin, "-f", cfg.string(), "-DD", "-E", "-m", "64", "-M", "8", "-w", kdir.string(),
        "-P", (kdir / "kamailio.pid").string(), "-Y", kdir.string()});
    ASSERT_TRUE(testing::wait_sip_ready(kamailio_port_)) << "kamailio not ready:\n"
                                                         << kamailio_->output();
  }

  void TearDown() override {
    if (kamailio_) {
      kamailio_->signal(SIGTERM);
      if (!kamailio_->wait_exit(10s)) kamailio_->signal(SIGKILL);
    }
  }

  // True once Kamailio logged a line containing `needle` (already, or within 10 s).
  bool kamailio_logged(const std::string& needle) {
    if (kamailio_->output().find(needle) != std::string::npos) return true;
    return kamailio_->wait_for_line(needle, 10s).has_value() ||
           kamailio_->output().find(needle) != std::string::npos;
  }

  std::string kamailio_diagnostics() {
    kamailio_->wait_for_line("\x01", 200ms);  // drain what Kamailio logged so far
    return "--- kamailio ---\n" + kamailio_->output().substr(0, 20000) + "\n" + diagnostics();
  }

  // The Via list of a request fedgate sent that Kamailio forwarded: Kamailio's Via on top of
  // fedgate's (which Kamailio annotated with received/rport), and nothing else.
  void expect_vias_kamailio_then_fedgate(const logged_sip& m) {
    auto vias = all_headers(m, "via");
    ASSERT_EQ(vias.size(), 2u) << "Vias: " << ::testing::PrintToString(vias);
    EXPECT_THAT(vias[0], StartsWith("SIP/2.0/UDP 127.0.0.1:" + std::to_string(kamailio_port_) +
                                    ";branch=z9hG4bK"));
    EXPECT_THAT(vias[1], StartsWith("SIP/2.0/UDP 127.0.0.1:" + std::to_string(sip_udp_) + ";"));
    EXPECT_THAT(vias[1], HasSubstr(";branch=z9hG4bK"));
    EXPECT_NE(vias[0], vias[1]);
  }

  std::uint16_t kamailio_port_ = 0;
  std::unique_ptr<child_process> kamailio_;
};

// XMPP -> SIP: fedgate sends to its outbound proxy, Kamailio forwards to SIPp; the body arrives
// byte for byte, Kamailio's Via is on top of fedgate's, and the 200 goes back through Kamailio.
TEST_F(kamailio_im_e2e, xmpp_to_sip_through_kamailio) {
  ASSERT_NO_FATAL_FAILURE(start_behind_kamailio());
  auto uas = sipp_uas(1);
  const std::string text = "through the proxy: Grüße 😀 <b>&amp;</b> 'q' ]]>";
  auto client = alice({chat("<body>" + xml_escape(text) + "</body>", "k1")}, "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(60s), 0) << uas->output() << kamailio_diagnostics();
  EXPECT_EQ(client->wait_exit(30s), 0) << client->output();
  auto got = received_requests(uas_log_);
  ASSERT_EQ(got.size(), 1u) << kamailio_diagnostics();
  EXPECT_EQ(got[0].start_line, "MESSAGE sip:bob@sip.local SIP/2.0");
  EXPECT_THAT(got[0].header("from"), HasSubstr("<sip:alice@xmpp.test>;tag="));
  EXPECT_THAT(got[0].header("to"), HasSubstr("sip:bob@sip.local"));
  EXPECT_EQ(got[0].header("content-type"), "text/plain;charset=UTF-8");
  EXPECT_EQ(got[0].body, text);
  expect_vias_kamailio_then_fedgate(got[0]);
  const std::string call = got[0].header("call-id");
  EXPECT_TRUE(kamailio_logged("KAM RELAY MESSAGE sip:bob@sip.local to sip:127.0.0.1:" +
                              std::to_string(uas_port_) + " call " + call))
      << kamailio_diagnostics();
  EXPECT_TRUE(kamailio_logged("KAM REPLY 200 OK call " + call)) << kamailio_diagnostics();
}

// SIP -> XMPP: SIPp sends to Kamailio for sip:alice@xmpp.test, Kamailio forwards to fedgate,
// alice gets the exact text from bob@sip.test, and SIPp's 200 is the one Kamailio relayed.
TEST_F(kamailio_im_e2e, sip_to_xmpp_through_kamailio) {
  ASSERT_NO_FATAL_FAILURE(start_behind_kamailio());
  auto client = alice({}, "", 1);
  ASSERT_TRUE(client->wait_for_line("ONLINE", 30s)) << client->output();
  const std::string text = "via Kamailio: Привет 👋 <b>&amp;</b> مرحبا";
  EXPECT_EQ(
      sipp_uac("alice", text, 200, 1, "u1", "text/plain;charset=UTF-8", "", 1, kamailio_port_), 0)
      << kamailio_diagnostics();
  ASSERT_EQ(client->wait_exit(30s), 0) << client->output() << kamailio_diagnostics();
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["from"], "bob@sip.test");
  EXPECT_EQ(got[0]["type"], "chat");
  EXPECT_EQ(body_of(got[0]), text);
  EXPECT_TRUE(kamailio_logged("KAM RELAY MESSAGE sip:alice@xmpp.test to sip:127.0.0.1:" +
                              std::to_string(sip_udp_)))
      << kamailio_diagnostics();
  EXPECT_TRUE(kamailio_logged("KAM REPLY 200 OK")) << kamailio_diagnostics();
}

// SIP -> XMPP, fedgate answers only with the XMPP outcome: Prosody does not know the user, so
// fedgate answers the mapped 503 (service-unavailable), not a 200 given before delivery. A proxy
// must not pass a 503 upstream (RFC 3261 16.7 step 6): Kamailio turns it into a 500, which is
// what the SIPp UAC behind it gets.
TEST_F(kamailio_im_e2e, undeliverable_sip_message_gets_an_error_through_kamailio) {
  ASSERT_NO_FATAL_FAILURE(start_behind_kamailio());
  EXPECT_EQ(
      sipp_uac("nobody", "hello?", 500, 1, "u1", "text/plain;charset=UTF-8", "", 1, kamailio_port_),
      0)
      << kamailio_diagnostics();
  EXPECT_TRUE(kamailio_logged("KAM RELAY MESSAGE sip:nobody@xmpp.test to sip:127.0.0.1:" +
                              std::to_string(sip_udp_)))
      << kamailio_diagnostics();
  EXPECT_TRUE(kamailio_logged("KAM REPLY 503 Service Unavailable")) << kamailio_diagnostics();
}

// An error through the proxy: SIPp answers 404, Kamailio relays it, alice gets item-not-found
// with the reason phrase as text.
TEST_F(kamailio_im_e2e, sip_404_through_kamailio_bounces_item_not_found) {
  ASSERT_NO_FATAL_FAILURE(start_behind_kamailio());
  auto uas = sipp_uas(1, 404, "No Such User Here");
  auto client = alice({chat("<body>anyone?</body>", "k404")}, "nobody@sip.test", 0, true);
  ASSERT_EQ(client->wait_exit(60s), 0) << client->output() << kamailio_diagnostics();
  auto got = received_stanzas(client->output());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["type"], "error");
  EXPECT_EQ(got[0]["id"], "k404");
  EXPECT_EQ(got[0]["error"]["condition"], "item-not-found");
  EXPECT_EQ(got[0]["error"]["text"], "No Such User Here");
  EXPECT_EQ(uas->wait_exit(10s), 0) << uas->output();
  auto reqs = received_requests(uas_log_);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].start_line, "MESSAGE sip:nobody@sip.local SIP/2.0");
  expect_vias_kamailio_then_fedgate(reqs[0]);
  EXPECT_TRUE(kamailio_logged("KAM REPLY 404 No Such User Here call " + reqs[0].header("call-id")))
      << kamailio_diagnostics();
}

}  // namespace
}  // namespace fedgate::e2e
