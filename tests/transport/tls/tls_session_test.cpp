#include "transport/tls/tls_session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

namespace fedgate::tls {
namespace {

using ::testing::HasSubstr;

// Moves bytes between two sessions until neither has anything to say (bounded), collecting the
// plaintext each side receives.
struct wire {
  wire(tls_session& c, tls_session& s) : client(c), server(s) {}
  tls_session& client;
  tls_session& server;
  std::string to_client;  // plaintext the client received
  std::string to_server;
  bool ok = true;

  void pump() {
    for (int round = 0; round < 50 && (client.has_output() || server.has_output()); ++round) {
      ok = server.consume(client.take_output(), to_server) && ok;
      ok = client.consume(server.take_output(), to_client) && ok;
    }
  }
};

class tls_session_test : public ::testing::Test {
 protected:
  tls_session_test() : pki_(dir_.path()) {}

  std::shared_ptr<tls_context> context(std::vector<identity> ids) {
    std::string error;
    auto ctx = tls_context::create({std::move(ids), pki_.ca_certificate()}, error);
    EXPECT_TRUE(ctx) << error;
    return ctx;
  }
  identity leaf(const std::string& stem, std::vector<std::string> names) {
    auto f = pki_.issue(stem, names);
    return identity{names, f.certificate, f.key};
  }

