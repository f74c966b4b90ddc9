// RFC 7572 message mapping with realistic wire forms (Prosody-style stanzas, SIPp/Kamailio-style
// MESSAGE requests), chat states (XEP-0085 <-> RFC 3994) and receipts (XEP-0184 <-> RFC 5438).
#include "codecs/mapping/message.hpp"

#include <string>

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"

namespace fedgate::mapping {
namespace {

domain_map gw_map() {
  domain_map m;
  EXPECT_TRUE(m.add("sip.example.com", "xmpp.example.com"));
  return m;
}

im_message parse_stanza(const std::string& xml) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
  auto r = from_xmpp(doc.document_element());
  EXPECT_TRUE(r) << (r ? "" : r.err().reason);
  return r ? r.value() : im_message{};
}

sip::message parse_sip(std::string text) {
  auto r = sip::parse_datagram(text);
  EXPECT_TRUE(r) << (r ? "" : r.err().to_string());
  return r ? std::move(r.value()) : sip::message{};
}

std::string sip_message(std::string_view extra_headers, std::string_view content_type,
                        std::string_view body) {
  std::string s =
      "MESSAGE sip:alice@sip.example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776sgdkse\r\n"
      "Max-Forwards: 70\r\n"
      "From: \"Bob\" <sip:bob@biloxi.example>;tag=49583\r\n"
      "To: <sip:alice@sip.example.com>\r\n"
      "Call-ID: asd88asd77a@192.0.2.10\r\n"
      "CSeq: 1 MESSAGE\r\n";
  s += extra_headers;
  if (!content_type.empty()) s += "Content-Type: " + std::string(content_type) + "\r\n";
  s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  s += body;
  return s;
}

TEST(message, prosody_chat_to_sip_text_plain) {
  im_message m = parse_stanza(
      "<message xmlns='jabber:server' from='alice@xmpp.example.com/Gajim' "
      "to='bob@biloxi.example' type='chat' id='purple3e8c1b5a' xml:lang='en'>"
      "<body>Hi Bob &amp; &lt;friends&gt; 😀</body><thread>e0ffe42b28561960c6b12b944a092794b9683a38"
      "</thread><active xmlns='http://jabber.org/protocol/chatstates'/>"
      "<origin-id xmlns='urn:xmpp:sid:0' id='abc'/></message>");
  EXPECT_EQ(m.type, message_type::chat);
  EXPECT_EQ(m.id, "purple3e8c1b5a");
  EXPECT_EQ(m.lang, "en");
  ASSERT_EQ(m.bodies.size(), 1u);
  EXPECT_EQ(m.bodies[0].text, "Hi Bob & <friends> 😀");
  EXPECT_EQ(m.bodies[0].lang, "");
  EXPECT_EQ(m.thread, "e0ffe42b28561960c6b12b944a092794b9683a38");
  EXPECT_EQ(m.state, chat_state::active);
  ASSERT_EQ(m.dropped.size(), 1u);
  EXPECT_EQ(m.dropped[0], "{urn:xmpp:sid:0}origin-id");

  auto out = to_sip(m, gw_map());
  ASSERT_TRUE(out) << out.err().reason;
  ASSERT_TRUE(out.value().has_value());
  const sip_request_parts& p = **out;
  EXPECT_EQ(p.request_uri, "sip:bob@biloxi.example");
  EXPECT_EQ(p.from_uri, "sip:alice@sip.example.com");
  EXPECT_EQ(p.content_type, "text/plain;charset=UTF-8");
  EXPECT_EQ(p.body, "Hi Bob & <friends> 😀");
  ASSERT_EQ(p.headers.size(), 1u);
  EXPECT_EQ(p.headers[0].first, "Content-Language");
  EXPECT_EQ(p.headers[0].second, "en");

  // The builder gives a valid MESSAGE once the caller adds the transaction headers.
  auto b = p.to_builder("a73kszlfl");
  b.header("Via", "SIP/2.0/TCP gw.example.com;branch=z9hG4bK1")
      .header("Call-ID", "c1@gw")
      .header("CSeq", "1 MESSAGE")
      .header("Max-Forwards", "70");
  auto built = b.build();
  ASSERT_TRUE(built) << built.err().to_string();
  EXPECT_EQ(built->body(), "Hi Bob & <friends> 😀");
  EXPECT_EQ(*built->header("Content-Language"), "en");
}

TEST(message, kamailio_style_message_to_xmpp) {
  sip::message req = parse_sip(sip_message("Subject: Lunch?\r\nContent-Language: fr\r\n",
                                           "text/plain; charset=\"UTF-8\"",
                                           "On déjeune ? מה שלום 👋🏽 e\xcc\x81"));
  auto m = from_sip(req, gw_map());
  ASSERT_TRUE(m) << m.err().reason;
  EXPECT_EQ(m->from->to_string(), "bob@biloxi.example");
  EXPECT_EQ(m->to->to_string(), "alice@xmpp.example.com");
  EXPECT_EQ(m->type, message_type::chat);
  EXPECT_EQ(m->lang, "fr");
  ASSERT_EQ(m->subjects.size(), 1u);
  EXPECT_EQ(m->subjects[0].text, "Lunch?");
  ASSERT_EQ(m->bodies.size(), 1u);
  EXPECT_EQ(m->bodies[0].lang, "");

  auto xml = to_xmpp(*m);
  ASSERT_TRUE(xml);
  EXPECT_EQ(*xml,
            "<message xmlns='jabber:server' from='bob@biloxi.example' to='alice@xmpp.example.com' "
            "type='chat' xml:lang='fr'><subject>Lunch?</subject><body>On déjeune ? מה שלום "
            "👋🏽 "
            "e\xcc\x81</body></message>");
  // And the stanza reads back to the same message.
  im_message again = parse_stanza(*xml);
  EXPECT_EQ(again.bodies, m->bodies);
  EXPECT_EQ(again.subjects, m->subjects);
}

TEST(message, xml_special_characters_escaped_in_stanza) {
  im_message m;
  m.from = xmpp::jid::parse("a@x.example");
  m.to = xmpp::jid::parse("b@y.example");
  m.id = "id'\"<>&";
  m.bodies.push_back({"", "<script>alert('x') && \"y\"</script> ]]>"});
  auto xml = to_xmpp(m);
  ASSERT_TRUE(xml);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml->c_str())) << *xml;
  EXPECT_EQ(std::string(doc.document_element().attribute("id").value()), m.id);
  EXPECT_EQ(std::string(doc.document_element().child("body").text().get()), m.bodies[0].text);
}

