#include "app/config.hpp"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fedgate::app {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

const std::filesystem::path source_dir = FEDGATE_SOURCE_DIR;

// A minimal valid config, to which each test adds the one thing it is about.
const std::string minimal = R"(
[general]
state_dir = "state"
[[domains]]
sip = "sip.example.com"
xmpp = "example.com"
)";

config_result load(const std::string& text) {
  return load_config_string(text, "/etc/fedgate");
}

// The single error of a config expected to have exactly one.
config_error only_error(const config_result& r) {
  EXPECT_EQ(r.errors.size(), 1u);
  if (r.errors.size() != 1) {
    for (const auto& e : r.errors)
      ADD_FAILURE() << e.key << ": " << e.message;
  }
  return r.errors.empty() ? config_error{} : r.errors.front();
}

TEST(config, shipped_default_config_is_valid) {
  auto r = load_config_file(source_dir / "config" / "fedgate.toml");
  for (const auto& e : r.errors)
    ADD_FAILURE() << format_error(e, "fedgate.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.cfg.general.state_dir, (source_dir / "state").lexically_normal());
  ASSERT_EQ(r.cfg.domains.size(), 1u);
  EXPECT_TRUE(r.cfg.xmpp.partners.empty());
  EXPECT_EQ(r.cfg.xmpp.federation, federation_mode::allowlist);
  // Loopback listeners only.
  for (const auto& eps :
       {r.cfg.xmpp.listen, r.cfg.sip.udp_listen, r.cfg.sip.tcp_listen, r.cfg.sip.tls_listen}) {
    for (const auto& ep : eps)
      EXPECT_TRUE(ep.host == "127.0.0.1" || ep.host == "::1") << ep.host;
  }
  ASSERT_TRUE(r.cfg.metrics.listen);
  EXPECT_EQ(r.cfg.metrics.listen->to_string(), "127.0.0.1:9464");
}

TEST(config, minimal_config_takes_defaults) {
  auto r = load(minimal);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.cfg.general.state_dir, "/etc/fedgate/state");
  EXPECT_EQ(r.cfg.general.worker_threads, 0u);
  EXPECT_EQ(r.cfg.xmpp.max_stanza_bytes, 256u * 1024);
  EXPECT_EQ(r.cfg.sip.max_message_bytes, 65535u);
}

TEST(config, reads_partners_with_policy_and_routes) {
  auto r = load(minimal + R"(
[xmpp]
listen = ["[::1]:5269", "127.0.0.1:5269"]
[[xmpp.partners]]
domain = "Partner.Example.ORG."
tls = "optional"
sasl_external = "never"
dialback = true
routes = ["xmpp1.partner.example.org:5269", "[2001:db8::1]:5270"]
max_connections = 2
)");
  for (const auto& e : r.errors)
    ADD_FAILURE() << e.key << ": " << e.message;
  ASSERT_EQ(r.cfg.xmpp.partners.size(), 1u);
  const auto& p = r.cfg.xmpp.partners[0];
  EXPECT_EQ(p.domain, "partner.example.org");  // lower-cased, trailing dot removed
  EXPECT_EQ(p.tls, negotiation::optional);
  EXPECT_EQ(p.sasl_external, negotiation::never);
  ASSERT_EQ(p.routes.size(), 2u);
  EXPECT_EQ(p.routes[1].to_string(), "[2001:db8::1]:5270");
  EXPECT_EQ(r.cfg.xmpp.listen[0].host, "::1");
}

TEST(config, unknown_key_is_an_error_with_its_line) {
  auto e = only_error(load(minimal + "[xmpp]\nmax_stanza_byte = 10\n"));
  EXPECT_EQ(e.key, "xmpp.max_stanza_byte");
  EXPECT_EQ(e.line, 8u);  // minimal is 7 lines, then [xmpp]
  EXPECT_EQ(e.message, "unknown key");
}

TEST(config, unknown_section_is_an_error) {
  EXPECT_EQ(only_error(load(minimal + "[xmmp]\n")).key, "xmmp");
}

