// The S2S stream protocol without sockets: fed the bytes real Prosody 0.12 sent in each captured
// handshake (tests/codecs/xmpp/data/prosody-s2s), then policy cases built by hand.
#include "actors/s2s/stream_negotiator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "actors/s2s/dialback_key.hpp"
#include "codecs/xmpp/names.hpp"
#include "tests/support/prosody_transcript.hpp"

namespace fedgate::s2s {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using xmpp::stream_error_condition;

// Records what the negotiator asks of its owner.
struct recording_owner : stream_owner {
  std::string written;  // everything written, concatenated
  std::vector<std::string> events;
  std::vector<verify_request> verifies;
  std::vector<std::string> stanzas;
  std::optional<close_reason> closed_with;
  bool tls_requested = false;

  void write(std::string bytes) override { written += bytes; }
  void start_tls() override {
    tls_requested = true;
    events.push_back("start_tls");
  }
  void authenticated(const std::string& l, const std::string& r, auth_method m) override {
    events.push_back("authenticated " + l + " " + r + " " + std::string(to_string(m)));
  }
  void verify_key(const verify_request& r) override {
    verifies.push_back(r);
    events.push_back("verify_key " + r.originating + " " + r.receiving);
  }
  void verify_answered(const verify_answer& a) override {
    events.push_back("verify_answered " + a.originating + " " + (a.valid ? "valid" : "invalid"));
  }
  void stanza(pugi::xml_document& doc, const std::string& l, const std::string& r) override {
    stanzas.push_back(doc.document_element().child_value("body"));
    events.push_back("stanza " + l + " " + r);
  }
  void closed(const close_reason& why) override {
    closed_with = why;
    events.push_back(std::string("closed") + (why.by_peer ? " by peer" : "") +
                     (why.condition ? " " + std::string(xmpp::to_string(*why.condition)) : ""));
  }
  std::string take() { return std::exchange(written, {}); }
};

partner_policy allow(app::negotiation tls = app::negotiation::required,
                     app::negotiation sasl = app::negotiation::optional, bool dialback = true) {
  return partner_policy{true, "", tls, sasl, dialback};
}

stream_settings settings(stream_role role, partner_policy p = allow()) {
  stream_settings s;
  s.role = role;
  if (role == stream_role::initiating) {
    s.local_domain = "sip.test";
    s.remote_domain = "xmpp.test";
  }
  s.dialback_secret = "fedgate-test-secret";
  s.is_local_domain = [](std::string_view d) { return d == "sip.test"; };
  s.policy_for = [p](std::string_view d) {
    partner_policy q = p;
    if (d != "xmpp.test") {
      q.allowed = false;
      q.refusal = std::string(d) + " is not on the allowlist";
    }
    return q;
  };
  return s;
}

tls_peer trusted_peer(std::string valid_for = "xmpp.test") {
  return tls_peer{true, "", [valid_for](std::string_view d) {
                    return d == valid_for ? std::string() : "not valid for " + std::string(d);
                  }};
}

// Feeds every chunk Prosody sent on `conn`, switching to TLS where the capture did, and answers
// dialback verification requests with `verify_valid`.
void replay(const std::string& scenario, const std::string& conn, stream_negotiator& n,
            recording_owner& o, tls_peer peer, bool verify_valid = true) {
  auto chunks = testing::load_prosody_transcript(scenario);
  ASSERT_FALSE(chunks.empty()) << scenario;
  std::string layer = "plain";
  for (const auto& c : chunks) {
    if (c.conn != conn || c.from != "prosody") continue;
    if (c.layer != layer) {
      ASSERT_TRUE(o.tls_requested) << "Prosody switched to TLS but we never asked for it";
      n.tls_established(peer);
      layer = c.layer;
    }
    EXPECT_EQ(n.consume(c.data), c.data.size()) << c.data;
    for (const auto& v : o.verifies)
      n.dialback_verified(v.originating, v.receiving, verify_valid);
    o.verifies.clear();
  }
}

// --- receiving: Prosody connects to us ------------------------------------------------------

TEST(stream_negotiator_prosody, receives_dialback_after_starttls) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving), o);
  n.open();
  replay("dialback-out", "IN1", n, o, trusted_peer());
  EXPECT_THAT(o.events, ElementsAre("start_tls", "verify_key xmpp.test sip.test",
                                    "authenticated sip.test xmpp.test dialback",
                                    "stanza sip.test xmpp.test", "closed by peer"));
  EXPECT_THAT(o.stanzas[0], HasSubstr("hello sip.test from alice"));
  EXPECT_THAT(o.written, HasSubstr("<required/></starttls>"));
  EXPECT_THAT(o.written, HasSubstr("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
  EXPECT_THAT(o.written, HasSubstr("<db:result from='sip.test' to='xmpp.test' type='valid'/>"));
  EXPECT_FALSE(o.closed_with->during_negotiation);
}

TEST(stream_negotiator_prosody, receives_sasl_external) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving), o);
  n.open();
  replay("secure-external-out", "IN1", n, o, trusted_peer());
  EXPECT_THAT(o.events, ElementsAre("start_tls", "authenticated sip.test xmpp.test sasl",
                                    "stanza sip.test xmpp.test", "closed by peer"));
  EXPECT_THAT(o.written, HasSubstr("<mechanism>EXTERNAL</mechanism>"));
  EXPECT_THAT(o.written, HasSubstr("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"));
}

