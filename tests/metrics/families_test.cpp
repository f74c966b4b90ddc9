#include "metrics/families.hpp"

#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "metrics/registry.hpp"

namespace fedgate::metrics {
namespace {

using ::testing::HasSubstr;

// Every family fedgate declares, with its type: the exposition of a fresh registry must hold each
// one with HELP and TYPE (docs/operations.md documents the same list).
const std::vector<std::pair<std::string, std::string>> expected_families{
    {"fedgate_build_info", "gauge"},
    {"fedgate_xmpp_stanzas_total", "counter"},
    {"fedgate_sip_requests_total", "counter"},
    {"fedgate_translation_duration_seconds", "histogram"},
    {"fedgate_s2s_streams", "gauge"},
    {"fedgate_s2s_negotiation_failures_total", "counter"},
    {"fedgate_s2s_queued_stanzas", "gauge"},
    {"fedgate_sip_transactions_total", "counter"},
    {"fedgate_sip_retransmissions_total", "counter"},
    {"fedgate_sip_transaction_timeouts_total", "counter"},
    {"fedgate_sip_transactions", "gauge"},
    {"fedgate_actors", "gauge"},
    {"fedgate_actor_mailbox_messages", "gauge"},
    {"fedgate_tls_handshakes_total", "counter"},
    {"fedgate_presence_subscriptions", "gauge"},
    {"fedgate_presence_updates_coalesced_total", "counter"},
    {"fedgate_config_reloads_total", "counter"},
};

std::string exposition(const std::shared_ptr<prometheus::Registry>& r) {
  return serialize({r});
}

// The number of sample lines (not comments) in an exposition.
std::size_t sample_lines(const std::string& text) {
  std::istringstream in(text);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') ++n;
  return n;
}

struct families_test : ::testing::Test {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  families f{*registry, options{{"Partner.Example", "b.example.", "c.example"}, "1.2.3", "abc123"}};
};

TEST_F(families_test, exposition_has_every_family_with_help_and_type) {
  auto text = exposition(registry);
  for (const auto& [name, type] : expected_families) {
    EXPECT_THAT(text, HasSubstr("# TYPE " + name + " " + type + "\n")) << name;
    std::regex help("# HELP " + name + " [^\\n]{20,}\\n");
    EXPECT_TRUE(std::regex_search(text, help)) << name << ": missing or short help text";
  }
  // Nothing else: a new family must be added to this list (and to docs/operations.md).
  std::regex type_line("# TYPE ([a-z0-9_:]+) ");
  std::set<std::string> seen;
  for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it)
    seen.insert((*it)[1]);
  EXPECT_EQ(seen.size(), expected_families.size());
}

TEST_F(families_test, names_follow_prometheus_conventions) {
  auto text = exposition(registry);
  std::regex type_line("# TYPE ([a-z0-9_:]+) ([a-z]+)");
  for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it) {
    std::string name = (*it)[1], type = (*it)[2];
    EXPECT_EQ(name.rfind("fedgate_", 0), 0u) << name;
    bool total = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
    EXPECT_EQ(total, type == "counter") << name << " is a " << type;
    if (type == "histogram") {
      EXPECT_THAT(name, ::testing::EndsWith("_seconds"));
    }
  }
}

TEST_F(families_test, build_info_is_one_with_version_and_revision) {
  EXPECT_THAT(exposition(registry),
              HasSubstr("fedgate_build_info{revision=\"abc123\",version=\"1.2.3\"} 1\n"));
}

TEST_F(families_test, partner_label_keeps_configured_partners_and_folds_the_rest_into_other) {
  const auto& p = f.partners();
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(p.label(p.lookup("partner.example")), "partner.example");
  EXPECT_EQ(p.label(p.lookup("PARTNER.example.")), "partner.example");  // case, trailing dot
  EXPECT_EQ(p.label(p.lookup("b.example")), "b.example");
  EXPECT_EQ(p.label(p.lookup("c.example")), "c.example");
  EXPECT_EQ(p.lookup("d.example"), other_partner);
  EXPECT_EQ(p.lookup("example"), other_partner);
  EXPECT_EQ(p.lookup(""), other_partner);
  EXPECT_EQ(p.lookup("partner.example.evil"), other_partner);
  EXPECT_EQ(p.label(other_partner), "other");
}

TEST(partner_labels, duplicates_and_empty_names_are_one_label) {
  partner_labels p({"a.example", "A.EXAMPLE", "", "a.example."});
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p.label(p.lookup("a.example")), "a.example");
}

