#pragma once
// The end-to-end IM fixture: a Prosody with the user alice (slixmpp client im_client.py), the
// fedgate binary with a config written by the test, and SIPp as the SIP user agents, all on
// loopback and stopped by PID. A missing prosody, sipp or slixmpp fails the test.
//
// The SIP domain of the local users is sip.local; they appear on the XMPP side as users of
// sip.test (a [[domains]] pair), so every test also exercises the domain map.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/prosody_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace fedgate::e2e {

using namespace std::chrono_literals;
using testing::child_process;

inline const std::string fedgate_binary = FEDGATE_BINARY;
inline const std::string sipp_bin = "/usr/bin/sipp";
inline const std::string client_script =
    std::string(FEDGATE_SOURCE_DIR) + "/tests/e2e/im_client.py";

/// True once something listens on 127.0.0.1:port (TCP LISTEN, or a bound UDP socket), read from
/// /proc/net: no connection is made, so the peer never sees a probe. Bounded: 200 x 25 ms.
bool wait_bound(std::uint16_t port, bool tcp);

/// True once nothing listens on 127.0.0.1:port any more (same method and bound).
bool wait_unbound(std::uint16_t port, bool tcp);

/// One SIP message as SIPp logged it (-trace_msg).
struct logged_sip {
  std::string start_line;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// The requests SIPp received, in order, from its -message_file.
std::vector<logged_sip> received_requests(const std::filesystem::path& file);

/// The message stanzas the client printed ("GOT {json}").
std::vector<nlohmann::json> received_stanzas(const std::string& output);

/// The body of a received stanza in its only (or default) language.
std::string body_of(const nlohmann::json& stanza);

std::string xml_escape(const std::string& s);

struct options {
  bool partner_reachable = true;
  std::string sip_route_transport = "udp";  // how fedgate reaches SIPp's UAS
  unsigned delivery_timeout_ms = 10000;
  // A SIP URI ("sip:127.0.0.1:5070"): fedgate sits behind this SIP proxy, [sip] outbound_proxy
  // is set and the [[sip.routes]] entry for sip.local is left out, so requests for SIPp's UAS
  // go to the proxy. The proxy must forward them to uas_port_ (known once start() returned).
  std::string outbound_proxy;
  // [[domains]] im_mode = "session": fedgate opens Skype for Business style IM sessions.
  bool session_mode = false;
  unsigned session_idle_ms = 600000;  // [im] session_idle_timeout_ms
  unsigned error_window_ms = 200;     // [im] error_window_ms
  // Non-zero: [metrics] listen = "127.0.0.1:<metrics_port>" (fedgate's /metrics for a scraper);
  // 0 keeps the metrics listener off.
  std::uint16_t metrics_port = 0;
  // More partners: TOML ([[xmpp.partners]] tables) after the one for xmpp.test. A test changes
  // opt_.extra_partners and calls write_config() to rewrite the file (config reload tests).
  std::string extra_partners;
};

/// A [[xmpp.partners]] table for `domain` reached at 127.0.0.1:`port`.
inline std::string partner_toml(const std::string& domain, std::uint16_t port) {
  return "[[xmpp.partners]]\ndomain = \"" + domain +
         "\"\nroutes = [\"127.0.0.1:" + std::to_string(port) + "\"]\n";
}

class im_e2e : public ::testing::Test {
 protected:
  void start(const options& o = {}) {
    ASSERT_TRUE(std::filesystem::exists(sipp_bin)) << "sipp missing: scripts/install-deps";
    opt_ = o;
    pki_ = std::make_unique<testing::test_pki>(dir_.path() / "pki");
    auto prosody_cert = pki_->issue("prosody", {"xmpp.test"});
    auto fedgate_cert = pki_->issue("fedgate", {"sip.test"});
    s2s_port_ = testing::free_port();
    sip_udp_ = testing::free_udp_port();
    sip_tcp_ = testing::free_port();
    uas_port_ = o.sip_route_transport == "udp" ? testing::free_udp_port() : testing::free_port();
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
    fedgate_cert_ = fedgate_cert;
    partner_port_ = o.partner_reachable ? po.s2s_port : testing::free_port();
    write_config();
    fedgate_ = std::make_unique<child_process>(
        std::vector<std::string>{fedgate_binary, "--config", config_path().string()});
    ASSERT_TRUE(fedgate_->wait_for_line("fedgate started", 20s)) << fedgate_->output();
  }

  std::filesystem::path config_path() const { return dir_.path() / "fedgate.toml"; }

