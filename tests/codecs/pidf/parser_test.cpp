#include "codecs/pidf/parser.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "codecs/pidf/serializer.hpp"

namespace fedgate::pidf {
namespace {

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(FEDGATE_SOURCE_DIR) + "/tests/codecs/pidf/data/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << "missing test data " << name;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

document parse_ok(std::string_view body, const limits& lim = {}) {
  auto r = parse(body, lim);
  EXPECT_TRUE(r.ok()) << (r.ok()
                              ? ""
                              : std::string(to_string(r.error().code)) + ": " + r.error().message);
  return r.ok() ? r.value() : document{};
}

error parse_error(std::string_view body, const limits& lim = {}) {
  auto r = parse(body, lim);
  EXPECT_FALSE(r.ok()) << "parsed a document that should have been refused:\n" << body;
  return r.ok() ? error{error_code::invalid_value, "<parsed>"} : r.error();
}

// A document parsed from the test data must survive serialize -> parse unchanged.
void expect_round_trip(const document& d) {
  auto s = serialize(d);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto again = parse(s.value());
  ASSERT_TRUE(again.ok()) << again.error().message << "\n" << s.value();
  EXPECT_EQ(again.value(), d) << s.value();
}

note n(std::string text, std::string lang = {}) {
  return note{std::move(text), std::move(lang)};
}

constexpr std::string_view pidf_open =
    R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@example.com">)";

std::string wrap(std::string_view inner) {
  return std::string(pidf_open) + std::string(inner) + "</presence>";
}

// --- RFC examples -------------------------------------------------------------------------------

TEST(PidfParser, Rfc3863BasicExampleWithPrefix) {
  const document d = parse_ok(read_data("rfc3863-basic.xml"));
  EXPECT_EQ(d.entity, "pres:someone@example.com");
  ASSERT_EQ(d.tuples.size(), 1u);
  const tuple& t = d.tuples[0];
  EXPECT_EQ(t.id, "sg89ae");
  EXPECT_EQ(t.basic, basic_status::open);
  ASSERT_TRUE(t.contact);
  EXPECT_EQ(t.contact->uri, "tel:+09012345678");
  EXPECT_EQ(t.contact->priority_milli, 800);
  EXPECT_TRUE(t.notes.empty());
  EXPECT_TRUE(t.timestamp.empty());
  EXPECT_TRUE(t.activities.empty());
  EXPECT_TRUE(d.notes.empty());
  EXPECT_TRUE(d.persons.empty());
  EXPECT_TRUE(d.devices.empty());
  expect_round_trip(d);
}

TEST(PidfParser, Rfc3863ExtendedExampleSkipsUnknownExtensions) {
  const document d = parse_ok(read_data("rfc3863-extended.xml"));
  EXPECT_EQ(d.entity, "pres:someone@example.com");
  ASSERT_EQ(d.tuples.size(), 2u);
  const tuple& t = d.tuples[0];
  EXPECT_EQ(t.id, "bs35r9");
  EXPECT_EQ(t.basic, basic_status::open);
  ASSERT_TRUE(t.contact);
  EXPECT_EQ(t.contact->uri, "im:someone@mobilecarrier.net");
  EXPECT_EQ(t.contact->priority_milli, 800);
  ASSERT_EQ(t.notes.size(), 2u);
  EXPECT_EQ(t.notes[0], n("Don't Disturb Please!", "en"));
  EXPECT_EQ(t.notes[1], n("Ne d\xC3\xA9rangez pas, s'il vous plait", "fr"));
  EXPECT_EQ(t.timestamp, "2001-10-27T16:49:29Z");
  const tuple& t2 = d.tuples[1];
  EXPECT_EQ(t2.id, "eg92n8");
  EXPECT_EQ(t2.basic, basic_status::open);
  ASSERT_TRUE(t2.contact);
  EXPECT_EQ(t2.contact->uri, "mailto:someone@example.com");
  EXPECT_EQ(t2.contact->priority_milli, 1000);  // "1.0"
  EXPECT_TRUE(t2.notes.empty());
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0], n("I'll be in Tokyo next week"));
  expect_round_trip(d);
}