TEST_F(families_test, unconfigured_domains_create_no_series) {
  std::size_t before = sample_lines(exposition(registry));
  for (int i = 0; i < 1000; ++i) {
    auto id = f.partners().lookup("random" + std::to_string(i) + ".example");
    f.negotiation_failures.inc(id, direction::out, negotiation_failure::connect);
    f.s2s_queued_stanzas.add(id, 1);
    s2s_stream_tracker t{f.s2s_streams, id, direction::in};
  }
  auto text = exposition(registry);
  EXPECT_EQ(sample_lines(text), before);
  EXPECT_THAT(text, HasSubstr("fedgate_s2s_negotiation_failures_total{direction=\"out\","
                              "partner=\"other\",reason=\"connect\"} 1000\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_s2s_queued_stanzas{partner=\"other\"} 1000\n"));
}

TEST_F(families_test, stanza_counters_count_each_outcome_in_its_own_series) {
  for (int i = 0; i < 3; ++i)
    f.xmpp_stanzas.inc(direction::in, stanza_kind::message, outcome::delivered);
  f.xmpp_stanzas.bounced(direction::out, stanza_kind::presence,
                         stanza_error::remote_server_timeout);
  f.xmpp_stanzas.inc(direction::in, stanza_kind::iq, outcome::refused);
  f.xmpp_stanzas.inc(direction::in, stanza_kind::subscription, outcome::malformed);
  EXPECT_EQ(
      f.xmpp_stanzas.series(direction::in, stanza_kind::message, outcome::delivered, {}).Value(),
      3);
  auto text = exposition(registry);
  EXPECT_THAT(text, HasSubstr("fedgate_xmpp_stanzas_total{direction=\"in\",kind=\"message\","
                              "outcome=\"delivered\",reason=\"none\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_xmpp_stanzas_total{direction=\"out\",kind=\"presence\","
                              "outcome=\"bounced\",reason=\"remote-server-timeout\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_xmpp_stanzas_total{direction=\"in\",kind=\"iq\","
                              "outcome=\"refused\",reason=\"policy\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_xmpp_stanzas_total{direction=\"in\",kind=\"subscription\","
                              "outcome=\"malformed\",reason=\"none\"} 1\n"));
  // 2 directions x 4 kinds x (22 conditions + delivered + refused + malformed), all pre-created.
  std::regex series("\nfedgate_xmpp_stanzas_total\\{");
  auto n =
      std::distance(std::sregex_iterator(text.begin(), text.end(), series), std::sregex_iterator());
  EXPECT_EQ(n, 2 * 4 * 25);
}

TEST_F(families_test, sip_bounces_count_by_status_class) {
  f.sip_requests.bounced(direction::out, sip_method::message, 408);
  f.sip_requests.bounced(direction::out, sip_method::message, 480);
  f.sip_requests.bounced(direction::in, sip_method::subscribe, 503);
  f.sip_requests.bounced(direction::in, sip_method::notify, 99);  // not a final code: 5xx
  f.sip_requests.inc(direction::in, sip_method::message, outcome::delivered);
  auto text = exposition(registry);
  EXPECT_THAT(text, HasSubstr("fedgate_sip_requests_total{direction=\"out\",method=\"MESSAGE\","
                              "outcome=\"bounced\",reason=\"4xx\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_sip_requests_total{direction=\"in\",method=\"SUBSCRIBE\","
                              "outcome=\"bounced\",reason=\"5xx\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_sip_requests_total{direction=\"in\",method=\"NOTIFY\","
                              "outcome=\"bounced\",reason=\"5xx\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_sip_requests_total{direction=\"in\",method=\"MESSAGE\","
                              "outcome=\"delivered\",reason=\"none\"} 1\n"));
}

TEST(status_class, maps_final_codes) {
  EXPECT_EQ(status_class_of(200), status_class::s2xx);
  EXPECT_EQ(status_class_of(302), status_class::s3xx);
  EXPECT_EQ(status_class_of(499), status_class::s4xx);
  EXPECT_EQ(status_class_of(500), status_class::s5xx);
  EXPECT_EQ(status_class_of(699), status_class::s6xx);
  EXPECT_EQ(status_class_of(180), status_class::s5xx);
  EXPECT_EQ(status_class_of(700), status_class::s5xx);
}

