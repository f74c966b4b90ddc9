// The RFC 7247 §7 tables, row by row. The expected values are written here independently of
// codecs/mapping/errors.cpp, as the RFC table reads (transcribed from /work/shared/rfc-notes.md:
// [R], not yet checked against the RFC text — see errors.hpp).
#include "codecs/mapping/errors.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace fedgate::mapping {
namespace {

struct xmpp_row {
  const char* condition;
  int status;
  const char* type;  // RFC 6120 §8.3.3
};

// RFC 7247 §7.1 Table 1 (condition -> SIP) with RFC 6120 §8.3.3 types.
const xmpp_row rfc7247_table1[] = {
    {"bad-request", 400, "modify"},
    {"conflict", 400, "cancel"},
    {"feature-not-implemented", 501, "cancel"},
    {"forbidden", 403, "auth"},
    {"gone", 410, "cancel"},
    {"internal-server-error", 500, "cancel"},
    {"item-not-found", 404, "cancel"},
    {"jid-malformed", 400, "modify"},
    {"not-acceptable", 406, "modify"},
    {"not-allowed", 405, "cancel"},
    {"not-authorized", 401, "auth"},
    {"policy-violation", 403, "modify"},
    {"recipient-unavailable", 480, "wait"},
    {"redirect", 302, "modify"},
    {"registration-required", 400, "auth"},
    {"remote-server-not-found", 404, "cancel"},
    {"remote-server-timeout", 408, "wait"},
    {"resource-constraint", 500, "wait"},
    {"service-unavailable", 503, "cancel"},
    {"subscription-required", 400, "auth"},
    {"undefined-condition", 400, "cancel"},
    {"unexpected-request", 491, "wait"},
};

class table1 : public ::testing::TestWithParam<xmpp_row> {};

TEST_P(table1, condition_maps_to_status_and_type) {
  const xmpp_row& row = GetParam();
  auto c = parse_condition(row.condition);
  ASSERT_TRUE(c) << row.condition;
  EXPECT_EQ(to_string(*c), row.condition);
  EXPECT_EQ(to_sip(*c).code, row.status) << row.condition;
  EXPECT_FALSE(to_sip(*c).reason.empty());
  EXPECT_EQ(to_string(default_type(*c)), row.type) << row.condition;
}

INSTANTIATE_TEST_SUITE_P(rfc7247_7_1, table1, ::testing::ValuesIn(rfc7247_table1));

TEST(errors, table1_covers_every_condition_once_in_order) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < stanza_condition_count; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(xmpp_to_sip_rows()[i].condition), i);
    seen.insert(std::string(to_string(xmpp_to_sip_rows()[i].condition)));
  }
  EXPECT_EQ(seen.size(), stanza_condition_count);
  EXPECT_EQ(std::size(rfc7247_table1), stanza_condition_count);
}

TEST(errors, table1_alternatives) {  // RFC 7247 §7.1 "or" codes [R]
  auto alt = [](stanza_condition c) {
    return xmpp_to_sip_rows()[static_cast<std::size_t>(c)].alternative;
  };
  EXPECT_EQ(alt(stanza_condition::feature_not_implemented), 405);
  EXPECT_EQ(alt(stanza_condition::forbidden), 603);
  EXPECT_EQ(alt(stanza_condition::gone), 301);
  EXPECT_EQ(alt(stanza_condition::item_not_found), 604);
  EXPECT_EQ(alt(stanza_condition::not_acceptable), 606);
  EXPECT_EQ(alt(stanza_condition::remote_server_not_found), 408);
  EXPECT_EQ(alt(stanza_condition::unexpected_request), 400);
  EXPECT_EQ(alt(stanza_condition::bad_request), 0);
}

struct sip_row {
  int status;
  const char* condition;
};