TEST(message, several_bodies_several_languages_multipart_both_ways) {
  im_message m = parse_stanza(
      "<message xmlns='jabber:server' from='alice@xmpp.example.com' to='bob@biloxi.example' "
      "type='normal' xml:lang='en'><subject>Greeting</subject><subject xml:lang='de'>Gruß"
      "</subject><body>Hello</body><body xml:lang='de'>Hallo</body>"
      "<body xml:lang='ar'>مرحبا</body></message>");
  ASSERT_EQ(m.bodies.size(), 3u);
  auto out = to_sip(m, gw_map());
  ASSERT_TRUE(out && out.value());
  const sip_request_parts& p = **out;
  EXPECT_EQ(p.content_type, "multipart/alternative;boundary=fedgate-alt-boundary");
  EXPECT_NE(p.body.find("Content-Language: de\r\n\r\nHallo\r\n"), std::string::npos) << p.body;
  EXPECT_NE(p.body.find("Content-Language: ar\r\n\r\nمرحبا\r\n"), std::string::npos);
  ASSERT_FALSE(p.headers.empty());
  EXPECT_EQ(p.headers[0], (std::pair<std::string, std::string>("Subject", "Greeting")));

  // Back from SIP (as a SIP peer would send it, with the original From/To swapped in).
  std::string wire = sip_message("Content-Language: en\r\n", p.content_type, p.body);
  auto back = from_sip(parse_sip(wire), gw_map());
  ASSERT_TRUE(back) << back.err().reason;
  ASSERT_EQ(back->bodies.size(), 3u);
  EXPECT_EQ(back->bodies[0], (localized_text{"", "Hello"}));
  EXPECT_EQ(back->bodies[1], (localized_text{"de", "Hallo"}));
  EXPECT_EQ(back->bodies[2], (localized_text{"ar", "مرحبا"}));
}

TEST(message, multipart_skips_non_text_alternatives) {
  std::string body =
      "--b1\r\nContent-Type: text/html\r\n\r\n<p>Hi</p>\r\n"
      "--b1\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nHi\r\n--b1--\r\n";
  auto m =
      from_sip(parse_sip(sip_message("", "multipart/alternative; boundary=b1", body)), gw_map());
  ASSERT_TRUE(m) << m.err().reason;
  ASSERT_EQ(m->bodies.size(), 1u);
  EXPECT_EQ(m->bodies[0].text, "Hi");
  ASSERT_EQ(m->dropped.size(), 1u);
}

