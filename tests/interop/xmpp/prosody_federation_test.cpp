// Federation with a real Prosody on loopback (ctest label: interop). Prosody gets certificates
// from a test CA made by the test, routes sip.test to fedgate's listener without DNS, and a
// slixmpp client logged into Prosody plays the XMPP user. fedgate's S2S side runs in
// s2s_harness, which is the gateway's S2S service with a line protocol in place of the router.
#include <fstream>
#include <memory>
#include <signal.h>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/prosody_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/transport/dns/fake_dns_server.hpp"

namespace fedgate {
namespace {

using namespace std::chrono_literals;
using testing::child_process;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string harness_binary = FEDGATE_S2S_HARNESS;
const std::string fedgate_binary = FEDGATE_BINARY;
const std::string client_script =
    std::string(FEDGATE_SOURCE_DIR) + "/tests/interop/xmpp/xmpp_client.py";

struct scenario {
  bool prosody_tls = true;
  bool prosody_secure_auth = false;
  std::string prosody_cert_name = "xmpp.test";
  bool configure_partner = true;
  std::string tls = "required";
  std::string sasl = "never";
  bool dialback = true;
  int queue_timeout_ms = 20000;
  bool prosody_offline_storage = false;
  bool direct_tls = false;  // both ways: Prosody reaches us and we reach it with XEP-0368
  std::string dns_servers;  // when set: the partner has no static routes; fedgate asks DNS
};

class prosody_federation : public ::testing::Test {
 protected:
  void start(const scenario& sc, const std::string& binary = harness_binary) {
    sc_ = sc;
    pki_ = std::make_unique<testing::test_pki>(dir_.path() / "pki");
    auto prosody_cert = pki_->issue("prosody", {sc.prosody_cert_name});
    fedgate_cert_ = pki_->issue("fedgate", {"sip.test"});
    fedgate_port_ = testing::free_port();
    testing::prosody_options po;
    po.dir = dir_.path() / "prosody";
    po.certificate = prosody_cert.certificate;
    po.key = prosody_cert.key;
    po.ca_file = pki_->ca_certificate();
    po.c2s_port = testing::free_port();
    po.s2s_port = testing::free_port();
    po.tls = sc.prosody_tls;
    po.secure_auth = sc.prosody_secure_auth;
    po.offline_storage = sc.prosody_offline_storage;
    if (sc.direct_tls) {
      po.direct_tls_targets = {{"sip.test", fedgate_port_}};
      po.s2s_direct_tls_port = testing::free_port();
    } else {
      po.static_targets = {{"sip.test", fedgate_port_}};
    }
    po.users = {{"alice", "alicepw"}};
    prosody_ = std::make_unique<testing::prosody_server>(po);
    ASSERT_TRUE(prosody_->start()) << prosody_->log();
    start_harness(binary);
  }

  void start_harness(const std::string& binary = harness_binary) {
    std::ofstream cfg(dir_.path() / "fedgate.toml");
    cfg << "[general]\nstate_dir = \"state\"\nlog_level = \"debug\"\n"
        << "[[domains]]\nsip = \"sip.test\"\nxmpp = \"sip.test\"\n"
        << "[xmpp]\n"
        << (sc_.direct_tls ? "listen = []\ndirect_tls_listen" : "listen")
        << " = [\"127.0.0.1:" << fedgate_port_ << "\"]\n"
        << "certificate = \"" << fedgate_cert_.certificate.string() << "\"\n"
        << "key = \"" << fedgate_cert_.key.string() << "\"\n"
        << "ca_file = \"" << pki_->ca_certificate().string() << "\"\n"
        << "queue_timeout_ms = " << sc_.queue_timeout_ms << "\n"
        << "backoff_initial_ms = 200\nbackoff_max_ms = 1000\n"
        << "connect_timeout_ms = 2000\nestablish_timeout_ms = 10000\n";
    if (!sc_.dns_servers.empty()) {
      cfg << "[dns]\nservers = \"" << sc_.dns_servers << "\"\ntimeout_ms = 500\n";
    }
    if (sc_.configure_partner) {
      cfg << "[[xmpp.partners]]\ndomain = \"xmpp.test\"\n"
          << "tls = \"" << sc_.tls << "\"\nsasl_external = \"" << sc_.sasl << "\"\n"
          << "dialback = " << (sc_.dialback ? "true" : "false") << "\n"
          << "direct_tls = " << (sc_.direct_tls ? "true" : "false") << "\n"
          << "routes = [";
      if (sc_.dns_servers.empty()) {
        cfg << "\"127.0.0.1:"
            << (sc_.direct_tls ? prosody_->options().s2s_direct_tls_port
                               : prosody_->options().s2s_port)
            << "\"";
      }
      cfg << "]\n";
    }
    if (binary == fedgate_binary) {
      // The binary also has a SIP side and metrics: SIP off, metrics on a port of its own.
      metrics_port_ = testing::free_port();
      cfg << "[sip]\nudp_listen = []\ntcp_listen = []\ntls_listen = []\n"
          << "[metrics]\nlisten = \"127.0.0.1:" << metrics_port_ << "\"\n";
    }
    cfg.close();
    harness_ = std::make_unique<child_process>(
        std::vector<std::string>{binary, "--config", (dir_.path() / "fedgate.toml").string()},
        true);
    ASSERT_TRUE(
        harness_->wait_for_line(binary == fedgate_binary ? "fedgate started" : "READY", 20s))
        << harness_->output();
  }

