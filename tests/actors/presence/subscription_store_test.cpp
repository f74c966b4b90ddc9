// The subscription_store contract, run over both implementations (typed tests): the SQLite store
// in a temporary directory and the memory store must behave identically. What only the SQLite
// store does (reopen, WAL, bad files) is in sqlite_subscription_store_test.cpp.
#include "actors/presence/subscription_store.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "actors/presence/memory_subscription_store.hpp"
#include "actors/presence/sqlite_subscription_store.hpp"
#include "store_test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedgate::presence::testing {
namespace {

using d = watch_direction;

struct sqlite_kind {
  fedgate::testing::temp_dir dir;
  std::unique_ptr<subscription_store> make() {
    std::string error;
    auto store = open_sqlite_store(dir.path() / "presence.db", error);
    EXPECT_NE(store, nullptr) << error;
    return store;
  }
};

struct memory_kind {
  std::unique_ptr<subscription_store> make() { return make_memory_store(); }
};

template <class Kind>
class subscription_store_contract : public ::testing::Test {
 protected:
  void SetUp() override {
    store = kind.make();
    ASSERT_NE(store, nullptr);
  }
  Kind kind;
  std::unique_ptr<subscription_store> store;
};

struct kind_names {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, sqlite_kind> ? "sqlite" : "memory";
  }
};

using kinds = ::testing::Types<sqlite_kind, memory_kind>;
TYPED_TEST_SUITE(subscription_store_contract, kinds, kind_names);

TYPED_TEST(subscription_store_contract, starts_empty) {
  EXPECT_EQ(this->store->size(), 0u);
  EXPECT_TRUE(this->store->load_all().empty());
  std::vector<subscription_record> out{record(d::xmpp_watches_sip, "a@s", "b@x")};
  EXPECT_EQ(this->store->read_all(out), std::nullopt);
  EXPECT_TRUE(out.empty()) << "read_all replaces what `out` held";
}

TYPED_TEST(subscription_store_contract, put_then_load_gives_every_field_back) {
  auto r = record(d::sip_watches_xmpp, "alice@sip.example", "bob@xmpp.example", auth_state::pending,
                  "call-id=abc;from-tag=1;to-tag=2;cseq=7", 1700000000);
  ASSERT_EQ(this->store->put(r), std::nullopt);
  EXPECT_EQ(this->store->size(), 1u);
  auto all = this->store->load_all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], r);
}

TYPED_TEST(subscription_store_contract, put_with_the_same_key_replaces) {
  auto r =
      record(d::xmpp_watches_sip, "alice@sip.example", "bob@xmpp.example", auth_state::pending);
  ASSERT_EQ(this->store->put(r), std::nullopt);
  r.state = auth_state::active;
  r.sip_dialog = "dialog v2";
  r.expires_unix = 42;
  ASSERT_EQ(this->store->put(r), std::nullopt);
  EXPECT_EQ(this->store->size(), 1u);
  EXPECT_EQ(this->store->load_all(), std::vector<subscription_record>{r});
}

TYPED_TEST(subscription_store_contract, the_key_is_direction_local_and_remote) {
  // Same pair of users in both directions, and pairs sharing one side: all distinct records.
  std::vector<subscription_record> rs = {
      record(d::xmpp_watches_sip, "alice@sip.example", "bob@xmpp.example"),
      record(d::sip_watches_xmpp, "alice@sip.example", "bob@xmpp.example"),
      record(d::xmpp_watches_sip, "alice@sip.example", "carol@xmpp.example"),
      record(d::xmpp_watches_sip, "dave@sip.example", "bob@xmpp.example"),
  };
  for (const auto& r : rs)
    ASSERT_EQ(this->store->put(r), std::nullopt);
  EXPECT_EQ(this->store->size(), 4u);
  ASSERT_EQ(this->store->erase(d::sip_watches_xmpp, "alice@sip.example", "bob@xmpp.example"),
            std::nullopt);
  rs.erase(rs.begin() + 1);
  EXPECT_EQ(this->store->load_all(), rs);
}