TEST(message, cpim_unwrapped_with_imdn_request) {
  // RFC 5438 §7.1-style request: CPIM with IMDN headers around text/plain.
  std::string cpim =
      "From: <sip:bob@biloxi.example>\r\n"
      "To: <sip:alice@sip.example.com>\r\n"
      "NS: imdn <urn:ietf:params:imdn>\r\n"
      "imdn.Message-ID: 34jk324j\r\n"
      "DateTime: 2006-04-04T12:16:49-05:00\r\n"
      "imdn.Disposition-Notification: positive-delivery, display\r\n"
      "\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Language: it\r\n"
      "\r\n"
      "Ciao, è tutto ok?";
  auto m = from_sip(parse_sip(sip_message("", "message/cpim", cpim)), gw_map());
  ASSERT_TRUE(m) << m.err().reason;
  EXPECT_EQ(m->id, "34jk324j");
  EXPECT_TRUE(m->receipt_requested);
  ASSERT_EQ(m->bodies.size(), 1u);
  EXPECT_EQ(m->bodies[0], (localized_text{"it", "Ciao, è tutto ok?"}));
  auto xml = to_xmpp(*m);
  ASSERT_TRUE(xml);
  EXPECT_NE(xml->find("<request xmlns='urn:xmpp:receipts'/>"), std::string::npos);
  EXPECT_NE(xml->find("id='34jk324j'"), std::string::npos);
}

TEST(message, cpim_with_other_prefix_for_imdn_namespace) {
  std::string cpim =
      "NS: foo <urn:ietf:params:imdn>\r\nfoo.Message-ID: x1\r\n"
      "foo.Disposition-Notification: positive-delivery\r\nimdn.Message-ID: wrong\r\n\r\n"
      "Content-Type: text/plain;charset=UTF-8\r\n\r\nhello";
  auto m = from_sip(parse_sip(sip_message("", "message/cpim", cpim)), gw_map());
  ASSERT_TRUE(m) << m.err().reason;
  EXPECT_EQ(m->id, "x1");
  EXPECT_TRUE(m->receipt_requested);
}

TEST(message, xmpp_receipt_request_becomes_cpim_imdn_only_when_offered) {
  im_message m = parse_stanza(
      "<message xmlns='jabber:server' from='alice@xmpp.example.com' to='bob@biloxi.example' "
      "type='chat' id='richard2-4.1.247'><body>My lord, dispatch</body>"
      "<request xmlns='urn:xmpp:receipts'/></message>");
  EXPECT_TRUE(m.receipt_requested);
  // Not offered: plain text, no IMDN.
  auto plain = to_sip(m, gw_map());
  ASSERT_TRUE(plain && plain.value());
  EXPECT_EQ((*plain)->content_type, "text/plain;charset=UTF-8");
  // Offered: CPIM with IMDN headers.
  sip_out_options o;
  o.offer_imdn = true;
  o.datetime = "2026-11-25T19:00:00Z";
  auto out = to_sip(m, gw_map(), {}, o);
  ASSERT_TRUE(out && out.value());
  const auto& p = **out;
  EXPECT_EQ(p.content_type, "message/cpim");
  EXPECT_EQ(p.body,
            "From: <sip:alice@sip.example.com>\r\nTo: <sip:bob@biloxi.example>\r\n"
            "DateTime: 2026-11-25T19:00:00Z\r\nNS: imdn <urn:ietf:params:imdn>\r\n"
            "imdn.Message-ID: richard2-4.1.247\r\n"
            "imdn.Disposition-Notification: positive-delivery\r\n\r\n"
            "Content-Type: text/plain;charset=UTF-8\r\n\r\nMy lord, dispatch");
  // And it reads back.
  auto back = from_sip(parse_sip(sip_message("", p.content_type, p.body)), gw_map());
  ASSERT_TRUE(back) << back.err().reason;
  EXPECT_EQ(back->id, "richard2-4.1.247");
  EXPECT_TRUE(back->receipt_requested);
  EXPECT_EQ(back->bodies[0].text, "My lord, dispatch");
}

