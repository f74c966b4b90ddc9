// transport/dns against a DNS responder on 127.0.0.1 written for the test (fake_dns_server):
// SRV ordering, A then AAAA, the SRV -> A/AAAA fallback, the "." target, NXDOMAIN, SERVFAIL,
// timeout, static overrides, cancellation, and the actor interface.
#include "transport/dns/resolver.hpp"

#include <future>
#include <map>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "tests/transport/dns/fake_dns_server.hpp"
#include "transport/dns/resolver_actor.hpp"

namespace {

using namespace std::chrono_literals;
using fedgate::dns::host_result;
using fedgate::dns::resolver;
using fedgate::dns::resolver_options;
using fedgate::dns::service_result;
using fedgate::dns::srv_record;
using fedgate::dns::srv_result;
using fedgate::dns::status;
using fedgate::testing::fake_dns_server;

template <class Result, class Call>
Result await(Call call) {
  auto p = std::make_shared<std::promise<Result>>();
  auto f = p->get_future();
  call([p](Result r) { p->set_value(std::move(r)); });
  EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
  return f.get();
}

resolver_options opts_for(const fake_dns_server& s) {
  resolver_options o;
  o.servers = s.address();
  o.timeout = 300ms;
  o.tries = 1;
  return o;
}

TEST(transport_dns, order_srv_sorts_by_priority_and_weights_within_a_priority) {
  std::mt19937_64 rng(42);
  std::vector<srv_record> in{{"c", 1, 20, 0}, {"a", 1, 10, 1}, {"b", 1, 10, 99}, {"d", 1, 30, 5}};
  int b_first = 0;
  for (int i = 0; i < 1000; ++i) {
    auto out = fedgate::dns::order_srv(in, rng);
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[2].target, "c");  // priority 20
    EXPECT_EQ(out[3].target, "d");  // priority 30
    if (out[0].target == "b") ++b_first;
  }
  // Weight 99 vs 1: "b" first in about 98% of the permutations (RFC 2782 selection).
  EXPECT_GT(b_first, 900);
  EXPECT_LT(b_first, 1000);
}

TEST(transport_dns, srv_records_come_back_in_rfc2782_order) {
  fake_dns_server dns;
  ASSERT_TRUE(dns.ok());
  dns.add_srv("_sip._udp.example.test", 20, 0, 5070, "backup.example.test");
  dns.add_srv("_sip._udp.example.test", 10, 0, 5060, "primary.example.test");
  resolver r(opts_for(dns));
  ASSERT_EQ(r.init_error(), "");
  auto res = await<srv_result>([&](auto cb) { r.resolve_srv("_sip._udp.example.test.", cb); });
  ASSERT_EQ(res.code, status::ok) << res.error;
  ASSERT_EQ(res.records.size(), 2u);
  EXPECT_EQ(res.records[0].target, "primary.example.test");
  EXPECT_EQ(res.records[0].port, 5060);
  EXPECT_EQ(res.records[1].target, "backup.example.test");
  EXPECT_EQ(res.records[1].port, 5070);
}

TEST(transport_dns, host_gives_a_then_aaaa_and_numeric_names_need_no_query) {
  fake_dns_server dns;
  dns.add_aaaa("both.example.test", "2001:db8::7");
  dns.add_a("both.example.test", "192.0.2.7");
  resolver r(opts_for(dns));
  auto res = await<host_result>([&](auto cb) { r.resolve_host("BOTH.example.test", cb); });
  ASSERT_EQ(res.code, status::ok) << res.error;
  EXPECT_EQ(res.addresses, (std::vector<std::string>{"192.0.2.7", "2001:db8::7"}));

  auto v6only = await<host_result>([&](auto cb) { r.resolve_host("::1", cb); });
  EXPECT_EQ(v6only.addresses, std::vector<std::string>{"::1"});
  EXPECT_EQ(dns.queries("::1", "A"), 0);
}

