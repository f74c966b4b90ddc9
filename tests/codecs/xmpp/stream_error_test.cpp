#include "codecs/xmpp/stream_error.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace fedgate::xmpp {
namespace {

TEST(xmpp_stream_error, AllConditionsRoundTrip) {
  std::set<std::string> names;
  for (int i = 0; i < stream_error_condition_count; ++i) {
    auto c = static_cast<stream_error_condition>(i);
    auto name = std::string{to_string(c)};
    names.insert(name);
    auto back = stream_error_condition_from_string(name);
    ASSERT_TRUE(back) << name;
    EXPECT_EQ(*back, c);
  }
  EXPECT_EQ(names.size(), 25u);
  EXPECT_EQ(to_string(stream_error_condition::bad_format), "bad-format");
  EXPECT_EQ(to_string(stream_error_condition::not_well_formed), "not-well-formed");
  EXPECT_EQ(to_string(stream_error_condition::restricted_xml), "restricted-xml");
  EXPECT_EQ(to_string(stream_error_condition::unsupported_version), "unsupported-version");
  EXPECT_FALSE(stream_error_condition_from_string("no-such-condition"));
}

TEST(xmpp_stream_error, ParseReceivedError) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(
      "<stream:error xmlns:stream='http://etherx.jabber.org/streams'>"
      "<see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::1]:5269"
      "</see-other-host><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>moved</text>"
      "<app xmlns='urn:example'/></stream:error>"));
  auto e = parse_stream_error(doc.document_element());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->condition, stream_error_condition::see_other_host);
  EXPECT_EQ(e->see_other_host, "[2001:db8::1]:5269");
  EXPECT_EQ(e->text, "moved");

  ASSERT_TRUE(
      doc.load_string("<stream:error xmlns:stream='http://etherx.jabber.org/streams'>"
                      "<bogus xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                      "</stream:error>"));
  e = parse_stream_error(doc.document_element());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->condition, stream_error_condition::undefined_condition);

  ASSERT_TRUE(doc.load_string("<error xmlns='jabber:server'/>"));
  EXPECT_FALSE(parse_stream_error(doc.document_element()));
}

}  // namespace
}  // namespace fedgate::xmpp
