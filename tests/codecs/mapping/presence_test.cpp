// RFC 7248 presence mapping: every table row, XMPP stanzas both ways (Prosody-style wire forms,
// the inter-actor form without xmlns), PIDF both ways with real-world-style bodies (Kamailio,
// Asterisk, Lync), round trips, and the Subscription-State header (RFC 6665).
#include "codecs/mapping/presence.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/pidf/parser.hpp"
#include "codecs/pidf/serializer.hpp"

namespace fedgate::mapping {
namespace {

using pidf::activity;

result<xmpp_presence> read_stanza(const std::string& xml) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
  return presence_from_xmpp(doc.document_element());
}

xmpp_presence read_ok(const std::string& xml) {
  auto r = read_stanza(xml);
  EXPECT_TRUE(r) << xml << ": " << (r ? "" : r.err().reason);
  return r ? r.value() : xmpp_presence{};
}

pidf::document parse_pidf(std::string_view body) {
  auto r = pidf::parse(body);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? r.value() : pidf::document{};
}

// A document with one open tuple and one person doing `acts`.
pidf::document doc_with(std::initializer_list<activity> acts, bool open = true) {
  pidf::document d;
  d.entity = "sip:alice@sip.example.com";
  pidf::tuple t;
  t.id = "t1";
  t.basic = open ? pidf::basic_status::open : pidf::basic_status::closed;
  d.tuples.push_back(t);
  pidf::person p;
  p.id = "p1";
  for (activity a : acts)
    p.activities.values.insert(a);
  d.persons.push_back(p);
  return d;
}

// ---- names --------------------------------------------------------------------------------------

TEST(presence_names, show_values) {
  EXPECT_EQ(to_string(show::none), "");
  EXPECT_EQ(to_string(show::chat), "chat");
  EXPECT_EQ(to_string(show::away), "away");
  EXPECT_EQ(to_string(show::xa), "xa");
  EXPECT_EQ(to_string(show::dnd), "dnd");
  EXPECT_EQ(show_from("chat"), show::chat);
  EXPECT_EQ(show_from("away"), show::away);
  EXPECT_EQ(show_from("xa"), show::xa);
  EXPECT_EQ(show_from("dnd"), show::dnd);
  EXPECT_EQ(show_from(""), std::nullopt);
  EXPECT_EQ(show_from("Away"), std::nullopt);
  EXPECT_EQ(show_from("busy"), std::nullopt);
  EXPECT_EQ(show_from("online"), std::nullopt);
}

TEST(presence_names, presence_types) {
  EXPECT_EQ(presence_type_from(""), presence_type::available);
  EXPECT_EQ(presence_type_from("unavailable"), presence_type::unavailable);
  EXPECT_EQ(presence_type_from("subscribe"), presence_type::subscribe);
  EXPECT_EQ(presence_type_from("subscribed"), presence_type::subscribed);
  EXPECT_EQ(presence_type_from("unsubscribe"), presence_type::unsubscribe);
  EXPECT_EQ(presence_type_from("unsubscribed"), presence_type::unsubscribed);
  EXPECT_EQ(presence_type_from("probe"), presence_type::probe);
  EXPECT_EQ(presence_type_from("error"), presence_type::error);
  EXPECT_EQ(presence_type_from("available"), std::nullopt);  // not a type value in RFC 6121
  EXPECT_EQ(presence_type_from("Subscribe"), std::nullopt);
  EXPECT_EQ(presence_type_from("invisible"), std::nullopt);
  EXPECT_EQ(to_string(presence_type::available), "");
  EXPECT_EQ(to_string(presence_type::unsubscribed), "unsubscribed");
}

// ---- the activity table, row by row -------------------------------------------------------------

TEST(presence_tables, activity_rows_are_the_table) {
  struct expected {
    activity a;
    show s;
  };
  const expected table[] = {
      {activity::appointment, show::dnd}, {activity::away, show::away},
      {activity::breakfast, show::away},  {activity::busy, show::dnd},
      {activity::dinner, show::away},     {activity::holiday, show::xa},
      {activity::in_transit, show::away}, {activity::looking_for_work, show::none},
      {activity::lunch, show::away},      {activity::meal, show::away},
      {activity::meeting, show::dnd},     {activity::on_the_phone, show::dnd},
      {activity::performance, show::dnd}, {activity::permanent_absence, show::xa},
      {activity::playing, show::away},    {activity::presentation, show::dnd},
      {activity::shopping, show::away},   {activity::sleeping, show::xa},
      {activity::spectator, show::away},  {activity::steering, show::dnd},
      {activity::travel, show::away},     {activity::tv, show::away},
      {activity::unknown, show::none},    {activity::vacation, show::xa},
      {activity::working, show::none},    {activity::worship, show::dnd},
  };
  static_assert(sizeof(table) / sizeof(table[0]) == pidf::activity_count);
  const activity_row* rows = activity_rows();
  for (std::size_t i = 0; i < pidf::activity_count; ++i) {
    SCOPED_TRACE(std::string(pidf::to_string(table[i].a)));
    EXPECT_EQ(rows[i].activity, table[i].a) << "rows in pidf::activity order";
    EXPECT_EQ(static_cast<std::size_t>(rows[i].activity), i);
    EXPECT_EQ(rows[i].show_value, table[i].s);
    EXPECT_FALSE(rows[i].basis.empty());
    // And the mapping function does what the row says.
    xmpp_presence p = presence_from_pidf(doc_with({table[i].a}));
    EXPECT_TRUE(p.available);
    EXPECT_EQ(p.show_value, table[i].s);
  }
  // The rows the RFC (as recalled) gives, as opposed to ours.
  EXPECT_EQ(rows[static_cast<int>(activity::away)].basis, "RFC 7248 [R]");
  EXPECT_EQ(rows[static_cast<int>(activity::busy)].basis, "RFC 7248 [R]");
}

TEST(presence_tables, show_rows_are_the_table) {
  const show_row* rows = show_rows();
  ASSERT_EQ(show_count, 5u);
  EXPECT_EQ(rows[0].show_value, show::none);
  EXPECT_EQ(rows[0].activity, std::nullopt);
  EXPECT_EQ(rows[1].show_value, show::chat);
  EXPECT_EQ(rows[1].activity, std::nullopt);
  EXPECT_EQ(rows[2].show_value, show::away);
  EXPECT_EQ(rows[2].activity, activity::away);
  EXPECT_EQ(rows[3].show_value, show::xa);
  EXPECT_EQ(rows[3].activity, activity::away);
  EXPECT_EQ(rows[4].show_value, show::dnd);
  EXPECT_EQ(rows[4].activity, activity::busy);
  for (std::size_t i = 0; i < show_count; ++i) {
    SCOPED_TRACE(std::string(to_string(rows[i].show_value)));
    xmpp_presence p;
    p.show_value = rows[i].show_value;
    pidf::document d = presence_to_pidf(p, "sip:bob@xmpp.example.com");
    ASSERT_EQ(d.tuples.size(), 1u);
    EXPECT_EQ(d.tuples[0].basic, pidf::basic_status::open);
    if (rows[i].activity) {
      ASSERT_EQ(d.persons.size(), 1u);
      EXPECT_EQ(d.persons[0].activities.values.size(), 1u);
      EXPECT_TRUE(d.persons[0].activities.values.contains(*rows[i].activity));
    } else {
      EXPECT_TRUE(d.persons.empty());
    }
  }
}

TEST(presence_tables, strongest_show_wins) {
  EXPECT_GT(show_strength(show::dnd), show_strength(show::xa));
  EXPECT_GT(show_strength(show::xa), show_strength(show::away));
  EXPECT_GT(show_strength(show::away), show_strength(show::none));
  EXPECT_EQ(show_strength(show::chat), show_strength(show::none));
  EXPECT_EQ(presence_from_pidf(doc_with({activity::away, activity::busy})).show_value, show::dnd);
  EXPECT_EQ(presence_from_pidf(doc_with({activity::away, activity::vacation})).show_value,
            show::xa);
  EXPECT_EQ(presence_from_pidf(doc_with({activity::working, activity::lunch})).show_value,
            show::away);
  EXPECT_EQ(presence_from_pidf(doc_with({activity::vacation, activity::on_the_phone})).show_value,
            show::dnd);
  EXPECT_EQ(presence_from_pidf(doc_with({activity::working, activity::unknown})).show_value,
            show::none);
}

// ---- PIDF -> XMPP -------------------------------------------------------------------------------

TEST(presence_from_pidf, availability_from_basic) {
  EXPECT_TRUE(presence_from_pidf(doc_with({})).available);
  EXPECT_EQ(presence_from_pidf(doc_with({})).show_value, show::none);
  EXPECT_FALSE(presence_from_pidf(doc_with({}, false)).available);

  // Closed: show is dropped even with an activity.
  xmpp_presence closed_busy = presence_from_pidf(doc_with({activity::busy}, false));
  EXPECT_FALSE(closed_busy.available);
  EXPECT_EQ(closed_busy.show_value, show::none);

  // One open tuple among closed ones: available.
  pidf::document d = doc_with({}, false);
  pidf::tuple open;
  open.id = "t2";
  open.basic = pidf::basic_status::open;
  d.tuples.push_back(open);
  EXPECT_TRUE(presence_from_pidf(d).available);

  // A tuple without <basic>, and no tuple at all: unavailable.
  pidf::document no_basic;
  no_basic.entity = "sip:a@b";
  no_basic.tuples.push_back(pidf::tuple{});
  no_basic.tuples[0].id = "x";
  EXPECT_FALSE(presence_from_pidf(no_basic).available);
  pidf::document empty;
  empty.entity = "sip:a@b";
  EXPECT_FALSE(presence_from_pidf(empty).available);
  EXPECT_EQ(presence_from_pidf(empty).priority, 0);
}

TEST(presence_from_pidf, activities_on_a_tuple_count_too) {
  pidf::document d = doc_with({});
  d.tuples[0].activities.values.insert(activity::busy);  // pre-RFC 4479 placement
  EXPECT_EQ(presence_from_pidf(d).show_value, show::dnd);
}

TEST(presence_from_pidf, notes_become_statuses_person_tuple_document_first_per_language) {
  pidf::document d = doc_with({});
  d.notes = {{"Document note", ""}, {"Note du document", "fr"}};
  d.tuples[0].notes = {{"Tuple note", ""}, {"Tuple-Notiz", "de"}};
  d.persons[0].notes = {{"Personen-Notiz", "de"}};
  xmpp_presence p = presence_from_pidf(d);
  const std::vector<localized_text> expected = {
      {"de", "Personen-Notiz"}, {"", "Tuple note"}, {"fr", "Note du document"}};
  EXPECT_EQ(p.statuses, expected);
}

TEST(presence_from_pidf, rpid_other_stands_in_only_without_notes) {
  pidf::document d = doc_with({activity::away});
  d.persons[0].activities.other = {{"Be Right Back", "en"}};
  xmpp_presence p = presence_from_pidf(d);
  const std::vector<localized_text> only_other = {{"en", "Be Right Back"}};
  EXPECT_EQ(p.statuses, only_other);
  d.tuples[0].notes = {{"Back soon", "en"}};
  const std::vector<localized_text> note_wins = {{"en", "Back soon"}};
  EXPECT_EQ(presence_from_pidf(d).statuses, note_wins);
}

// Kamailio pua_xmpp / presence_xml style: libxml2 output, dm:person with rpid:activities/away,
// generated ids, CIPID namespace declared and unused.
TEST(presence_from_pidf, kamailio_person_away) {
  auto d = parse_pidf(
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      "\n"
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" )"
      R"(xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:c="urn:ietf:params:xml:ns:pidf:cipid" )"
      R"(entity="sip:carol@sip.example.com"><tuple xmlns="urn:ietf:params:xml:ns:pidf" )"
      R"(id="0x7f3a2c0e1b40"><status><basic>open</basic></status></tuple>)"
      R"(<dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" id="pdd748945">)"
      R"(<rpid:activities><rpid:away/></rpid:activities><dm:note>Gone fishing</dm:note>)"
      R"(</dm:person></presence>)");
  xmpp_presence p = presence_from_pidf(d);
  EXPECT_TRUE(p.available);
  EXPECT_EQ(p.show_value, show::away);
  const std::vector<localized_text> statuses = {{"", "Gone fishing"}};
  EXPECT_EQ(p.statuses, statuses);
  EXPECT_EQ(p.priority, 0);
  EXPECT_EQ(presence_to_xmpp(p, "carol@xmpp.example.com", "dave@jabber.example"),
            "<presence from='carol@xmpp.example.com' to='dave@jabber.example'><show>away</show>"
            "<status>Gone fishing</status></presence>");
}