  // Runs the slixmpp client as alice; returns its exit code and output.
  std::pair<int, std::string> client(std::vector<std::string> args,
                                     std::chrono::seconds timeout = 40s) {
    auto c = run_client(std::move(args));
    auto rc = c->wait_exit(timeout);
    return {rc.value_or(-1), c->output()};
  }

  std::unique_ptr<child_process> run_client(std::vector<std::string> args) {
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
                                  "30"};
    if (!sc_.prosody_tls) argv.push_back("--no-tls");
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<child_process>(argv);
  }

  void send(const std::string& xml) { ASSERT_TRUE(harness_->write_stdin("SEND " + xml + "\n")); }

  std::string diagnostics() {
    return "--- harness ---\n" + harness_->output() + "\n" + prosody_->log();
  }

  testing::temp_dir dir_;
  scenario sc_;
  std::unique_ptr<testing::test_pki> pki_;
  testing::pem_files fedgate_cert_;
  std::uint16_t fedgate_port_ = 0;
  std::uint16_t metrics_port_ = 0;
  std::unique_ptr<testing::prosody_server> prosody_;
  std::unique_ptr<child_process> harness_;
};

// (1) + (3): Prosody's user reaches fedgate over a stream Prosody opened (STARTTLS + dialback),
// and fedgate's outbound stream (STARTTLS + dialback) reaches a client logged into Prosody.
TEST_F(prosody_federation, dialback_both_directions) {
  start({});
  auto [rc, out] = client({"--send-to", "bob@sip.test", "--body", "hello fedgate"});
  ASSERT_EQ(rc, 0) << out;
  auto recv = harness_->wait_for_line("RECV kind=message", 30s);
  ASSERT_TRUE(recv) << diagnostics();
  EXPECT_THAT(*recv, HasSubstr("from=alice@xmpp.test/"));
  EXPECT_THAT(*recv, HasSubstr("to=bob@sip.test"));
  EXPECT_THAT(*recv, HasSubstr("<body>hello fedgate</body>"));
  EXPECT_THAT(harness_->output(), HasSubstr("direction=in auth=dialback tls=TLSv1.3"));

  auto listener = run_client({"--expect-from", "bob@sip.test", "--expect-body", "reply 1"});
  ASSERT_TRUE(listener->wait_for_line("ONLINE", 30s)) << listener->output();
  send(
      "<message from='bob@sip.test/gw' to='alice@xmpp.test' type='chat' id='r1'><body>reply "
      "1</body></message>");
  EXPECT_EQ(listener->wait_exit(40s), 0) << listener->output() << diagnostics();
  EXPECT_TRUE(harness_->wait_for_line("direction=out auth=dialback", 5s)) << diagnostics();
}

// (2): the same with certificates (s2s_secure_auth): SASL EXTERNAL both ways, no dialback.
TEST_F(prosody_federation, sasl_external_both_directions) {
  scenario sc;
  sc.prosody_secure_auth = true;
  sc.sasl = "required";
  sc.dialback = false;
  start(sc);
  auto [rc, out] = client({"--send-to", "bob@sip.test", "--body", "over sasl"});
  ASSERT_EQ(rc, 0) << out;
  auto recv = harness_->wait_for_line("RECV kind=message", 30s);
  ASSERT_TRUE(recv) << diagnostics();
  EXPECT_THAT(*recv, HasSubstr("<body>over sasl</body>"));
  EXPECT_THAT(harness_->output(), HasSubstr("direction=in auth=sasl"));

  auto listener = run_client({"--expect-from", "bob@sip.test", "--expect-body", "sasl reply"});
  ASSERT_TRUE(listener->wait_for_line("ONLINE", 30s));
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' type='chat'><body>sasl "
      "reply</body></message>");
  EXPECT_EQ(listener->wait_exit(40s), 0) << listener->output() << diagnostics();
  EXPECT_TRUE(harness_->wait_for_line("direction=out auth=sasl", 5s)) << diagnostics();
  EXPECT_THAT(harness_->output(), Not(HasSubstr("dialback")));
}

