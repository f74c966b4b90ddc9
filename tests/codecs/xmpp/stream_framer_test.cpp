// Unit tests of the stream framer: header handling, namespaces, every restricted-XML rejection,
// well-formedness errors, limits, CDATA, attribute quoting, UTF-8 (split and invalid), restarts.

#include "codecs/xmpp/stream_framer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/xmpp/names.hpp"
#include "tests/codecs/xmpp/event_recorder.hpp"

namespace fedgate::xmpp {
namespace {

using test::frame;
using test::last_event;

const std::string header =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "from='a.example' to='b.example' id='s1' version='1.0' xml:lang='en'>";

// The events for header + body, checking that every chunking gives the same ones.
std::vector<std::string> frame_all_ways(const std::string& body, limits lim = {}) {
  auto input = header + body;
  auto whole = frame(input, 0, lim);
  for (std::size_t chunk : {1, 2, 3, 5, 7, 64})
    EXPECT_EQ(frame(input, chunk, lim), whole) << "chunk size " << chunk << " for " << body;
  return whole;
}

std::string outcome(const std::string& body, limits lim = {}) {
  auto ev = frame_all_ways(body, lim);
  return ev.empty() ? std::string{} : ev.back();
}

TEST(xmpp_stream_framer, HeaderFieldsAndDeclarations) {
  auto ev = frame(header);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0],
            "open from=a.example to=b.example id=s1 version=1.0 lang=en ns=jabber:server "
            "xmlns=jabber:server xmlns:stream=http://etherx.jabber.org/streams "
            "xmlns:db=jabber:server:dialback decl");
}

TEST(xmpp_stream_framer, ContentNamespacesRecorded) {
  for (std::string ns : {"jabber:client", "jabber:component:accept"}) {
    auto ev = frame("<stream:stream xmlns='" + ns +
                    "' xmlns:stream='http://etherx.jabber.org/streams' to='x' extra='1'>");
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0], "open from= to=x id= version= lang= ns=" + ns + " xmlns=" + ns +
                         " xmlns:stream=http://etherx.jabber.org/streams extra=1");
  }
}

TEST(xmpp_stream_framer, ElementIsSelfContained) {
  struct keep : test::event_recorder {
    std::vector<std::string> raw;
    void on_element(pugi::xml_document& doc) override {
      test::event_recorder::on_element(doc);
      // A document moved away from the framer must stay usable on its own.
      pugi::xml_document mine = std::move(doc);
      auto top = mine.document_element();
      raw.push_back(std::string{top.attribute("xmlns").value()} + "|" +
                    top.attribute("xmlns:db").value() + "|" +
                    top.attribute("xmlns:stream").value());
      auto deep = top.first_child().first_child();
      if (deep.type() == pugi::node_element) {
        auto n = resolve_name(deep);
        raw.push_back(n ? n->clark() : "unresolved");
      }
    }
  } rec;
  stream_framer f{rec};
  std::string in = header +
                   "<message to='x'><body>hi</body></message>"
                   "<db:result from='a' to='b'>key</db:result>"
                   "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                   "<mechanism>EXTERNAL</mechanism></mechanisms></stream:features>";
  EXPECT_EQ(f.consume(in), in.size());
  std::vector<std::string> expect{"jabber:server||", "|jabber:server:dialback|",
                                  "||http://etherx.jabber.org/streams",
                                  "{urn:ietf:params:xml:ns:xmpp-sasl}mechanism"};
  EXPECT_EQ(rec.raw, expect);
  EXPECT_EQ(rec.events[1], "elem {jabber:server}message to=x [{jabber:server}body text='hi']");
  EXPECT_EQ(rec.events[2], "elem {jabber:server:dialback}result from=a to=b text='key'");
}

TEST(xmpp_stream_framer, LocalDeclarationsWin) {
  EXPECT_EQ(outcome("<db:x xmlns:db='urn:other'/>"), "elem {urn:other}x");
  EXPECT_EQ(outcome("<iq xmlns='jabber:client'><query xmlns=''/></iq>"),
            "elem {jabber:client}iq [query]");
  EXPECT_EQ(outcome("<p:a xmlns:p='urn:p' p:attr='1'><p:b/></p:a>"),
            "elem {urn:p}a {urn:p}attr=1 [{urn:p}b]");
}

