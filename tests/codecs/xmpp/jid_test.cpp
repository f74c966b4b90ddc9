// JID tables: RFC 7622 §3.5 examples, PRECIS mappings, domain forms, limits.

#include "codecs/xmpp/jid.hpp"

#include <string>
#include <unordered_set>

#include <gtest/gtest.h>

namespace fedgate::xmpp {
namespace {

struct norm_case {
  const char* input;
  const char* normalised;
};

TEST(xmpp_jid, ValidAndNormalised) {
  const norm_case cases[] = {
      // RFC 7622 §3.5 examples of valid JIDs.
      {"juliet@example.com", "juliet@example.com"},
      {"juliet@example.com/foo", "juliet@example.com/foo"},
      {"juliet@example.com/foo bar", "juliet@example.com/foo bar"},
      {"juliet@example.com/foo@bar", "juliet@example.com/foo@bar"},
      {"foo\\20bar@example.com", "foo\\20bar@example.com"},
      {"fussball@example.com", "fussball@example.com"},
      {"fu\xC3\x9F"
       "ball@example.com",
       "fu\xC3\x9F"
       "ball@example.com"},                                                // ß kept
      {"\xCF\x80@example.com", "\xCF\x80@example.com"},                    // π
      {"\xCE\xA3@example.com/foo", "\xCF\x83@example.com/foo"},            // Σ -> σ
      {"\xCF\x83@example.com/foo", "\xCF\x83@example.com/foo"},            // σ
      {"\xCF\x82@example.com/foo", "\xCF\x82@example.com/foo"},            // ς kept
      {"king@example.com/\xE2\x99\x9A", "king@example.com/\xE2\x99\x9A"},  // ♚ resource
      {"example.com", "example.com"},
      {"example.com/foobar", "example.com/foobar"},
      {"a.example.com/b@example.net", "a.example.com/b@example.net"},
      // Case: localpart and domain lower-cased, resource kept.
      {"Juliet@Example.COM/Balcony", "juliet@example.com/Balcony"},
      // Width mapping (RFC 8265 §3.3.2 step 1): fullwidth JULIET.
      {"\xEF\xBC\xAA\xEF\xBC\xB5\xEF\xBC\xAC\xEF\xBC\xA9\xEF\xBC\xA5\xEF\xBC\xB4@example.com",
       "juliet@example.com"},
      // NFC in localpart and resource: e + U+0301 -> é.
      {"re\xCC\x81sume\xCC\x81@example.com/e\xCC\x81", "r\xC3\xA9sum\xC3\xA9@example.com/\xC3\xA9"},
      // Resource: non-ASCII space (U+3000) mapped to U+0020.
      {"a@example.com/x\xE3\x80\x80y", "a@example.com/x y"},
      // Domains: trailing dot, IDNA, A-label case, ideographic full stop, IP literals.
      {"juliet@example.com.", "juliet@example.com"},
      {"B\xC3\xBC"
       "cher.example",
       "xn--bcher-kva.example"},
      {"XN--BCHER-KVA.example", "xn--bcher-kva.example"},
      {"b\xC3\xBC"
       "cher\xE3\x80\x82"
       "example",
       "xn--bcher-kva.example"},
      {"a@192.0.2.1/r", "a@192.0.2.1/r"},
      {"a@[2001:DB8:0:0::1]", "a@[2001:db8::1]"},
      {"[::1]/x", "[::1]/x"},
  };
  for (const auto& c : cases) {
    jid_error why = jid_error::none;
    auto j = jid::parse(c.input, &why);
    ASSERT_TRUE(j) << c.input << ": " << to_string(why);
    EXPECT_EQ(j->to_string(), c.normalised) << c.input;
    // Normalisation is idempotent and the string form parses back equal.
    auto again = jid::parse(j->to_string());
    ASSERT_TRUE(again) << c.normalised;
    EXPECT_EQ(*again, *j);
  }
}

struct bad_case {
  std::string input;
  jid_error error;
};

TEST(xmpp_jid, Invalid) {
  const bad_case cases[] = {
      // RFC 7622 §3.5 examples of invalid JIDs.
      {"\"juliet\"@example.com", jid_error::localpart_forbidden_char},
      {"foo bar@example.com", jid_error::localpart_forbidden_char},
      {"henry\xE2\x85\xA3@example.com", jid_error::localpart_disallowed},  // U+2163 (compat)
      {"\xE2\x99\x9A@example.com", jid_error::localpart_disallowed},       // ♚ symbol
      {"juliet@", jid_error::empty_domainpart},
      {"/foobar", jid_error::empty_domainpart},
      {"@example.com", jid_error::empty_localpart},
      {"example.com/", jid_error::empty_resourcepart},
      {"juliet@@example.com", jid_error::domainpart_invalid},
      // Forbidden localpart characters (RFC 7622 §3.3.1).
      {"a&b@example.com", jid_error::localpart_forbidden_char},
      {"a'b@example.com", jid_error::localpart_forbidden_char},
      {"a:b@example.com", jid_error::localpart_forbidden_char},
      {"a<b@example.com", jid_error::localpart_forbidden_char},
      {"a>b@example.com", jid_error::localpart_forbidden_char},
      {"\xEF\xBC\xA0"
       "a@example.com",
       jid_error::localpart_forbidden_char},  // fullwidth @
      {"a\tb@example.com", jid_error::localpart_disallowed},
      {"a\xE2\x80\x8D"
       "b@example.com",
       jid_error::localpart_disallowed},  // ZWJ (CONTEXTJ)
      {"a\xC2\xB7"
       "b@example.com",
       jid_error::localpart_disallowed},                                  // U+00B7 (CONTEXTO)
      {"\xF3\xA0\x80\x81@example.com", jid_error::localpart_disallowed},  // tag char (ignorable)
      // Resourcepart: controls, ignorables, unassigned.
      {"a@example.com/x\x01", jid_error::resourcepart_disallowed},
      {"a@example.com/x\x7F", jid_error::resourcepart_disallowed},
      {"a@example.com/x\xC2\x85", jid_error::resourcepart_disallowed},      // U+0085 control
      {"a@example.com/x\xE2\x80\x8B", jid_error::resourcepart_disallowed},  // U+200B ignorable
      {"a@example.com/\xEF\xBF\xBF", jid_error::resourcepart_disallowed},   // noncharacter
      {"a@example.com/\xCE\x87x", jid_error::resourcepart_disallowed},      // U+0387 -NFC-> U+00B7
      // Domainparts.
      {"exa mple.com", jid_error::domainpart_invalid},
      {"-example.com", jid_error::domainpart_invalid},
      {"example-.com", jid_error::domainpart_invalid},
      {"a..b", jid_error::domainpart_invalid},
      {".", jid_error::empty_domainpart},
      {"example.com..", jid_error::domainpart_invalid},
      {"under_score.example", jid_error::domainpart_invalid},
      {std::string(64, 'a') + ".example", jid_error::domainpart_invalid},
      {"[::1", jid_error::domainpart_invalid},
      {"[zz::1]", jid_error::domainpart_invalid},
      {"[192.0.2.1]", jid_error::domainpart_invalid},
      {"xn--zz-.example", jid_error::domainpart_invalid},
      {"\xE2\x99\x9A.example", jid_error::domainpart_invalid},
      // Encoding.
      {"\xC3@example.com", jid_error::invalid_utf8},
      {"a@example.com/\xED\xA0\x80", jid_error::invalid_utf8},
      {"a@exam\xC0\xAFple.com", jid_error::invalid_utf8},
  };
  for (const auto& c : cases) {
    jid_error why = jid_error::none;
    EXPECT_FALSE(jid::parse(c.input, &why)) << c.input;
    EXPECT_EQ(why, c.error) << c.input << ": got " << to_string(why);
  }
}

TEST(xmpp_jid, PartLengths) {
  std::string domain = "example.com";
  EXPECT_TRUE(jid::parse(std::string(1023, 'a') + "@" + domain));
  jid_error why{};
  EXPECT_FALSE(jid::parse(std::string(1024, 'a') + "@" + domain, &why));
  EXPECT_EQ(why, jid_error::localpart_too_long);
  EXPECT_TRUE(jid::parse(domain + "/" + std::string(1023, 'r')));
  EXPECT_FALSE(jid::parse(domain + "/" + std::string(1024, 'r'), &why));
  EXPECT_EQ(why, jid_error::resourcepart_too_long);
  // 341 two-octet characters = 682 octets, fine; 512 = 1024 octets, too long.
  std::string pi;
  for (int i = 0; i < 512; ++i)
    pi += "\xCF\x80";
  EXPECT_FALSE(jid::parse(pi + "@" + domain, &why));
  EXPECT_EQ(why, jid_error::localpart_too_long);
  std::string long_domain;
  while (long_domain.size() + 63 <= 1024)
    long_domain += std::string(62, 'd') + ".";
  long_domain.pop_back();
  EXPECT_GT(long_domain.size(), 1000u);
  EXPECT_TRUE(jid::parse(long_domain));
  EXPECT_FALSE(jid::parse(long_domain + ".dddddddddddddddddddddddd", &why));
  EXPECT_EQ(why, jid_error::domainpart_too_long);
}

TEST(xmpp_jid, AccessorsBareAndFull) {
  auto j = jid::parse("Romeo@Example.net/Orchard");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->local(), "romeo");
  EXPECT_EQ(j->domain(), "example.net");
  EXPECT_EQ(j->resource(), "Orchard");
  EXPECT_TRUE(j->has_local());
  EXPECT_FALSE(j->is_bare());
  EXPECT_EQ(j->bare().to_string(), "romeo@example.net");
  EXPECT_EQ(j->bare_string(), "romeo@example.net");
  EXPECT_TRUE(j->bare().is_bare());
  EXPECT_EQ(j->bare().bare(), j->bare());
  auto k = j->with_resource("Garden");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->to_string(), "romeo@example.net/Garden");
  EXPECT_FALSE(j->with_resource("bad\x01"));
  auto d = jid::parse("example.net");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->has_local());
  EXPECT_EQ(d->to_string(), "example.net");
  auto p = jid::from_parts("ROMEO", "EXAMPLE.net", "Orchard");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, *j);
}

