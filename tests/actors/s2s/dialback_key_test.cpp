#include "actors/s2s/dialback_key.hpp"

#include <gtest/gtest.h>

namespace fedgate::s2s {
namespace {

// A real key: Prosody 0.12 (dialback_secret "anchor-fixed-dialback-secret", see
// tests/codecs/xmpp/data/prosody-s2s/dialback-in.txt) sent this db:result as originating server
// xmpp.test to receiving server sip.test on the stream whose id the peer gave.
TEST(dialback_key, matches_the_key_prosody_sent) {
  EXPECT_EQ(dialback_key("anchor-fixed-dialback-secret", "sip.test", "xmpp.test",
                         "757ed1b310374fb692506a30764b251f"),
            "e5db9d6c5cfbffb465c234d7966020b0537b187e9ecfdd9b73a88e9d94122ae5");
}

TEST(dialback_key, depends_on_every_input) {
  auto k = dialback_key("s", "a.example", "b.example", "id1");
  EXPECT_EQ(k.size(), 64u);
  EXPECT_NE(k, dialback_key("t", "a.example", "b.example", "id1"));
  EXPECT_NE(k, dialback_key("s", "b.example", "a.example", "id1"));
  EXPECT_NE(k, dialback_key("s", "a.example", "b.example", "id2"));
}

TEST(dialback_key, keys_equal_is_exact) {
  EXPECT_TRUE(keys_equal("abc", "abc"));
  EXPECT_FALSE(keys_equal("abc", "abd"));
  EXPECT_FALSE(keys_equal("abc", "abcd"));
}

}  // namespace
}  // namespace fedgate::s2s
