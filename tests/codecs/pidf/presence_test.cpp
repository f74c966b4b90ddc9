#include "codecs/pidf/presence.hpp"

#include <set>

#include <gtest/gtest.h>

namespace fedgate::pidf {
namespace {

TEST(PidfPresence, ActivityNamesMatchRfc4480AndRoundTrip) {
  EXPECT_EQ(to_string(activity::in_transit), "in-transit");
  EXPECT_EQ(to_string(activity::looking_for_work), "looking-for-work");
  EXPECT_EQ(to_string(activity::on_the_phone), "on-the-phone");
  EXPECT_EQ(to_string(activity::permanent_absence), "permanent-absence");
  EXPECT_EQ(to_string(activity::worship), "worship");
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < activity_count; ++i) {
    const auto a = static_cast<activity>(i);
    const std::string_view name = to_string(a);
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(seen.insert(name).second) << name;
    EXPECT_EQ(activity_from_name(name), a) << name;
  }
  EXPECT_FALSE(activity_from_name("other"));  // carries text: activities::other
  EXPECT_FALSE(activity_from_name("On-The-Phone"));
  EXPECT_FALSE(activity_from_name(""));
}

TEST(PidfPresence, ActivitySet) {
  activity_set s;
  EXPECT_TRUE(s.empty());
  s.insert(activity::away);
  s.insert(activity::worship);
  s.insert(activity::away);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(s.contains(activity::away));
  EXPECT_TRUE(s.contains(activity::worship));
  EXPECT_FALSE(s.contains(activity::busy));
  s.erase(activity::away);
  EXPECT_FALSE(s.contains(activity::away));
  activity_set t;
  t.insert(activity::worship);
  EXPECT_EQ(s, t);
}

TEST(PidfPresence, EqualityCoversEveryField) {
  document a;
  a.entity = "sip:a@b";
  a.tuples.resize(1);
  a.tuples[0].id = "t";
  document b = a;
  EXPECT_EQ(a, b);
  b.tuples[0].contact = contact{"sip:x", 1};
  EXPECT_NE(a, b);
  b = a;
  b.tuples[0].notes.push_back({"x", "en"});
  EXPECT_NE(a, b);
  b = a;
  b.tuples[0].activities.other.push_back({"x", ""});
  EXPECT_NE(a, b);
  b = a;
  b.persons.resize(1);
  EXPECT_NE(a, b);
  b = a;
  b.devices.resize(1);
  EXPECT_NE(a, b);
  b = a;
  b.notes.push_back({"x", ""});
  EXPECT_NE(a, b);
  b = a;
  b.tuples[0].user_input = user_input{};
  EXPECT_NE(a, b);
  EXPECT_NE((note{"x", "en"}), (note{"x", "fr"}));
}

}  // namespace
}  // namespace fedgate::pidf