// Kamailio presence_xml aggregating two PUBLISHes: an eyeBeam tuple with the old rpid-status
// namespace (skipped), a phone tuple, a person with busy + on-the-phone and a German note.
TEST(presence_from_pidf, kamailio_aggregated_busy_on_the_phone) {
  auto d = parse_pidf(R"(<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@sip.example.com">
  <tuple id="a1f3">
    <status>
      <basic>open</basic>
      <ep:activities xmlns:ep="urn:ietf:params:xml:ns:pidf:status:rpid-status">
        <ep:activity>busy</ep:activity>
      </ep:activities>
    </status>
    <contact priority="0.500">sip:alice@192.0.2.20:5062;transport=tcp</contact>
    <note>Busy</note>
  </tuple>
  <tuple id="t5cb0">
    <status><basic>closed</basic></status>
    <pdm:deviceID xmlns:pdm="urn:ietf:params:xml:ns:pidf:data-model">mac:0013d3123456</pdm:deviceID>
  </tuple>
  <pdm:person xmlns:pdm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" id="p2d1">
    <r:activities><r:busy/><r:on-the-phone/></r:activities>
    <r:user-input idle-threshold="300">active</r:user-input>
    <pdm:note xml:lang="de">Im Gespr&#xE4;ch</pdm:note>
  </pdm:person>
</presence>)");
  xmpp_presence p = presence_from_pidf(d);
  EXPECT_TRUE(p.available);
  EXPECT_EQ(p.show_value, show::dnd);
  const std::vector<localized_text> statuses = {{"de", "Im Gespräch"}, {"", "Busy"}};
  EXPECT_EQ(p.statuses, statuses);
  EXPECT_EQ(p.priority, 0) << "contact priority is not mapped";
}