TEST(transport_dns, nxdomain_is_not_found) {
  fake_dns_server dns;
  resolver r(opts_for(dns));
  auto res = await<host_result>([&](auto cb) { r.resolve_host("nothing.example.test", cb); });
  EXPECT_EQ(res.code, status::not_found);
  EXPECT_TRUE(res.addresses.empty());
  auto srv = await<srv_result>([&](auto cb) { r.resolve_srv("_x._tcp.nothing.example.test", cb); });
  EXPECT_EQ(srv.code, status::not_found);
}

TEST(transport_dns, servfail_is_server_failure) {
  fake_dns_server dns;
  dns.add_a("broken.example.test", "192.0.2.1");
  dns.set_behaviour("_sip._tcp.broken.example.test", "SRV", fake_dns_server::behaviour::servfail);
  resolver r(opts_for(dns));
  auto res =
      await<srv_result>([&](auto cb) { r.resolve_srv("_sip._tcp.broken.example.test", cb); });
  EXPECT_EQ(res.code, status::server_failure) << res.error;
  // A failing SRV lookup is reported, not replaced by the A/AAAA fallback.
  auto svc = await<service_result>(
      [&](auto cb) { r.resolve_service("_sip._tcp", "broken.example.test", 5060, cb); });
  EXPECT_EQ(svc.code, status::server_failure);
  EXPECT_TRUE(svc.targets.empty());
}

TEST(transport_dns, silence_is_a_timeout_within_the_configured_bound) {
  fake_dns_server dns;
  dns.set_behaviour("slow.example.test", "A", fake_dns_server::behaviour::drop);
  dns.set_behaviour("slow.example.test", "AAAA", fake_dns_server::behaviour::drop);
  resolver r(opts_for(dns));
  auto t0 = std::chrono::steady_clock::now();
  auto res = await<host_result>([&](auto cb) { r.resolve_host("slow.example.test", cb); });
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(res.code, status::timeout) << res.error;
  EXPECT_GE(dns.queries("slow.example.test", "A"), 1);
  EXPECT_LT(took, 5s);
}

TEST(transport_dns, service_uses_srv_targets_with_their_addresses) {
  fake_dns_server dns;
  dns.add_srv("_xmpp-server._tcp.xmpp.test", 5, 0, 5269, "xmpp1.xmpp.test");
  dns.add_srv("_xmpp-server._tcp.xmpp.test", 10, 0, 5270, "xmpp2.xmpp.test");
  dns.add_srv("_xmpp-server._tcp.xmpp.test", 1, 0, 5271, "gone.xmpp.test");  // no address
  dns.add_a("xmpp1.xmpp.test", "127.0.0.11");
  dns.add_aaaa("xmpp2.xmpp.test", "::1");
  resolver r(opts_for(dns));
  auto res = await<service_result>(
      [&](auto cb) { r.resolve_service("_xmpp-server._tcp", "xmpp.test", 5269, cb); });
  ASSERT_EQ(res.code, status::ok) << res.error;
  ASSERT_EQ(res.targets.size(), 2u);
  EXPECT_EQ(res.targets[0].host, "xmpp1.xmpp.test");
  EXPECT_EQ(res.targets[0].port, 5269);
  EXPECT_EQ(res.targets[0].addresses, std::vector<std::string>{"127.0.0.11"});
  EXPECT_TRUE(res.targets[0].from_srv);
  EXPECT_EQ(res.targets[1].port, 5270);
  EXPECT_EQ(res.targets[1].addresses, std::vector<std::string>{"::1"});
  EXPECT_EQ(dns.queries("xmpp.test", "A"), 0);  // no fallback when SRV answered
}

TEST(transport_dns, service_without_srv_falls_back_to_the_domain_with_the_default_port) {
  fake_dns_server dns;
  dns.add_a("plain.test", "127.0.0.12");
  resolver r(opts_for(dns));
  auto res = await<service_result>(
      [&](auto cb) { r.resolve_service("_sip._udp", "plain.test", 5060, cb); });
  ASSERT_EQ(res.code, status::ok) << res.error;
  ASSERT_EQ(res.targets.size(), 1u);
  EXPECT_EQ(res.targets[0].host, "plain.test");
  EXPECT_EQ(res.targets[0].port, 5060);
  EXPECT_FALSE(res.targets[0].from_srv);
  EXPECT_EQ(res.targets[0].addresses, std::vector<std::string>{"127.0.0.12"});
  EXPECT_EQ(dns.queries("_sip._udp.plain.test", "SRV"), 1);
}