TEST(config, wrong_type_names_both_types) {
  auto e = only_error(load(minimal + "[sip]\nmax_headers = \"many\"\n"));
  EXPECT_EQ(e.key, "sip.max_headers");
  EXPECT_EQ(e.message, "expected an integer, got a string");
  EXPECT_EQ(e.line, 8u);
}

TEST(config, out_of_range_integer) {
  auto e = only_error(load(minimal + "[xmpp]\nmax_depth = 1\n"));
  EXPECT_EQ(e.key, "xmpp.max_depth");
  EXPECT_THAT(e.message, HasSubstr("between 2 and 1024"));
}

TEST(config, duplicate_table_is_a_syntax_error) {
  auto e = only_error(load(minimal + "[general]\n"));
  EXPECT_THAT(e.message, HasSubstr("TOML syntax"));
}

TEST(config, bad_enum_lists_the_choices) {
  auto e2 = only_error(load(R"([general]
state_dir = "s"
log_format = "xml"
[[domains]]
sip = "a.example"
xmpp = "a.example"
)"));
  EXPECT_EQ(e2.key, "general.log_format");
  EXPECT_EQ(e2.message, "expected one of logfmt, json, got \"xml\"");
}

TEST(config, bad_addresses_are_errors) {
  struct row {
    const char* listen;
    const char* why;
  };
  for (const row& r :
       {row{"localhost:5269", "is not an IP address"}, row{"127.0.0.1", "expected \"host:port\""},
        row{"127.0.0.1:0", "out of range"}, row{"127.0.0.1:70000", "out of range"},
        row{"127.0.0.1:x", "is not a number"}, row{"[::g]:5269", "is not an IPv6 address"},
        row{"::1:5269", "expected \"host:port\""}}) {
    auto e = only_error(load(minimal + "[xmpp]\nlisten = [\"" + r.listen + "\"]\n"));
    EXPECT_EQ(e.key, "xmpp.listen") << r.listen;
    EXPECT_THAT(e.message, HasSubstr(r.why)) << r.listen;
  }
  auto e = only_error(load(minimal + "[sip]\ntrusted_peers = [\"10.0.0.0/33\"]\n"));
  EXPECT_EQ(e.key, "sip.trusted_peers");
  EXPECT_TRUE(
      load(minimal + "[sip]\ntrusted_peers = [\"10.0.0.0/8\", \"::1/128\", \"192.0.2.1\"]\n").ok());
}

TEST(config, missing_certificate_file_is_an_error) {
  auto r =
      load(minimal +
           "[xmpp]\ncertificate = \"/nonexistent/cert.pem\"\nkey = \"/nonexistent/key.pem\"\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].key, "xmpp.certificate");
  EXPECT_THAT(r.errors[0].message, HasSubstr("/nonexistent/cert.pem"));
  EXPECT_EQ(r.errors[1].key, "xmpp.key");
}

TEST(config, certificate_without_key_is_an_error) {
  auto path = std::filesystem::temp_directory_path() / "fedgate_config_test_cert.pem";
  std::ofstream(path) << "not really a certificate\n";
  auto e = only_error(load(minimal + "[sip]\ncertificate = \"" + path.string() + "\"\n"));
  EXPECT_EQ(e.key, "sip.key");
  EXPECT_THAT(e.message, HasSubstr("go together"));
  std::filesystem::remove(path);
}

// Lync/SfB gateway rules: SASL needs TLS; a partner needs some way to authenticate.
TEST(config, impossible_partner_policies_are_errors) {
  struct row {
    const char* tls;
    const char* sasl;
    bool dialback;
    const char* key;  // nullptr: valid
  };
  for (const row& r : {
           row{"required", "required", true, nullptr},
           row{"required", "optional", false, nullptr},
           row{"optional", "optional", true, nullptr},
           row{"never", "never", true, nullptr},
           row{"never", "optional", true, "xmpp.partners[0].sasl_external"},
           row{"optional", "required", true, "xmpp.partners[0].sasl_external"},
           row{"required", "never", false, "xmpp.partners[0].dialback"},
       }) {
    auto res = load(minimal + "[[xmpp.partners]]\ndomain = \"p.example\"\ntls = \"" + r.tls +
                    "\"\nsasl_external = \"" + r.sasl +
                    "\"\ndialback = " + (r.dialback ? "true" : "false") + "\n");
    std::string what = std::string(r.tls) + "/" + r.sasl + "/" + (r.dialback ? "db" : "no-db");
    if (!r.key) {
      EXPECT_TRUE(res.ok()) << what;
    } else {
      EXPECT_EQ(only_error(res).key, r.key) << what;
    }
  }
}

TEST(config, duplicate_and_self_partners_are_errors) {
  auto r = load(minimal + R"(
[xmpp]
deny = ["bad.example"]
[[xmpp.partners]]
domain = "p.example"
[[xmpp.partners]]
domain = "P.example"
[[xmpp.partners]]
domain = "bad.example"
[[xmpp.partners]]
domain = "example.com"
)");
  EXPECT_THAT(r.errors, ElementsAre(Field(&config_error::message, HasSubstr("configured twice")),
                                    Field(&config_error::message, HasSubstr("also on xmpp.deny")),
                                    Field(&config_error::message, HasSubstr("our own domains"))));
}

TEST(config, reports_every_error_not_just_the_first) {
  auto r = load(R"(
[general]
state_dir = 5
bogus = 1
[xmpp]
max_depth = "deep"
)");
  // state_dir type, unknown key, max_depth type, then state_dir required and no domains.
  EXPECT_EQ(r.errors.size(), 5u);
}

TEST(config, syntax_error_has_line_and_column) {
  auto e = only_error(load("[general]\nstate_dir = \"unterminated\n"));
  EXPECT_EQ(e.line, 2u);
  EXPECT_THAT(e.message, HasSubstr("TOML syntax"));
}

TEST(config, format_error_names_file_line_key) {
  config_error e{"xmpp.partners[0].tls", 12, 3, "expected one of required, optional, never"};
  EXPECT_EQ(format_error(e, "fedgate.toml"),
            "fedgate.toml:12:3: xmpp.partners[0].tls: expected one of required, optional, never");
}

TEST(config, missing_file_is_an_error) {
  auto r = load_config_file("/nonexistent/fedgate.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "cannot open config file");
}

TEST(config, s2s_timers_and_secret_are_checked) {
  auto r = load(minimal +
                "[xmpp]\nqueue_timeout_ms = 500\nbackoff_initial_ms = 100\n"
                "backoff_max_ms = 2000\ndialback_secret = \"0123456789abcdef\"\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.cfg.xmpp.queue_timeout_ms, 500u);
  EXPECT_EQ(r.cfg.xmpp.dialback_secret, "0123456789abcdef");
  EXPECT_EQ(only_error(load(minimal + "[xmpp]\ndialback_secret = \"short\"\n")).key,
            "xmpp.dialback_secret");
  EXPECT_EQ(
      only_error(load(minimal + "[xmpp]\nbackoff_initial_ms = 5000\nbackoff_max_ms = 1000\n")).key,
      "xmpp.backoff_max_ms");
  EXPECT_EQ(only_error(load(minimal + "[xmpp]\nqueue_max = 0\n")).key, "xmpp.queue_max");
}

TEST(config, direct_tls_partner_needs_tls) {
  auto ok = load(minimal + "[[xmpp.partners]]\ndomain = \"p.example\"\ndirect_tls = true\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok.cfg.xmpp.partners[0].direct_tls);
  auto e = only_error(load(minimal + "[[xmpp.partners]]\ndomain = \"p.example\"\ntls = \"never\"\n"
                                     "sasl_external = \"never\"\ndirect_tls = true\n"));
  EXPECT_EQ(e.key, "xmpp.partners[0].direct_tls");
}

TEST(config, a_domain_may_name_its_own_certificate) {
  auto r = load(minimal +
                "[[domains]]\nsip = \"b.example\"\nxmpp = \"b.example\"\n"
                "certificate = \"/nonexistent/b.crt\"\nkey = \"/nonexistent/b.key\"\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].key, "domains[1].certificate");
  EXPECT_EQ(r.errors[1].key, "domains[1].key");
}

TEST(config, metrics_listener_can_be_turned_off) {
  auto r = load(minimal + "[metrics]\nlisten = \"\"\n");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.cfg.metrics.listen);
}

}  // namespace
}  // namespace fedgate::app
