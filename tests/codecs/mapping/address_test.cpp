// RFC 7247 §5 address mapping: examples, refusals, domain map, GRUU, and the round-trip property.
#include "codecs/mapping/address.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/sip/uri.hpp"

namespace fedgate::mapping {
namespace {

xmpp::jid J(std::string_view s) {
  auto j = xmpp::jid::parse(s);
  EXPECT_TRUE(j) << s;
  return *j;
}

domain_map example_map() {
  domain_map m;
  EXPECT_TRUE(m.add("sip.example.com", "xmpp.example.com"));
  EXPECT_TRUE(m.add("SIP.Example.ORG", "chat.example.org"));
  return m;
}

TEST(address, simple_jid_to_sip) {
  domain_map m;
  auto r = jid_to_sip_uri(J("juliet@example.com"), m);
  ASSERT_TRUE(r) << r.err().reason;
  EXPECT_EQ(*r, "sip:juliet@example.com");
}

TEST(address, simple_sip_to_jid) {
  domain_map m;
  auto r = sip_uri_to_jid("sip:romeo@example.net", m);
  ASSERT_TRUE(r) << r.err().reason;
  EXPECT_EQ(r->to_string(), "romeo@example.net");
}

TEST(address, sip_side_is_case_insensitive_and_params_headers_dropped) {
  domain_map m;
  auto r = sip_uri_to_jid("SIP:Romeo@Example.NET:5061;transport=tls;user=phone?Subject=hi", m);
  ASSERT_TRUE(r) << r.err().reason;
  EXPECT_EQ(r->to_string(), "romeo@example.net");
  EXPECT_TRUE(r->is_bare());
}

TEST(address, user_chars_not_allowed_in_sip_userinfo_are_percent_encoded) {
  domain_map m;
  // '%' and '#' are legal localpart characters but not SIP user characters (RFC 3261 §25.1).
  auto r = jid_to_sip_uri(J("100%real#fan@example.com"), m);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "sip:100%25real%23fan@example.com");
  // user-unreserved characters stay as they are.
  r = jid_to_sip_uri(J("a+b=c$d,e;f?g!h~i*j(k)@example.com"), m);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "sip:a+b=c$d,e;f?g!h~i*j(k)@example.com");
}

TEST(address, unicode_localpart_is_utf8_percent_encoded_and_decoded) {
  domain_map m;
  auto r = jid_to_sip_uri(J("jürgen@example.com"), m);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "sip:j%C3%BCrgen@example.com");
  auto back = sip_uri_to_jid(*r, m);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->local(), "jürgen");
  // A SIP peer may send lower-case hex or upper-case letters: the JID is normalised.
  back = sip_uri_to_jid("sip:J%c3%9cRGEN@Example.com", m);
  ASSERT_TRUE(back) << back.err().reason;
  EXPECT_EQ(back->to_string(), "jürgen@example.com");
}

TEST(address, idn_domain_becomes_a_label_both_ways) {
  domain_map m;
  auto r = jid_to_sip_uri(J("anna@bücher.example"), m);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "sip:anna@xn--bcher-kva.example");
  auto back = sip_uri_to_jid("sip:anna@XN--BCHER-KVA.example", m);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->domain(), "xn--bcher-kva.example");
}

TEST(address, tel_uri_refused_with_416) {
  domain_map m;
  auto r = sip_uri_to_jid("tel:+1-201-555-0123", m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 416);
  EXPECT_EQ(r.err().condition, stanza_condition::jid_malformed);
  r = sip_uri_to_jid("im:juliet@example.com", m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 416);
}

TEST(address, userless_uri_refused_with_404) {
  domain_map m;
  auto r = sip_uri_to_jid("sip:example.com", m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 404);
  EXPECT_EQ(r.err().condition, stanza_condition::item_not_found);
}

TEST(address, malformed_uri_refused_with_400) {
  domain_map m;
  auto r = sip_uri_to_jid("sip:juliet@", m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 400);
  r = sip_uri_to_jid("not a uri", m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 400);
}

TEST(address, user_with_chars_forbidden_in_localpart_refused_with_400) {
  domain_map m;
  // RFC 7622 §3.3.1 forbids " & ' / : < > @ and space; '&' '/' are legal SIP user characters.
  for (const char* uri :
       {"sip:tom&jerry@example.com", "sip:a/b@example.com", "sip:a%40b@example.com",
        "sip:a%20b@example.com", "sip:a%3Cb%3E@example.com", "sip:a%00b@example.com",
        "sip:%FF%FE@example.com"}) {
    auto r = sip_uri_to_jid(uri, m);
    ASSERT_FALSE(r) << uri;
    EXPECT_EQ(r.err().status, 400) << uri;
    EXPECT_EQ(r.err().condition, stanza_condition::jid_malformed) << uri;
  }
}

TEST(address, domain_jid_refused_with_item_not_found) {
  domain_map m;
  auto r = jid_to_sip_uri(J("example.com"), m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().condition, stanza_condition::item_not_found);
}

TEST(address, domain_map_pairs_both_ways_case_insensitive) {
  domain_map m = example_map();
  EXPECT_EQ(m.size(), 2u);
  auto r = jid_to_sip_uri(J("alice@XMPP.example.com"), m);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "sip:alice@sip.example.com");
  auto j = sip_uri_to_jid("sip:bob@Sip.Example.Org", m);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->to_string(), "bob@chat.example.org");
  // Unpaired domains pass through by default.
  j = sip_uri_to_jid("sip:carol@elsewhere.example", m);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->domain(), "elsewhere.example");
  // The SIP name of a paired domain is not an XMPP domain (one-to-one).
  r = jid_to_sip_uri(J("alice@sip.example.com"), m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().condition, stanza_condition::item_not_found);
}

