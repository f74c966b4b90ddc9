#include "transport/tls/self_signed_certificate.hpp"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"
#include "transport/tls/certificate_files.hpp"

namespace fedgate::tls {
namespace {

using ::testing::UnorderedElementsAre;

TEST(self_signed_certificate, generates_a_usable_pair_covering_every_domain) {
  testing::temp_dir dir;
  auto r = ensure_self_signed_certificate(dir.path() / "tls", {"xmpp.example", "sip.example"});
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.generated);
  EXPECT_EQ(check_certificate_pair(r.certificate, r.key), std::nullopt);
  auto info = read_certificate_info(r.certificate);
  ASSERT_TRUE(info);
  EXPECT_THAT(info->dns_names, UnorderedElementsAre("xmpp.example", "sip.example"));
  EXPECT_GT(info->not_after, std::chrono::system_clock::now() + std::chrono::hours(24 * 300));
}

TEST(self_signed_certificate, key_file_is_owner_only) {
  testing::temp_dir dir;
  auto r = ensure_self_signed_certificate(dir.path(), {"a.example"});
  ASSERT_EQ(r.error, "");
  struct stat st {};
  ASSERT_EQ(::stat(r.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(self_signed_certificate, reuses_a_good_pair_and_replaces_one_missing_a_domain) {
  testing::temp_dir dir;
  ASSERT_TRUE(ensure_self_signed_certificate(dir.path(), {"a.example"}).generated);
  auto again = ensure_self_signed_certificate(dir.path(), {"a.example"});
  EXPECT_EQ(again.error, "");
  EXPECT_FALSE(again.generated);
  auto wider = ensure_self_signed_certificate(dir.path(), {"a.example", "b.example"});
  EXPECT_TRUE(wider.generated);
  EXPECT_THAT(read_certificate_info(wider.certificate)->dns_names,
              UnorderedElementsAre("a.example", "b.example"));
}

TEST(self_signed_certificate, replaces_a_pair_expiring_within_30_days) {
  testing::temp_dir dir;
  ASSERT_TRUE(ensure_self_signed_certificate(dir.path(), {"a.example"}, 10).generated);
  EXPECT_TRUE(ensure_self_signed_certificate(dir.path(), {"a.example"}).generated);
}

TEST(self_signed_certificate, refuses_an_empty_domain_list) {
  testing::temp_dir dir;
  EXPECT_NE(ensure_self_signed_certificate(dir.path(), {}).error, "");
}

}  // namespace
}  // namespace fedgate::tls
