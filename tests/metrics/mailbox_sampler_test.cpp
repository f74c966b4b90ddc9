// fedgate_actor_mailbox_messages{type}: the largest sample of a type within a window, a new
// window starting from the next sample; an actor's own mailbox read through mailbox_sampler.

#include "metrics/mailbox_sampler.hpp"

#include <future>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <prometheus/gauge.h>

#include "metrics/families.hpp"

namespace fedgate::metrics {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

double gauge(actor_type t) {
  return mailbox_messages().series(t).Value();
}

TEST(mailbox_sampler, the_gauge_keeps_the_largest_sample_of_the_window) {
  auto t0 = clock::time_point{} + 1000h;
  record_mailbox_sample(actor_type::s2s_stream, 3, t0);
  EXPECT_EQ(gauge(actor_type::s2s_stream), 3);
  record_mailbox_sample(actor_type::s2s_stream, 40, t0 + 1s);
  record_mailbox_sample(actor_type::s2s_stream, 7, t0 + 2s);
  EXPECT_EQ(gauge(actor_type::s2s_stream), 40) << "the peak of the window, not the last sample";
  // The backlog cleared: the first sample after the window ends starts a new one.
  record_mailbox_sample(actor_type::s2s_stream, 2, t0 + mailbox_window + 2s);
  EXPECT_EQ(gauge(actor_type::s2s_stream), 2);
}

TEST(mailbox_sampler, types_are_kept_apart) {
  auto t0 = clock::time_point{} + 2000h;
  record_mailbox_sample(actor_type::sip_connection, 11, t0);
  record_mailbox_sample(actor_type::partner_domain, 5, t0);
  EXPECT_EQ(gauge(actor_type::sip_connection), 11);
  EXPECT_EQ(gauge(actor_type::partner_domain), 5);
}

// An actor kept busy in its first message while five more arrive: handling the second, it
// samples the four still waiting.
caf::behavior busy_actor(caf::event_based_actor* self, std::shared_future<void> release,
                         std::shared_ptr<std::promise<void>> entered, caf::actor test) {
  auto sampler = std::make_shared<mailbox_sampler>(actor_type::presence, 1);
  return {
      [=](int i) {
        if (i == 0) {
          entered->set_value();
          release.wait();
          return;
        }
        sampler->tick(self);
        if (i == 1) self->send(test, i);
      },
  };
}

TEST(mailbox_sampler, an_actor_samples_what_waits_in_its_mailbox) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::promise<void> release;
  auto entered = std::make_shared<std::promise<void>>();
  auto entered_f = entered->get_future();
  auto a = sys.spawn(busy_actor, release.get_future().share(), entered, caf::actor{self});
  self->send(a, 0);
  ASSERT_EQ(entered_f.wait_for(5s), std::future_status::ready);
  for (int i = 1; i <= 5; ++i)
    self->send(a, i);
  release.set_value();
  bool sampled = false;
  self->receive([&](int) { sampled = true; }, caf::after(5s) >> [] {});
  ASSERT_TRUE(sampled);
  EXPECT_EQ(gauge(actor_type::presence), 4) << "messages 2..5 were waiting";
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace fedgate::metrics