TEST(xmpp_jid, ComparisonAndHash) {
  auto a = *jid::parse("juliet@example.com/balcony");
  auto b = *jid::parse("JULIET@EXAMPLE.COM./balcony");
  auto c = *jid::parse("juliet@example.com/Balcony");
  auto d = *jid::parse("alice@example.com");
  auto e = *jid::parse("juliet@example.org");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);  // resources are case-sensitive
  EXPECT_TRUE(d < a);
  EXPECT_TRUE(a < e);  // domain first
  EXPECT_FALSE(a < b);
  EXPECT_FALSE(b < a);
  std::unordered_set<jid> set{a, b, c, d};
  EXPECT_EQ(set.size(), 3u);
}

TEST(xmpp_jid, NormalisePartsDirectly) {
  EXPECT_EQ(normalize_domainpart("Example.COM.").value_or(""), "example.com");
  EXPECT_EQ(normalize_localpart("ALICE").value_or(""), "alice");
  EXPECT_EQ(normalize_resourcepart("Res").value_or(""), "Res");
  jid_error why{};
  EXPECT_FALSE(normalize_localpart("", &why));
  EXPECT_EQ(why, jid_error::empty_localpart);
  EXPECT_EQ(to_string(jid_error::domainpart_invalid), "invalid domainpart");
}

}  // namespace
}  // namespace fedgate::xmpp