TEST(stream_negotiator_prosody, untrusted_certificate_is_not_offered_sasl) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving), o);
  n.open();
  tls_peer untrusted{false, "unable to get local issuer certificate", nullptr};
  replay("secure-external-out", "IN1", n, o, untrusted);
  EXPECT_THAT(o.written, Not(HasSubstr("<mechanism>EXTERNAL</mechanism>")));
  EXPECT_THAT(o.written, HasSubstr("<not-authorized/></failure>"));  // its <auth/> is refused
  EXPECT_THAT(o.events, Not(::testing::Contains(HasSubstr("authenticated"))));
}

TEST(stream_negotiator_prosody, invalid_dialback_key_closes_with_not_authorized) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving), o);
  n.open();
  replay("dialback-out", "IN1", n, o, trusted_peer(), /*verify_valid=*/false);
  EXPECT_THAT(o.written, HasSubstr("type='invalid'"));
  ASSERT_TRUE(o.closed_with);
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::not_authorized);
  EXPECT_TRUE(o.stanzas.empty());
}

// --- initiating: we connect to Prosody ------------------------------------------------------

TEST(stream_negotiator_prosody, initiates_dialback_after_starttls) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::initiating), o);
  n.open();
  EXPECT_THAT(o.written, HasSubstr("from='sip.test'"));
  replay("dialback-in", "OUT1", n, o, trusted_peer());
  EXPECT_THAT(o.events,
              ::testing::IsSupersetOf({"start_tls", "authenticated sip.test xmpp.test dialback"}));
  // The key is bound to the id Prosody gave its post-TLS stream header.
  EXPECT_EQ(n.peer_stream_id(), "b0961012-fd2f-4b4b-b482-ca8b1c145ec6");
  EXPECT_THAT(o.written, HasSubstr(">" +
                                   dialback_key("fedgate-test-secret", "xmpp.test", "sip.test",
                                                "b0961012-fd2f-4b4b-b482-ca8b1c145ec6") +
                                   "</db:result>"));
}

TEST(stream_negotiator_prosody, initiates_sasl_external) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::initiating), o);
  n.open();
  replay("secure-external-in", "OUT1", n, o, trusted_peer());
  EXPECT_THAT(o.written, HasSubstr("mechanism='EXTERNAL'>c2lwLnRlc3Q=</auth>"));  // "sip.test"
  EXPECT_THAT(o.events, ::testing::Contains("authenticated sip.test xmpp.test sasl"));
  EXPECT_EQ(n.method(), auth_method::sasl_external);
}