// RFC 7247 §7.2 Table 2 (SIP -> condition), including the class defaults (x00 codes not listed
// fall back to them; checked separately below).
const sip_row rfc7247_table2[] = {
    {300, "redirect"},
    {301, "gone"},
    {302, "redirect"},
    {305, "redirect"},
    {380, "redirect"},
    {400, "bad-request"},
    {401, "not-authorized"},
    {402, "bad-request"},
    {403, "forbidden"},
    {404, "item-not-found"},
    {405, "feature-not-implemented"},
    {406, "not-acceptable"},
    {407, "not-authorized"},
    {408, "remote-server-timeout"},
    {410, "gone"},
    {413, "policy-violation"},
    {414, "policy-violation"},
    {415, "not-acceptable"},
    {416, "not-acceptable"},
    {420, "feature-not-implemented"},
    {421, "not-acceptable"},
    {423, "resource-constraint"},
    {430, "recipient-unavailable"},
    {433, "policy-violation"},
    {436, "not-acceptable"},
    {437, "not-acceptable"},
    {438, "not-acceptable"},
    {439, "feature-not-implemented"},
    {440, "policy-violation"},
    {480, "recipient-unavailable"},
    {481, "item-not-found"},
    {482, "not-acceptable"},
    {483, "not-acceptable"},
    {484, "item-not-found"},
    {485, "item-not-found"},
    {486, "recipient-unavailable"},
    {487, "service-unavailable"},
    {488, "not-acceptable"},
    {489, "policy-violation"},
    {491, "unexpected-request"},
    {493, "bad-request"},
    {494, "not-authorized"},
    {500, "internal-server-error"},
    {501, "feature-not-implemented"},
    {502, "remote-server-not-found"},
    {503, "service-unavailable"},
    {504, "remote-server-timeout"},
    {505, "not-acceptable"},
    {513, "policy-violation"},
    {600, "service-unavailable"},
    {603, "service-unavailable"},
    {604, "item-not-found"},
    {606, "not-acceptable"},
};

class table2 : public ::testing::TestWithParam<sip_row> {};

TEST_P(table2, status_maps_to_condition) {
  const sip_row& row = GetParam();
  stanza_error e = to_xmpp(row.status);
  EXPECT_EQ(to_string(e.condition), row.condition) << row.status;
  EXPECT_EQ(e.type, default_type(e.condition));
  EXPECT_TRUE(e.text.empty());
}

INSTANTIATE_TEST_SUITE_P(rfc7247_7_2, table2, ::testing::ValuesIn(rfc7247_table2));

TEST(errors, table2_in_code_is_the_test_table) {
  ASSERT_EQ(sip_to_xmpp_row_count(), std::size(rfc7247_table2));
  for (std::size_t i = 0; i < sip_to_xmpp_row_count(); ++i) {
    EXPECT_EQ(sip_to_xmpp_rows()[i].status, rfc7247_table2[i].status);
    EXPECT_EQ(to_string(sip_to_xmpp_rows()[i].condition), rfc7247_table2[i].condition);
  }
}

TEST(errors, class_defaults_for_unlisted_codes) {  // RFC 7247 §7.2
  EXPECT_EQ(to_xmpp(399).condition, stanza_condition::redirect);
  EXPECT_EQ(to_xmpp(303).condition, stanza_condition::redirect);
  EXPECT_EQ(to_xmpp(409).condition, stanza_condition::bad_request);
  EXPECT_EQ(to_xmpp(422).condition, stanza_condition::bad_request);
  EXPECT_EQ(to_xmpp(499).condition, stanza_condition::bad_request);
  EXPECT_EQ(to_xmpp(555).condition, stanza_condition::internal_server_error);
  EXPECT_EQ(to_xmpp(580).condition, stanza_condition::internal_server_error);
  EXPECT_EQ(to_xmpp(607).condition, stanza_condition::service_unavailable);
  EXPECT_EQ(to_xmpp(699).condition, stanza_condition::service_unavailable);
  EXPECT_EQ(to_xmpp(200).condition, stanza_condition::undefined_condition);
  EXPECT_EQ(to_xmpp(700).condition, stanza_condition::undefined_condition);
}