TEST(address, domain_map_rejects_duplicates_and_bad_domains) {
  domain_map m = example_map();
  EXPECT_FALSE(m.add("sip.example.com", "other.example"));
  EXPECT_FALSE(m.add("other.example", "XMPP.EXAMPLE.COM"));
  EXPECT_FALSE(m.add("bad domain", "x.example"));
  EXPECT_FALSE(m.add("x.example", ""));
  EXPECT_EQ(m.size(), 2u);
}

TEST(address, reject_policy_refuses_unpaired_domains) {
  domain_map m(domain_map::unmapped::reject);
  ASSERT_TRUE(m.add("sip.example.com", "xmpp.example.com"));
  auto r = sip_uri_to_jid("sip:carol@elsewhere.example", m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().status, 404);
  auto s = jid_to_sip_uri(J("dave@elsewhere.example"), m);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.err().condition, stanza_condition::item_not_found);
  EXPECT_TRUE(sip_uri_to_jid("sip:carol@sip.example.com", m));
}

TEST(address, resource_to_gruu_and_back) {
  domain_map m = example_map();
  address_options gruu{true, false};
  auto r = jid_to_sip_uri(J("alice@xmpp.example.com/Conversations.x y;z"), m, gruu);
  ASSERT_TRUE(r) << r.err().reason;
  EXPECT_EQ(*r, "sip:alice@sip.example.com;gr=Conversations.x%20y%3Bz");
  auto back = sip_uri_to_jid(*r, m, gruu);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to_string(), "alice@xmpp.example.com/Conversations.x y;z");
  // Without the option the resource is dropped both ways.
  EXPECT_EQ(*jid_to_sip_uri(J("alice@xmpp.example.com/phone"), m), "sip:alice@sip.example.com");
  EXPECT_TRUE(sip_uri_to_jid(*r, m)->is_bare());
  // A SIP GRUU (RFC 5627 §4) as a resource.
  back = sip_uri_to_jid("sip:bob@sip.example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
                        m, gruu);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->resource(), "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
}

TEST(address, sips_scheme) {
  domain_map m;
  address_options o;
  o.sips = true;
  EXPECT_EQ(*jid_to_sip_uri(J("x@example.com"), m, o), "sips:x@example.com");
  EXPECT_EQ(sip_uri_to_jid("sips:x@example.com", m)->to_string(), "x@example.com");
}

TEST(address, ip_literal_domains) {
  domain_map m;
  EXPECT_EQ(*jid_to_sip_uri(J("x@192.0.2.1"), m), "sip:x@192.0.2.1");
  EXPECT_EQ(sip_uri_to_jid("sip:x@[2001:DB8::1]:5060", m)->domain(), "[2001:db8::1]");
}

// Property: for valid JIDs (ASCII and Unicode localparts, IDN domains), jid -> uri -> jid is the
// identity on the bare part, and with GRUU on the full JID; the URI parses as a SIP URI.
TEST(address, round_trip_property) {
  const std::vector<std::string> locals = {"juliet",
                                           "Romeo.Montague",
                                           "o'malley-not",
                                           "a_b-c.d",
                                           "100%",
                                           "#hash",
                                           "x+y=z",
                                           "tilde~",
                                           "jürgen",
                                           "ΣΊΣΥΦΟΣ",
                                           "東京",
                                           "مرحبا",
                                           "שלום",
                                           "e\xcc\x81t\xc3\xa9",
                                           "😀smile",
                                           "[bracket]",
                                           "{curly}",
                                           "back\\slash",
                                           "pipe|bar",
                                           "caret^",
                                           "`tick`",
                                           "a,b;c?d",
                                           "ñandú",
                                           "ǆemal",
                                           "ǅ",
                                           "ﬁle",
                                           "Ⅻ",
                                           "x%41y"};
  const std::vector<std::string> domains = {
      "example.com",        "bücher.example", "例え.テスト",  "xn--80ak6aa92e.com",
      "sub.δοκιμή.example", "192.0.2.7",      "[2001:db8::7]"};
  const std::vector<std::string> resources = {"", "phone", "Gajim.3Xq1", "a b/c@d", "🚀", "שלום"};
  domain_map m = example_map();
  int checked = 0;
  for (const auto& l : locals) {
    for (const auto& d : domains) {
      for (const auto& r : resources) {
        xmpp::jid_error why{};
        auto j = xmpp::jid::from_parts(l, d, r, &why);
        if (!j) continue;  // not a valid JID (e.g. "o'malley-not" has a forbidden "'")
        ++checked;
        for (bool gruu : {false, true}) {
          address_options o{gruu, false};
          auto uri = jid_to_sip_uri(*j, m, o);
          ASSERT_TRUE(uri) << j->to_string() << ": " << uri.err().reason;
          ASSERT_TRUE(sip::parse_uri(*uri)) << *uri;
          auto back = sip_uri_to_jid(*uri, m, o);
          ASSERT_TRUE(back) << *uri << ": " << back.err().reason;
          EXPECT_EQ(back->bare(), j->bare()) << *uri;
          if (gruu) {
            EXPECT_EQ(*back, *j) << *uri;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 400);
}

}  // namespace
}  // namespace fedgate::mapping