TYPED_TEST(subscription_store_contract, erase_removes_only_that_record_and_missing_is_fine) {
  auto a = record(d::xmpp_watches_sip, "alice@sip.example", "bob@xmpp.example");
  auto b = record(d::xmpp_watches_sip, "alice@sip.example", "carol@xmpp.example");
  ASSERT_EQ(this->store->put(a), std::nullopt);
  ASSERT_EQ(this->store->put(b), std::nullopt);
  EXPECT_EQ(this->store->erase(d::xmpp_watches_sip, "alice@sip.example", "bob@xmpp.example"),
            std::nullopt);
  EXPECT_EQ(this->store->erase(d::xmpp_watches_sip, "alice@sip.example", "bob@xmpp.example"),
            std::nullopt)
      << "erasing what is not there succeeds";
  EXPECT_EQ(this->store->erase(d::xmpp_watches_sip, "nobody@sip.example", "x@y"), std::nullopt);
  EXPECT_EQ(this->store->load_all(), std::vector<subscription_record>{b});
}

TYPED_TEST(subscription_store_contract, load_all_orders_by_direction_then_local_then_remote) {
  std::vector<subscription_record> sorted = {
      record(d::xmpp_watches_sip, "Zed@sip.example", "a@x"),  // 'Z' < 'a' byte-wise
      record(d::xmpp_watches_sip, "alice@sip.example", "bob@xmpp.example"),
      record(d::xmpp_watches_sip, "alice@sip.example", "bobby@xmpp.example"),
      record(d::xmpp_watches_sip, "alice@sip.example", "carol@xmpp.example"),
      record(d::xmpp_watches_sip, "b@sip.example", "a@x"),
      record(d::xmpp_watches_sip, "\xc3\xa9lodie@sip.example", "a@x"),  // UTF-8 after ASCII
      record(d::sip_watches_xmpp, "a@sip.example", "z@x"),              // direction first
      record(d::sip_watches_xmpp, "b@sip.example", "a@x"),
  };
  auto shuffled = sorted;
  std::reverse(shuffled.begin(), shuffled.end());
  std::swap(shuffled[1], shuffled[5]);
  for (const auto& r : shuffled)
    ASSERT_EQ(this->store->put(r), std::nullopt);
  EXPECT_EQ(this->store->load_all(), sorted);
  std::vector<subscription_record> out;
  EXPECT_EQ(this->store->read_all(out), std::nullopt);
  EXPECT_EQ(out, sorted);
}

TYPED_TEST(subscription_store_contract, text_is_kept_byte_for_byte) {
  // The dialog is opaque: newlines, quotes, SQL, an embedded NUL and non-UTF-8 bytes come back.
  std::string dialog = "line1\r\nline2 'quoted' \"dq\"; DROP TABLE subscriptions; --";
  dialog += std::string("\0tail\xff\xfe", 7);
  auto r = record(d::sip_watches_xmpp, "o'brien@sip.example", "j\xc3\xbcrgen@xmpp.example",
                  auth_state::active, dialog, -1);
  ASSERT_EQ(this->store->put(r), std::nullopt);
  auto all = this->store->load_all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].sip_dialog.size(), dialog.size());
  EXPECT_EQ(all[0], r);
  EXPECT_EQ(this->store->erase(d::sip_watches_xmpp, r.local, r.remote), std::nullopt);
  EXPECT_EQ(this->store->size(), 0u);
}

TYPED_TEST(subscription_store_contract, extreme_expiry_values_round_trip) {
  auto a = record(d::xmpp_watches_sip, "a@s", "x@x", auth_state::active, "", INT64_MAX);
  auto b = record(d::xmpp_watches_sip, "b@s", "x@x", auth_state::active, "", INT64_MIN);
  ASSERT_EQ(this->store->put(a), std::nullopt);
  ASSERT_EQ(this->store->put(b), std::nullopt);
  EXPECT_EQ(this->store->load_all(), (std::vector<subscription_record>{a, b}));
}

