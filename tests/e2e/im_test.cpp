// Instant messaging end to end with real software on both sides, everything on loopback:
//
//   slixmpp (im_client.py) ── Prosody ══ S2S ══ fedgate (the binary) ── SIP ── SIPp
//
// Each test starts its own Prosody (test CA, static S2S route to fedgate), its own fedgate with
// a config written here, and SIPp scenarios written here; all are stopped by PID. A missing
// prosody, sipp or slixmpp fails the test (CI installs them: scripts/deps/*.list).
//
// The SIP domain of the local users is sip.local; they appear on the XMPP side as users of
// sip.test (a [[domains]] pair), so every test also exercises the domain map.
#include <arpa/inet.h>
#include <fstream>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <regex>
#include <sstream>
#include <thread>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/prosody_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace fedgate {
namespace {

using namespace std::chrono_literals;
using testing::child_process;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string fedgate_binary = FEDGATE_BINARY;
const std::string sipp_bin = "/usr/bin/sipp";
const std::string client_script = std::string(FEDGATE_SOURCE_DIR) + "/tests/e2e/im_client.py";

std::uint16_t free_udp_port() {
  int u = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(u, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(u);
  return ntohs(a.sin_port);
}

// True once something listens on 127.0.0.1:port (TCP LISTEN state, or a bound UDP socket), read
// from /proc/net: no connection is made, so the peer never sees a probe. Bounded: 200 x 25 ms.
bool wait_bound(std::uint16_t port, bool tcp) {
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(tcp ? "/proc/net/tcp" : "/proc/net/udp");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string slot, local, remote, state;
      f >> slot >> local >> remote >> state;
      if (local.size() > 5 && local.substr(local.size() - 5) == hex && (!tcp || state == "0A")) {
        return true;
      }
    }
    std::this_thread::sleep_for(25ms);  // polling /proc: there is no event to wait on
  }
  return false;
}

// One SIP message as SIPp logged it (-trace_msg).
struct logged_sip {
  std::string start_line;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// The requests SIPp received, in order, from its -message_file.
std::vector<logged_sip> received_requests(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::vector<logged_sip> out;
  const std::string marker = " message received [";
  for (auto pos = text.find(marker); pos != std::string::npos; pos = text.find(marker, pos + 1)) {
    auto size_end = text.find(']', pos);
    std::size_t size = std::stoul(text.substr(pos + marker.size(), size_end - pos - marker.size()));
    auto start = text.find("\n\n", size_end);
    if (start == std::string::npos) break;
    std::string raw = text.substr(start + 2, size);
    if (raw.rfind("SIP/2.0", 0) == 0) continue;  // a response (ACKs to our answers, etc.)
    logged_sip m;
    auto head_end = raw.find("\r\n\r\n");
    std::string head = raw.substr(0, head_end);
    m.body = head_end == std::string::npos ? "" : raw.substr(head_end + 4);
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, m.start_line);
    if (!m.start_line.empty() && m.start_line.back() == '\r') m.start_line.pop_back();
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      m.headers.emplace(name, value);
    }
    out.push_back(std::move(m));
  }
  return out;
}

// The message stanzas the client printed ("GOT {json}").
std::vector<nlohmann::json> received_stanzas(const std::string& output) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("GOT ", 0) == 0) out.push_back(nlohmann::json::parse(line.substr(4)));
  }
  return out;
}

