#include "codecs/xmpp/serializer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/stream_framer.hpp"
#include "tests/codecs/xmpp/event_recorder.hpp"

namespace fedgate::xmpp {
namespace {

const std::string header =
    "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
    "xmlns:db='jabber:server:dialback' to='b.example'>";

// Collects every element the framer yields (moved out of the framer).
struct collector : stream_handler {
  stream_header hdr;
  std::vector<pugi::xml_document> docs;
  std::vector<std::string> errors;
  void on_stream_open(const stream_header& h) override { hdr = h; }
  void on_element(pugi::xml_document& d) override { docs.push_back(std::move(d)); }
  void on_whitespace(std::size_t) override {}
  void on_stream_close() override {}
  void on_error(const stream_error& e) override {
    errors.push_back(std::string{to_string(e.condition)});
  }
};

std::vector<pugi::xml_document> parse_stream(const std::string& in, stream_header* h = nullptr) {
  collector c;
  stream_framer f{c};
  f.consume(in);
  EXPECT_TRUE(c.errors.empty()) << (c.errors.empty() ? "" : c.errors[0]) << " in " << in;
  if (h) *h = c.hdr;
  return std::move(c.docs);
}

std::string reserialize(const std::string& stanza) {
  stream_header h;
  auto docs = parse_stream(header + stanza, &h);
  EXPECT_EQ(docs.size(), 1u);
  if (docs.empty()) return {};
  std::string out;
  auto r = write_element(out, docs[0].document_element(), h.declarations);
  EXPECT_TRUE(r) << r.reason;
  return out;
}

TEST(xmpp_serializer, InheritedNamespacesAreNotRepeated) {
  EXPECT_EQ(reserialize("<message to='x'><body>hi</body></message>"),
            "<message to='x'><body>hi</body></message>");
  EXPECT_EQ(reserialize("<db:result from='a' to='b'>key</db:result>"),
            "<db:result from='a' to='b'>key</db:result>");
  EXPECT_EQ(reserialize("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                        "<required/></starttls></stream:features>"),
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
            "</starttls></stream:features>");
  // Redundant declarations inside the stanza are dropped too; real changes are kept.
  EXPECT_EQ(reserialize("<message xmlns='jabber:server'><x xmlns='urn:x'><y xmlns='urn:x'/>"
                        "<z xmlns='jabber:server'/></x></message>"),
            "<message><x xmlns='urn:x'><y/><z xmlns='jabber:server'/></x></message>");
}

TEST(xmpp_serializer, DeclaresWhatTheTargetScopeLacks) {
  auto docs = parse_stream(header + "<db:verify id='1'/>");
  ASSERT_EQ(docs.size(), 1u);
  std::string out;
  ASSERT_TRUE(write_element(out, docs[0].document_element(), {}));
  EXPECT_EQ(out, "<db:verify xmlns:db='jabber:server:dialback' id='1'/>");
}

TEST(xmpp_serializer, Escaping) {
  pugi::xml_document doc;
  auto m = doc.append_child("message");
  m.append_attribute("a").set_value("it's \"q\" & <x> \t\n\r end");
  m.append_child("body").text().set("a < b & c > d ]]> e\r\nf 'g' \"h\"");
  std::string out;
  ASSERT_TRUE(write_element(out, m, {{"", "jabber:server"}}));
  EXPECT_EQ(out,
            "<message a='it&apos;s &quot;q&quot; &amp; &lt;x&gt; &#x9;&#xA;&#xD; end'>"
            "<body>a &lt; b &amp; c &gt; d ]]&gt; e&#xD;\nf 'g' \"h\"</body></message>");
  // And back: the values survive XML attribute-value and end-of-line normalisation.
  auto docs = parse_stream(header + out);
  ASSERT_EQ(docs.size(), 1u);
  auto back = docs[0].document_element();
  EXPECT_STREQ(back.attribute("a").value(), m.attribute("a").value());
  EXPECT_STREQ(back.child("body").text().get(), m.child("body").text().get());
  EXPECT_FALSE(equivalent(back, m));  // m is in no namespace, back in the stream's
  m.prepend_attribute("xmlns").set_value("jabber:server");
  EXPECT_TRUE(equivalent(back, m));
}

TEST(xmpp_serializer, RefusesWhatRestrictedXmlCannotCarry) {
  auto refuses = [](auto&& build) {
    pugi::xml_document doc;
    auto m = doc.append_child("message");
    build(m);
    std::string out = "keep";
    auto r = write_element(out, m, {{"", "jabber:server"}});
    EXPECT_FALSE(r);
    EXPECT_FALSE(r.reason.empty());
    EXPECT_EQ(out, "keep");  // nothing appended on failure
  };
  refuses([](pugi::xml_node m) { m.append_child("body").text().set("bell\x07"); });
  refuses([](pugi::xml_node m) { m.append_attribute("a").set_value("\x1F"); });
  refuses([](pugi::xml_node m) { m.append_attribute("a").set_value("\xC3"); });
  refuses([](pugi::xml_node m) { m.append_child("body").text().set("\xED\xA0\x80"); });
  refuses([](pugi::xml_node m) { m.append_child(pugi::node_comment).set_value("c"); });
  refuses([](pugi::xml_node m) { m.append_child(pugi::node_pi).set_name("pi"); });
  refuses([](pugi::xml_node m) { m.append_child("x:body"); });
  refuses([](pugi::xml_node m) { m.append_attribute("x:a").set_value("1"); });
  refuses([](pugi::xml_node m) { m.append_child("bad name"); });
  refuses([](pugi::xml_node m) { m.append_child("a:b:c"); });
  refuses([](pugi::xml_node m) { m.append_attribute("xml:1a").set_value("1"); });
  refuses([](pugi::xml_node m) { m.append_attribute("xmlns:p").set_value(""); });
}

TEST(xmpp_serializer, RoundTripKeepsTheTree) {
  const char* stanzas[] = {
      "<message from='juliet@example.com/balcony' to='romeo@example.net' type='chat' "
      "id='ktx72v49' xml:lang='en'><thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread>"
      "<body>Art thou not Romeo, &amp; a Montague?</body>"
      "<active xmlns='http://jabber.org/protocol/chatstates'/>"
      "<request xmlns='urn:xmpp:receipts'/></message>",
      "<presence from='a@b/c'><show>away</show><status>  spaced  </status>"
      "<priority>5</priority><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
      "node='http://psi-im.org' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence>",
      "<iq type='error'><error type='cancel'><service-unavailable "
      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
      "<message><body><![CDATA[<b>&amp;</b> ]]]]><![CDATA[>]]></body><p:x xmlns:p='urn:p' "
      "p:a='1' b=\"'\"/></message>",
      "<message><body>\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 </body><body> </body></message>",
  };
  for (const char* s : stanzas) {
    stream_header h;
    auto first = parse_stream(header + s, &h);
    ASSERT_EQ(first.size(), 1u) << s;
    std::string out;
    ASSERT_TRUE(write_element(out, first[0].document_element(), h.declarations));
    auto second = parse_stream(header + out);
    ASSERT_EQ(second.size(), 1u) << out;
    EXPECT_TRUE(equivalent(first[0].document_element(), second[0].document_element())) << s << "\n"
                                                                                       << out;
    // A second trip is byte-identical.
    std::string again;
    ASSERT_TRUE(write_element(again, second[0].document_element(), h.declarations));
    EXPECT_EQ(again, out);
  }
}

TEST(xmpp_serializer, EquivalenceSeesDifferences) {
  auto a = parse_stream(header + "<message a='1'><body>x</body></message>");
  auto b = parse_stream(header + "<message a='2'><body>x</body></message>");
  auto c = parse_stream(header + "<message a='1'><body>y</body></message>");
  auto d = parse_stream(header + "<message xmlns='jabber:client' a='1'><body>x</body></message>");
  auto e = parse_stream(header + "<message a='1'><body>x</body><body/></message>");
  EXPECT_TRUE(equivalent(a[0].document_element(), a[0].document_element()));
  EXPECT_FALSE(equivalent(a[0].document_element(), b[0].document_element()));
  EXPECT_FALSE(equivalent(a[0].document_element(), c[0].document_element()));
  EXPECT_FALSE(equivalent(a[0].document_element(), d[0].document_element()));
  EXPECT_FALSE(equivalent(a[0].document_element(), e[0].document_element()));
}

TEST(xmpp_serializer, StreamHeaderRoundTrip) {
  auto h = make_stream_header(ns::server, "gw.example", "xmpp.example", "id'1\"");
  std::string out;
  ASSERT_TRUE(write_stream_header(out, h));
  EXPECT_EQ(out,
            "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
            "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
            "from='gw.example' to='xmpp.example' id='id&apos;1&quot;' version='1.0' "
            "xml:lang='en'>");
  test::event_recorder rec;
  stream_framer f{rec};
  EXPECT_EQ(f.consume(out), out.size());
  EXPECT_EQ(f.header().from, "gw.example");
  EXPECT_EQ(f.header().id, "id'1\"");
  EXPECT_EQ(f.header().declarations, h.declarations);
  EXPECT_TRUE(f.header().xml_declaration);

  stream_header bad = h;
  bad.declarations.pop_back();
  bad.declarations.erase(bad.declarations.begin() + 1);  // no stream prefix
  out = "x";
  EXPECT_FALSE(write_stream_header(out, bad));
  EXPECT_EQ(out, "x");
  h.to = "bell\x07";
  EXPECT_FALSE(write_stream_header(out, h));
  EXPECT_EQ(out, "x");
}

TEST(xmpp_serializer, StreamErrorAndClose) {
  std::string out;
  ASSERT_TRUE(write_stream_error(out, stream_error_condition::restricted_xml, "no <comments>"));
  EXPECT_EQ(out,
            "<stream:error><restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
            "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>no &lt;comments&gt;"
            "</text></stream:error>");
  auto docs = parse_stream(header + out + std::string{stream_close_tag});
  ASSERT_EQ(docs.size(), 1u);
  auto e = parse_stream_error(docs[0].document_element());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->condition, stream_error_condition::restricted_xml);
  EXPECT_EQ(e->text, "no <comments>");

  out.clear();
  ASSERT_TRUE(write_stream_error(out, stream_error_condition::host_unknown));
  EXPECT_EQ(out,
            "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
            "</stream:error>");
  EXPECT_FALSE(write_stream_error(out, stream_error_condition::host_unknown, "\x01"));
  EXPECT_EQ(stream_close_tag, "</stream:stream>");
}

}  // namespace
}  // namespace fedgate::xmpp