  // (Re)writes fedgate's config file from opt_ (start() does it first; reload tests again).
  void write_config() {
    const options& o = opt_;
    auto tmp = dir_.path() / "fedgate.toml.new";
    std::ofstream cfg(tmp);
    cfg << "[general]\nstate_dir = \"state\"\nlog_level = \"debug\"\n"
        << "[[domains]]\nsip = \"sip.local\"\nxmpp = \"sip.test\"\n"
        << (o.session_mode ? "im_mode = \"session\"\n" : "")
        << "[xmpp]\nlisten = [\"127.0.0.1:" << s2s_port_ << "\"]\n"
        << "certificate = \"" << fedgate_cert_.certificate.string() << "\"\n"
        << "key = \"" << fedgate_cert_.key.string() << "\"\n"
        << "ca_file = \"" << pki_->ca_certificate().string() << "\"\n"
        << "backoff_initial_ms = 200\nbackoff_max_ms = 1000\nconnect_timeout_ms = 2000\n"
        << partner_toml("xmpp.test", partner_port_) << o.extra_partners
        << "[sip]\nudp_listen = [\"127.0.0.1:" << sip_udp_ << "\"]\n"
        << "tcp_listen = [\"127.0.0.1:" << sip_tcp_ << "\"]\ntls_listen = []\n"
        << "trusted_peers = [\"127.0.0.1\"]\n";
    if (o.outbound_proxy.empty()) {
      cfg << "[[sip.routes]]\ndomain = \"sip.local\"\nuri = \"sip:127.0.0.1:" << uas_port_
          << ";transport=" << o.sip_route_transport << "\"\n";
    } else {
      cfg << "outbound_proxy = \"" << o.outbound_proxy << "\"\n";
    }
    cfg << "[im]\nerror_window_ms = " << o.error_window_ms
        << "\ndelivery_timeout_ms = " << o.delivery_timeout_ms << "\n"
        << "session_idle_timeout_ms = " << o.session_idle_ms << "\n"
        << "[metrics]\nlisten = \""
        << (o.metrics_port != 0 ? "127.0.0.1:" + std::to_string(o.metrics_port) : "") << "\"\n";
    cfg.close();
    // Renamed into place: a reload never reads a half-written file.
    std::filesystem::rename(tmp, config_path());
  }

  // `fedgate ctl --json <words>` against the running gateway: exit code and parsed answer. By
  // its socket, so it works while the config file is broken (reload tests).
  std::pair<int, nlohmann::json> ctl(const std::vector<std::string>& words) {
    std::vector<std::string> argv{fedgate_binary, "ctl", "--socket",
                                  (dir_.path() / "state" / "control.sock").string(), "--json"};
    argv.insert(argv.end(), words.begin(), words.end());
    child_process p(argv);
    auto rc = p.wait_exit(60s);
    EXPECT_TRUE(rc.has_value()) << "fedgate ctl did not finish: " << p.output();
    auto answer = nlohmann::json::parse(p.output(), nullptr, false);
    EXPECT_FALSE(answer.is_discarded())
        << "fedgate ctl exit " << rc.value_or(-1) << ": " << p.output();
    return {rc.value_or(-1), answer};
  }

  // Another XMPP server (a second Prosody, `domain`, on loopback) that reaches fedgate's sip.test
  // and is trusted by it (same test CA). Offline storage on, so stanzas for its offline users are
  // accepted rather than answered with an error. fedgate reaches it at options().s2s_port.
  std::unique_ptr<testing::prosody_server> partner_prosody(
      const std::string& domain, const std::vector<std::pair<std::string, std::string>>& users) {
    auto cert = pki_->issue(domain, {domain});
    testing::prosody_options po;
    po.domain = domain;
    po.dir = dir_.path() / ("prosody-" + domain);
    po.certificate = cert.certificate;
    po.key = cert.key;
    po.ca_file = pki_->ca_certificate();
    po.c2s_port = testing::free_port();
    po.s2s_port = testing::free_port();
    po.static_targets = {{"sip.test", s2s_port_}};
    po.users = users;
    po.offline_storage = true;
    auto p = std::make_unique<testing::prosody_server>(po);
    EXPECT_TRUE(p->start()) << p->log();
    return p;
  }