TEST(PidfParser, Rfc4480RpidExample) {
  const document d = parse_ok(read_data("rfc4480-rpid.xml"));
  EXPECT_EQ(d.entity, "pres:someone@example.com");
  ASSERT_EQ(d.tuples.size(), 3u);
  EXPECT_EQ(d.tuples[0].id, "bs35r9");
  EXPECT_EQ(d.tuples[0].device_id, "urn:device:0003ba4811e3");
  EXPECT_EQ(d.tuples[0].contact->uri, "im:someone@mobile.example.net");
  EXPECT_EQ(d.tuples[0].contact->priority_milli, 800);
  ASSERT_EQ(d.tuples[0].notes.size(), 2u);
  EXPECT_EQ(d.tuples[0].notes[1].lang, "fr");
  EXPECT_EQ(d.tuples[0].timestamp, "2005-10-27T16:49:29Z");
  EXPECT_EQ(d.tuples[1].id, "ty4658");
  EXPECT_EQ(d.tuples[1].contact->uri, "mailto:secretary@example.com");
  EXPECT_TRUE(d.tuples[1].device_id.empty());
  EXPECT_EQ(d.tuples[2].id, "eg92n8");
  EXPECT_EQ(d.tuples[2].device_id, "urn:x-mac:0003ba4811e3");
  for (const tuple& t : d.tuples) {
    EXPECT_EQ(t.basic, basic_status::open) << t.id;
    EXPECT_TRUE(t.activities.empty()) << t.id;
    EXPECT_FALSE(t.user_input) << t.id;
  }
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].text, "I'll be in Tokyo next week");

  ASSERT_EQ(d.devices.size(), 1u);
  const device& dev = d.devices[0];
  EXPECT_EQ(dev.id, "pc122");
  EXPECT_EQ(dev.device_id, "urn:device:0003ba4811e3");
  ASSERT_TRUE(dev.user_input);
  EXPECT_EQ(dev.user_input->state, input_state::idle);
  EXPECT_EQ(dev.user_input->idle_threshold, 600u);
  EXPECT_EQ(dev.user_input->last_input, "2004-10-21T13:20:00.000-05:00");
  ASSERT_EQ(dev.notes.size(), 1u);
  EXPECT_EQ(dev.notes[0], n("PC"));

  ASSERT_EQ(d.persons.size(), 1u);
  const person& p = d.persons[0];
  EXPECT_EQ(p.id, "p1");
  EXPECT_EQ(p.activities.values.size(), 1u);
  EXPECT_TRUE(p.activities.values.contains(activity::away));
  // <rp:other> inside <rp:mood> and <rp:unknown/> inside <rp:privacy> are not activities.
  EXPECT_TRUE(p.activities.other.empty());
  EXPECT_FALSE(p.activities.values.contains(activity::unknown));
  ASSERT_TRUE(p.user_input);
  EXPECT_EQ(p.user_input->state, input_state::active);
  EXPECT_FALSE(p.user_input->idle_threshold);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_EQ(p.notes[0], n("Scoring 120"));
  EXPECT_EQ(p.timestamp, "2005-05-30T16:09:44+05:00");
  expect_round_trip(d);
}

TEST(PidfParser, Rfc4479DataModelExample) {
  const document d = parse_ok(read_data("rfc4479-data-model.xml"));
  ASSERT_EQ(d.tuples.size(), 2u);
  EXPECT_EQ(d.tuples[0].device_id, "mac:8asd7d7d70");
  EXPECT_EQ(d.tuples[0].contact->uri, "sip:someone@example.com");
  EXPECT_FALSE(d.tuples[0].contact->priority_milli);
  EXPECT_EQ(d.tuples[0].timestamp, "2005-05-30T22:00:29Z");
  EXPECT_EQ(d.tuples[1].basic, basic_status::closed);
  ASSERT_EQ(d.persons.size(), 1u);
  EXPECT_EQ(d.persons[0].id, "p1");
  EXPECT_TRUE(d.persons[0].activities.values.contains(activity::on_the_phone));
  EXPECT_EQ(d.persons[0].activities.values.size(), 1u);
  EXPECT_EQ(d.persons[0].timestamp, "2005-05-30T22:02:44+05:00");
  ASSERT_EQ(d.devices.size(), 1u);
  EXPECT_EQ(d.devices[0].id, "pc122");
  EXPECT_EQ(d.devices[0].device_id, "mac:8asd7d7d70");
  ASSERT_TRUE(d.devices[0].user_input);
  EXPECT_EQ(d.devices[0].user_input->state, input_state::active);
  EXPECT_EQ(d.devices[0].timestamp, "2005-05-30T22:02:44+05:00");
  expect_round_trip(d);
}