// Asterisk res_pjsip_pidf_body_generator: presence-level note, person without id.
TEST(presence_from_pidf, asterisk_on_the_phone_and_unavailable) {
  auto in_use = parse_pidf(R"(<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>On the phone</note>
 <tuple id="1001">
  <status>
   <basic>open</basic>
  </status>
  <contact priority="1">sip:1001@192.0.2.10:5060</contact>
 </tuple>
 <dm:person>
  <rpid:activities>
   <rpid:on-the-phone />
  </rpid:activities>
 </dm:person>
</presence>)");
  xmpp_presence p = presence_from_pidf(in_use);
  EXPECT_TRUE(p.available);
  EXPECT_EQ(p.show_value, show::dnd);
  const std::vector<localized_text> on_phone = {{"", "On the phone"}};
  EXPECT_EQ(p.statuses, on_phone);

  auto gone = parse_pidf(R"(<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1002@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Unavailable</note>
 <tuple id="1002">
  <status>
   <basic>closed</basic>
  </status>
  <contact priority="1">sip:1002@192.0.2.10:5060</contact>
 </tuple>
 <dm:person />
</presence>)");
  xmpp_presence q = presence_from_pidf(gone);
  EXPECT_FALSE(q.available);
  EXPECT_EQ(q.show_value, show::none);
  const std::vector<localized_text> unavailable = {{"", "Unavailable"}};
  EXPECT_EQ(q.statuses, unavailable);
  EXPECT_EQ(presence_to_xmpp(q, "1002@xmpp.example.com", "eve@jabber.example", "p1"),
            "<presence from='1002@xmpp.example.com' to='eve@jabber.example' id='p1' "
            "type='unavailable'><status>Unavailable</status></presence>");
}

