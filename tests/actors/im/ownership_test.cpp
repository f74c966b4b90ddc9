// Who owns a conversation: the key (local bare JID, then the remote one), owner_of (FNV-1a 64
// modulo the shard count: stable, in range, spread), and that both directions of a conversation,
// whatever the SIP spelling of the addresses, meet in one session of the router.
#include "actors/im/ownership.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/mapping/address.hpp"
#include "codecs/xmpp/jid.hpp"
#include "im_test_support.hpp"

namespace fedgate::im::testing {
namespace {

TEST(im_ownership, key_is_the_local_then_the_remote_bare_jid_separated_by_a_space) {
  EXPECT_EQ(conversation_key("alice@sip.test", "romeo@montague.example"),
            "alice@sip.test romeo@montague.example");
  EXPECT_NE(conversation_key("alice@sip.test", "romeo@montague.example"),
            conversation_key("romeo@montague.example", "alice@sip.test"))
      << "the local user comes first";
}

TEST(im_ownership, owner_of_is_stable_for_the_same_key) {
  const std::string key = conversation_key("alice@sip.test", "romeo@montague.example");
  for (std::size_t shards : {1u, 2u, 4u, 7u, 64u}) {
    auto a = owner_of(key, shards);
    auto b = owner_of(std::string(key), shards);  // another string with the same text
    EXPECT_EQ(a, b) << shards << " shards";
    EXPECT_TRUE(a.node.empty()) << "every owner is on this node today";
  }
}

TEST(im_ownership, owner_of_is_fnv1a_64_of_the_key_modulo_the_shard_count) {
  // FNV-1a 64 test vectors: the placement does not depend on the run, build or platform.
  const std::uint64_t empty = 0xcbf29ce484222325ull;
  const std::uint64_t a = 0xaf63dc4c8601ec8cull;
  const std::uint64_t foobar = 0x85944171f73967e8ull;
  for (std::size_t shards : {1u, 3u, 4u, 10u, 1000u}) {
    EXPECT_EQ(owner_of("", shards).shard, empty % shards);
    EXPECT_EQ(owner_of("a", shards).shard, a % shards);
    EXPECT_EQ(owner_of("foobar", shards).shard, foobar % shards);
  }
}

TEST(im_ownership, owner_is_always_one_of_the_shards) {
  for (std::size_t shards = 1; shards <= 16; ++shards) {
    for (int i = 0; i < 200; ++i) {
      auto key =
          conversation_key("user" + std::to_string(i) + "@sip.test", "romeo@montague.example");
      EXPECT_LT(owner_of(key, shards).shard, shards) << key;
    }
  }
  EXPECT_EQ(owner_of("alice@sip.test romeo@montague.example", 1).shard, 0u);
}

TEST(im_ownership, thousand_keys_spread_over_four_shards_use_every_shard) {
  std::vector<int> per_shard(4, 0);
  for (int i = 0; i < 1000; ++i) {
    auto key = conversation_key("user" + std::to_string(i) + "@sip.test",
                                "contact" + std::to_string(i % 37) + "@montague.example");
    ++per_shard.at(owner_of(key, 4).shard);
  }
  for (std::size_t s = 0; s < per_shard.size(); ++s) {
    EXPECT_GT(per_shard[s], 0) << "shard " << s << " owns nothing";
    EXPECT_LT(per_shard[s], 500) << "shard " << s << " owns half of all conversations";
  }
}

// The key the router computes for each direction, from the addresses as each side spells them.
std::string key_from_sip(const std::string& from_uri, const std::string& to_uri,
                         const mapping::domain_map& domains) {
  auto local = mapping::sip_uri_to_jid(from_uri, domains);
  auto remote = mapping::sip_uri_to_jid(to_uri, domains);
  EXPECT_TRUE(local.ok() && remote.ok()) << from_uri << " / " << to_uri;
  if (!local.ok() || !remote.ok()) return {};
  return conversation_key(local->bare_string(), remote->bare_string());
}

std::string key_from_xmpp(const std::string& to, const std::string& from) {
  auto local = xmpp::jid::parse(to);
  auto remote = xmpp::jid::parse(from);
  EXPECT_TRUE(local && remote) << to << " / " << from;
  if (!local || !remote) return {};
  return conversation_key(local->bare_string(), remote->bare_string());
}

TEST(im_ownership, both_spellings_of_a_conversation_give_one_key) {
  auto cfg = test_config();
  EXPECT_EQ(key_from_sip(alice_sip, romeo_sip, cfg.domains), key_from_xmpp(alice_jid, romeo_full));
  EXPECT_EQ(key_from_sip("sip:j%C3%BCrgen@sip.local", romeo_sip, cfg.domains),
            key_from_xmpp("j\xC3\xBCrgen@sip.test", romeo_full));
  EXPECT_EQ(key_from_sip("sip:j%C3%BCrgen@sip.local", romeo_sip, cfg.domains),
            "j\xC3\xBCrgen@sip.test romeo@montague.example");
}

using im_ownership_router = im_fixture;

std::uint64_t total(const std::vector<std::uint64_t>& per_shard) {
  std::uint64_t n = 0;
  for (auto x : per_shard)
    n += x;
  return n;
}

TEST_F(im_ownership_router, sip_request_and_stanza_of_one_conversation_share_one_session) {
  auto cfg = test_config();
  cfg.delivery_timeout = 10s;
  cfg.session_idle = 60s;
  start(cfg, 200);
  send_sip(alice_message("from SIP"), 1);
  send_stanza(romeo_says("m1", "from XMPP"));
  // The counts are asked after both (one sender, so each shard has handled them by then).
  EXPECT_EQ(total(sessions_per_shard()), 1u) << "the two directions have two sessions";
  ASSERT_TRUE(next_delivery());
  ASSERT_TRUE(next_sip_request());
}

TEST_F(im_ownership_router, escaped_sip_user_and_its_jid_share_one_session) {
  auto cfg = test_config();
  cfg.delivery_timeout = 10s;
  cfg.session_idle = 60s;
  start(cfg, 200);
  const std::string juergen_sip = "sip:j%C3%BCrgen@sip.local";
  const std::string juergen_jid = "j\xC3\xBCrgen@sip.test";
  send_sip(raw_request("MESSAGE", romeo_sip, juergen_sip, romeo_sip, "j1@sip", 1, "b1", "Hallo"),
           1);
  std::string xml = std::string("<message from='") + romeo_full + "' to='" + juergen_jid +
                    "' type='chat' id='m1'><body>Servus</body></message>";
  send_stanza(s2s::stanza{xml, romeo_full, juergen_jid, "message", "chat", "m1"});
  EXPECT_EQ(total(sessions_per_shard()), 1u) << "the two spellings have two sessions";
  auto s = next_delivery();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->from, juergen_jid);
  auto r = next_sip_request();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request.request_uri(), juergen_sip);
}

}  // namespace
}  // namespace fedgate::im::testing