// The body of a received stanza in its only (or default) language.
std::string body_of(const nlohmann::json& stanza) {
  const auto& bodies = stanza["bodies"];
  if (bodies.contains("")) return bodies[""];
  return bodies.size() == 1 ? bodies.begin()->get<std::string>() : std::string("<several>");
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct options {
  bool partner_reachable = true;
  std::string sip_route_transport = "udp";  // how fedgate reaches SIPp's UAS
  unsigned delivery_timeout_ms = 10000;
};

class im_e2e : public ::testing::Test {
 protected:
  void start(const options& o = {}) {
    ASSERT_TRUE(std::filesystem::exists(sipp_bin)) << "sipp missing: scripts/install-deps";
    opt_ = o;
    pki_ = std::make_unique<testing::test_pki>(dir_.path() / "pki");
    auto prosody_cert = pki_->issue("prosody", {"xmpp.test"});
    auto fedgate_cert = pki_->issue("fedgate", {"sip.test"});
    s2s_port_ = testing::free_port();
    sip_udp_ = free_udp_port();
    sip_tcp_ = testing::free_port();
    uas_port_ = o.sip_route_transport == "udp" ? free_udp_port() : testing::free_port();
    testing::prosody_options po;
    po.dir = dir_.path() / "prosody";
    po.certificate = prosody_cert.certificate;
    po.key = prosody_cert.key;
    po.ca_file = pki_->ca_certificate();
    po.c2s_port = testing::free_port();
    po.s2s_port = testing::free_port();
    po.static_targets = {{"sip.test", s2s_port_}};
    po.users = {{"alice", "alicepw"}};
    prosody_ = std::make_unique<testing::prosody_server>(po);
    ASSERT_TRUE(prosody_->start()) << prosody_->log();

    std::ofstream cfg(dir_.path() / "fedgate.toml");
    cfg << "[general]\nstate_dir = \"state\"\nlog_level = \"debug\"\n"
        << "[[domains]]\nsip = \"sip.local\"\nxmpp = \"sip.test\"\n"
        << "[xmpp]\nlisten = [\"127.0.0.1:" << s2s_port_ << "\"]\n"
        << "certificate = \"" << fedgate_cert.certificate.string() << "\"\n"
        << "key = \"" << fedgate_cert.key.string() << "\"\n"
        << "ca_file = \"" << pki_->ca_certificate().string() << "\"\n"
        << "backoff_initial_ms = 200\nbackoff_max_ms = 1000\nconnect_timeout_ms = 2000\n"
        << "[[xmpp.partners]]\ndomain = \"xmpp.test\"\n"
        << "routes = [\"127.0.0.1:"
        << (o.partner_reachable ? po.s2s_port : testing::free_port()) << "\"]\n"
        << "[sip]\nudp_listen = [\"127.0.0.1:" << sip_udp_ << "\"]\n"
        << "tcp_listen = [\"127.0.0.1:" << sip_tcp_ << "\"]\ntls_listen = []\n"
        << "trusted_peers = [\"127.0.0.1\"]\n"
        << "[[sip.routes]]\ndomain = \"sip.local\"\nuri = \"sip:127.0.0.1:" << uas_port_
        << ";transport=" << o.sip_route_transport << "\"\n"
        << "[im]\nerror_window_ms = 200\ndelivery_timeout_ms = " << o.delivery_timeout_ms << "\n"
        << "[metrics]\nlisten = \"\"\n";
    cfg.close();
    fedgate_ = std::make_unique<child_process>(std::vector<std::string>{
        fedgate_binary, "--config", (dir_.path() / "fedgate.toml").string()});
    ASSERT_TRUE(fedgate_->wait_for_line("fedgate started", 20s)) << fedgate_->output();
  }

  // alice on Prosody. `stanzas`: raw stanzas to send ("{to}" = `to`).
  std::unique_ptr<child_process> alice(const std::vector<std::string>& stanzas,
                                       const std::string& to, int expect = 0,
                                       bool until_error = false) {
    auto file = dir_.path() / ("send-" + std::to_string(++files_) + ".xml");
    std::ofstream f(file, std::ios::binary);
    for (const auto& s : stanzas)
      f << s << "\n";
    f.close();
    std::vector<std::string> argv{"/usr/bin/python3",
                                  client_script,
                                  "--jid",
                                  "alice@xmpp.test",
                                  "--password",
                                  "alicepw",
                                  "--port",
                                  std::to_string(prosody_->options().c2s_port),
                                  "--ca",
                                  pki_->ca_certificate().string(),
                                  "--timeout",
                                  "90",
                                  "--to",
                                  to};
    if (!stanzas.empty()) argv.insert(argv.end(), {"--send-file", file.string()});
    if (expect > 0) argv.insert(argv.end(), {"--expect", std::to_string(expect)});
    if (until_error) argv.push_back("--until-error");
    return std::make_unique<child_process>(argv);
  }

  // A SIPp UAS on uas_port_ answering `count` MESSAGEs with `status`; the requests are logged.
  // `per_call` MESSAGEs share one Call-ID (a thread): SIPp maps them to one call.
  std::unique_ptr<child_process> sipp_uas(int count, int status = 200,
                                          const std::string& reason = "OK", int per_call = 1) {
    auto scenario = dir_.path() / ("uas-" + std::to_string(++files_) + ".xml");
    std::ofstream out(scenario);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<scenario name=\"uas\">\n";
    for (int i = 0; i < per_call; ++i) {
      out << "<recv request=\"MESSAGE\" />\n<send><![CDATA[\nSIP/2.0 " << status << " "
          << reason
          << "\n[last_Via:]\n[last_From:]\n[last_To:];tag=[pid]U[call_number]\n[last_Call-ID:]\n"
             "[last_CSeq:]\nContent-Length: 0\n\n]]></send>\n";
    }
    out << "</scenario>\n";
    out.close();
    uas_log_ = dir_.path() / ("uas-" + std::to_string(files_) + ".log");
    bool tcp = opt_.sip_route_transport == "tcp";
    auto p = std::make_unique<child_process>(std::vector<std::string>{
        sipp_bin, "-sf", scenario.string(), "-i", "127.0.0.1", "-p", std::to_string(uas_port_),
        "-t", tcp ? "t1" : "u1", "-m", std::to_string(count), "-trace_msg", "-message_file",
        uas_log_.string(), "-nostdin", "-timeout", "90s", "-timeout_error"});
    EXPECT_TRUE(wait_bound(uas_port_, tcp)) << "SIPp UAS did not bind: " << p->output();
    return p;
  }

  // A SIPp UAC sending `count` MESSAGEs from bob@sip.local to `to_user`@xmpp.test with `body`
  // ([call_number] is SIPp's call counter) and expecting `status`. Returns SIPp's exit code.
  int sipp_uac(const std::string& to_user, const std::string& body, int status, int count = 1,
               const std::string& transport = "u1",
               const std::string& content_type = "text/plain;charset=UTF-8",
               const std::string& extra_headers = "", int max_calls = 1) {
    auto scenario = dir_.path() / ("uac-" + std::to_string(++files_) + ".xml");
    std::ofstream(scenario) << R"(<?xml version="1.0" encoding="UTF-8" ?>
<scenario name="uac">
  <send retrans="500"><![CDATA[
MESSAGE sip:)" << to_user << R"(@xmpp.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]T[call_number]
To: <sip:)" << to_user << R"(@xmpp.test>
Call-ID: [call_id]
CSeq: 1 MESSAGE
Max-Forwards: 70
)" << extra_headers << "Content-Type: "
                            << content_type << R"(
Content-Length: [len]

)" << body << R"(]]></send>
  <recv response=")" << status << R"(" timeout="60000" />
</scenario>
)";
    int port = transport == "u1" ? sip_udp_ : sip_tcp_;
    child_process p({sipp_bin, "-sf", scenario.string(), "127.0.0.1:" + std::to_string(port),
                     "-i", "127.0.0.1", "-p", "0", "-t", transport, "-m", std::to_string(count),
                     "-l", std::to_string(max_calls), "-r", "1000", "-nostdin", "-timeout", "90s",
                     "-timeout_error"});
    auto rc = p.wait_exit(120s);
    if (!rc) {
      p.signal(SIGKILL);
      ADD_FAILURE() << "sipp did not finish:\n" << p.output();
      return -1;
    }
    if (*rc != 0) ADD_FAILURE() << "sipp exit " << *rc << ":\n" << p.output().substr(0, 3000);
    return *rc;
  }

  std::string diagnostics() {
    fedgate_->wait_for_line("\x01", 200ms);  // drain what fedgate logged so far
    return "--- fedgate ---\n" + fedgate_->output().substr(0, 20000) + "\n--- prosody ---\n" +
           prosody_->log().substr(0, 20000);
  }

  testing::temp_dir dir_;
  options opt_;
  int files_ = 0;
  std::unique_ptr<testing::test_pki> pki_;
  std::uint16_t s2s_port_ = 0, sip_udp_ = 0, sip_tcp_ = 0, uas_port_ = 0;
  std::filesystem::path uas_log_;
  std::unique_ptr<testing::prosody_server> prosody_;
  std::unique_ptr<child_process> fedgate_;
};

