// sip_layer::answer(): the one way actors answer a request that reached them. Each answer goes
// to the request's transaction shard with a To tag and is counted under the request's own
// method (an INVITE is not a MESSAGE in the metrics).

#include "actors/sip/answer.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include "codecs/sip/parser.hpp"
#include "metrics/families.hpp"

namespace fedgate::sip_layer {
namespace {

using namespace metrics;

sip::message request(const std::string& method) {
  std::string text = method +
                     " sip:alice@sip.example SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" +
                     method +
                     "\r\n"
                     "From: <sip:bob@sip.example>;tag=b1\r\n"
                     "To: <sip:alice@sip.example>\r\n"
                     "Call-ID: answer-test@sip.example\r\n"
                     "CSeq: 1 " +
                     method +
                     "\r\n"
                     "Max-Forwards: 70\r\n"
                     "Content-Length: 0\r\n\r\n";
  return sip::parse_datagram(text).value();
}

double count(direction d, sip_method m, outcome o, status_class c) {
  return sip_requests().series(d, m, o, c).Value();
}

class answer_test : public ::testing::Test {
 protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor shard{sys};

  incoming_request incoming(const std::string& method) {
    return incoming_request{request(method), {}, caf::actor{shard}, 42};
  }

  // The response the shard was given for server transaction 42.
  sip::message response() {
    sip::message out;
    bool got = false;
    shard->receive(
        [&](sip_respond_atom, std::uint64_t id, sip::message m) {
          EXPECT_EQ(id, 42u);
          out = std::move(m);
          got = true;
        },
        caf::after(std::chrono::seconds(5)) >> [] {});
    EXPECT_TRUE(got) << "no response reached the shard";
    return out;
  }
};

TEST_F(answer_test, final_response_has_a_to_tag_and_is_counted_as_delivered) {
  double before = count(direction::in, sip_method::options, outcome::delivered, status_class::s5xx);
  answer(incoming("OPTIONS"), 200);
  auto r = response();
  EXPECT_EQ(r.status_code(), 200);
  EXPECT_FALSE(r.to().tag().empty()) << "RFC 3261 §8.2.6.2: a To tag on every final response";
  EXPECT_EQ(r.call_id(), "answer-test@sip.example");
  EXPECT_EQ(count(direction::in, sip_method::options, outcome::delivered, status_class::s5xx),
            before + 1);
}

TEST_F(answer_test, an_error_is_counted_as_bounced_under_its_own_method) {
  double invite = count(direction::in, sip_method::other, outcome::bounced, status_class::s4xx);
  double message = count(direction::in, sip_method::message, outcome::bounced, status_class::s4xx);
  answer(incoming("INVITE"), 488, "Not Acceptable Here");
  auto r = response();
  EXPECT_EQ(r.status_code(), 488);
  EXPECT_EQ(r.reason_phrase(), "Not Acceptable Here");
  EXPECT_EQ(count(direction::in, sip_method::other, outcome::bounced, status_class::s4xx),
            invite + 1);
  EXPECT_EQ(count(direction::in, sip_method::message, outcome::bounced, status_class::s4xx),
            message)
      << "an INVITE answered is not a MESSAGE answered";
}

TEST_F(answer_test, extra_headers_are_added_before_sending) {
  answer(incoming("SUBSCRIBE"), 423, "Interval Too Brief",
         [](sip::message_builder& b) { b.header("Min-Expires", "60"); });
  auto r = response();
  EXPECT_EQ(r.status_code(), 423);
  EXPECT_EQ(r.header("Min-Expires").value_or(""), "60");
}

TEST_F(answer_test, no_answer_counts_as_a_timeout) {
  double before = count(direction::out, sip_method::notify, outcome::bounced, status_class::s4xx);
  count_request(direction::out, "NOTIFY", 0);
  EXPECT_EQ(count(direction::out, sip_method::notify, outcome::bounced, status_class::s4xx),
            before + 1);
}

}  // namespace
}  // namespace fedgate::sip_layer