TEST(xmpp_stream_framer, WhitespaceKeepaliveAndClose) {
  auto ev = frame_all_ways(" \n<presence/>\t </stream:stream>");
  std::vector<std::string> expect{ev[0], "ws 2", "elem {jabber:server}presence", "ws 2", "close"};
  EXPECT_EQ(ev, expect);
}

TEST(xmpp_stream_framer, ConsumeStopsAtCloseAndAfterwardsReturnsZero) {
  test::event_recorder rec;
  stream_framer f{rec};
  std::string in = header + "</stream:stream>trailing";
  EXPECT_EQ(f.consume(in), in.size() - 8);
  EXPECT_EQ(f.current_state(), stream_framer::state::closed);
  EXPECT_EQ(f.consume("<x/>"), 0u);
}

TEST(xmpp_stream_framer, SelfClosingHeaderIsOpenAndClose) {
  auto ev = frame(
      "<stream:stream xmlns='jabber:server' "
      "xmlns:stream='http://etherx.jabber.org/streams'/>");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1], "close");
}

TEST(xmpp_stream_framer, StopAfterProceedLeavesTheRestToTheCaller) {
  test::event_recorder rec;
  stream_framer f{rec};
  rec.framer = &f;
  rec.stop_after = "{urn:ietf:params:xml:ns:xmpp-tls}proceed";
  std::string proceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
  std::string in = header + proceed + "\x16\x03\x01 TLS bytes";
  EXPECT_EQ(f.consume(in), header.size() + proceed.size());
  EXPECT_EQ(f.current_state(), stream_framer::state::open);
  f.reset();
  EXPECT_EQ(f.current_state(), stream_framer::state::expect_header);
  EXPECT_EQ(f.consume(header), header.size());
  EXPECT_EQ(rec.events.size(), 3u);
  EXPECT_EQ(rec.events[2].substr(0, 4), "open");
}

TEST(xmpp_stream_framer, ResetAllowsANewXmlDeclaration) {
  test::event_recorder rec;
  stream_framer f{rec};
  EXPECT_EQ(f.consume(header + "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"),
            header.size() + 51);
  f.reset();
  EXPECT_EQ(f.consume(header), header.size());
  EXPECT_EQ(rec.events.back().substr(0, 4), "open");
}

// --- header errors ----------------------------------------------------------------------------

TEST(xmpp_stream_framer, HeaderNamespaceErrors) {
  EXPECT_EQ(last_event("<stream:stream xmlns='jabber:server' xmlns:stream='urn:wrong'>"),
            "error invalid-namespace");
  EXPECT_EQ(last_event("<stream xmlns='jabber:server'>"), "error invalid-namespace");
  EXPECT_EQ(last_event("<stream:stream xmlns='urn:unsupported' "
                       "xmlns:stream='http://etherx.jabber.org/streams'>"),
            "error invalid-namespace");
  EXPECT_EQ(last_event("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"),
            "error invalid-namespace");
  // RFC 6120 §4.9.3.2 example: the stream prefix is not declared.
  EXPECT_EQ(last_event("<stream:stream xmlns='jabber:client' to='im.example.com'>"),
            "error bad-namespace-prefix");
  EXPECT_EQ(last_event("<s:stream xmlns='jabber:server' "
                       "xmlns:s='http://etherx.jabber.org/streams'>"),
            "error bad-namespace-prefix");
  EXPECT_EQ(last_event("<stream:features xmlns='jabber:server' "
                       "xmlns:stream='http://etherx.jabber.org/streams'>"),
            "error bad-format");
}

TEST(xmpp_stream_framer, Encoding) {
  EXPECT_EQ(last_event("<?xml version='1.0' encoding='ISO-8859-1'?>"),
            "error unsupported-encoding");
  EXPECT_EQ(last_event(std::string{"\xFE\xFF\x00<", 4}), "error unsupported-encoding");
  EXPECT_EQ(last_event(std::string{"\xFF\xFE<\x00", 4}), "error unsupported-encoding");
  EXPECT_EQ(last_event(std::string{"<\x00?\x00", 4}), "error unsupported-encoding");
  // A UTF-8 byte order mark and an explicit UTF-8 encoding are fine.
  auto ev = frame("\xEF\xBB\xBF<?xml version='1.0' encoding='utf-8'?>" + header.substr(21));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].substr(0, 4), "open");
  EXPECT_EQ(last_event("<?xml encoding='UTF-8'?>"), "error not-well-formed");
}