// XEP-0368 direct TLS both ways: Prosody reaches fedgate's direct-TLS listener, and fedgate
// reaches Prosody's s2s_direct_tls_ports, with no STARTTLS on either stream.
TEST_F(prosody_federation, direct_tls_both_directions) {
  scenario sc;
  sc.direct_tls = true;
  start(sc);
  auto [rc, out] = client({"--send-to", "bob@sip.test", "--body", "direct"});
  ASSERT_EQ(rc, 0) << out;
  auto recv = harness_->wait_for_line("RECV kind=message", 30s);
  ASSERT_TRUE(recv) << diagnostics();
  EXPECT_THAT(*recv, HasSubstr("<body>direct</body>"));
  auto listener = run_client({"--expect-from", "bob@sip.test", "--expect-body", "direct reply"});
  ASSERT_TRUE(listener->wait_for_line("ONLINE", 30s));
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' type='chat'><body>direct "
      "reply</body></message>");
  EXPECT_EQ(listener->wait_exit(40s), 0) << listener->output() << diagnostics();
  EXPECT_TRUE(harness_->wait_for_line("direction=out", 5s));
  EXPECT_THAT(harness_->output(), HasSubstr("direction=in auth=dialback tls=TLSv1.3"));
  // No STARTTLS on any S2S stream (the client's c2s stream does use it).
  std::istringstream log(prosody_->log());
  for (std::string line; std::getline(log, line);) {
    if (line.find("s2s") != std::string::npos) {
      EXPECT_THAT(line, Not(HasSubstr("<starttls")));
    }
  }
}

// XEP-0199: a ping from Prosody's server to our domain is answered by the gateway itself.
TEST_F(prosody_federation, server_ping_is_answered) {
  start({});
  // Authenticate Prosody -> fedgate first (a message), then ping over the same federation.
  auto [rc, out] = client({"--send-to", "bob@sip.test"});
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(harness_->wait_for_line("RECV kind=message", 30s)) << diagnostics();
  auto [rc2, out2] = client({"--ping", "sip.test"});
  EXPECT_EQ(rc2, 0) << out2 << diagnostics();
  EXPECT_THAT(harness_->output(), Not(HasSubstr("RECV kind=iq")));
}

// RFC 6120 §3.2: with no static route, fedgate finds the partner through DNS SRV
// (_xmpp-server._tcp; _xmpps-server._tcp is asked first and has no record here).
TEST_F(prosody_federation, partner_found_through_dns_srv) {
  testing::fake_dns_server dns;
  ASSERT_TRUE(dns.ok());
  scenario sc;
  sc.dns_servers = dns.address();
  // The SRV record needs Prosody's port, known only once the options are made: start() fills
  // them, and nothing is sent to the partner before the record exists.
  start(sc);
  dns.add_srv("_xmpp-server._tcp.xmpp.test", 0, 5, prosody_->options().s2s_port, "s2s.xmpp.test");
  dns.add_a("s2s.xmpp.test", "127.0.0.1");
  auto listener = run_client({"--expect-from", "bob@sip.test", "--expect-body", "via srv"});
  ASSERT_TRUE(listener->wait_for_line("ONLINE", 30s));
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' type='chat'><body>via "
      "srv</body></message>");
  EXPECT_EQ(listener->wait_exit(40s), 0) << listener->output() << diagnostics();
  EXPECT_GE(dns.queries("_xmpps-server._tcp.xmpp.test", "SRV"), 1);
  EXPECT_GE(dns.queries("_xmpp-server._tcp.xmpp.test", "SRV"), 1);
}