TEST(message, xmpp_received_becomes_imdn_delivered_only_if_sip_asked) {
  im_message m = parse_stanza(
      "<message xmlns='jabber:server' from='alice@xmpp.example.com' to='bob@biloxi.example' "
      "id='bi29sg183b4v'><received xmlns='urn:xmpp:receipts' id='34jk324j'/></message>");
  EXPECT_EQ(m.receipt_for, "34jk324j");
  auto none = to_sip(m, gw_map());
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value().has_value());  // SIP side did not ask: nothing is sent

  sip_out_options o;
  o.peer_requested_imdn = true;
  auto out = to_sip(m, gw_map(), {}, o);
  ASSERT_TRUE(out && out.value());
  EXPECT_EQ((*out)->content_type, "message/cpim");
  EXPECT_NE((*out)->body.find("imdn.Message-ID: bi29sg183b4v"), std::string::npos);
  EXPECT_NE((*out)->body.find("Content-Disposition: notification"), std::string::npos);
  EXPECT_NE((*out)->body.find("<message-id>34jk324j</message-id><delivery-notification><status>"
                              "<delivered/></status></delivery-notification>"),
            std::string::npos);
  // Reads back as a receipt.
  auto back = from_sip(parse_sip(sip_message("", (*out)->content_type, (*out)->body)), gw_map());
  ASSERT_TRUE(back) << back.err().reason;
  EXPECT_EQ(back->receipt_for, "34jk324j");
  EXPECT_FALSE(back->has_content());
}

TEST(message, imdn_display_or_failure_is_not_a_receipt) {
  std::string failed =
      "<?xml version='1.0' encoding='UTF-8'?><imdn xmlns='urn:ietf:params:xml:ns:imdn'>"
      "<message-id>m1</message-id><delivery-notification><status><failed/></status>"
      "</delivery-notification></imdn>";
  auto m = from_sip(parse_sip(sip_message("", "message/imdn+xml", failed)), gw_map());
  ASSERT_TRUE(m) << m.err().reason;
  EXPECT_TRUE(m->receipt_for.empty());
  std::string display =
      "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><message-id>m1</message-id>"
      "<display-notification><status><displayed/></status></display-notification></imdn>";
  m = from_sip(parse_sip(sip_message("", "message/imdn+xml", display)), gw_map());
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->receipt_for.empty());
}

TEST(message, chat_states_to_iscomposing_only_when_peer_accepts) {
  im_message m = parse_stanza(
      "<message xmlns='jabber:server' from='alice@xmpp.example.com' to='bob@biloxi.example' "
      "type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
  EXPECT_EQ(m.state, chat_state::composing);
  auto none = to_sip(m, gw_map());
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value().has_value());

  sip_out_options o;
  o.peer_accepts_iscomposing = true;
  auto out = to_sip(m, gw_map(), {}, o);
  ASSERT_TRUE(out && out.value());
  EXPECT_EQ((*out)->content_type, "application/im-iscomposing+xml");
  auto back = from_sip(parse_sip(sip_message("", (*out)->content_type, (*out)->body)), gw_map());
  ASSERT_TRUE(back) << back.err().reason;
  EXPECT_EQ(back->state, chat_state::composing);
  EXPECT_EQ(back->composing_refresh, 60);

  m.state = chat_state::paused;
  out = to_sip(m, gw_map(), {}, o);
  ASSERT_TRUE(out && out.value());
  EXPECT_NE((*out)->body.find("<state>idle</state>"), std::string::npos);
  back = from_sip(parse_sip(sip_message("", (*out)->content_type, (*out)->body)), gw_map());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->state, chat_state::paused);

  // active/inactive/gone have no isComposing form.
  for (chat_state s : {chat_state::active, chat_state::inactive, chat_state::gone}) {
    m.state = s;
    auto r = to_sip(m, gw_map(), {}, o);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r.value().has_value()) << to_string(s);
  }
}

TEST(message, iscomposing_from_sip_to_xmpp_chat_state) {
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"\n"
      "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
      "  <state>active</state>\n  <contenttype>text/plain</contenttype>\n"
      "  <refresh>90</refresh>\n</isComposing>";
  auto m = from_sip(parse_sip(sip_message("", "application/im-iscomposing+xml", doc)), gw_map());
  ASSERT_TRUE(m) << m.err().reason;
  auto xml = to_xmpp(*m);
  ASSERT_TRUE(xml);
  EXPECT_NE(xml->find("<composing xmlns='http://jabber.org/protocol/chatstates'/>"),
            std::string::npos);
  EXPECT_EQ(xml->find("<body"), std::string::npos);
}

TEST(message, size_limit_gives_policy_violation_513_both_ways) {
  message_limits lim;
  lim.max_body_bytes = 16;
  pugi::xml_document doc;
  ASSERT_TRUE(
      doc.load_string("<message xmlns='jabber:server' from='a@x.example' to='b@y.example'>"
                      "<body>0123456789abcdefg</body></message>"));
  auto r = from_xmpp(doc.document_element(), lim);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().condition, stanza_condition::policy_violation);
  EXPECT_EQ(r.err().status, 513);

  auto s = from_sip(parse_sip(sip_message("", "text/plain", "0123456789abcdefg")), gw_map(), lim);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.err().status, 513);
  EXPECT_EQ(s.err().condition, stanza_condition::policy_violation);
  // Exactly at the limit is fine (UTF-8 octets: 4 emoji = 16 octets).
  EXPECT_TRUE(from_sip(parse_sip(sip_message("", "text/plain", "😀😀😀😀")), gw_map(), lim));
}