// --- RFC 6120 §11.1 restricted XML ------------------------------------------------------------

TEST(xmpp_stream_framer, RestrictedXml) {
  EXPECT_EQ(last_event("<!DOCTYPE stream>"), "error restricted-xml");
  EXPECT_EQ(last_event("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>"),
            "error restricted-xml");
  EXPECT_EQ(last_event("<!-- hi --><stream:stream/>"), "error restricted-xml");
  EXPECT_EQ(last_event("<?xml-stylesheet href='a'?>"), "error restricted-xml");
  EXPECT_EQ(last_event(" <?xml version='1.0'?>"), "error restricted-xml");
  EXPECT_EQ(outcome("<!-- keepalive -->"), "error restricted-xml");
  EXPECT_EQ(outcome("<message><!-- c --></message>"), "error restricted-xml");
  EXPECT_EQ(outcome("<message><?pi x?></message>"), "error restricted-xml");
  EXPECT_EQ(outcome("<?xml version='1.0'?>"), "error restricted-xml");
  EXPECT_EQ(outcome("<message><!ENTITY x 'y'></message>"), "error restricted-xml");
  EXPECT_EQ(outcome("<message><body>&nbsp;</body></message>"), "error restricted-xml");
  EXPECT_EQ(outcome("<message a='&ent;'/>"), "error restricted-xml");
  EXPECT_EQ(outcome("<message><body>&averyveryverylongentityname;</body></message>"),
            "error restricted-xml");
}

TEST(xmpp_stream_framer, PredefinedEntitiesAndCharacterReferences) {
  EXPECT_EQ(outcome("<message a='&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;'>"
                    "<body>&lt;&gt;&amp;&apos;&quot;&#10;&#xe9;</body></message>"),
            "elem {jabber:server}message a=<>&'\"AB\xF0\x9F\x98\x80 "
            "[{jabber:server}body text='<>&'\"\n\xC3\xA9']");
}

// --- not-well-formed ---------------------------------------------------------------------------

TEST(xmpp_stream_framer, NotWellFormed) {
  const char* cases[] = {
      "<message></presence>",
      "<message><body></message></body>",
      "<message a=1/>",
      "<message a/>",
      "<message a='1'b='2'/>",
      "<message a='1' a='2'/>",
      "<message a='x<y'/>",
      "<message a='1' / >",
      "<message><body>&#0;</body></message>",
      "<message><body>&#xD800;</body></message>",
      "<message><body>&#x110000;</body></message>",
      "<message><body>&#99999999999999;</body></message>",
      "<message><body>&#;</body></message>",
      "<message><body>&#xZ;</body></message>",
      "<message><body>&;</body></message>",
      "<message><body>&amp </body></message>",
      "<message><body>a]]>b</body></message>",
      "<message><body>\x01</body></message>",
      "<message><body>\xEF\xBF\xBE</body></message>",  // U+FFFE
      "<message><![CDAT[x]]></message>",
      "<message><!x></message>",
      "<message>< body/></message>",
      "<1message/>",
      "</stream:features>",
      "<a:b:c xmlns:a='urn:a'/>",
      "<message xmlns:='urn:x'/>",
      "<a:1b xmlns:a='urn:a'/>",
      "<message xmlns:1p='urn:x'/>",
  };
  for (const char* body : cases)
    EXPECT_EQ(outcome(body), "error not-well-formed") << body;
}

TEST(xmpp_stream_framer, BadFormatAtStreamLevel) {
  EXPECT_EQ(outcome("hello"), "error bad-format");
  // Whitespace consumed before the error is reported the same way in every chunking.
  auto ev = frame_all_ways(" \nhello");
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[1], "ws 2");
  EXPECT_EQ(outcome("<![CDATA[x]]>"), "error bad-format");
}

TEST(xmpp_stream_framer, BadNamespacePrefix) {
  EXPECT_EQ(outcome("<x:message/>"), "error bad-namespace-prefix");
  EXPECT_EQ(outcome("<message><x:body/></message>"), "error bad-namespace-prefix");
  EXPECT_EQ(outcome("<message x:a='1'/>"), "error bad-namespace-prefix");
  EXPECT_EQ(outcome("<message xmlns:p=''/>"), "error bad-namespace-prefix");
  EXPECT_EQ(outcome("<message xmlns:xml='urn:not-xml'/>"), "error bad-namespace-prefix");
  EXPECT_EQ(outcome("<xmlns:message/>"), "error bad-namespace-prefix");
  // xml: is always bound.
  EXPECT_EQ(outcome("<message xml:lang='de'/>"),
            "elem {jabber:server}message {http://www.w3.org/XML/1998/namespace}lang=de");
}