// DNS knows nothing of the partner: the stanza bounces with remote-server-not-found once the
// queue timeout passes, and the log says why.
TEST_F(prosody_federation, partner_unknown_to_dns_bounces_not_found) {
  testing::fake_dns_server dns;
  ASSERT_TRUE(dns.ok());
  scenario sc;
  sc.dns_servers = dns.address();
  sc.queue_timeout_ms = 2000;
  start(sc);
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' type='chat' "
      "id='nx'><body>x</body></message>");
  auto failed = harness_->wait_for_line("s2s connect failed", 10s);
  ASSERT_TRUE(failed) << diagnostics();
  EXPECT_THAT(*failed, HasSubstr("DNS"));
  auto bounce = harness_->wait_for_line("RECV kind=message type=error", 15s);
  ASSERT_TRUE(bounce) << diagnostics();
  EXPECT_THAT(*bounce, HasSubstr("condition=remote-server-not-found"));
}

// (4a): a domain not on the allowlist is refused, with the rule in the log.
TEST_F(prosody_federation, partner_not_on_allowlist_is_refused) {
  scenario sc;
  sc.configure_partner = false;
  start(sc);
  auto [rc, out] = client({"--send-to", "bob@sip.test", "--expect-error", "any"});
  EXPECT_EQ(rc, 0) << out << diagnostics();  // Prosody bounced it to alice
  auto refused = harness_->wait_for_line("s2s negotiation failed", 10s);
  ASSERT_TRUE(refused) << diagnostics();
  EXPECT_THAT(*refused, HasSubstr("xmpp.test is not a configured partner"));
  EXPECT_THAT(*refused, HasSubstr("condition=policy-violation"));
  EXPECT_THAT(harness_->output(), Not(HasSubstr("RECV kind=message")));
}

