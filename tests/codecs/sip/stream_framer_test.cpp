#include "codecs/sip/stream_framer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fedgate::sip {
namespace {

std::string make(int n, std::string_view body = "hello") {
  return "MESSAGE sip:bob@xmpp.test SIP/2.0\r\n"
         "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK" +
         std::to_string(n) +
         "\r\n"
         "From: <sip:alice@sip.test>;tag=a\r\nTo: <sip:bob@xmpp.test>\r\n"
         "Call-ID: c" +
         std::to_string(n) + "\r\nCSeq: " + std::to_string(n) +
         " MESSAGE\r\n"
         "Content-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

struct recorder {
  std::vector<std::string> call_ids;
  std::vector<std::string> bodies;
  std::vector<keepalive_kind> keepalives;
  std::vector<std::string> bad;
  stream_framer::handlers handlers() {
    return {[this](message&& m) {
              call_ids.emplace_back(m.call_id());
              bodies.emplace_back(m.body());
            },
            [this](keepalive_kind k) { keepalives.push_back(k); },
            [this](const error& e) { bad.push_back(e.to_string()); }};
  }
};

TEST(sip_stream_framer, several_messages_in_one_chunk) {
  recorder r;
  stream_framer f(r.handlers());
  auto res = f.consume(make(1) + make(2, "") + make(3, "third body"));
  EXPECT_TRUE(res.ok());
  EXPECT_EQ(res.messages, 3u);
  EXPECT_EQ(r.call_ids, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(r.bodies, (std::vector<std::string>{"hello", "", "third body"}));
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(sip_stream_framer, one_message_byte_by_byte) {
  recorder r;
  stream_framer f(r.handlers());
  std::string bytes = make(7, "split body") + make(8);
  for (char c : bytes)
    ASSERT_TRUE(f.consume(std::string_view(&c, 1)).ok());
  EXPECT_EQ(r.call_ids, (std::vector<std::string>{"c7", "c8"}));
  EXPECT_EQ(r.bodies[0], "split body");
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(sip_stream_framer, every_split_point_gives_the_same_messages) {
  std::string bytes = make(1) + "\r\n\r\n" + make(2, "x");
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    recorder r;
    stream_framer f(r.handlers());
    ASSERT_TRUE(f.consume(std::string_view(bytes).substr(0, cut)).ok());
    ASSERT_TRUE(f.consume(std::string_view(bytes).substr(cut)).ok());
    EXPECT_EQ(r.call_ids, (std::vector<std::string>{"c1", "c2"})) << "cut at " << cut;
  }
}

TEST(sip_stream_framer, crlf_keepalives) {
  recorder r;
  stream_framer f(r.handlers());
  auto res = f.consume("\r\n\r\n" + make(1) + "\r\n");
  EXPECT_EQ(res.keepalives, 2u);
  EXPECT_EQ(r.keepalives,
            (std::vector<keepalive_kind>{keepalive_kind::ping, keepalive_kind::pong}));
  EXPECT_EQ(r.call_ids.size(), 1u);
  f.consume("\r\n\r");  // a ping cut short waits for its last byte
  EXPECT_EQ(r.keepalives.size(), 2u);
  f.consume("\n");
  EXPECT_EQ(r.keepalives.back(), keepalive_kind::ping);
}

TEST(sip_stream_framer, missing_content_length_is_fatal) {
  recorder r;
  stream_framer f(r.handlers());
  std::string msg = make(1);
  msg.erase(msg.find("Content-Length: 5\r\n"), 19);
  auto res = f.consume(msg);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.fatal->to_string(), "400 Missing Content-Length on stream transport");
  EXPECT_TRUE(f.failed());
  EXPECT_FALSE(f.consume(make(2)).ok());  // stays failed
  EXPECT_TRUE(r.call_ids.empty());
}

TEST(sip_stream_framer, malformed_message_with_known_extent_does_not_stop_framing) {
  recorder r;
  stream_framer f(r.handlers());
  std::string broken = make(1);
  broken.replace(broken.find("CSeq: 1"), 7, "CSeq: x");
  auto res = f.consume(broken + make(2));
  EXPECT_TRUE(res.ok());
  EXPECT_EQ(res.messages, 2u);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0], "400 Malformed CSeq header: missing sequence number");
  EXPECT_EQ(r.call_ids, (std::vector<std::string>{"c2"}));
}

TEST(sip_stream_framer, size_limits_are_fatal_513) {
  limits lim;
  lim.max_message_bytes = 300;
  recorder r;
  stream_framer f(r.handlers(), lim);
  auto res = f.consume(make(1, std::string(400, 'b')));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.fatal->status, 513);

  stream_framer g(r.handlers(), lim);
  auto endless = g.consume("OPTIONS sip:x SIP/2.0\r\nX: " + std::string(400, 'a'));
  ASSERT_FALSE(endless.ok());
  EXPECT_EQ(endless.fatal->status, 513);
}