// Lync / Skype for Business style (synthesised, not a capture): Microsoft extension elements, the
// old ep: status namespace, xml:lang on the root inherited by the tuple note, rpid:away with an
// rpid:other "Be Right Back", idle user-input, a German person note.
TEST(presence_from_pidf, lync_style_be_right_back) {
  auto d = parse_pidf(
      R"(<?xml version="1.0" encoding="utf-8"?>)"
      R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:ep="urn:ietf:params:xml:ns:pidf:status:rpid-status" )"
      R"(xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" )"
      R"(xmlns:msft="http://schemas.microsoft.com/2002/09/sip/presence" entity="sip:bob@contoso.com" xml:lang="en-US">)"
      R"(<tuple id="0x1f4"><status><basic>open</basic><ep:activities><ep:activity>away</ep:activity></ep:activities></status>)"
      R"(<msft:availability aggregate="15500" description="Be Right Back"/>)"
      R"(<contact priority="0.9">sip:bob@contoso.com</contact><note>Be Right Back</note></tuple>)"
      R"(<dm:person id="p0x1f4"><rpid:activities><rpid:away/><rpid:other>Be Right Back</rpid:other></rpid:activities>)"
      R"(<msft:calendarData freeBusy="Busy"/>)"
      R"(<rpid:user-input idle-threshold="300" last-input="2013-04-08T09:12:33Z">idle</rpid:user-input>)"
      R"(<dm:note xml:lang="de-DE">Bin gleich zur&#252;ck</dm:note></dm:person></presence>)");
  xmpp_presence p = presence_from_pidf(d);
  EXPECT_TRUE(p.available);
  EXPECT_EQ(p.show_value, show::away);
  const std::vector<localized_text> statuses = {{"de-DE", "Bin gleich zurück"},
                                                {"en-US", "Be Right Back"}};
  EXPECT_EQ(p.statuses, statuses);
}

// ---- XMPP -> PIDF -------------------------------------------------------------------------------

TEST(presence_to_pidf, available_dnd_with_statuses) {
  xmpp_presence p;
  p.show_value = show::dnd;
  p.statuses = {{"en", "In a meeting"}, {"de", "In einer Besprechung"}};
  p.priority = 5;
  pidf::document d = presence_to_pidf(p, "sip:bob@xmpp.example.com");
  EXPECT_EQ(d.entity, "sip:bob@xmpp.example.com");
  ASSERT_EQ(d.tuples.size(), 1u);
  EXPECT_EQ(d.tuples[0].basic, pidf::basic_status::open);
  ASSERT_EQ(d.tuples[0].notes.size(), 2u);
  EXPECT_EQ(d.tuples[0].notes[0].text, "In a meeting");
  EXPECT_EQ(d.tuples[0].notes[0].lang, "en");
  EXPECT_EQ(d.tuples[0].notes[1].text, "In einer Besprechung");
  EXPECT_EQ(d.tuples[0].notes[1].lang, "de");
  EXPECT_FALSE(d.tuples[0].contact.has_value()) << "priority is not mapped";
  ASSERT_EQ(d.persons.size(), 1u);
  EXPECT_TRUE(d.persons[0].activities.values.contains(activity::busy));
  EXPECT_TRUE(d.notes.empty());
  EXPECT_TRUE(d.devices.empty());

  EXPECT_FALSE(pidf::validate(d).has_value());
  auto body = pidf::serialize(d);
  ASSERT_TRUE(body) << body.error().message;
  const std::string& xml = body.value();
  EXPECT_NE(xml.find("<basic>open</basic>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<rpid:busy/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("xml:lang=\"de\">In einer Besprechung</note>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("entity=\"sip:bob@xmpp.example.com\""), std::string::npos) << xml;
}