TEST(stream_negotiator_prosody, stream_error_from_prosody_is_reported_with_its_text) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::initiating), o);
  n.open();
  replay("secure-reject-in", "OUT1", n, o, trusted_peer());
  ASSERT_TRUE(o.closed_with);
  EXPECT_TRUE(o.closed_with->by_peer);
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::not_authorized);
  EXPECT_THAT(o.closed_with->text, HasSubstr("certificate is not trusted"));
  EXPECT_EQ(o.closed_with->kind, failure_kind::stream_error);
  EXPECT_TRUE(o.closed_with->during_negotiation);
}

TEST(stream_negotiator_prosody, answers_db_verify_as_authoritative_server) {
  // Prosody, as receiving server, asks us (sip.test) whether a key is ours.
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving, allow(app::negotiation::optional)), o);
  n.open();
  n.consume(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' from='xmpp.test' to='sip.test' version='1.0'>");
  std::string good = dialback_key("fedgate-test-secret", "xmpp.test", "sip.test", "S1");
  n.consume("<db:verify from='xmpp.test' to='sip.test' id='S1'>" + good + "</db:verify>");
  n.consume("<db:verify from='xmpp.test' to='sip.test' id='S2'>" + good + "</db:verify>");
  EXPECT_THAT(o.written,
              HasSubstr("<db:verify from='sip.test' to='xmpp.test' id='S1' type='valid'/>"));
  EXPECT_THAT(o.written,
              HasSubstr("<db:verify from='sip.test' to='xmpp.test' id='S2' type='invalid'/>"));
}

// --- policy ---------------------------------------------------------------------------------

const std::string prosody_header =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "from='xmpp.test' to='sip.test' id='p1' version='1.0'>";

TEST(stream_negotiator_policy, tls_required_but_not_offered_fails_fast_with_reason) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::initiating), o);
  n.open();
  n.consume(prosody_header +
            "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/>"
            "</stream:features>");
  ASSERT_TRUE(o.closed_with);
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::policy_violation);
  EXPECT_THAT(o.closed_with->text, HasSubstr("TLS is required for xmpp.test"));
  EXPECT_EQ(o.closed_with->kind, failure_kind::tls_required);
  EXPECT_THAT(o.written, HasSubstr("<policy-violation"));
  EXPECT_THAT(o.written, HasSubstr("</stream:stream>"));
}

TEST(stream_negotiator_policy, tls_optional_falls_back_to_dialback_in_clear) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::initiating,
                               allow(app::negotiation::optional, app::negotiation::optional)),
                      o);
  n.open();
  n.consume(prosody_header +
            "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/>"
            "</stream:features>");
  EXPECT_THAT(o.written, HasSubstr("<db:result from='sip.test' to='xmpp.test'>"));
  n.consume("<db:result from='xmpp.test' to='sip.test' type='valid'/>");
  EXPECT_EQ(n.current_phase(), stream_negotiator::phase::authenticated);
}

TEST(stream_negotiator_policy, domain_not_on_allowlist_is_refused_with_policy_violation) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving), o);
  n.open();
  n.consume(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "from='rogue.test' to='sip.test' version='1.0'>");
  ASSERT_TRUE(o.closed_with);
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::policy_violation);
  EXPECT_THAT(o.closed_with->text, HasSubstr("rogue.test is not on the allowlist"));
  EXPECT_EQ(o.closed_with->kind, failure_kind::policy);
  EXPECT_THAT(o.written, HasSubstr("<stream:stream"));  // a header precedes the error
}

TEST(stream_negotiator_policy, unknown_to_domain_is_host_unknown) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving), o);
  n.open();
  n.consume(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "from='xmpp.test' to='other.test' version='1.0'>");
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::host_unknown);
}

TEST(stream_negotiator_policy, stanza_before_authentication_is_invalid_from) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving, allow(app::negotiation::optional)), o);
  n.open();
  n.consume(prosody_header);
  n.consume("<message from='alice@xmpp.test' to='bob@sip.test'><body>x</body></message>");
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::invalid_from);
  EXPECT_TRUE(o.stanzas.empty());
}