// --- real-world producers -----------------------------------------------------------------------

TEST(PidfParser, KamailioPuaXmppAway) {
  const document d = parse_ok(read_data("kamailio-pua-xmpp-away.xml"));
  EXPECT_EQ(d.entity, "sip:carol@xmpp.test");
  ASSERT_EQ(d.tuples.size(), 1u);
  EXPECT_EQ(d.tuples[0].id, "0x7f3a2c0e1b40");
  EXPECT_EQ(d.tuples[0].basic, basic_status::open);
  EXPECT_FALSE(d.tuples[0].contact);
  ASSERT_EQ(d.persons.size(), 1u);
  EXPECT_EQ(d.persons[0].id, "pdd748945");
  EXPECT_TRUE(d.persons[0].activities.values.contains(activity::away));
  EXPECT_EQ(d.persons[0].activities.values.size(), 1u);
  ASSERT_EQ(d.persons[0].notes.size(), 1u);
  EXPECT_EQ(d.persons[0].notes[0], n("Gone fishing"));
  expect_round_trip(d);
}

TEST(PidfParser, KamailioAggregatedNotify) {
  const document d = parse_ok(read_data("kamailio-presence-aggregated.xml"));
  EXPECT_EQ(d.entity, "sip:alice@sip.test");
  ASSERT_EQ(d.tuples.size(), 2u);
  const tuple& t = d.tuples[0];
  EXPECT_EQ(t.id, "a1f3");
  EXPECT_EQ(t.basic, basic_status::open);
  // The pre-RFC 4480 rpid-status namespace is an unknown extension: skipped.
  EXPECT_TRUE(t.activities.empty());
  EXPECT_EQ(t.contact->uri, "sip:alice@192.0.2.20:5062;transport=tcp");
  EXPECT_EQ(t.contact->priority_milli, 500);
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_EQ(t.notes[0], n("Busy"));
  EXPECT_EQ(d.tuples[1].id, "t5cb0");
  EXPECT_EQ(d.tuples[1].device_id, "mac:0013d3123456");
  ASSERT_EQ(d.persons.size(), 1u);
  const person& p = d.persons[0];
  EXPECT_EQ(p.id, "p2d1");
  EXPECT_TRUE(p.activities.values.contains(activity::busy));
  EXPECT_TRUE(p.activities.values.contains(activity::on_the_phone));
  EXPECT_EQ(p.activities.values.size(), 2u);
  ASSERT_TRUE(p.user_input);
  EXPECT_EQ(p.user_input->state, input_state::active);
  EXPECT_EQ(p.user_input->idle_threshold, 300u);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_EQ(p.notes[0], n("Im Gespr\xC3\xA4"
                          "ch",
                          "de"));
  expect_round_trip(d);
}

TEST(PidfParser, AsteriskOnThePhone) {
  const document d = parse_ok(read_data("asterisk-on-the-phone.xml"));
  EXPECT_EQ(d.entity, "sip:1001@192.0.2.10:5060");
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0], n("On the phone"));
  ASSERT_EQ(d.tuples.size(), 1u);
  EXPECT_EQ(d.tuples[0].id, "1001");
  EXPECT_EQ(d.tuples[0].basic, basic_status::open);
  EXPECT_EQ(d.tuples[0].contact->uri, "sip:1001@192.0.2.10:5060");
  EXPECT_EQ(d.tuples[0].contact->priority_milli, 1000);
  ASSERT_EQ(d.persons.size(), 1u);
  EXPECT_EQ(d.persons[0].id, "");  // Asterisk leaves it out
  EXPECT_TRUE(d.persons[0].activities.values.contains(activity::on_the_phone));
  expect_round_trip(d);
}