// (4b): TLS required, the peer offers none: refused at once with a clear log; the stanza comes
// back as a bounce, nothing hangs.
TEST_F(prosody_federation, tls_required_but_not_offered_is_refused_fast) {
  scenario sc;
  sc.prosody_tls = false;
  sc.queue_timeout_ms = 3000;
  start(sc);
  auto t0 = std::chrono::steady_clock::now();
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' type='chat' "
      "id='m1'><body>x</body></message>");
  auto failed = harness_->wait_for_line("s2s negotiation failed", 5s);
  ASSERT_TRUE(failed) << diagnostics();
  EXPECT_THAT(*failed, HasSubstr("TLS is required for xmpp.test but it does not offer STARTTLS"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  auto bounce = harness_->wait_for_line("RECV kind=message type=error", 15s);
  ASSERT_TRUE(bounce) << diagnostics();
  EXPECT_THAT(*bounce, HasSubstr("to=bob@sip.test"));
  EXPECT_THAT(*bounce, HasSubstr("condition=remote-server-timeout"));
}

// (4c): a certificate for the wrong name is refused, and the log says which check failed.
TEST_F(prosody_federation, wrong_name_certificate_is_refused_with_the_reason) {
  scenario sc;
  sc.prosody_cert_name = "wrong.test";
  sc.sasl = "required";
  sc.dialback = false;
  sc.queue_timeout_ms = 3000;
  start(sc);
  send("<message from='bob@sip.test' to='alice@xmpp.test' type='chat'><body>x</body></message>");
  auto failed = harness_->wait_for_line("s2s negotiation failed", 10s);
  ASSERT_TRUE(failed) << diagnostics();
  EXPECT_THAT(*failed, HasSubstr("certificate of xmpp.test refused"));
  EXPECT_THAT(*failed, HasSubstr("not valid for xmpp.test"));
  EXPECT_TRUE(harness_->wait_for_line("RECV kind=message type=error", 15s)) << diagnostics();
}

// (5a): Prosody restarts; a stanza sent meanwhile waits in the queue and is delivered once,
// after fedgate reconnects.
TEST_F(prosody_federation, restart_queued_stanza_delivered_once) {
  scenario sc;
  sc.prosody_offline_storage = true;  // alice may still be offline when the queue is flushed
  start(sc);
  auto first = run_client({"--expect-from", "bob@sip.test", "--expect-body", "before"});
  ASSERT_TRUE(first->wait_for_line("ONLINE", 30s));
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' "
      "type='chat'><body>before</body></message>");
  ASSERT_EQ(first->wait_exit(40s), 0) << first->output() << diagnostics();

  prosody_->stop();
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' type='chat'><body>while "
      "down</body></message>");
  ASSERT_TRUE(harness_->wait_for_line("s2s reconnect scheduled", 10s)) << diagnostics();
  ASSERT_TRUE(prosody_->start()) << prosody_->log();
  // The queued stanza may reach Prosody before alice is back online (it is kept in offline
  // storage then); the marker, sent after she is online, ends the wait.
  auto second = run_client({"--expect-from", "bob@sip.test", "--expect-body", "marker"});
  ASSERT_TRUE(second->wait_for_line("ONLINE", 30s)) << second->output();
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' "
      "type='chat'><body>marker</body></message>");
  ASSERT_EQ(second->wait_exit(40s), 0) << second->output() << diagnostics();
  std::string got = second->output();
  std::size_t count = 0;
  for (std::size_t p = got.find("body='while down'"); p != std::string::npos;
       p = got.find("body='while down'", p + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 1u) << got;
  harness_->write_stdin("STATUS\n");
  ASSERT_TRUE(harness_->wait_for_line("STATUS end", 10s));
  EXPECT_THAT(harness_->output(), HasSubstr("STATUS domain=xmpp.test state=up up=1"));
  EXPECT_THAT(harness_->output(), Not(HasSubstr("RECV kind=message type=error")));
}

// (5b): when Prosody stays down longer than the queue timeout, the stanza comes back bounced.
TEST_F(prosody_federation, restart_outlasting_the_queue_timeout_bounces) {
  scenario sc;
  sc.queue_timeout_ms = 2000;
  start(sc);
  prosody_->stop();
  send(
      "<message from='bob@sip.test' to='alice@xmpp.test' type='chat' "
      "id='lost'><body>x</body></message>");
  auto bounce = harness_->wait_for_line("RECV kind=message type=error", 15s);
  ASSERT_TRUE(bounce) << diagnostics();
  EXPECT_THAT(*bounce, HasSubstr("id=lost"));
  EXPECT_THAT(*bounce, HasSubstr("condition=remote-server-not-found"));
}

// The fedgate binary itself federates: a message from Prosody's user arrives over an inbound
// stream, and (the SIP domain resolving nowhere: 503) the answer goes back over fedgate's own
// outbound stream as <service-unavailable/>, never silently dropped.
TEST_F(prosody_federation, fedgate_binary_answers_through_prosody) {
  start({}, fedgate_binary);
  auto [rc, out] = client({"--send-to", "bob@sip.test", "--expect-error", "service-unavailable"});
  EXPECT_EQ(rc, 0) << out << diagnostics();
  EXPECT_TRUE(harness_->wait_for_line("msg=\"im message refused by the SIP side\"", 10s))
      << diagnostics();
  // What operators see: both streams up with their auth method, the bounce counted.
  auto [status, metrics] = testing::http_get(metrics_port_, "/metrics");
  EXPECT_THAT(metrics, HasSubstr("fedgate_s2s_streams{auth=\"dialback\",direction=\"in\","
                                 "partner=\"xmpp.test\",state=\"established\",tls=\"true\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("fedgate_xmpp_stanzas_total{direction=\"in\",kind=\"message\","
                                 "outcome=\"bounced\",reason=\"service-unavailable\"} 1"));
  harness_->signal(SIGTERM);
  EXPECT_EQ(harness_->wait_exit(20s), 0) << diagnostics();
  EXPECT_THAT(harness_->output(), HasSubstr("direction=out auth=dialback"));
}

}  // namespace
}  // namespace fedgate