TEST(message, sip_refusals) {
  auto m = gw_map();
  auto r = from_sip(parse_sip(sip_message("", "text/html", "<b>x</b>")), m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 415);
  r = from_sip(parse_sip(sip_message("", "text/plain;charset=ISO-8859-1", "caf\xe9")), m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 415);
  r = from_sip(parse_sip(sip_message("", "text/plain;charset=UTF-8", "caf\xe9")), m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 400);
  r = from_sip(parse_sip(sip_message("", "text/plain", std::string("nul\0byte", 8))), m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 400);
  r = from_sip(parse_sip(sip_message("", "message/cpim", "garbage without blank lines")), m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 400);
  // tel: From is not mappable.
  std::string tel = sip_message("", "text/plain", "hi");
  tel.replace(tel.find("\"Bob\" <sip:bob@biloxi.example>"), 30, "<tel:+12015550123>");
  r = from_sip(parse_sip(tel), m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 416);
}

TEST(message, xmpp_refusals) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(
      "<message xmlns='jabber:server' from='room@muc.example/nick' to='b@y.example' "
      "type='groupchat'><body>x</body></message>"));
  auto r = from_xmpp(doc.document_element());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().condition, stanza_condition::feature_not_implemented);
  ASSERT_TRUE(doc.load_string("<message xmlns='jabber:server' to='@bad'><body>x</body></message>"));
  r = from_xmpp(doc.document_element());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().condition, stanza_condition::jid_malformed);
  ASSERT_TRUE(doc.load_string("<iq xmlns='jabber:server' type='get'/>"));
  EXPECT_FALSE(from_xmpp(doc.document_element()));
}

TEST(message, sip_200_is_never_a_receipt) {
  // A response is not a MESSAGE: nothing becomes <received/>.
  sip::message ok = parse_sip(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776sgdkse\r\n"
      "From: <sip:bob@biloxi.example>;tag=49583\r\nTo: <sip:alice@sip.example.com>;tag=ab\r\n"
      "Call-ID: asd88asd77a@192.0.2.10\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n");
  auto r = from_sip(ok, gw_map());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 405);
}

TEST(message, subject_with_crlf_is_made_one_line) {
  im_message m;
  m.from = xmpp::jid::parse("a@xmpp.example.com");
  m.to = xmpp::jid::parse("b@y.example");
  m.subjects.push_back({"", "line1\r\nX-Injected: yes"});
  m.bodies.push_back({"", "x"});
  auto out = to_sip(m, gw_map());
  ASSERT_TRUE(out && out.value());
  EXPECT_EQ((*out)->headers[0].second, "line1  X-Injected: yes");
}

TEST(message, truncated_and_garbled_bodies_never_crash) {
  // Every prefix of structured bodies: either a result or an error, never a crash or a hang.
  const std::pair<const char*, std::string> bodies[] = {
      {"multipart/alternative;boundary=b1",
       "--b1\r\nContent-Type: text/plain\r\nContent-Language: de\r\n\r\nHallo\r\n--b1\r\n"
       "\r\nHello\r\n--b1--\r\n"},
      {"message/cpim",
       "NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: a\r\nSubject: ;lang=fr Salut\r\n\r\n"
       "Content-Type: text/plain\r\n\r\nhi"},
      {"application/im-iscomposing+xml",
       "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>idle</state>"
       "<refresh>x</refresh></isComposing>"},
      {"message/imdn+xml",
       "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><message-id>m</message-id>"
       "<delivery-notification><status><delivered/></status></delivery-notification></imdn>"},
  };
  int ok = 0;
  for (const auto& [type, body] : bodies) {
    for (std::size_t n = 0; n <= body.size(); ++n) {
      auto r = from_sip(parse_sip(sip_message("", type, body.substr(0, n))), gw_map());
      ok += r ? 1 : 0;
    }
    EXPECT_TRUE(from_sip(parse_sip(sip_message("", type, body)), gw_map())) << type;
  }
  EXPECT_GT(ok, 0);
  auto cpim = from_sip(parse_sip(sip_message("", bodies[1].first, bodies[1].second)), gw_map());
  ASSERT_TRUE(cpim);
  ASSERT_EQ(cpim->subjects.size(), 1u);
  EXPECT_EQ(cpim->subjects[0], (localized_text{"fr", "Salut"}));
}

}  // namespace
}  // namespace fedgate::mapping