TEST(PidfParser, AsteriskUnavailable) {
  const document d = parse_ok(read_data("asterisk-unavailable.xml"));
  ASSERT_EQ(d.tuples.size(), 1u);
  EXPECT_EQ(d.tuples[0].basic, basic_status::closed);
  ASSERT_EQ(d.persons.size(), 1u);
  EXPECT_TRUE(d.persons[0].activities.empty());
  EXPECT_FALSE(d.persons[0].user_input);
  EXPECT_EQ(d.notes[0], n("Unavailable"));
  expect_round_trip(d);
}

TEST(PidfParser, LyncStyleWithMicrosoftExtensionsAndInheritedLang) {
  const document d = parse_ok(read_data("lync-style-brb.xml"));
  EXPECT_EQ(d.entity, "sip:bob@contoso.com");
  ASSERT_EQ(d.tuples.size(), 1u);
  const tuple& t = d.tuples[0];
  EXPECT_EQ(t.id, "0x1f4");
  EXPECT_EQ(t.basic, basic_status::open);
  EXPECT_TRUE(t.activities.empty());  // ep: is not RFC 4480
  EXPECT_EQ(t.contact->priority_milli, 900);
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_EQ(t.notes[0], n("Be Right Back", "en-US"));  // xml:lang from <presence>
  ASSERT_EQ(d.persons.size(), 1u);
  const person& p = d.persons[0];
  EXPECT_EQ(p.id, "p0x1f4");
  EXPECT_TRUE(p.activities.values.contains(activity::away));
  ASSERT_EQ(p.activities.other.size(), 1u);
  EXPECT_EQ(p.activities.other[0], n("Be Right Back", "en-US"));
  ASSERT_TRUE(p.user_input);
  EXPECT_EQ(p.user_input->state, input_state::idle);
  EXPECT_EQ(p.user_input->idle_threshold, 300u);
  EXPECT_EQ(p.user_input->last_input, "2013-04-08T09:12:33Z");
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_EQ(p.notes[0], n("Bin gleich zur\xC3\xBC"
                          "ck",
                          "de-DE"));
  expect_round_trip(d);
}

// --- namespaces ---------------------------------------------------------------------------------

TEST(PidfParser, NamespacePrefixesDoNotMatterOnlyNamespaceNames) {
  const char* variants[] = {
      // default PIDF namespace, rpid:/dm: prefixes on the root
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status></tuple><dm:person id="p"><rpid:activities><rpid:busy/></rpid:activities></dm:person></presence>)",
      // everything prefixed, odd prefixes
      R"(<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b"><p:tuple id="t"><p:status><p:basic>open</p:basic></p:status></p:tuple><x:person id="p"><r:activities><r:busy/></r:activities></x:person></p:presence>)",
      // default namespace switched on each element
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status></tuple><person xmlns="urn:ietf:params:xml:ns:pidf:data-model" id="p"><activities xmlns="urn:ietf:params:xml:ns:pidf:rpid"><busy/></activities></person></presence>)",
      // declarations on the elements that use them, a prefix shadowed by a nested declaration
      R"(<a:presence xmlns:a="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><a:tuple id="t"><a:status><a:basic>open</a:basic></a:status></a:tuple><a:person xmlns:a="urn:ietf:params:xml:ns:pidf:data-model" id="p"><a:activities xmlns:a="urn:ietf:params:xml:ns:pidf:rpid"><a:busy/></a:activities></a:person></a:presence>)",
  };
  document expected;
  expected.entity = "sip:a@b";
  expected.tuples.push_back(tuple{});
  expected.tuples[0].id = "t";
  expected.tuples[0].basic = basic_status::open;
  expected.persons.push_back(person{});
  expected.persons[0].id = "p";
  expected.persons[0].activities.values.insert(activity::busy);
  for (const char* v : variants)
    EXPECT_EQ(parse_ok(v), expected) << v;
}