TEST_F(families_test, stream_tracker_moves_one_stream_between_series_and_uncounts_it) {
  auto p = f.partners().lookup("partner.example");
  auto& negotiating =
      f.s2s_streams.series(p, direction::out, stream_state::negotiating, stream_auth::none, false);
  auto& established = f.s2s_streams.series(p, direction::out, stream_state::established,
                                           stream_auth::sasl_external, true);
  {
    s2s_stream_tracker t{f.s2s_streams, p, direction::out};
    EXPECT_EQ(negotiating.Value(), 1);
    t.update(stream_state::established, stream_auth::sasl_external, true);
    EXPECT_EQ(negotiating.Value(), 0);
    EXPECT_EQ(established.Value(), 1);
    s2s_stream_tracker moved = std::move(t);
    EXPECT_EQ(established.Value(), 1);
  }
  EXPECT_EQ(established.Value(), 0);
  EXPECT_EQ(negotiating.Value(), 0);

  // An inbound stream learns its partner from the stream header.
  s2s_stream_tracker in{f.s2s_streams, other_partner, direction::in};
  auto& other_in = f.s2s_streams.series(other_partner, direction::in, stream_state::negotiating,
                                        stream_auth::none, false);
  auto& partner_in =
      f.s2s_streams.series(p, direction::in, stream_state::negotiating, stream_auth::none, false);
  EXPECT_EQ(other_in.Value(), 1);
  in.set_partner(p);
  EXPECT_EQ(other_in.Value(), 0);
  EXPECT_EQ(partner_in.Value(), 1);
}

TEST_F(families_test, actor_count_guard_counts_live_actors) {
  auto& sessions = f.actors.series(actor_type::session);
  {
    actor_count_guard a{f.actors, actor_type::session};
    actor_count_guard b{f.actors, actor_type::session};
    EXPECT_EQ(sessions.Value(), 2);
    actor_count_guard c = std::move(b);
    EXPECT_EQ(sessions.Value(), 2);
  }
  EXPECT_EQ(sessions.Value(), 0);
  f.mailbox_messages.set(actor_type::router, 17);
  EXPECT_THAT(exposition(registry),
              HasSubstr("fedgate_actor_mailbox_messages{type=\"router\"} 17\n"));
}

TEST_F(families_test, sip_transactions_tls_presence_and_latency) {
  f.sip_transactions.completed(role::client, sip_method::message, 200);
  f.sip_transactions.completed(role::server, sip_method::notify, 481);
  f.sip_transactions.retransmitted(role::client, sip_method::message);
  f.sip_transactions.timed_out(role::client, sip_method::message);
  f.sip_transactions.active_add(3);
  f.tls_handshakes.inc(protocol::xmpp, role::server, tls_result::certificate_rejected);
  f.presence.subscriptions_add(translation::sip_to_xmpp, 2);
  f.presence.coalesced(5);
  f.translation_latency.observe(translation::xmpp_to_sip, 0.0003);
  f.translation_latency.observe(translation::xmpp_to_sip, 2.0);
  auto text = exposition(registry);
  EXPECT_THAT(text, HasSubstr("fedgate_sip_transactions_total{method=\"MESSAGE\",role=\"client\","
                              "status_class=\"2xx\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_sip_transactions_total{method=\"NOTIFY\",role=\"server\","
                              "status_class=\"4xx\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_sip_retransmissions_total{method=\"MESSAGE\","
                              "role=\"client\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_sip_transaction_timeouts_total{method=\"MESSAGE\","
                              "role=\"client\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_sip_transactions 3\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_tls_handshakes_total{protocol=\"xmpp\","
                              "result=\"certificate_rejected\",role=\"server\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_presence_subscriptions{direction=\"sip_to_xmpp\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_presence_updates_coalesced_total 5\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_translation_duration_seconds_bucket{direction="
                              "\"xmpp_to_sip\",le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_translation_duration_seconds_bucket{direction="
                              "\"xmpp_to_sip\",le=\"2.5\"} 2\n"));
  EXPECT_THAT(
      text, HasSubstr("fedgate_translation_duration_seconds_count{direction=\"xmpp_to_sip\"} 2\n"));
}

TEST(global_families, install_once_and_count_through_the_accessors) {
  EXPECT_TRUE(install(options{{"partner.example"}, "9.9.9", "rev"}));
  EXPECT_FALSE(install(options{}));  // already built
  EXPECT_EQ(global().partners().label(partner("Partner.Example")), "partner.example");
  xmpp_stanzas().inc(direction::in, stanza_kind::message, outcome::delivered);
  auto text = serialize(default_collectables());
  EXPECT_THAT(text, HasSubstr("fedgate_build_info{revision=\"rev\",version=\"9.9.9\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fedgate_xmpp_stanzas_total{direction=\"in\",kind=\"message\","
                              "outcome=\"delivered\",reason=\"none\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
}

}  // namespace
}  // namespace fedgate::metrics