TEST(xmpp_stream_framer, StreamCloseMustMatchHeader) {
  EXPECT_EQ(outcome("</stream:streamx>"), "error not-well-formed");
  EXPECT_EQ(outcome("</stream:strea>"), "error not-well-formed");
  EXPECT_EQ(outcome("</stream:stream >"), "close");
}

// --- CDATA, quoting ---------------------------------------------------------------------------

TEST(xmpp_stream_framer, CdataSections) {
  EXPECT_EQ(outcome("<message><body><![CDATA[a <b> & ]] ]> ]]]></body></message>"),
            "elem {jabber:server}message [{jabber:server}body text='a <b> & ]] ]> ]']");
  EXPECT_EQ(outcome("<message><body>x<![CDATA[]]>y<![CDATA[>]]></body></message>"),
            "elem {jabber:server}message [{jabber:server}body text='xy>']");
}

TEST(xmpp_stream_framer, GreaterThanAndSlashInAttributes) {
  EXPECT_EQ(outcome("<message a='x>/y' b=\"/>'>\" c = '' ><body>/></body></message>"),
            "elem {jabber:server}message a=x>/y b=/>'> c= [{jabber:server}body text='/>']");
}

// --- UTF-8 -------------------------------------------------------------------------------------

TEST(xmpp_stream_framer, Utf8SplitAtEveryPosition) {
  // 2-, 3- and 4-byte characters in text, attribute values and names.
  std::string body =
      "<message a='\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80'><b\xC3\xA9>\xC3\xA9\xE2\x82\xAC"
      "\xF0\x9F\x98\x80</b\xC3\xA9></message>";
  std::string in = header + body;
  auto whole = frame(in);
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[1],
            "elem {jabber:server}message a=\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 "
            "[{jabber:server}b\xC3\xA9 text='\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80']");
  for (std::size_t cut = header.size(); cut < in.size(); ++cut) {
    test::event_recorder rec;
    stream_framer f{rec};
    EXPECT_EQ(f.consume(std::string_view{in}.substr(0, cut)), cut);
    EXPECT_EQ(f.consume(std::string_view{in}.substr(cut)), in.size() - cut);
    EXPECT_EQ(rec.events, whole) << "split at " << cut;
  }
}

TEST(xmpp_stream_framer, InvalidUtf8) {
  const char* cases[] = {
      "\xC0\xAF",          // overlong '/'
      "\xC1\xBF",          // overlong
      "\xE0\x80\xAF",      // overlong 3-byte
      "\xF0\x80\x80\xAF",  // overlong 4-byte
      "\xED\xA0\x80",      // surrogate U+D800
      "\xED\xBF\xBF",      // surrogate U+DFFF
      "\xF4\x90\x80\x80",  // U+110000
      "\xF5\x80\x80\x80",  // lead byte beyond U+10FFFF
      "\xFF",
      "\x80",          // lone continuation
      "\xC3",          // truncated before '<'
      "\xE2\x82",      // truncated 3-byte
      "\xF0\x9F\x98",  // truncated 4-byte
      "\xC3\x28",      // bad continuation
  };
  for (const char* bad : cases) {
    EXPECT_EQ(outcome(std::string{"<message><body>"} + bad + "</body></message>"),
              "error not-well-formed")
        << "text";
    EXPECT_EQ(outcome(std::string{"<message a='"} + bad + "'/>"), "error not-well-formed")
        << "attr";
  }
  // Truncated right at the end of an element.
  EXPECT_EQ(outcome("<message>\xE2\x82</message>"), "error not-well-formed");
  EXPECT_EQ(outcome("<message/>\xE2\x82"), "error bad-format");
}

// --- limits ------------------------------------------------------------------------------------