TYPED_TEST(subscription_store_contract, invalid_records_are_refused_and_nothing_is_written) {
  auto ok = record(d::xmpp_watches_sip, "alice@sip.example", "bob@xmpp.example");
  auto no_local = ok;
  no_local.local.clear();
  auto no_remote = ok;
  no_remote.remote.clear();
  auto bad_direction = ok;
  bad_direction.direction = static_cast<watch_direction>(7);
  auto bad_state = ok;
  bad_state.state = static_cast<auth_state>(9);
  for (const auto& r : {no_local, no_remote, bad_direction, bad_state}) {
    auto e = this->store->put(r);
    ASSERT_TRUE(e.has_value());
    EXPECT_NE(e->find(this->store->describe()), std::string::npos)
        << "the error names the store: " << *e;
  }
  EXPECT_EQ(this->store->size(), 0u);
}

TYPED_TEST(subscription_store_contract, concurrent_puts_from_four_threads_all_land) {
  constexpr int threads = 4;
  constexpr int per_thread = 500;
  std::vector<std::thread> workers;
  std::vector<int> failures(threads, 0);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto r = record(t % 2 ? d::sip_watches_xmpp : d::xmpp_watches_sip,
                        "user" + std::to_string(i) + "@sip.example",
                        "contact-t" + std::to_string(t) + "@xmpp.example", auth_state::active,
                        "dialog " + std::to_string(t) + "/" + std::to_string(i), t * 1000 + i);
        if (this->store->put(r)) ++failures[t];
        // Readers interleave with the writers; every tenth also replaces what it wrote.
        if (i % 50 == 0) (void)this->store->size();
        if (i % 10 == 0) {
          r.state = auth_state::pending;
          if (this->store->put(r)) ++failures[t];
        }
      }
    });
  }
  for (auto& w : workers)
    w.join();
  for (int t = 0; t < threads; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_EQ(this->store->size(), std::size_t{threads * per_thread});
  auto all = this->store->load_all();
  ASSERT_EQ(all.size(), std::size_t{threads * per_thread});
  for (const auto& r : all) {
    auto i = std::stoi(r.local.substr(4));
    EXPECT_EQ(r.state, i % 10 == 0 ? auth_state::pending : auth_state::active) << r.local;
  }
}

TYPED_TEST(subscription_store_contract, ten_thousand_records_round_trip) {
  constexpr int n = 10000;
  std::vector<subscription_record> expected;
  expected.reserve(n);
  for (int i = 0; i < n; ++i) {
    // Zero-padded so the expected order is the insertion order within each direction.
    char local[32];
    std::snprintf(local, sizeof local, "user%05d@sip.example", i);
    expected.push_back(record(i < n / 2 ? d::xmpp_watches_sip : d::sip_watches_xmpp, local,
                              "contact" + std::to_string(i % 7) + "@xmpp.example",
                              i % 3 ? auth_state::active : auth_state::pending,
                              "dialog-" + std::to_string(i), 1700000000 + i));
  }
  for (auto it = expected.rbegin(); it != expected.rend(); ++it)
    ASSERT_EQ(this->store->put(*it), std::nullopt);
  EXPECT_EQ(this->store->size(), std::size_t{n});
  auto all = this->store->load_all();
  ASSERT_EQ(all.size(), expected.size());
  EXPECT_TRUE(all == expected);  // one comparison, not 10,000 lines on failure
  if (all != expected) {
    auto [a, b] = std::mismatch(all.begin(), all.end(), expected.begin());
    ADD_FAILURE() << "first difference at " << (a - all.begin()) << ": "
                  << ::testing::PrintToString(*a) << " vs " << ::testing::PrintToString(*b);
  }
}

}  // namespace
}  // namespace fedgate::presence::testing