std::string chat(const std::string& inner, const std::string& id, const std::string& attrs = "") {
  return "<message to='{to}' type='chat' id='" + id + "'" + attrs + ">" + inner + "</message>";
}

// XMPP -> SIP over UDP: the text arrives byte for byte, in order, with the RFC 7572 headers.
TEST_F(im_e2e, xmpp_to_sip_keeps_text_subject_thread_and_languages) {
  start();
  auto uas = sipp_uas(3);
  const std::string unicode = "Grüße 😀 שלום e\u0301 \u202Bmixed\u202C";
  const std::string specials = "<a href=\"x\"> & 'q' ]]> </a>";
  auto client = alice({chat("<body>plain text</body>", "m1"),
                       chat("<body>" + unicode + "</body>", "m2"),
                       chat("<body>" + xml_escape(specials) + "</body>", "m3")},
                      "bob@sip.test");
  ASSERT_EQ(uas->wait_exit(60s), 0) << uas->output() << diagnostics();
  EXPECT_EQ(client->wait_exit(30s), 0) << client->output();
  auto got = received_requests(uas_log_);
  // Two messages of one thread: one Call-ID, so SIPp sees them as one call.
  uas = sipp_uas(1, 200, "OK", 2);
  client = alice({chat("<subject>Plans</subject><body>with subject</body><thread>t-42</thread>",
                       "m4"),
                  chat("<body>hello</body><body xml:lang='de'>hallo</body><thread>t-42</thread>",
                       "m5", " xml:lang='en'")},
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
  EXPECT_EQ(sipp_uac("alice", "n=[call_number]", 200, 1000, "t1", "text/plain;charset=UTF-8", "",
                     20),
            0)
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

}  // namespace
}  // namespace fedgate