TEST(PidfParser, RightLocalNameInWrongNamespaceIsNotUnderstood) {
  // <busy/> in the PIDF namespace is not an RPID activity; <person> in PIDF is not a dm:person.
  const document d = parse_ok(
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:a@b"><person id="x"/><dm:person id="p"><dm:activities><busy/></dm:activities></dm:person></presence>)");
  ASSERT_EQ(d.persons.size(), 1u);
  EXPECT_EQ(d.persons[0].id, "p");
  EXPECT_TRUE(d.persons[0].activities.empty());
}

TEST(PidfParser, RootWithoutPidfNamespaceIsRefused) {
  EXPECT_EQ(parse_error(R"(<presence entity="sip:a@b"/>)").code, error_code::not_pidf);
  EXPECT_EQ(
      parse_error(R"(<presence xmlns="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b"/>)").code,
      error_code::not_pidf);
  EXPECT_EQ(parse_error(R"(<pidf xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>)").code,
            error_code::not_pidf);
  // XPIDF (application/xpidf+xml, Microsoft/old clients) is another format.
  EXPECT_EQ(parse_error(R"(<presence><presentity uri="sip:a@b"/></presence>)").code,
            error_code::not_pidf);
}

TEST(PidfParser, UnboundPrefixIsAnError) {
  EXPECT_EQ(parse_error(R"(<p:presence entity="sip:a@b"/>)").code, error_code::unbound_prefix);
  const error e = parse_error(wrap(R"(<tuple id="t"><status/><q:thing/></tuple>)"));
  EXPECT_EQ(e.code, error_code::unbound_prefix);
  EXPECT_NE(e.message.find("q:thing"), std::string::npos) << e.message;
}

// --- xml:lang -----------------------------------------------------------------------------------

TEST(PidfParser, NoteLanguageIsOwnOrInherited) {
  const document d = parse_ok(
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xml:lang="en" entity="sip:a@b">)"
      R"(<tuple id="t" xml:lang="fr"><status/><note>fr inherited</note><note xml:lang="de">own</note><note xml:lang="">none</note></tuple>)"
      R"(<note>en inherited</note><note xml:lang="ja">&#x65E5;&#x672C;</note></presence>)");
  ASSERT_EQ(d.tuples.size(), 1u);
  ASSERT_EQ(d.tuples[0].notes.size(), 3u);
  EXPECT_EQ(d.tuples[0].notes[0], n("fr inherited", "fr"));
  EXPECT_EQ(d.tuples[0].notes[1], n("own", "de"));
  EXPECT_EQ(d.tuples[0].notes[2], n("none", ""));
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_EQ(d.notes[0], n("en inherited", "en"));
  EXPECT_EQ(d.notes[1], n("\xE6\x97\xA5\xE6\x9C\xAC", "ja"));
  expect_round_trip(d);
}

TEST(PidfParser, NoteTextIsVerbatimWithEscapesAndCdata) {
  const document d = parse_ok(
      wrap(R"(<note>  a &amp; b &lt;c&gt; "q" </note><note><![CDATA[<raw> & ]]>x</note><note/>)"));
  ASSERT_EQ(d.notes.size(), 3u);
  EXPECT_EQ(d.notes[0].text, "  a & b <c> \"q\" ");
  EXPECT_EQ(d.notes[1].text, "<raw> & x");
  EXPECT_EQ(d.notes[2].text, "");
  expect_round_trip(d);
}

// --- values -------------------------------------------------------------------------------------

