// message: the typed values kept at parse time stay valid across copies and moves (they are
// views into the message's own buffer; see message.hpp).

#include "codecs/sip/message.hpp"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"

namespace fedgate::sip {
namespace {

const std::string request =
    "MESSAGE sip:bob@xmpp.test SIP/2.0\r\n"
    "v: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1, SIP/2.0/UDP "
    "ua.example.com;branch=z9hG4bKua\r\n"
    "Record-Route: <sip:p1.example.com;lr>\r\n"
    "Record-Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n"
    "Route: <sip:r1.example.com;lr>\r\n"
    "f: \"Alice\" <sip:alice@sip.test>;tag=a1\r\n"
    "t: <sip:bob@xmpp.test>\r\n"
    "i: c1@sip.test\r\n"
    "CSeq: 7 MESSAGE\r\n"
    "m: <sip:alice@192.0.2.1;transport=tcp>;expires=60\r\n"
    "c: text/plain;charset=utf-8\r\n"
    "l: 2\r\n"
    "\r\n"
    "hi";

void expect_typed(const message& m) {
  ASSERT_EQ(m.via_list().size(), 2u);
  EXPECT_EQ(m.vias()[1].branch, "z9hG4bKua");
  EXPECT_EQ(m.top_via().host, "p1.example.com");
  EXPECT_EQ(m.from().display_name_text(), "Alice");
  EXPECT_EQ(m.from().tag(), "a1");
  EXPECT_EQ(m.to().address.host, "xmpp.test");
  ASSERT_EQ(m.record_route_list().size(), 3u);
  EXPECT_EQ(m.record_routes()[2].address.host, "p3.example.com");
  ASSERT_EQ(m.route_list().size(), 1u);
  EXPECT_EQ(m.routes()[0].address.host, "r1.example.com");
  ASSERT_EQ(m.contact_list().size(), 1u);
  EXPECT_EQ(m.contacts()[0].param("expires"), "60");
  EXPECT_EQ(m.content_type()->param("charset"), "utf-8");
  EXPECT_EQ(m.call_id(), "c1@sip.test");
  EXPECT_EQ(m.body(), "hi");
  // Every view points into this message's own buffer.
  auto inside = [&m](std::string_view v) {
    return v.data() >= m.raw().data() && v.data() + v.size() <= m.raw().data() + m.raw().size();
  };
  EXPECT_TRUE(inside(m.via_list()[0].branch));
  EXPECT_TRUE(inside(m.from().address.host));
  EXPECT_TRUE(inside(m.to().uri_text));
  EXPECT_TRUE(inside(m.record_route_list()[1].address.params));
  EXPECT_TRUE(inside(m.contact_list()[0].params));
  EXPECT_TRUE(inside(m.content_type()->subtype));
}

TEST(sip_message, typed_values_survive_copy_and_original_destruction) {
  auto original = std::make_unique<message>(parse_datagram(request).value());
  expect_typed(*original);
  message copy(*original);
  message assigned;
  assigned = *original;
  original.reset();  // the copies must not point into the destroyed buffer
  expect_typed(copy);
  expect_typed(assigned);
}

TEST(sip_message, typed_values_survive_moves) {
  std::vector<message> many;
  for (int i = 0; i < 40; ++i)  // reallocations move the elements
    many.push_back(parse_datagram(request).value());
  for (const auto& m : many)
    expect_typed(m);
  message moved(std::move(many[3]));
  expect_typed(moved);
  message target;
  target = std::move(moved);
  expect_typed(target);
  EXPECT_EQ(moved.raw(), "");  // NOLINT: a moved-from message is empty
  EXPECT_TRUE(moved.via_list().empty());
  target = target;  // self-assignment is harmless
  expect_typed(target);
}

}  // namespace
}  // namespace fedgate::sip