TEST(sip_stream_framer, find_content_length_handles_compact_and_folded_forms) {
  EXPECT_EQ(*find_content_length("INVITE x SIP/2.0\r\nl: 12\r\n", 1000), 12u);
  EXPECT_EQ(*find_content_length("A: b\r\nContent-Length:\r\n  7\r\n", 1000), 7u);
  EXPECT_FALSE(find_content_length("A: b\r\n", 1000)->has_value());
  EXPECT_FALSE(find_content_length("l: 1\r\nContent-Length: 1\r\n", 1000));
  EXPECT_FALSE(find_content_length("l: -1\r\n", 1000));
}

// RFC 5626 §3.5.1: a ping whose two CRLFs arrive in different reads (see stream_framer.hpp).
TEST(sip_stream_framer, split_ping_is_two_pongs_on_the_pinging_side) {
  recorder r;
  stream_framer f(r.handlers());  // default: keepalive_side::sends_pings
  f.consume("\r\n");
  EXPECT_EQ(r.keepalives, (std::vector<keepalive_kind>{keepalive_kind::pong}));  // at once
  f.consume("\r\n");
  EXPECT_EQ(r.keepalives,
            (std::vector<keepalive_kind>{keepalive_kind::pong, keepalive_kind::pong}));
}

TEST(sip_stream_framer, split_ping_is_one_ping_on_the_answering_side) {
  recorder r;
  stream_framer f(r.handlers(), limits{}, keepalive_side::answers_pings);
  auto first = f.consume("\r\n");
  EXPECT_EQ(first.keepalives, 0u);
  EXPECT_EQ(f.buffered(), 2u);  // held: pong or half a ping
  auto second = f.consume("\r\n");
  EXPECT_EQ(second.keepalives, 1u);
  EXPECT_EQ(r.keepalives, (std::vector<keepalive_kind>{keepalive_kind::ping}));
  EXPECT_EQ(f.buffered(), 0u);
  // A held CRLF followed by a message is a pong (a stray CRLF, RFC 3261 §7.5).
  f.consume("\r\n");
  f.consume(make(1));
  EXPECT_EQ(r.keepalives,
            (std::vector<keepalive_kind>{keepalive_kind::ping, keepalive_kind::pong}));
  EXPECT_EQ(r.call_ids, (std::vector<std::string>{"c1"}));
}

TEST(sip_stream_framer, answering_side_keepalives_do_not_depend_on_the_cut) {
  std::string bytes = "\r\n\r\n" + make(1) + "\r\n\r\n\r\n" + make(2) + "\r\n\r\n";
  recorder whole;
  stream_framer w(whole.handlers(), limits{}, keepalive_side::answers_pings);
  ASSERT_TRUE(w.consume(bytes).ok());
  EXPECT_EQ(whole.keepalives,
            (std::vector<keepalive_kind>{keepalive_kind::ping, keepalive_kind::ping,
                                         keepalive_kind::pong, keepalive_kind::ping}));
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    for (std::size_t cut2 = cut; cut2 <= bytes.size(); cut2 += 7) {
      recorder r;
      stream_framer f(r.handlers(), limits{}, keepalive_side::answers_pings);
      std::string_view v(bytes);
      ASSERT_TRUE(f.consume(v.substr(0, cut)).ok());
      ASSERT_TRUE(f.consume(v.substr(cut, cut2 - cut)).ok());
      ASSERT_TRUE(f.consume(v.substr(cut2)).ok());
      EXPECT_EQ(r.keepalives, whole.keepalives) << "cuts at " << cut << ", " << cut2;
      EXPECT_EQ(r.call_ids, (std::vector<std::string>{"c1", "c2"}));
    }
  }
}

TEST(sip_stream_framer, bad_message_bytes_and_fatal_bytes) {
  std::vector<std::string> bad_bytes;
  stream_framer f({nullptr, nullptr, nullptr,
                   [&bad_bytes](const error&, std::string_view b) { bad_bytes.emplace_back(b); }});
  std::string broken = make(1);
  broken.replace(broken.find("CSeq: 1"), 7, "CSeq: x");
  EXPECT_TRUE(f.consume(broken + make(2)).ok());
  EXPECT_EQ(bad_bytes, (std::vector<std::string>{broken}));

  limits lim;
  lim.max_message_bytes = 300;
  stream_framer g({}, lim);
  g.consume("OPTIONS sip:x SIP/2.0\r\n");
  auto res = g.consume("X: " + std::string(400, 'a'));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.fatal_bytes.size(), 300u);
  EXPECT_EQ(res.fatal_bytes.substr(0, 9), "OPTIONS s");
  EXPECT_TRUE(g.consume("more").fatal_bytes.empty());  // only in the call that lost framing
}

}  // namespace
}  // namespace fedgate::sip