TEST(transport_dns, dot_target_means_service_not_available_and_no_fallback) {
  fake_dns_server dns;
  dns.add_srv("_xmpps-server._tcp.closed.test", 0, 0, 0, ".");
  dns.add_a("closed.test", "127.0.0.13");
  resolver r(opts_for(dns));
  auto res = await<service_result>(
      [&](auto cb) { r.resolve_service("_xmpps-server._tcp", "closed.test", 5270, cb); });
  EXPECT_TRUE(res.service_unavailable);
  EXPECT_TRUE(res.targets.empty());
  EXPECT_EQ(dns.queries("closed.test", "A"), 0);
}

TEST(transport_dns, static_overrides_win_without_a_query) {
  fake_dns_server dns;
  dns.add_a("proxy.example.test", "192.0.2.99");
  dns.add_srv("_sip._tcp.example.test", 1, 0, 5099, "dns-answer.example.test");
  auto o = opts_for(dns);
  o.hosts["Proxy.Example.Test."] = {"127.0.0.20"};
  o.srv["_sip._tcp.example.test"] = {srv_record{"proxy.example.test", 5080, 1, 0}};
  resolver r(o);
  auto res = await<service_result>(
      [&](auto cb) { r.resolve_service("_sip._tcp", "example.test", 5060, cb); });
  ASSERT_EQ(res.code, status::ok) << res.error;
  ASSERT_EQ(res.targets.size(), 1u);
  EXPECT_EQ(res.targets[0].port, 5080);
  EXPECT_EQ(res.targets[0].addresses, std::vector<std::string>{"127.0.0.20"});
  EXPECT_EQ(dns.queries("proxy.example.test", "A"), 0);
  EXPECT_EQ(dns.queries("_sip._tcp.example.test", "SRV"), 0);
}

TEST(transport_dns, destroying_the_resolver_cancels_queries_in_flight) {
  fake_dns_server dns;
  dns.set_behaviour("hang.example.test", "SRV", fake_dns_server::behaviour::drop);
  auto o = opts_for(dns);
  o.timeout = 20s;  // would not end on its own during the test
  auto p = std::make_shared<std::promise<srv_result>>();
  auto f = p->get_future();
  {
    resolver r(o);
    r.resolve_srv("hang.example.test", [p](srv_result res) { p->set_value(std::move(res)); });
    // Wait (bounded) until the query is on the wire, so the cancellation is of a real query.
    ASSERT_TRUE(dns.wait_for_queries("hang.example.test", "SRV", 1, 5s));
  }
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(f.get().code, status::cancelled);
}

TEST(transport_dns, actor_answers_with_results) {
  fake_dns_server dns;
  dns.add_srv("_xmpp-server._tcp.actor.test", 0, 0, 5269, "s2s.actor.test");
  dns.add_a("s2s.actor.test", "127.0.0.30");
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto a = fedgate::dns::spawn_resolver_actor(sys, opts_for(dns));
  caf::scoped_actor self{sys};
  bool got = false;
  self->request(a, 10s, fedgate::dns::dns_service_atom::value, std::string("_xmpp-server._tcp"),
                std::string("actor.test"), std::uint16_t{5269})
      .receive(
          [&](const service_result& r) {
            got = true;
            ASSERT_EQ(r.targets.size(), 1u);
            EXPECT_EQ(r.targets[0].addresses, std::vector<std::string>{"127.0.0.30"});
          },
          [&](const caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
  EXPECT_TRUE(got);
  self->request(a, 10s, fedgate::dns::dns_host_atom::value, std::string("none.actor.test"))
      .receive([&](const host_result& r) { EXPECT_EQ(r.code, status::not_found); },
               [&](const caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
  self->send_exit(a, caf::exit_reason::user_shutdown);
}

}  // namespace
