// The config diff behind `fedgate ctl reload` and SIGHUP (app/reload.hpp): which partners were
// added, removed or changed, which keys apply live and which need a restart, and the reloader's
// all-or-nothing behaviour on a file that does not load.
#include "app/reload.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace fedgate::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const std::string base = R"(
[general]
state_dir = "state"
[[domains]]
sip = "sip.example.com"
xmpp = "example.com"
)";

const std::string partner_a = R"(
[[xmpp.partners]]
domain = "a.example"
routes = ["127.0.0.1:5270"]
)";
const std::string partner_b = R"(
[[xmpp.partners]]
domain = "b.example"
)";
const std::string partner_c = R"(
[[xmpp.partners]]
domain = "c.example"
tls = "optional"
)";

config load(const std::string& text) {
  auto r = load_config_string(text, "/etc/fedgate");
  for (const auto& e : r.errors)
    ADD_FAILURE() << e.key << ": " << e.message << "\n" << text;
  return r.cfg;
}

config_diff diff(const std::string& before, const std::string& after) {
  return diff_configs(load(before), load(after), before, after);
}

TEST(config_diff, same_file_is_no_change) {
  auto d = diff(base + partner_a, base + partner_a);
  EXPECT_FALSE(d.applies());
  EXPECT_THAT(d.needs_restart, IsEmpty());
}

TEST(config_diff, partner_added_and_another_removed_while_a_third_stays) {
  auto d = diff(base + partner_a + partner_c, base + partner_a + partner_b);
  EXPECT_THAT(d.added, ElementsAre("b.example"));
  EXPECT_THAT(d.removed, ElementsAre("c.example"));
  EXPECT_THAT(d.changed, IsEmpty());  // a.example is untouched
  EXPECT_THAT(d.live, IsEmpty());
  EXPECT_THAT(d.needs_restart, IsEmpty());
  EXPECT_TRUE(d.applies());
}

TEST(config_diff, partner_order_alone_is_no_change) {
  auto d = diff(base + partner_a + partner_c, base + partner_c + partner_a);
  EXPECT_FALSE(d.applies());
}

TEST(config_diff, changed_partner_lists_the_keys_that_changed) {
  auto d = diff(base + partner_a, base + R"(
[[xmpp.partners]]
domain = "a.example"
routes = ["127.0.0.1:5271", "127.0.0.1:5272"]
tls = "optional"
max_connections = 8
)");
  ASSERT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(d.changed[0].domain, "a.example");
  EXPECT_THAT(d.changed[0].keys, UnorderedElementsAre("routes", "tls", "max_connections"));
  EXPECT_THAT(d.added, IsEmpty());
  EXPECT_THAT(d.removed, IsEmpty());
}

TEST(config_diff, partner_presence_authorisation_needs_a_restart) {
  auto d = diff(base + partner_a, base + partner_a + "presence = \"refuse\"\n");
  EXPECT_THAT(d.changed, IsEmpty());
  EXPECT_THAT(d.needs_restart, ElementsAre("xmpp.partners[a.example].presence"));
}

TEST(config_diff, policy_keys_apply_live) {
  auto d = diff(base + partner_a, R"(
[general]
state_dir = "state"
log_level = "debug"
[[domains]]
sip = "sip.example.com"
xmpp = "example.com"
[xmpp]
federation = "open"
deny = ["evil.example"]
)" + partner_a + R"(
[sip]
trusted_peers = ["10.0.0.0/8"]
trusted_certificate_names = ["pool.example.com"]
)");
  EXPECT_THAT(d.live, UnorderedElementsAre("general.log_level", "xmpp.federation", "xmpp.deny",
                                           "sip.trusted_peers", "sip.trusted_certificate_names"));
  EXPECT_THAT(d.needs_restart, IsEmpty());
  EXPECT_TRUE(d.applies());
}

