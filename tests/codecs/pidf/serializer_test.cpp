#include "codecs/pidf/serializer.hpp"

#include <string>

#include <gtest/gtest.h>

#include "codecs/pidf/parser.hpp"

namespace fedgate::pidf {
namespace {

std::string serialize_ok(const document& d) {
  auto r = serialize(d);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : std::string{};
}

void expect_round_trip(const document& d) {
  const std::string s = serialize_ok(d);
  auto back = parse(s);
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << s;
  EXPECT_EQ(back.value(), d) << s;
}

document minimal() {
  document d;
  d.entity = "sip:alice@example.com";
  return d;
}

// The typical NOTIFY body: one tuple, open, an activity, a note with a language.
document typical() {
  document d = minimal();
  tuple t;
  t.id = "t1";
  t.basic = basic_status::open;
  t.contact = contact{"sip:alice@192.0.2.1:5060", 800};
  t.notes.push_back({"In a meeting", "en"});
  t.timestamp = "2024-03-01T10:00:00Z";
  d.tuples.push_back(t);
  person p;
  p.id = "p1";
  p.activities.values.insert(activity::meeting);
  d.persons.push_back(p);
  return d;
}

TEST(PidfSerializer, MinimalDocumentDeclaresOnlyPidf) {
  EXPECT_EQ(serialize_ok(minimal()),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:alice@example.com\">"
            "</presence>");
}

TEST(PidfSerializer, TypicalDocumentExactOutput) {
  EXPECT_EQ(serialize_ok(typical()),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
            "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" "
            "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"sip:alice@example.com\">"
            "<tuple id=\"t1\"><status><basic>open</basic></status>"
            "<contact priority=\"0.8\">sip:alice@192.0.2.1:5060</contact>"
            "<note xml:lang=\"en\">In a meeting</note>"
            "<timestamp>2024-03-01T10:00:00Z</timestamp></tuple>"
            "<dm:person id=\"p1\"><rpid:activities><rpid:meeting/></rpid:activities></dm:person>"
            "</presence>");
  expect_round_trip(typical());
}

TEST(PidfSerializer, NamespacesDeclaredOnlyWhenUsed) {
  document d = minimal();
  d.tuples.push_back(tuple{});
  d.tuples[0].id = "t";
  d.tuples[0].device_id = "mac:1";  // dm only
  std::string s = serialize_ok(d);
  EXPECT_NE(s.find("xmlns:dm="), std::string::npos);
  EXPECT_EQ(s.find("xmlns:rpid="), std::string::npos);
  d.tuples[0].device_id.clear();
  d.tuples[0].user_input = user_input{input_state::idle, 60, ""};  // rpid only
  s = serialize_ok(d);
  EXPECT_EQ(s.find("xmlns:dm="), std::string::npos);
  EXPECT_NE(s.find("xmlns:rpid="), std::string::npos);
  EXPECT_NE(s.find("<rpid:user-input idle-threshold=\"60\">idle</rpid:user-input>"),
            std::string::npos)
      << s;
  expect_round_trip(d);
}

TEST(PidfSerializer, EscapesTextAndAttributes) {
  document d = minimal();
  d.entity = "sip:a&b\"c'@example.com";
  d.notes.push_back({"<b>&amp;</b> ]]> \r\n\ttab", "en\"x"});
  const std::string s = serialize_ok(d);
  EXPECT_NE(s.find("entity=\"sip:a&amp;b&quot;c'@example.com\""), std::string::npos) << s;
  EXPECT_NE(
      s.find(
          "<note xml:lang=\"en&quot;x\">&lt;b&gt;&amp;amp;&lt;/b&gt; ]]&gt; &#13;\n\ttab</note>"),
      std::string::npos)
      << s;
  expect_round_trip(d);
}

TEST(PidfSerializer, PriorityIsShortestDecimal) {
  const std::pair<std::uint16_t, const char*> rows[] = {{0, "0"},       {1000, "1"},  {800, "0.8"},
                                                        {125, "0.125"}, {50, "0.05"}, {1, "0.001"}};
  for (const auto& [milli, text] : rows) {
    document d = minimal();
    d.tuples.push_back(tuple{});
    d.tuples[0].id = "t";
    d.tuples[0].contact = contact{"sip:a@b", milli};
    const std::string s = serialize_ok(d);
    EXPECT_NE(s.find(std::string("priority=\"") + text + "\""), std::string::npos) << s;
    expect_round_trip(d);
  }
}

TEST(PidfSerializer, SchemaOrderInsideTupleAndDataModelElements) {
  document d = minimal();
  tuple t;
  t.id = "t";
  t.basic = basic_status::closed;
  t.activities.values.insert(activity::away);
  t.user_input = user_input{input_state::idle, std::nullopt, "2024-01-01T00:00:00Z"};
  t.device_id = "mac:1";
  t.contact = contact{"sip:a@b", std::nullopt};
  t.notes = {{"one", ""}, {"two", "de"}};
  t.timestamp = "2024-01-01T00:00:00Z";
  d.tuples.push_back(t);
  device v;
  v.id = "d1";
  v.device_id = "mac:1";
  v.user_input = user_input{input_state::active, std::nullopt, ""};
  v.notes = {{"laptop", "en"}};
  v.timestamp = "2024-01-01T00:00:00Z";
  d.devices.push_back(v);
  person p;
  p.activities.values.insert(activity::busy);
  p.activities.values.insert(activity::on_the_phone);
  p.activities.other = {{"Call with Bob", "en"}};
  p.notes = {{"note", ""}};
  d.persons.push_back(p);
  d.notes = {{"top", "fr"}};
  const std::string s = serialize_ok(d);
  EXPECT_NE(
      s.find("<tuple id=\"t\"><status><basic>closed</basic><rpid:activities><rpid:away/>"
             "</rpid:activities></status><rpid:user-input last-input=\"2024-01-01T00:00:00Z\">"
             "idle</rpid:user-input><dm:deviceID>mac:1</dm:deviceID><contact>sip:a@b</contact>"
             "<note>one</note><note xml:lang=\"de\">two</note>"
             "<timestamp>2024-01-01T00:00:00Z</timestamp></tuple>"
             "<note xml:lang=\"fr\">top</note>"
             "<dm:person><rpid:activities><rpid:busy/><rpid:on-the-phone/>"
             "<rpid:other xml:lang=\"en\">Call with Bob</rpid:other></rpid:activities>"
             "<dm:note>note</dm:note></dm:person>"
             "<dm:device id=\"d1\"><rpid:user-input>active</rpid:user-input>"
             "<dm:deviceID>mac:1</dm:deviceID><dm:note xml:lang=\"en\">laptop</dm:note>"
             "<dm:timestamp>2024-01-01T00:00:00Z</dm:timestamp></dm:device>"),
      std::string::npos)
      << s;
  expect_round_trip(d);
}

TEST(PidfSerializer, ValidateRefusesWhatCannotBeWrittenOrReadBack) {
  struct row {
    const char* what;
    void (*mutate)(document&);
    error_code code;
  };
  const row rows[] = {
      {"empty entity", [](document& d) { d.entity.clear(); }, error_code::missing_entity},
      {"empty tuple id", [](document& d) { d.tuples[0].id.clear(); }, error_code::missing_id},
      {"spaces round id", [](document& d) { d.tuples[0].id = " t1"; }, error_code::invalid_value},
      {"spaces round entity", [](document& d) { d.entity += "\n"; }, error_code::invalid_value},
      {"priority > 1", [](document& d) { d.tuples[0].contact->priority_milli = 1001; },
       error_code::invalid_value},
      {"empty contact", [](document& d) { d.tuples[0].contact->uri.clear(); },
       error_code::invalid_value},
      {"bad timestamp", [](document& d) { d.tuples[0].timestamp = "today"; },
       error_code::invalid_value},
      {"bad person timestamp", [](document& d) { d.persons[0].timestamp = "2024"; },
       error_code::invalid_value},
      {"control char in note", [](document& d) { d.tuples[0].notes[0].text = "a\x01"; },
       error_code::invalid_utf8},
      {"invalid UTF-8 in note", [](document& d) { d.tuples[0].notes[0].text = "\xC3"; },
       error_code::invalid_utf8},
      {"invalid UTF-8 in lang", [](document& d) { d.tuples[0].notes[0].lang = "\xFF"; },
       error_code::invalid_utf8},
      {"idle-threshold 0",
       [](document& d) {
         d.persons[0].user_input = user_input{input_state::idle, 0, ""};
       },
       error_code::invalid_value},
      {"bad last-input",
       [](document& d) {
         d.persons[0].user_input = user_input{input_state::idle, {}, "x"};
       },
       error_code::invalid_value},
      {"activity out of range",
       [](document& d) { d.persons[0].activities.values.insert(static_cast<activity>(30)); },
       error_code::invalid_value},
  };
  ASSERT_FALSE(validate(typical()));
  for (const row& r : rows) {
    document d = typical();
    r.mutate(d);
    const auto err = validate(d);
    ASSERT_TRUE(err) << r.what;
    EXPECT_EQ(err->code, r.code) << r.what << ": " << err->message;
    const auto s = serialize(d);
    ASSERT_FALSE(s.ok()) << r.what;
    EXPECT_EQ(s.error().code, r.code) << r.what;
  }
}

}  // namespace
}  // namespace fedgate::pidf