TEST(presence_to_pidf, unavailable_is_closed_without_person) {
  xmpp_presence p;
  p.available = false;
  p.show_value = show::away;  // ignored when unavailable
  p.statuses = {{"", "Gone home"}};
  pidf::document d = presence_to_pidf(p, "sip:bob@xmpp.example.com");
  ASSERT_EQ(d.tuples.size(), 1u);
  EXPECT_EQ(d.tuples[0].basic, pidf::basic_status::closed);
  ASSERT_EQ(d.tuples[0].notes.size(), 1u);
  EXPECT_EQ(d.tuples[0].notes[0].text, "Gone home");
  EXPECT_TRUE(d.persons.empty());
  auto body = pidf::serialize(d);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_NE(body.value().find("<basic>closed</basic>"), std::string::npos);
  EXPECT_EQ(body.value().find("rpid"), std::string::npos) << "no RPID namespace when unused";
}

TEST(presence_to_pidf, ids_are_stable_and_per_entity) {
  xmpp_presence p;
  p.show_value = show::away;
  pidf::document a1 = presence_to_pidf(p, "sip:bob@xmpp.example.com");
  pidf::document a2 = presence_to_pidf(p, "sip:bob@xmpp.example.com");
  pidf::document b = presence_to_pidf(p, "sip:carol@xmpp.example.com");
  EXPECT_EQ(a1, a2);
  ASSERT_TRUE(pidf::serialize(a1));
  EXPECT_EQ(pidf::serialize(a1).value(), pidf::serialize(a2).value());
  EXPECT_NE(a1.tuples[0].id, b.tuples[0].id);
  EXPECT_NE(a1.persons[0].id, b.persons[0].id);
  EXPECT_EQ(a1.tuples[0].id.size(), 17u);
  EXPECT_EQ(a1.tuples[0].id[0], 't');
  EXPECT_EQ(a1.persons[0].id[0], 'p');
  EXPECT_EQ(a1.tuples[0].id.substr(1), a1.persons[0].id.substr(1));
  // The same id whatever the state: a watcher sees one tuple change, not a new one appear.
  xmpp_presence off;
  off.available = false;
  EXPECT_EQ(presence_to_pidf(off, "sip:bob@xmpp.example.com").tuples[0].id, a1.tuples[0].id);
}

TEST(presence_to_pidf, invalid_status_text_is_left_out) {
  xmpp_presence p;
  p.statuses = {{"en", std::string("bad\x01text")}, {"de", "gut"}};
  pidf::document d = presence_to_pidf(p, "sip:bob@xmpp.example.com");
  ASSERT_EQ(d.tuples[0].notes.size(), 1u);
  EXPECT_EQ(d.tuples[0].notes[0].text, "gut");
  EXPECT_FALSE(pidf::validate(d).has_value());
}

// ---- round trips --------------------------------------------------------------------------------

TEST(presence_round_trip, xmpp_pidf_xmpp_every_show_value) {
  struct row {
    show in;
    show out;  // xa has no RPID value of its own and chat none at all: both are lossy
  };
  const row rows[] = {{show::none, show::none},
                      {show::chat, show::none},
                      {show::away, show::away},
                      {show::xa, show::away},
                      {show::dnd, show::dnd}};
  for (const row& r : rows) {
    SCOPED_TRACE(std::string(to_string(r.in)));
    xmpp_presence in;
    in.show_value = r.in;
    in.statuses = {{"en", "Out & about <3"}, {"fr", "Dehors"}, {"ja", "外出中"}};
    in.priority = -3;

    // Through the typed document, and through the wire text.
    xmpp_presence direct = presence_from_pidf(presence_to_pidf(in, "sip:bob@xmpp.example.com"));
    auto body = pidf::serialize(presence_to_pidf(in, "sip:bob@xmpp.example.com"));
    ASSERT_TRUE(body) << body.error().message;
    xmpp_presence wire = presence_from_pidf(parse_pidf(body.value()));

    xmpp_presence expected = in;
    expected.show_value = r.out;
    expected.priority = 0;
    EXPECT_EQ(direct, expected);
    EXPECT_EQ(wire, expected);
  }
}

TEST(presence_round_trip, unavailable_with_statuses) {
  xmpp_presence in;
  in.available = false;
  in.statuses = {{"", "Back Monday"}, {"de", "Montag zurück"}};
  auto body = pidf::serialize(presence_to_pidf(in, "sip:bob@xmpp.example.com"));
  ASSERT_TRUE(body);
  EXPECT_EQ(presence_from_pidf(parse_pidf(body.value())), in);
}

TEST(presence_round_trip, xmpp_text_xmpp) {
  xmpp_presence in;
  in.show_value = show::xa;
  in.statuses = {{"en", "It's <late> & dark"}, {"de", "Spät"}};
  in.priority = -128;
  std::string xml = presence_to_xmpp(in, "a@x.example/r", "b@y.example", "id'1");
  EXPECT_EQ(read_ok(xml), in) << xml;
  in.priority = 127;
  in.show_value = show::chat;
  EXPECT_EQ(read_ok(presence_to_xmpp(in, "a@x.example", "b@y.example")), in);
}

// ---- XMPP stanzas -------------------------------------------------------------------------------