TEST(config_diff, listeners_tls_state_and_shards_need_a_restart) {
  auto d = diff(base + partner_a, R"(
[general]
state_dir = "other-state"
worker_threads = 2
[[domains]]
sip = "sip.example.com"
xmpp = "example.com"
im_mode = "session"
[xmpp]
listen = ["127.0.0.1:5299"]
queue_max = 10
)" + partner_a + R"(
[sip]
udp_listen = []
t1_ms = 400
[im]
shards = 8
[metrics]
listen = ""
)");
  EXPECT_THAT(d.needs_restart,
              UnorderedElementsAre("general.state_dir", "general.worker_threads", "domains",
                                   "xmpp.listen", "xmpp.queue_max", "sip.udp_listen", "sip.t1_ms",
                                   "im.shards", "metrics.listen"));
  EXPECT_FALSE(d.applies());  // nothing live: the reload changes nothing
}

TEST(config_diff, a_key_set_to_its_default_is_no_change) {
  auto d = diff(base + partner_a, base + R"(
[xmpp]
queue_max = 1000
federation = "allowlist"
)" + R"(
[[xmpp.partners]]
domain = "a.example"
routes = ["127.0.0.1:5270"]
tls = "required"
dialback = true
)");
  EXPECT_FALSE(d.applies());
  EXPECT_THAT(d.needs_restart, IsEmpty());
}

// Sections the typed diff does not know (added to the config later) are compared as TOML: their
// changes need a restart rather than being ignored.
TEST(config_diff, unknown_sections_are_compared_as_toml_and_need_a_restart) {
  config c = load(base);
  auto d = diff_configs(c, c, base + "[future]\nx = 1\nsame = \"s\"\n[future.inner]\ny = [1, 2]\n",
                        base +
                            "[future]\nx = 2\nsame = \"s\"\nz = true\n[future.inner]\ny = [1]\n"
                            "[later]\nw = 1\n");
  EXPECT_THAT(d.needs_restart,
              UnorderedElementsAre("future.x", "future.z", "future.inner.y", "later"));
  EXPECT_FALSE(d.applies());
}

TEST(config_diff, apply_live_takes_live_keys_and_keeps_the_rest) {
  config running = load(base + partner_a + partner_c);
  config next = load(R"(
[general]
state_dir = "elsewhere"
log_level = "warn"
[[domains]]
sip = "sip.example.com"
xmpp = "example.com"
[xmpp]
listen = ["127.0.0.1:6000"]
federation = "open"
deny = ["evil.example"]
)" + partner_a + partner_b +
                     R"(
[sip]
trusted_peers = ["192.0.2.1"]
)");
  config c = apply_live(running, next);
  ASSERT_EQ(c.xmpp.partners.size(), 2u);
  EXPECT_EQ(c.xmpp.partners[1].domain, "b.example");
  EXPECT_EQ(c.xmpp.federation, federation_mode::open);
  EXPECT_THAT(c.xmpp.deny, ElementsAre("evil.example"));
  EXPECT_THAT(c.sip.trusted_peers, ElementsAre("192.0.2.1"));
  EXPECT_EQ(c.general.level, log_level::warn);
  // Restart-only keys keep their running values, so the next diff still reports them.
  EXPECT_EQ(c.general.state_dir, running.general.state_dir);
  EXPECT_EQ(c.xmpp.listen[0].port, running.xmpp.listen[0].port);
  auto again = diff_configs(c, next);
  EXPECT_FALSE(again.applies());
  EXPECT_THAT(again.needs_restart, UnorderedElementsAre("general.state_dir", "xmpp.listen"));
}