TEST(PidfParser, BasicIsTrimmedAndOptional) {
  const document d = parse_ok(wrap(R"(<tuple id="a"><status><basic> closed
</basic></status></tuple><tuple id="b"><status/></tuple>)"));
  ASSERT_EQ(d.tuples.size(), 2u);
  EXPECT_EQ(d.tuples[0].basic, basic_status::closed);
  EXPECT_FALSE(d.tuples[1].basic);  // RFC 3863 §4.1.4: <basic> is optional
}

TEST(PidfParser, ContactPriorityForms) {
  struct row {
    const char* text;
    int milli;
  };
  const row rows[] = {{"0", 0},      {"1", 1000},    {"0.5", 500},
                      {".25", 250},  {"0.125", 125}, {"1.000", 1000},
                      {"+0.8", 800}, {" 0.8 ", 800}, {"0.1250", 125}};
  for (const row& r : rows) {
    const document d = parse_ok(wrap(std::string(R"(<tuple id="t"><status/><contact priority=")") +
                                     r.text + R"(">sip:a@b</contact></tuple>)"));
    ASSERT_EQ(d.tuples.size(), 1u) << r.text;
    EXPECT_EQ(d.tuples[0].contact->priority_milli, r.milli) << r.text;
  }
}

TEST(PidfParser, ActivitiesInStatusAreKeptOnTheTuple) {
  const document d = parse_ok(wrap(
      R"(<tuple id="t"><status><basic>open</basic><r:activities xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"><r:meeting/><r:other xml:lang="en">Standup</r:other></r:activities></status></tuple>)"));
  const tuple& t = d.tuples.at(0);
  EXPECT_TRUE(t.activities.values.contains(activity::meeting));
  ASSERT_EQ(t.activities.other.size(), 1u);
  EXPECT_EQ(t.activities.other[0], n("Standup", "en"));
  expect_round_trip(d);
}

TEST(PidfParser, EveryRfc4480ActivityIsRecognised) {
  std::string body =
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b"><dm:person id="p"><r:activities>)";
  for (std::size_t i = 0; i < activity_count; ++i) {
    body += "<r:" + std::string(to_string(static_cast<activity>(i))) + "/>";
  }
  body += "<r:dancing/></r:activities></dm:person></presence>";  // unknown activity: skipped
  const document d = parse_ok(body);
  EXPECT_EQ(d.persons.at(0).activities.values.size(), activity_count);
  expect_round_trip(d);
}

TEST(PidfParser, WhitespaceAndCommentsAndProcessingInstructionsAreIgnored) {
  const document d = parse_ok(
      "\xEF\xBB\xBF<?xml version='1.0' encoding='utf-8'?>\n<!-- c -->\n<?pi x?>\n"
      "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity=' sip:a@b '>\n <!-- c -->\n"
      " <tuple id=' t '>\n  <status>\n   <basic>open</basic>\n  </status>\n  <contact>\n "
      "sip:a@b \n</contact>\n </tuple>\n</presence>\n");
  EXPECT_EQ(d.entity, "sip:a@b");
  EXPECT_EQ(d.tuples.at(0).id, "t");
  EXPECT_EQ(d.tuples.at(0).contact->uri, "sip:a@b");
}

TEST(PidfParser, EmptyPresenceIsValid) {
  // RFC 3863 §4.1.1: zero tuples is allowed (e.g. a presentity with no published services).
  const document d =
      parse_ok(R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:x@y"/>)");
  EXPECT_EQ(d.entity, "pres:x@y");
  EXPECT_TRUE(d.tuples.empty());
  expect_round_trip(d);
}

// --- mustUnderstand (RFC 3863 §4.3, §7) ---------------------------------------------------------

TEST(PidfParser, UnknownExtensionMarkedMustUnderstandIsRefused) {
  const char* bodies[] = {
      // qualified in the PIDF namespace, on a tuple child
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:example:x" entity="sip:a@b"><tuple id="t"><status/><x:geo xmlns:pidf="urn:ietf:params:xml:ns:pidf" pidf:mustUnderstand="true"/></tuple></presence>)",
      // unprefixed, "1", on a status child
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:example:x" entity="sip:a@b"><tuple id="t"><status><x:geo mustUnderstand="1"/></status></tuple></presence>)",
      // on a presence child
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:example:x" entity="sip:a@b"><x:geo mustUnderstand="true"/></presence>)",
      // a known namespace but an element the model does not hold (RPID mood) in a person
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b"><dm:person id="p"><r:mood mustUnderstand="true"><r:happy/></r:mood></dm:person></presence>)",
  };
  for (const char* b : bodies) {
    const error e = parse_error(b);
    EXPECT_EQ(e.code, error_code::must_understand) << b;
    EXPECT_EQ(e.sip_status(), 400);
  }
}

TEST(PidfParser, MustUnderstandFalseOrForeignNamespaceIsSkipped) {
  const document d = parse_ok(
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:example:x" entity="sip:a@b"><tuple id="t"><status/><x:geo mustUnderstand="false"/><x:geo x:mustUnderstand="true"/></tuple></presence>)");
  EXPECT_EQ(d.tuples.size(), 1u);
}

// --- errors -------------------------------------------------------------------------------------

TEST(PidfParser, RequiredPartsOfRfc3863) {
  EXPECT_EQ(parse_error(R"(<presence xmlns="urn:ietf:params:xml:ns:pidf"/>)").code,
            error_code::missing_entity);
  EXPECT_EQ(parse_error(R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="  "/>)").code,
            error_code::missing_entity);
  EXPECT_EQ(parse_error(wrap(R"(<tuple><status/></tuple>)")).code, error_code::missing_id);
  EXPECT_EQ(parse_error(wrap(R"(<tuple id=""><status/></tuple>)")).code, error_code::missing_id);
  const error e = parse_error(wrap(R"(<tuple id="t1"><contact>sip:a@b</contact></tuple>)"));
  EXPECT_EQ(e.code, error_code::missing_status);
  EXPECT_NE(e.message.find("t1"), std::string::npos) << e.message;
}

TEST(PidfParser, DuplicateSingletonElements) {
  const char* inner[] = {
      R"(<tuple id="t"><status/><status/></tuple>)",
      R"(<tuple id="t"><status><basic>open</basic><basic>open</basic></status></tuple>)",
      R"(<tuple id="t"><status/><contact>a</contact><contact>b</contact></tuple>)",
      R"(<tuple id="t"><status/><timestamp>2001-10-27T16:49:29Z</timestamp><timestamp>2001-10-27T16:49:29Z</timestamp></tuple>)",
      R"(<tuple id="t" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"><status><r:activities><r:busy/></r:activities></status><r:activities><r:away/></r:activities></tuple>)",
      R"(<tuple id="t" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"><status/><r:user-input>idle</r:user-input><r:user-input>idle</r:user-input></tuple>)",
      R"(<d:person id="p" xmlns:d="urn:ietf:params:xml:ns:pidf:data-model"><d:timestamp>2001-10-27T16:49:29Z</d:timestamp><d:timestamp>2001-10-27T16:49:29Z</d:timestamp></d:person>)",
      R"(<d:device id="p" xmlns:d="urn:ietf:params:xml:ns:pidf:data-model"><d:deviceID>a</d:deviceID><d:deviceID>b</d:deviceID></d:device>)",
  };
  for (const char* i : inner)
    EXPECT_EQ(parse_error(wrap(i)).code, error_code::duplicate_element) << i;
}

TEST(PidfParser, InvalidValues) {
  const char* inner[] = {
      R"(<tuple id="t"><status><basic>available</basic></status></tuple>)",
      R"(<tuple id="t"><status><basic>OPEN</basic></status></tuple>)",
      R"(<tuple id="t"><status><basic/></status></tuple>)",
      R"(<tuple id="t"><status/><contact priority="1.5">sip:a@b</contact></tuple>)",
      R"(<tuple id="t"><status/><contact priority="-0.1">sip:a@b</contact></tuple>)",
      R"(<tuple id="t"><status/><contact priority="0.1234">sip:a@b</contact></tuple>)",
      R"(<tuple id="t"><status/><contact priority="high">sip:a@b</contact></tuple>)",
      R"(<tuple id="t"><status/><contact priority="">sip:a@b</contact></tuple>)",
      R"(<tuple id="t"><status/><contact priority=".">sip:a@b</contact></tuple>)",
      R"(<tuple id="t"><status/><contact> </contact></tuple>)",
      R"(<tuple id="t"><status/><timestamp>yesterday</timestamp></tuple>)",
      R"(<tuple id="t"><status/><timestamp>2001-13-27T16:49:29Z</timestamp></tuple>)",
      R"(<tuple id="t"><status/><timestamp>2001-10-27 16:49:29Z</timestamp></tuple>)",
      R"(<tuple id="t" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"><status/><r:user-input>asleep</r:user-input></tuple>)",
      R"(<tuple id="t" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"><status/><r:user-input idle-threshold="0">idle</r:user-input></tuple>)",
      R"(<tuple id="t" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"><status/><r:user-input idle-threshold="99999999999">idle</r:user-input></tuple>)",
      R"(<tuple id="t" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"><status/><r:user-input last-input="now">idle</r:user-input></tuple>)",
      R"(<note>bell &#7;</note>)",
      R"(<note>surrogate &#xD800;</note>)",
  };
  for (const char* i : inner) {
    const error e = parse_error(wrap(i));
    EXPECT_TRUE(e.code == error_code::invalid_value || e.code == error_code::invalid_utf8)
        << i << " -> " << to_string(e.code);
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(PidfParser, MalformedXml) {
  const char* bodies[] = {
      "",
      "   ",
      "not xml",
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">)",
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"></presense>)",
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>)",
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b" entity="sip:c@d"/>)",
  };
  for (const char* b : bodies) {
    const error e = parse_error(b);
    EXPECT_EQ(e.code, error_code::malformed_xml) << b << " -> " << e.message;
  }
}