TEST(xmpp_stream_framer, Limits) {
  limits lim;
  lim.max_stanza_bytes = 64;
  std::string fits = "<message><body>" + std::string(32, 'x') + "</body></message>";
  ASSERT_EQ(fits.size(), 64u);
  EXPECT_EQ(outcome(fits, lim).substr(0, 4), "elem");
  EXPECT_EQ(outcome("<message><body>" + std::string(33, 'x') + "</body></message>", lim),
            "error policy-violation");

  lim = {};
  lim.max_depth = 3;
  EXPECT_EQ(outcome("<a><b><c/></b></a>", lim).substr(0, 4), "elem");
  EXPECT_EQ(outcome("<a><b><c><d/></c></b></a>", lim), "error policy-violation");

  lim = {};
  lim.max_attributes = 8;  // the header has 8
  EXPECT_EQ(outcome("<a a='1' b='2' c='3' d='4' e='5' f='6' g='7' h='8'/>", lim).substr(0, 4),
            "elem");
  EXPECT_EQ(outcome("<a a='1' b='2' c='3' d='4' e='5' f='6' g='7' h='8' i='9'/>", lim),
            "error policy-violation");

  lim = {};
  lim.max_attribute_value_bytes = 32;  // "http://etherx.jabber.org/streams"
  EXPECT_EQ(outcome("<a x='" + std::string(32, 'v') + "'/>", lim).substr(0, 4), "elem");
  EXPECT_EQ(outcome("<a x='" + std::string(33, 'v') + "'/>", lim), "error policy-violation");
  EXPECT_EQ(outcome("<a x='&amp;&amp;&amp;&amp;&amp;&amp;&amp;'/>", lim), "error policy-violation");

  lim = {};
  lim.max_text_bytes = 8;
  EXPECT_EQ(outcome("<a>12345678<b/>12345678</a>", lim).substr(0, 4), "elem");
  EXPECT_EQ(outcome("<a>123456789</a>", lim), "error policy-violation");
  EXPECT_EQ(outcome("<a><![CDATA[123456789]]></a>", lim), "error policy-violation");
  EXPECT_EQ(outcome("<a>&lt;&lt;</a>", lim).substr(0, 4), "elem");
  EXPECT_EQ(outcome("<a>&lt;&lt;&lt;</a>", lim), "error policy-violation");

  lim = {};
  lim.max_name_bytes = 13;  // "stream:stream"
  EXPECT_EQ(outcome("<abcdefghijklm/>", lim).substr(0, 4), "elem");
  EXPECT_EQ(outcome("<abcdefghijklmn/>", lim), "error policy-violation");
  EXPECT_EQ(outcome("<a abcdefghijklmn='1'/>", lim), "error policy-violation");
  EXPECT_EQ(outcome("<a>&abcdefghijklmn;</a>", lim), "error policy-violation");

  lim = {};
  lim.max_header_bytes = 32;
  EXPECT_EQ(last_event(header, 0, lim), "error policy-violation");
  EXPECT_EQ(last_event(header, 1, lim), "error policy-violation");
}

TEST(xmpp_stream_framer, ChunkingNeverChangesTheOutcome) {
  std::string body =
      "<message from='a@b/c' to='d@e' type='chat' id='1'><body>x &amp; y</body>"
      "<active xmlns='http://jabber.org/protocol/chatstates'/></message> \n"
      "<presence><show>away</show><status><![CDATA[<gone>]]></status></presence>"
      "<iq type='get' id='2'><ping xmlns='urn:xmpp:ping'/></iq></stream:stream>";
  auto ev = frame_all_ways(body);
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(ev[5], "close");
}

TEST(xmpp_stream_framer, ErrorIsReportedOnceAndStateFails) {
  test::event_recorder rec;
  stream_framer f{rec};
  std::string in = header + "<!---->";
  EXPECT_EQ(f.consume(in), header.size() + 2);
  EXPECT_EQ(f.current_state(), stream_framer::state::failed);
  ASSERT_TRUE(f.error());
  EXPECT_EQ(f.error()->condition, stream_error_condition::restricted_xml);
  EXPECT_FALSE(f.error()->text.empty());
  EXPECT_EQ(f.consume("<a/>"), 0u);
  EXPECT_EQ(rec.events.size(), 2u);
}

TEST(xmpp_stream_framer, MidElement) {
  test::event_recorder rec;
  stream_framer f{rec};
  f.consume(header);
  EXPECT_FALSE(f.mid_element());
  f.consume("<message><bo");
  EXPECT_TRUE(f.mid_element());
  f.consume("dy/></message>");
  EXPECT_FALSE(f.mid_element());
}

}  // namespace
}  // namespace fedgate::xmpp