TEST(presence_from_xmpp, prosody_style_available) {
  xmpp_presence p = read_ok(
      "<presence xmlns='jabber:server' from='juliet@capulet.example/balcony' "
      "to='romeo@montague.example' id='pres1' xml:lang='en'>"
      "<show>dnd</show><status>Meeting</status><status xml:lang='cs'>Porada</status>"
      "<priority>10</priority>"
      "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://gajim.org' "
      "ver='kvaniAENrRSjB7A+rnvLJhmhWrE='/>"
      "<idle xmlns='urn:xmpp:idle:1' since='2020-04-05T21:21:36Z'/></presence>");
  EXPECT_TRUE(p.available);
  EXPECT_EQ(p.show_value, show::dnd);
  const std::vector<localized_text> statuses = {{"en", "Meeting"}, {"cs", "Porada"}};
  EXPECT_EQ(p.statuses, statuses);
  EXPECT_EQ(p.priority, 10);
}

TEST(presence_from_xmpp, without_xmlns_and_jabber_client) {
  xmpp_presence p = read_ok("<presence from='a@x' to='b@y'><show>away</show></presence>");
  EXPECT_TRUE(p.available);
  EXPECT_EQ(p.show_value, show::away);
  EXPECT_TRUE(p.statuses.empty());
  EXPECT_EQ(p.priority, 0);
  EXPECT_EQ(read_ok("<presence xmlns='jabber:client'><show>xa</show></presence>").show_value,
            show::xa);
  EXPECT_EQ(read_ok("<presence/>"), xmpp_presence{});
  // Whitespace around the value is XML formatting, not a different value.
  EXPECT_EQ(read_ok("<presence><show>\n  chat\n</show></presence>").show_value, show::chat);
}

TEST(presence_from_xmpp, unavailable) {
  xmpp_presence p = read_ok(
      "<presence type='unavailable' from='a@x/r' to='b@y'><show>away</show>"
      "<status>Logged out</status></presence>");
  EXPECT_FALSE(p.available);
  EXPECT_EQ(p.show_value, show::none) << "show is not kept for unavailable";
  const std::vector<localized_text> statuses = {{"", "Logged out"}};
  EXPECT_EQ(p.statuses, statuses);
}

TEST(presence_from_xmpp, status_languages) {
  // Inherited from the stanza; second status in the same language dropped.
  xmpp_presence p = read_ok(
      "<presence xml:lang='fr'><status>Absent</status><status xml:lang='en'>Away</status>"
      "<status>Encore</status><status xml:lang='en'>Again</status></presence>");
  const std::vector<localized_text> statuses = {{"fr", "Absent"}, {"en", "Away"}};
  EXPECT_EQ(p.statuses, statuses);
  // Elements in another namespace are not statuses.
  EXPECT_TRUE(read_ok("<presence><status xmlns='urn:example:other'>x</status></presence>")
                  .statuses.empty());
}

TEST(presence_from_xmpp, priority_range) {
  EXPECT_EQ(read_ok("<presence><priority>-128</priority></presence>").priority, -128);
  EXPECT_EQ(read_ok("<presence><priority>127</priority></presence>").priority, 127);
  EXPECT_EQ(read_ok("<presence><priority>+5</priority></presence>").priority, 5);
  EXPECT_EQ(read_ok("<presence><priority> 0 </priority></presence>").priority, 0);
  EXPECT_EQ(read_ok("<presence><priority>007</priority></presence>").priority, 7);
}

TEST(presence_from_xmpp, malformed_is_bad_request) {
  const char* bad[] = {
      "<presence><show>Away</show></presence>",
      "<presence><show>busy</show></presence>",
      "<presence><show/></presence>",
      "<presence><show>away</show><show>dnd</show></presence>",
      "<presence type='unavailable'><show>gone</show></presence>",
      "<presence><priority>abc</priority></presence>",
      "<presence><priority>128</priority></presence>",
      "<presence><priority>-129</priority></presence>",
      "<presence><priority>1.5</priority></presence>",
      "<presence><priority/></presence>",
      "<presence><priority>-</priority></presence>",
      "<presence><priority>99999999999</priority></presence>",
      "<presence><priority>1</priority><priority>2</priority></presence>",
      "<presence type='subscribe'/>",
      "<presence type='probe'/>",
      "<presence type='error'/>",
      "<presence type='bogus'/>",
      "<message><body>hi</body></message>",
      "<presence xmlns='urn:example:not-xmpp'/>",
  };
  for (const char* xml : bad) {
    SCOPED_TRACE(xml);
    auto r = read_stanza(xml);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().condition, stanza_condition::bad_request);
    EXPECT_EQ(r.err().status, 400);
    EXPECT_FALSE(r.err().reason.empty());
  }
}

TEST(presence_to_xmpp, exact_forms) {
  EXPECT_EQ(presence_to_xmpp({}, "a@x.example", "b@y.example"),
            "<presence from='a@x.example' to='b@y.example'/>");
  xmpp_presence off;
  off.available = false;
  off.show_value = show::dnd;  // not written for unavailable
  EXPECT_EQ(presence_to_xmpp(off, "a@x.example", "b@y.example", "u1"),
            "<presence from='a@x.example' to='b@y.example' id='u1' type='unavailable'/>");
  xmpp_presence full;
  full.show_value = show::chat;
  full.statuses = {{"", "Talk to me"}, {"de", "Sprich mit mir"}};
  full.priority = -1;
  EXPECT_EQ(presence_to_xmpp(full, "a@x.example/r", "b@y.example"),
            "<presence from='a@x.example/r' to='b@y.example'><show>chat</show>"
            "<status>Talk to me</status><status xml:lang='de'>Sprich mit mir</status>"
            "<priority>-1</priority></presence>");
}