TEST(PidfParser, DoctypeAndEntityDeclarationsAreRefused) {
  const char* bomb = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><note>&lol3;</note></presence>)";
  EXPECT_EQ(parse_error(bomb).code, error_code::doctype_forbidden);
  EXPECT_EQ(
      parse_error(
          R"(<!DOCTYPE presence SYSTEM "file:///etc/passwd"><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>)")
          .code,
      error_code::doctype_forbidden);
}

TEST(PidfParser, OnlyUtf8IsAccepted) {
  EXPECT_EQ(parse_error("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"
                        "<note>caf\xE9</note></presence>")
                .code,
            error_code::invalid_utf8);
  EXPECT_EQ(parse_error(std::string("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
                                    "entity=\"sip:a@b\">\0</presence>",
                                    70))
                .code,
            error_code::invalid_utf8);
  EXPECT_EQ(
      parse_error(
          R"(<?xml version="1.0" encoding="ISO-8859-1"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>)")
          .code,
      error_code::unsupported_encoding);
  // UTF-16 with a byte order mark is not UTF-8 either.
  EXPECT_EQ(parse_error(std::string("\xFF\xFE<\0p\0/\0>\0", 10)).code, error_code::invalid_utf8);
}

// --- limits -------------------------------------------------------------------------------------

