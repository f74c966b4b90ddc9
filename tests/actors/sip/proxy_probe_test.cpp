// The outbound proxy probe: OPTIONS with Max-Forwards 0 to the proxy; any answer of the proxy's
// own makes it healthy, the transaction layer's 408/503 or a send failure does not.

#include "actors/sip/proxy_probe.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/sip/messages.hpp"
#include "codecs/sip/serializer.hpp"

namespace fedgate::sip_layer {
namespace {

using namespace std::chrono_literals;

// A transaction shard that answers each request with `status` and tells the test what it got.
caf::behavior fake_shard(caf::event_based_actor* self, caf::actor test, int status) {
  return {
      [=](sip_send_atom, outgoing_request& o) -> caf::result<sip::message> {
        auto b = o.request;
        b.prepend_header("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKprobe");
        auto m = b.build().value();
        self->send(test, sip_send_atom::value, m);
        if (status == 0) return caf::make_error(caf::sec::request_timeout);
        return sip::make_response(m, status, {}, "proxy").build().value();
      },
  };
}

struct proxy_probe_test : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::shared_ptr<proxy_health> health = std::make_shared<proxy_health>();
  caf::actor probe;

  ~proxy_probe_test() override {
    if (probe) caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  }

  // Starts the probe against a shard answering `status`; returns the first OPTIONS it sent.
  sip::message start(int status) {
    auto shard = sys.spawn(fake_shard, caf::actor{self}, status);
    probe = start_proxy_probe(sys, shard, "sip:127.0.0.1:5070", "127.0.0.1", 10ms, health);
    sip::message got;
    self->receive([&](sip_send_atom, const sip::message& m) { got = m; },
                  caf::after(5s) >> [] { ADD_FAILURE() << "no OPTIONS within 5 s"; });
    return got;
  }

  // The health once the probe handled at least one more answer (it probes every 10 ms).
  std::optional<std::string> settled() {
    self->receive([](sip_send_atom, const sip::message&) {},
                  caf::after(5s) >> [] { ADD_FAILURE() << "no second OPTIONS within 5 s"; });
    return health->problem();
  }
};

TEST_F(proxy_probe_test, not_ready_until_the_first_answer) {
  EXPECT_EQ(health->problem().value_or(""), "not checked yet");
}

TEST_F(proxy_probe_test, options_with_max_forwards_zero_to_the_proxy) {
  auto m = start(483);
  EXPECT_EQ(m.method(), "OPTIONS");
  EXPECT_EQ(m.request_uri(), "sip:127.0.0.1:5070");
  EXPECT_EQ(m.header("Max-Forwards").value_or(""), "0") << "the proxy must not forward it";
  EXPECT_FALSE(m.from().tag().empty());
}

TEST_F(proxy_probe_test, any_answer_of_the_proxy_is_healthy) {
  start(483);
  EXPECT_FALSE(settled()) << "483 Too Many Hops is the proxy answering";
}

TEST_F(proxy_probe_test, the_layers_timeout_is_not) {
  start(408);
  auto p = settled();
  ASSERT_TRUE(p);
  EXPECT_NE(p->find("408"), std::string::npos) << *p;
}

TEST_F(proxy_probe_test, a_send_failure_is_not) {
  start(0);
  auto p = settled();
  ASSERT_TRUE(p);
  EXPECT_NE(p->find("not sent"), std::string::npos) << *p;
}

}  // namespace
}  // namespace fedgate::sip_layer