TEST(presence_to_xmpp, escapes_and_drops_invalid_text) {
  xmpp_presence p;
  p.statuses = {{"en", "<b>Tom & Jerry's</b>"}, {"fr", std::string("bad\x02")}};
  std::string xml = presence_to_xmpp(p, "a@x.example", "b@y.example", "it's");
  EXPECT_EQ(xml,
            "<presence from='a@x.example' to='b@y.example' id='it&apos;s'>"
            "<status xml:lang='en'>&lt;b&gt;Tom &amp; Jerry's&lt;/b&gt;</status></presence>");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  EXPECT_STREQ(doc.document_element().attribute("id").value(), "it's");
}

TEST(presence_stanza_xml, every_type) {
  struct row {
    presence_type t;
    const char* xml;
  };
  const row rows[] = {
      {presence_type::available, "<presence from='a@x' to='b@y'/>"},
      {presence_type::unavailable, "<presence from='a@x' to='b@y' type='unavailable'/>"},
      {presence_type::subscribe, "<presence from='a@x' to='b@y' type='subscribe'/>"},
      {presence_type::subscribed, "<presence from='a@x' to='b@y' type='subscribed'/>"},
      {presence_type::unsubscribe, "<presence from='a@x' to='b@y' type='unsubscribe'/>"},
      {presence_type::unsubscribed, "<presence from='a@x' to='b@y' type='unsubscribed'/>"},
      {presence_type::probe, "<presence from='a@x' to='b@y' type='probe'/>"},
      {presence_type::error, "<presence from='a@x' to='b@y' type='error'/>"},
  };
  for (const row& r : rows) {
    EXPECT_EQ(presence_stanza_xml(r.t, "a@x", "b@y"), r.xml);
  }
  EXPECT_EQ(presence_stanza_xml(presence_type::subscribe, "a@x", "b@y", "s1"),
            "<presence from='a@x' to='b@y' id='s1' type='subscribe'/>");
}

// ---- Subscription-State -------------------------------------------------------------------------

subscription_state_value parse_ok(std::string_view v) {
  auto r = parse_subscription_state(v);
  EXPECT_TRUE(r) << v << ": " << (r ? "" : r.err().reason);
  return r ? r.value() : subscription_state_value{};
}

TEST(subscription_state, parses_states_and_parameters) {
  auto a = parse_ok("active;expires=600");
  EXPECT_EQ(a.state, subscription_state::active);
  EXPECT_EQ(a.expires, 600u);
  EXPECT_EQ(a.reason, "");
  EXPECT_EQ(a.retry_after, std::nullopt);

  auto p = parse_ok("pending");
  EXPECT_EQ(p.state, subscription_state::pending);
  EXPECT_EQ(p.expires, std::nullopt);

  auto t = parse_ok("terminated;reason=rejected");
  EXPECT_EQ(t.state, subscription_state::terminated);
  EXPECT_EQ(t.reason, "rejected");

  // Any order, whitespace around separators, case-insensitive names and values.
  auto g = parse_ok(" Terminated ; Retry-After = 30 ;REASON=GiveUp ");
  EXPECT_EQ(g.state, subscription_state::terminated);
  EXPECT_EQ(g.reason, "giveup");
  EXPECT_EQ(g.retry_after, 30u);
  EXPECT_EQ(g.expires, std::nullopt);
  auto o = parse_ok("active;expires=0;retry-after=5");
  EXPECT_EQ(o.expires, 0u);
  EXPECT_EQ(o.retry_after, 5u);
  EXPECT_EQ(parse_ok("terminated;retry-after=5;reason=probation"),
            parse_ok("terminated;reason=probation;retry-after=5"));
  // Extension reasons are kept (effect_of treats them as no reason).
  EXPECT_EQ(parse_ok("terminated;reason=moved-away").reason, "moved-away");
  // delta-seconds beyond 32 bits clamp.
  EXPECT_EQ(parse_ok("active;expires=99999999999").expires, 4294967295u);
}

TEST(subscription_state, unknown_parameters_ignored) {
  auto v = parse_ok("active;foo;bar=baz;expires=10;x=\"a;b=c\";Y=\"q\\\"uoted\"");
  EXPECT_EQ(v.state, subscription_state::active);
  EXPECT_EQ(v.expires, 10u);
  EXPECT_EQ(v.reason, "");
  EXPECT_EQ(v.retry_after, std::nullopt);
}