TEST(PidfParser, LimitsAreEnforced) {
  limits lim;
  lim.max_bytes = 100;
  const std::string big = wrap(std::string(200, ' '));
  const error e = parse_error(big, lim);
  EXPECT_EQ(e.code, error_code::too_large);
  EXPECT_EQ(e.sip_status(), 413);
  lim.max_bytes = big.size();
  EXPECT_TRUE(parse(big, lim).ok());

  lim = {};
  lim.max_tuples = 2;
  const std::string two = wrap(R"(<tuple id="a"><status/></tuple><tuple id="b"><status/></tuple>)");
  EXPECT_TRUE(parse(two, lim).ok());
  EXPECT_EQ(
      parse_error(
          wrap(
              R"(<tuple id="a"><status/></tuple><tuple id="b"><status/></tuple><tuple id="c"><status/></tuple>)"),
          lim)
          .code,
      error_code::too_many_tuples);

  lim = {};
  lim.max_notes = 3;  // counted over presence, tuple, person notes and rpid:other together
  const std::string three =
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b"><tuple id="a"><status/><note>1</note></tuple><note>2</note><dm:person id="p"><r:activities><r:other>3</r:other></r:activities>)";
  EXPECT_TRUE(parse(three + "</dm:person></presence>", lim).ok());
  EXPECT_EQ(parse_error(three + "<dm:note>4</dm:note></dm:person></presence>", lim).code,
            error_code::too_many_notes);

  lim = {};
  lim.max_persons = 1;
  lim.max_devices = 1;
  const std::string dm =
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:a@b">)";
  EXPECT_TRUE(parse(dm + R"(<dm:person id="p"/><dm:device id="d"/></presence>)", lim).ok());
  EXPECT_EQ(parse_error(dm + R"(<dm:person id="p"/><dm:person id="q"/></presence>)", lim).code,
            error_code::too_many_elements);
  EXPECT_EQ(parse_error(dm + R"(<dm:device id="p"/><dm:device id="q"/></presence>)", lim).code,
            error_code::too_many_elements);
}

}  // namespace
}  // namespace fedgate::pidf