  // alice on Prosody. `stanzas`: raw stanzas to send ("{to}" = `to`).
  std::unique_ptr<child_process> alice(const std::vector<std::string>& stanzas,
                                       const std::string& to, int expect = 0,
                                       bool until_error = false,
                                       const std::vector<std::string>& extra_args = {}) {
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
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
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
      out << "<recv request=\"MESSAGE\" />\n<send><![CDATA[\nSIP/2.0 " << status << " " << reason
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
  // `target_port`: where SIPp sends (a SIP proxy in front of fedgate); 0 = fedgate's own port
  // for `transport`.
  int sipp_uac(const std::string& to_user, const std::string& body, int status, int count = 1,
               const std::string& transport = "u1",
               const std::string& content_type = "text/plain;charset=UTF-8",
               const std::string& extra_headers = "", int max_calls = 1,
               std::uint16_t target_port = 0) {
    auto scenario = uac_scenario(to_user, body, status, content_type, extra_headers);
    int port = target_port != 0 ? target_port : transport == "u1" ? sip_udp_ : sip_tcp_;
    child_process p({sipp_bin,
                     "-sf",
                     scenario.string(),
                     "127.0.0.1:" + std::to_string(port),
                     "-i",
                     "127.0.0.1",
                     "-p",
                     "0",
                     "-t",
                     transport,
                     "-m",
                     std::to_string(count),
                     "-l",
                     std::to_string(max_calls),
                     "-r",
                     "1000",
                     "-nostdin",
                     "-timeout",
                     "90s",
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

  // The same UAC in the background at `rate` MESSAGEs per second (one call at a time each, up to
  // `max_calls` open), for traffic that goes on while the test does something else; the caller
  // waits for its exit code (0: every MESSAGE got `status`). `to` is "user" (of xmpp.test) or
  // "user@domain".
  std::unique_ptr<child_process> start_sipp_uac(const std::string& to, const std::string& body,
                                                int status, int count, int rate,
                                                int max_calls = 10) {
    auto scenario = uac_scenario(to, body, status, "text/plain;charset=UTF-8", "");
    return std::make_unique<child_process>(
        std::vector<std::string>{sipp_bin,
                                 "-sf",
                                 scenario.string(),
                                 "127.0.0.1:" + std::to_string(sip_udp_),
                                 "-i",
                                 "127.0.0.1",
                                 "-p",
                                 "0",
                                 "-t",
                                 "u1",
                                 "-m",
                                 std::to_string(count),
                                 "-l",
                                 std::to_string(max_calls),
                                 "-r",
                                 std::to_string(rate),
                                 "-nostdin",
                                 "-timeout",
                                 "120s",
                                 "-timeout_error"});
  }

  // The UAC scenario of sipp_uac(): one MESSAGE from bob@sip.local to `to_user` (of xmpp.test
  // unless it names its domain) expecting `status`.
  std::filesystem::path uac_scenario(const std::string& to_user, const std::string& body,
                                     int status, const std::string& content_type,
                                     const std::string& extra_headers) {
    std::string to = to_user.find('@') == std::string::npos ? to_user + "@xmpp.test" : to_user;
    auto scenario = dir_.path() / ("uac-" + std::to_string(++files_) + ".xml");
    std::ofstream(scenario) << R"(<?xml version="1.0" encoding="UTF-8" ?>
<scenario name="uac">
  <send retrans="500"><![CDATA[
MESSAGE sip:)" << to << R"( SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@sip.local>;tag=[pid]T[call_number]
To: <sip:)" << to << R"(>
Call-ID: [call_id]
CSeq: 1 MESSAGE
Max-Forwards: 70
)" << extra_headers
                            << "Content-Type: " << content_type << R"(
Content-Length: [len]

)" << body << R"(]]></send>
  <recv response=")" << status
                            << R"(" timeout="60000" />
</scenario>
)";
    return scenario;
  }

  // Runs one call of a SIPp scenario (its XML text) on `local_port` (0: any; uas_port_ is where
  // fedgate's route for sip.local points, so requests for bob reach it), as UAC towards
  // fedgate's UDP listener `target` or, with target 0, as UAS; logs what it received to `log`.
  // Returns SIPp's exit code (a failure is reported with SIPp's output).
  int run_sipp(const std::string& name, const std::string& xml, std::uint16_t local_port,
               std::uint16_t target, const std::filesystem::path& log) {
    auto scenario = dir_.path() / (name + ".xml");
    std::ofstream(scenario) << xml;
    std::vector<std::string> argv{sipp_bin, "-sf", scenario.string()};
    if (target != 0) argv.push_back("127.0.0.1:" + std::to_string(target));
    argv.insert(argv.end(), {"-i", "127.0.0.1", "-p", std::to_string(local_port), "-t", "u1", "-m",
                             "1", "-trace_msg", "-message_file", log.string(), "-nostdin",
                             "-timeout", "60s", "-timeout_error"});
    child_process p(argv);
    auto rc = p.wait_exit(90s);
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
  std::uint16_t partner_port_ = 0;  // where fedgate reaches xmpp.test
  testing::pem_files fedgate_cert_;
  std::filesystem::path uas_log_;
  std::unique_ptr<testing::prosody_server> prosody_;
  std::unique_ptr<child_process> fedgate_;
};

inline std::string chat(const std::string& inner, const std::string& id,
                        const std::string& attrs = "") {
  return "<message to='{to}' type='chat' id='" + id + "'" + attrs + ">" + inner + "</message>";
}

}  // namespace fedgate::e2e