TEST(config_diff, json_report_has_every_part) {
  reload_outcome o;
  o.what = reload_outcome::result::applied;
  o.diff.added = {"b.example"};
  o.diff.removed = {"c.example"};
  o.diff.changed = {{"a.example", {"tls"}}};
  o.diff.needs_restart = {"xmpp.listen"};
  auto j = nlohmann::json::parse(to_json(o));
  EXPECT_EQ(j["result"], "applied");
  EXPECT_EQ(j["added"][0], "b.example");
  EXPECT_EQ(j["removed"][0], "c.example");
  EXPECT_EQ(j["changed"][0]["domain"], "a.example");
  EXPECT_EQ(j["changed"][0]["keys"][0], "tls");
  EXPECT_EQ(j["needs_restart"][0], "xmpp.listen");
  EXPECT_TRUE(j["errors"].empty());
  EXPECT_TRUE(j["live"].empty());
}

struct reloader_test : ::testing::Test {
  void write(const std::string& text) { std::ofstream(file) << text; }
  config load_file() {
    auto r = load_config_file(file);
    EXPECT_TRUE(r.ok());
    return r.cfg;
  }
  testing::temp_dir dir;
  std::filesystem::path file = dir.path() / "fedgate.toml";
  int applied = 0;
  config last;
};

TEST_F(reloader_test, applies_a_good_file_and_rejects_a_bad_one_whole) {
  write(base + partner_a + partner_c);
  config_reloader r(load_file(), [&](const config& c, const config_diff&) {
    ++applied;
    last = c;
  });

  // Nothing changed on disk.
  auto same = r.reload();
  EXPECT_EQ(same.what, reload_outcome::result::unchanged);
  EXPECT_EQ(applied, 0);

  // b added, c removed, a listener changed (needs a restart, keeps its running value).
  write(base + "[xmpp]\nlisten = [\"127.0.0.1:6001\"]\n" + partner_a + partner_b);
  auto o = r.reload();
  EXPECT_EQ(o.what, reload_outcome::result::applied);
  EXPECT_THAT(o.diff.added, ElementsAre("b.example"));
  EXPECT_THAT(o.diff.removed, ElementsAre("c.example"));
  EXPECT_THAT(o.diff.needs_restart, ElementsAre("xmpp.listen"));
  EXPECT_EQ(applied, 1);
  ASSERT_EQ(last.xmpp.partners.size(), 2u);
  EXPECT_EQ(last.xmpp.partners[1].domain, "b.example");
  EXPECT_EQ(r.running()->xmpp.partners.size(), 2u);
  EXPECT_EQ(r.running()->xmpp.listen[0].port, 5269);

  // A file with two errors: both reported, nothing applied, the running config unchanged.
  write(base + partner_a + R"(
[[xmpp.partners]]
domain = "d.example"
tls = "sometimes"
[xmpp]
federation = "closed"
)");
  auto bad = r.reload();
  EXPECT_EQ(bad.what, reload_outcome::result::rejected);
  EXPECT_GE(bad.errors.size(), 1u);
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(r.running()->xmpp.partners.size(), 2u);

  write(base + partner_a + "[[xmpp.partners]]\ndomain = \"d.example\"\ntls = \"sometimes\"\n" +
        "[sip]\nt1_ms = 0\n");
  bad = r.reload();
  EXPECT_EQ(bad.what, reload_outcome::result::rejected);
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_THAT(bad.errors[0], HasSubstr("fedgate.toml:"));
  EXPECT_THAT(bad.errors[0] + bad.errors[1], HasSubstr("tls"));
  EXPECT_THAT(bad.errors[0] + bad.errors[1], HasSubstr("t1_ms"));

  // A syntax error, then a missing file.
  write("[general\n");
  EXPECT_EQ(r.reload().what, reload_outcome::result::rejected);
  std::filesystem::remove(file);
  bad = r.reload();
  EXPECT_EQ(bad.what, reload_outcome::result::rejected);
  EXPECT_THAT(bad.errors[0], HasSubstr("cannot open"));
  EXPECT_EQ(applied, 1);

  // reload_and_report answers JSON with the errors.
  auto j = nlohmann::json::parse(r.reload_and_report("test"));
  EXPECT_EQ(j["result"], "rejected");
  EXPECT_FALSE(j["errors"].empty());
}

}  // namespace
}  // namespace fedgate::app
