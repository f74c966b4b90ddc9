// The per-partner budget of presence stanzas and NOTIFYs: a second's worth in a burst, then the
// configured rate; partners do not share a bucket; 0 means no limit.

#include "actors/presence/partner_rate_limiter.hpp"

#include <gtest/gtest.h>

namespace fedgate::presence {
namespace {

using clock = partner_rate_limiter::clock;

TEST(partner_rate_limiter, a_burst_of_one_seconds_worth_then_refused) {
  partner_rate_limiter l(10);
  auto t0 = clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 10; ++i)
    EXPECT_TRUE(l.try_take("a.example", 1, t0)) << i;
  EXPECT_FALSE(l.try_take("a.example", 1, t0));
  EXPECT_EQ(l.refused(), 1u);
}

TEST(partner_rate_limiter, refills_at_the_rate) {
  partner_rate_limiter l(10);
  auto t0 = clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(l.try_take("a.example", 1, t0));
  EXPECT_FALSE(l.try_take("a.example", 1, t0 + std::chrono::milliseconds(50)));
  EXPECT_TRUE(l.try_take("a.example", 1, t0 + std::chrono::milliseconds(150)));
  // Never more than a second's worth, however long it was idle.
  int taken = 0;
  auto later = t0 + std::chrono::hours(1);
  while (l.try_take("a.example", 1, later) && taken < 100)
    ++taken;
  EXPECT_EQ(taken, 10);
}

TEST(partner_rate_limiter, partners_have_their_own_budget) {
  partner_rate_limiter l(1);
  auto t0 = clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(l.try_take("a.example", 1, t0));
  EXPECT_FALSE(l.try_take("a.example", 1, t0));
  EXPECT_TRUE(l.try_take("b.example", 1, t0));
}

TEST(partner_rate_limiter, zero_is_no_limit) {
  partner_rate_limiter l(0);
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(l.try_take("a.example"));
  EXPECT_EQ(l.refused(), 0u);
}

}  // namespace
}  // namespace fedgate::presence