TEST(stream_negotiator_policy, stanza_from_another_domain_is_invalid_from) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving, allow(app::negotiation::optional)), o);
  n.open();
  n.consume(prosody_header);
  n.consume("<db:result from='xmpp.test' to='sip.test'>k</db:result>");
  ASSERT_EQ(o.verifies.size(), 1u);
  n.dialback_verified("xmpp.test", "sip.test", true);
  n.consume("<message from='alice@xmpp.test' to='bob@sip.test'><body>ok</body></message>");
  n.consume("<message from='mallory@evil.test' to='bob@sip.test'><body>no</body></message>");
  EXPECT_THAT(o.stanzas, ElementsAre("ok"));
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::invalid_from);
}

TEST(stream_negotiator_policy, stanza_without_to_is_improper_addressing) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving, allow(app::negotiation::optional)), o);
  n.open();
  n.consume(prosody_header);
  n.consume("<db:result from='xmpp.test' to='sip.test'>k</db:result>");
  n.dialback_verified("xmpp.test", "sip.test", true);
  n.consume("<message from='alice@xmpp.test'><body>x</body></message>");
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::improper_addressing);
}

TEST(stream_negotiator_policy, dialback_before_required_tls_is_refused) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving), o);
  n.open();
  n.consume(prosody_header);
  n.consume("<db:result from='xmpp.test' to='sip.test'>k</db:result>");
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::policy_violation);
  EXPECT_THAT(o.closed_with->text, HasSubstr("TLS is required"));
  EXPECT_TRUE(o.verifies.empty());
}

TEST(stream_negotiator_policy, sasl_required_and_untrusted_certificate_is_not_authorized) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving, allow(app::negotiation::required,
                                                             app::negotiation::required, false)),
                      o);
  n.open();
  n.consume(prosody_header);
  n.consume("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  n.tls_established(tls_peer{false, "self-signed certificate", nullptr});
  n.consume(prosody_header);
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::not_authorized);
  EXPECT_THAT(o.closed_with->text, HasSubstr("self-signed certificate"));
}

TEST(stream_negotiator_policy, outbound_wrong_name_certificate_is_refused_when_sasl_required) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::initiating, allow(app::negotiation::required,
                                                              app::negotiation::required, false)),
                      o);
  n.open();
  n.consume(prosody_header +
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
            "</starttls></stream:features><proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  ASSERT_TRUE(o.tls_requested);
  n.tls_established(trusted_peer("wrong.test"));
  ASSERT_TRUE(o.closed_with);
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::not_authorized);
  EXPECT_THAT(o.closed_with->text, HasSubstr("certificate of xmpp.test refused: not valid for "
                                             "xmpp.test"));
  EXPECT_EQ(o.closed_with->kind, failure_kind::certificate);
}

TEST(stream_negotiator_policy, malformed_xml_is_not_well_formed) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::receiving), o);
  n.open();
  n.consume(prosody_header + "<message><body></message></body>");
  ASSERT_TRUE(o.closed_with) << o.written;
  EXPECT_EQ(o.closed_with->condition, stream_error_condition::not_well_formed);
  EXPECT_THAT(o.written, HasSubstr("<not-well-formed"));
}

TEST(stream_negotiator_policy, send_stanza_only_once_authenticated) {
  recording_owner o;
  stream_negotiator n(settings(stream_role::initiating, allow(app::negotiation::optional)), o);
  pugi::xml_document doc;
  doc.load_string("<message from='bob@sip.test' to='alice@xmpp.test'><body>hi</body></message>");
  n.open();
  EXPECT_FALSE(n.send_stanza(doc.document_element()));
  n.consume(prosody_header + "<stream:features/>");
  n.consume("<db:result from='xmpp.test' to='sip.test' type='valid'/>");
  o.take();
  EXPECT_TRUE(n.send_stanza(doc.document_element()));
  EXPECT_EQ(o.take(),
            "<message from='bob@sip.test' to='alice@xmpp.test'><body>hi</body></message>");
}

}  // namespace
}  // namespace fedgate::s2s
