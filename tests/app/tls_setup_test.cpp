#include "app/tls_setup.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"
#include "transport/tls/certificate_files.hpp"
#include "transport/tls/self_signed_certificate.hpp"

namespace fedgate::app {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

config two_domain_config(const std::filesystem::path& state) {
  config c;
  c.general.state_dir = state;
  c.domains = {{"sip.example", "xmpp.example", {}, {}}, {"b.example", "b.example", {}, {}}};
  return c;
}

TEST(tls_setup, generates_one_pair_for_both_sides_covering_all_domains) {
  testing::temp_dir dir;
  config c = two_domain_config(dir.path());
  EXPECT_TRUE(prepare_tls_files(c).empty());
  EXPECT_EQ(c.xmpp.tls.certificate, dir.path() / "tls/selfsigned.crt");
  EXPECT_EQ(c.sip.tls.certificate, c.xmpp.tls.certificate);
  EXPECT_THAT(tls::read_certificate_info(c.xmpp.tls.certificate)->dns_names,
              UnorderedElementsAre("xmpp.example", "sip.example", "b.example"));
}

TEST(tls_setup, configured_pair_is_kept_and_checked) {
  testing::temp_dir dir;
  auto a = tls::ensure_self_signed_certificate(dir.path() / "a", {"a.example"});
  auto b = tls::ensure_self_signed_certificate(dir.path() / "b", {"b.example"});
  config c = two_domain_config(dir.path() / "state");
  c.xmpp.tls = {a.certificate, a.key, {}};
  c.sip.tls = {a.certificate, b.key, {}};  // wrong key
  auto errors = prepare_tls_files(c);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "sip.certificate");
  EXPECT_THAT(errors[0].message, HasSubstr("does not belong"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "state/tls"));  // nothing generated
}

TEST(tls_setup, a_domain_with_its_own_certificate_is_served_by_sni) {
  testing::temp_dir dir;
  auto own = tls::ensure_self_signed_certificate(dir.path() / "own", {"b.example"});
  config c = two_domain_config(dir.path() / "state");
  c.domains[1].certificate = own.certificate;
  c.domains[1].key = own.key;
  ASSERT_TRUE(prepare_tls_files(c).empty());
  std::string error;
  auto ctx = make_xmpp_tls_context(c, error);
  ASSERT_TRUE(ctx) << error;
  // b.example gets its own certificate; xmpp.example and unnamed peers get the default one.
  EXPECT_NE(ctx->for_server_name("b.example"), ctx->default_context());
  EXPECT_EQ(ctx->for_server_name("xmpp.example"), ctx->default_context());
  EXPECT_THAT(tls::read_certificate_info(c.xmpp.tls.certificate)->dns_names,
              UnorderedElementsAre("xmpp.example", "sip.example", "b.example"));
}

TEST(tls_setup, a_broken_domain_certificate_is_reported_at_its_key) {
  testing::temp_dir dir;
  auto a = tls::ensure_self_signed_certificate(dir.path() / "a", {"a.example"});
  auto b = tls::ensure_self_signed_certificate(dir.path() / "b", {"b.example"});
  config c = two_domain_config(dir.path() / "state");
  c.domains[1].certificate = a.certificate;
  c.domains[1].key = b.key;
  auto errors = check_tls_files(c);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "domains[1].certificate");
}

}  // namespace
}  // namespace fedgate::app