TEST(subscription_state, bad_values_are_errors) {
  const char* bad[] = {
      "",
      "   ",
      ";expires=5",
      "bogus",
      "activated",
      "active;expires=abc",
      "active;expires=",
      "active;expires",
      "active;expires=-1",
      "active;expires=1.5",
      "active;expires=1;expires=2",
      "terminated;reason=",
      "terminated;reason",
      "terminated;reason=not a token",
      "terminated;reason=\"rejected\"",
      "terminated;reason=rejected;reason=timeout",
      "terminated;retry-after=soon",
      "active;;expires=5",
      "active;x=\"unterminated",
  };
  for (const char* v : bad) {
    SCOPED_TRACE(v);
    auto r = parse_subscription_state(v);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().status, 400);
    EXPECT_EQ(r.err().condition, stanza_condition::bad_request);
  }
}

TEST(subscription_state, to_header_value_and_back) {
  EXPECT_EQ(to_header_value({subscription_state::active, 600u, "", std::nullopt}),
            "active;expires=600");
  EXPECT_EQ(to_header_value({subscription_state::pending, 3600u, "", std::nullopt}),
            "pending;expires=3600");
  EXPECT_EQ(to_header_value({subscription_state::terminated, std::nullopt, "rejected", {}}),
            "terminated;reason=rejected");
  EXPECT_EQ(to_header_value({subscription_state::terminated, std::nullopt, "giveup", 30u}),
            "terminated;reason=giveup;retry-after=30");
  EXPECT_EQ(to_header_value({subscription_state::terminated, {}, "", {}}), "terminated");
  for (const char* s : {"active;expires=600", "terminated;reason=noresource",
                        "terminated;reason=probation;retry-after=120", "pending"}) {
    EXPECT_EQ(to_header_value(parse_ok(s)), s);
  }
}

// ---- what a SIP subscription state means for XMPP, row by row -----------------------------------

TEST(subscription_effect, reason_rows_are_the_table) {
  struct expected {
    const char* reason;
    xmpp_subscription_effect effect;
    bool honours_retry_after;
  };
  using e = xmpp_subscription_effect;
  const expected table[] = {
      {"deactivated", e::resubscribe, false}, {"probation", e::resubscribe, true},
      {"rejected", e::unsubscribed, false},   {"timeout", e::resubscribe, false},
      {"giveup", e::resubscribe, true},       {"noresource", e::unsubscribed, false},
      {"invariant", e::none, false},          {"", e::resubscribe, true},
  };
  ASSERT_EQ(subscription_reason_row_count(), sizeof(table) / sizeof(table[0]));
  const subscription_reason_row* rows = subscription_reason_rows();
  for (std::size_t i = 0; i < subscription_reason_row_count(); ++i) {
    SCOPED_TRACE(table[i].reason);
    EXPECT_EQ(rows[i].reason, table[i].reason);
    EXPECT_EQ(rows[i].effect, table[i].effect);
    EXPECT_EQ(rows[i].honours_retry_after, table[i].honours_retry_after);
    EXPECT_FALSE(rows[i].basis.empty());
    subscription_state_value v{subscription_state::terminated, std::nullopt, table[i].reason, 45u};
    EXPECT_EQ(effect_of(v), table[i].effect);
    unsigned delay = table[i].effect == e::resubscribe && table[i].honours_retry_after ? 45u : 0u;
    EXPECT_EQ(resubscribe_delay(v), delay);
  }
}

TEST(subscription_effect, states_and_headers) {
  using e = xmpp_subscription_effect;
  const std::pair<const char*, e> rows[] = {
      {"active;expires=3600", e::subscribed},
      {"pending;expires=3600", e::none},
      {"terminated;reason=rejected", e::unsubscribed},
      {"terminated;reason=noresource", e::unsubscribed},
      {"terminated;reason=deactivated", e::resubscribe},
      {"terminated;reason=timeout", e::resubscribe},
      {"terminated;reason=probation;retry-after=60", e::resubscribe},
      {"terminated;reason=giveup;retry-after=60", e::resubscribe},
      {"terminated;reason=invariant", e::none},
      {"terminated", e::resubscribe},
      {"terminated;reason=some-extension", e::resubscribe},
  };
  for (const auto& [header, effect] : rows) {
    SCOPED_TRACE(header);
    EXPECT_EQ(effect_of(parse_ok(header)), effect);
  }
  EXPECT_EQ(resubscribe_delay(parse_ok("terminated;reason=giveup;retry-after=60")), 60u);
  EXPECT_EQ(resubscribe_delay(parse_ok("terminated;reason=giveup")), 0u);
  EXPECT_EQ(resubscribe_delay(parse_ok("terminated;reason=deactivated;retry-after=60")), 0u)
      << "retry-after has no semantics for deactivated";
  EXPECT_EQ(resubscribe_delay(parse_ok("terminated;retry-after=20")), 20u);
  EXPECT_EQ(resubscribe_delay(parse_ok("terminated;reason=rejected;retry-after=20")), 0u);
  EXPECT_EQ(resubscribe_delay(parse_ok("active;expires=60;retry-after=20")), 0u);
  EXPECT_EQ(to_string(e::subscribed), "subscribed");
  EXPECT_EQ(to_string(e::resubscribe), "resubscribe");
}

}  // namespace
}  // namespace fedgate::mapping