TEST(errors, reason_phrase_travels_in_text_and_back) {
  stanza_error e = to_xmpp(486, "Busy Here");
  EXPECT_EQ(e.condition, stanza_condition::recipient_unavailable);
  EXPECT_EQ(e.type, error_type::wait);
  EXPECT_EQ(e.text, "Busy Here");

  std::string xml;
  write_stanza_error(xml, e, "en");
  EXPECT_EQ(xml,
            "<error type='wait'><recipient-unavailable "
            "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text "
            "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>Busy Here</text></error>");

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  stanza_error back = parse_stanza_error(doc.first_child());
  EXPECT_EQ(back.condition, e.condition);
  EXPECT_EQ(back.type, e.type);
  EXPECT_EQ(back.text, "Busy Here");

  sip_status s = to_sip(back);
  EXPECT_EQ(s.code, 480);
  EXPECT_EQ(s.reason, "Busy Here");
}

TEST(errors, text_is_escaped_and_reason_is_made_single_line) {
  stanza_error e{stanza_condition::forbidden, error_type::auth, "a < b & \"c\"\r\nX-Evil: 1"};
  sip_status s = to_sip(e);
  EXPECT_EQ(s.code, 403);
  EXPECT_EQ(s.reason.find('\r'), std::string::npos);
  EXPECT_EQ(s.reason.find('\n'), std::string::npos);
  EXPECT_EQ(s.reason, "a < b & \"c\"  X-Evil: 1");

  std::string xml;
  write_stanza_error(xml, to_xmpp(403, "Verboten <für> dich & mich"));
  EXPECT_NE(xml.find("Verboten &lt;für&gt; dich &amp; mich"), std::string::npos) << xml;
}

TEST(errors, empty_text_gives_standard_reason_phrase) {
  EXPECT_EQ(to_sip(stanza_error{stanza_condition::item_not_found, error_type::cancel, ""}).reason,
            "Not Found");
  EXPECT_EQ(to_sip(stanza_condition::service_unavailable).reason, "Service Unavailable");
}

TEST(errors, parse_prosody_style_error) {
  // As Prosody sends it (stanza error on a bounced message), prefixed and default namespaces.
  const char* xml =
      "<message xmlns='jabber:server' type='error' from='juliet@capulet.example' "
      "to='romeo@sip.example/gw'><error type='cancel' by='capulet.example'>"
      "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
      "<x:text xmlns:x='urn:ietf:params:xml:ns:xmpp-stanzas'>User is offline</x:text>"
      "<app-specific xmlns='urn:example:app'/></error></message>";
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml));
  stanza_error e = parse_stanza_error(doc.first_child().child("error"));
  EXPECT_EQ(e.condition, stanza_condition::service_unavailable);
  EXPECT_EQ(e.type, error_type::cancel);
  EXPECT_EQ(e.text, "User is offline");
  EXPECT_EQ(to_sip(e).code, 503);
}

TEST(errors, unknown_condition_and_type_fall_back) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(
      "<error type='bogus'><not-a-condition xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
      "<item-not-found xmlns='urn:wrong'/></error>"));
  stanza_error e = parse_stanza_error(doc.first_child());
  EXPECT_EQ(e.condition, stanza_condition::undefined_condition);
  EXPECT_EQ(e.type, error_type::cancel);
  EXPECT_EQ(to_sip(e).code, 400);
}

TEST(errors, mapping_error_gives_both_answers) {
  error err{stanza_condition::policy_violation, 513, "Message Too Large"};
  EXPECT_EQ(err.as_stanza_error().type, error_type::modify);
  EXPECT_EQ(err.as_sip_status().code, 513);
  EXPECT_EQ(err.as_sip_status().reason, "Message Too Large");
}

}  // namespace
}  // namespace fedgate::mapping