  testing::temp_dir dir_;
  testing::test_pki pki_;
};

TEST_F(tls_session_test, handshake_then_data_both_ways) {
  auto server_ctx = context({leaf("xmpp", {"xmpp.example"})});
  auto client_ctx = context({leaf("sip", {"sip.example"})});
  auto c = tls_session::client(*client_ctx, "xmpp.example");
  auto s = tls_session::server(*server_ctx);
  c->write("<stream:stream>");  // queued until the handshake completes
  c->start();
  wire w(*c, *s);
  w.pump();
  ASSERT_TRUE(w.ok) << c->error() << s->error();
  EXPECT_TRUE(c->established());
  EXPECT_TRUE(s->established());
  EXPECT_EQ(w.to_server, "<stream:stream>");
  s->write("<stream:features/>");
  w.pump();
  EXPECT_EQ(w.to_client, "<stream:features/>");
  EXPECT_EQ(c->protocol(), "TLSv1.3");
}

TEST_F(tls_session_test, both_peers_verified_and_named) {
  auto server_ctx = context({leaf("xmpp", {"xmpp.example"})});
  auto client_ctx = context({leaf("sip", {"sip.example"})});
  auto c = tls_session::client(*client_ctx, "xmpp.example");
  auto s = tls_session::server(*server_ctx);
  c->start();
  wire w(*c, *s);
  w.pump();
  ASSERT_TRUE(c->established());
  EXPECT_TRUE(c->peer().chain_valid) << c->peer().chain_error;
  EXPECT_EQ(c->check_peer_name("xmpp.example"), "");
  // The server learns the client's identity too (used for SASL EXTERNAL, XEP-0178).
  EXPECT_TRUE(s->peer().presented);
  EXPECT_TRUE(s->peer().chain_valid);
  EXPECT_EQ(s->check_peer_name("sip.example"), "");
  EXPECT_THAT(s->check_peer_name("other.example"), HasSubstr("not valid for other.example"));
}

TEST_F(tls_session_test, sni_selects_the_certificate_of_the_requested_domain) {
  auto server_ctx = context({leaf("a", {"a.example"}), leaf("b", {"b.example"})});
  auto client_ctx = context({});
  for (std::string name : {"a.example", "b.example"}) {
    auto c = tls_session::client(*client_ctx, name);
    auto s = tls_session::server(*server_ctx);
    c->start();
    wire w(*c, *s);
    w.pump();
    ASSERT_TRUE(c->established()) << name;
    EXPECT_EQ(s->server_name(), name);
    EXPECT_EQ(c->check_peer_name(name), "") << name;
  }
}

TEST_F(tls_session_test, untrusted_certificate_is_reported_not_fatal) {
  testing::temp_dir other_dir;
  testing::test_pki other(other_dir.path(), "other-ca");
  auto f = other.issue("rogue", {"xmpp.example"});
  auto server_ctx = context({identity{{"xmpp.example"}, f.certificate, f.key}});
  auto client_ctx = context({});
  auto c = tls_session::client(*client_ctx, "xmpp.example");
  auto s = tls_session::server(*server_ctx);
  c->start();
  wire w(*c, *s);
  w.pump();
  ASSERT_TRUE(c->established());  // policy above decides (dialback may still be allowed)
  EXPECT_FALSE(c->peer().chain_valid);
  EXPECT_THAT(c->peer().chain_error, HasSubstr("unable to verify"));
  EXPECT_FALSE(s->peer().presented);  // the client had no certificate
  EXPECT_THAT(s->check_peer_name("x"), HasSubstr("no certificate"));
}

// RFC 6125 §6.4.3: a wildcard is a whole left-most label and matches exactly one label.
TEST_F(tls_session_test, wildcard_rules) {
  auto server_ctx = context({leaf("wild", {"*.example.org"})});
  auto client_ctx = context({});
  auto c = tls_session::client(*client_ctx, "xmpp.example.org");
  auto s = tls_session::server(*server_ctx);
  c->start();
  wire w(*c, *s);
  w.pump();
  ASSERT_TRUE(c->established());
  EXPECT_EQ(c->check_peer_name("xmpp.example.org"), "");
  EXPECT_NE(c->check_peer_name("a.b.example.org"), "");
  EXPECT_NE(c->check_peer_name("example.org"), "");
}

TEST_F(tls_session_test, tls_1_1_client_is_refused) {
  auto server_ctx = context({leaf("xmpp", {"xmpp.example"})});
  auto client_ctx = context({});
  auto c = tls_session::client(*client_ctx, "xmpp.example");
  SSL_CTX* raw = client_ctx->default_context();
  SSL_CTX_set_min_proto_version(raw, 0);
  SSL_CTX_set_max_proto_version(raw, TLS1_1_VERSION);
  c = tls_session::client(*client_ctx, "xmpp.example");
  auto s = tls_session::server(*server_ctx);
  c->start();
  wire w(*c, *s);
  w.pump();
  EXPECT_FALSE(s->established());
  EXPECT_THAT(s->error(), HasSubstr("TLS handshake failed"));
}

TEST_F(tls_session_test, garbage_is_a_handshake_error) {
  auto server_ctx = context({leaf("xmpp", {"xmpp.example"})});
  auto s = tls_session::server(*server_ctx);
  std::string plain;
  EXPECT_FALSE(s->consume("<stream:stream xmlns='jabber:server'>", plain));
  EXPECT_THAT(s->error(), HasSubstr("TLS handshake failed"));
}

TEST_F(tls_session_test, close_notify_reaches_the_peer) {
  auto server_ctx = context({leaf("xmpp", {"xmpp.example"})});
  auto client_ctx = context({});
  auto c = tls_session::client(*client_ctx, "xmpp.example");
  auto s = tls_session::server(*server_ctx);
  c->start();
  wire w(*c, *s);
  w.pump();
  c->close();
  w.pump();
  EXPECT_TRUE(s->peer_closed());
}

TEST_F(tls_session_test, large_writes_arrive_whole) {
  auto server_ctx = context({leaf("xmpp", {"xmpp.example"})});
  auto client_ctx = context({});
  auto c = tls_session::client(*client_ctx, "xmpp.example");
  auto s = tls_session::server(*server_ctx);
  c->start();
  wire w(*c, *s);
  w.pump();
  std::string big(200 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 7)
    big[i] = static_cast<char>('a' + i % 26);
  c->write(big);
  w.pump();
  EXPECT_EQ(w.to_server, big);
}

}  // namespace
}  // namespace fedgate::tls
