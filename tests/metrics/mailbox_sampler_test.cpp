// fedgate_actor_mailbox_messages{type}: the largest sample of a type within a window, a new
// window starting from the next sample; an actor's own mailbox read through mailbox_sampler.

#include "metrics/mailbox_sampler.hpp"

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

TEST(mailbox_sampler, an_actor_samples_its_own_mailbox_every_nth_message) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  // Five messages wait in the mailbox when the sample is taken.
  for (int i = 0; i < 5; ++i)
    self->send(self, i);
  mailbox_sampler every_third(actor_type::presence, 3);
  every_third.tick(self.ptr());
  every_third.tick(self.ptr());
  every_third.tick(self.ptr());  // the third: sampled
  EXPECT_EQ(gauge(actor_type::presence), 5);
  self->receive([](int) {});
  for (int i = 0; i < 4; ++i)
    self->receive([](int) {});
}

}  // namespace
}  // namespace fedgate::metrics
