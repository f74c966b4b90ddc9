#include "transport/tls/certificate_files.hpp"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"
#include "transport/tls/self_signed_certificate.hpp"

namespace fedgate::tls {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

TEST(certificate_files, key_of_another_certificate_is_refused) {
  testing::temp_dir dir;
  auto a = ensure_self_signed_certificate(dir.path() / "a", {"a.example"});
  auto b = ensure_self_signed_certificate(dir.path() / "b", {"b.example"});
  ASSERT_EQ(a.error + b.error, "");
  EXPECT_THAT(check_certificate_pair(a.certificate, b.key), Optional(HasSubstr("does not belong")));
}

TEST(certificate_files, garbage_is_refused_with_the_file_name) {
  testing::temp_dir dir;
  auto junk = dir.path() / "junk.pem";
  std::ofstream(junk) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  auto good = ensure_self_signed_certificate(dir.path(), {"a.example"});
  EXPECT_THAT(check_certificate_pair(junk, good.key), Optional(HasSubstr(junk.string())));
  EXPECT_THAT(check_certificate_pair(good.certificate, junk), Optional(HasSubstr("private key")));
  EXPECT_THAT(check_ca_bundle(junk), Optional(HasSubstr("no PEM certificate")));
  EXPECT_EQ(check_ca_bundle(good.certificate), std::nullopt);
}

TEST(certificate_files, unreadable_certificate_has_no_info) {
  EXPECT_EQ(read_certificate_info("/nonexistent.pem"), std::nullopt);
}

}  // namespace
}  // namespace fedgate::tls
