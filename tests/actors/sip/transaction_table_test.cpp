// Every timer path of the four RFC 3261 §17 transaction machines, driven by a fake clock: the
// test advances time by hand, so retransmission schedules are checked to the millisecond and
// nothing sleeps.
#include "actors/sip/transaction_table.hpp"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"

namespace fedgate::sip_layer {
namespace {

using std::chrono::milliseconds;

class fake_clock : public timer_service {
 public:
  void start(timer_ref ref, milliseconds delay) override {
    pending_.emplace(now_ + delay.count(), ref);
  }
  // Advances to now+ms, firing due timers in order (timers armed while firing included).
  void advance(transaction_table& t, long ms) {
    long until = now_ + ms;
    while (!pending_.empty() && pending_.begin()->first <= until) {
      auto it = pending_.begin();
      now_ = it->first;
      timer_ref ref = it->second;
      pending_.erase(it);
      t.on_timer(ref);
    }
    now_ = until;
  }
  long now() const { return now_; }

 private:
  long now_ = 0;
  std::multimap<long, timer_ref> pending_;
};

struct sent {
  long at;
  std::string bytes;
  peer to;
};

class recorder : public transaction_user {
 public:
  explicit recorder(fake_clock& c) : clock_(c) {}
  void send(const peer& to, const std::string& bytes, std::uint64_t) override {
    wire.push_back({clock_.now(), bytes, to});
  }
  void on_response(std::uint64_t token, const sip::message& r, bool final) override {
    responses.push_back({token, r.status_code(), final, std::string(r.reason_phrase())});
  }
  void on_request(std::uint64_t id, sip::message&& req, const peer&) override {
    requests.push_back({id, std::string(req.method())});
  }
  void on_cancelled(std::uint64_t id) override { cancelled.push_back(id); }
  void on_server_terminated(std::uint64_t id) override { terminated.push_back(id); }

  struct response_event {
    std::uint64_t token;
    int status;
    bool final;
    std::string reason;
  };
  struct request_event {
    std::uint64_t id;
    std::string method;
  };
  std::vector<sent> wire;
  std::vector<response_event> responses;
  std::vector<request_event> requests;
  std::vector<std::uint64_t> cancelled;
  std::vector<std::uint64_t> terminated;

  std::vector<long> send_times() const {
    std::vector<long> v;
    for (auto& s : wire)
      v.push_back(s.at);
    return v;
  }

 private:
  fake_clock& clock_;
};

sip::message parse(const std::string& raw) {
  auto r = sip::parse_datagram(raw);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().to_string()) << "\n" << raw;
  return std::move(r).value();
}

std::string request_text(const std::string& method, const std::string& branch,
                         const std::string& transport = "UDP", int cseq = 1) {
  return method + " sip:bob@xmpp.test SIP/2.0\r\n" + "Via: SIP/2.0/" + transport +
         " 127.0.0.1:5070;branch=" + branch + "\r\n" +
         "From: <sip:alice@sip.test>;tag=a1\r\nTo: <sip:bob@xmpp.test>\r\n"
         "Call-ID: call-1@test\r\nCSeq: " +
         std::to_string(cseq) + " " + method + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
}

std::string response_text(int status, const std::string& method, const std::string& branch,
                          const std::string& to_tag = "b1") {
  return "SIP/2.0 " + std::to_string(status) + " " + std::string(sip::reason_phrase(status)) +
         "\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=" + branch +
         "\r\nFrom: <sip:alice@sip.test>;tag=a1\r\nTo: <sip:bob@xmpp.test>" +
         (status > 100 ? ";tag=" + to_tag : "") + "\r\nCall-ID: call-1@test\r\nCSeq: 1 " + method +
         "\r\nContent-Length: 0\r\n\r\n";
}

peer udp_peer() {
  peer p;
  p.transport = transport_kind::udp;
  p.address = "127.0.0.1";
  p.port = 5070;
  return p;
}

peer tcp_peer() {
  peer p = udp_peer();
  p.transport = transport_kind::tcp;
  return p;
}

struct fixture : ::testing::Test {
  fake_clock clock;
  recorder tu{clock};
  timer_settings timers;  // T1 500, T2 4000, T4 5000, D 32000
  transaction_table table{timers, clock, tu};
};

// ---------------------------------------------------------------- non-INVITE client (§17.1.2)

TEST_F(fixture, non_invite_client_timer_e_backs_off_to_t2_then_timer_f_gives_408) {
  ASSERT_TRUE(table.send_request(1, parse(request_text("MESSAGE", "z9hG4bKc1")), udp_peer()));
  clock.advance(table, 40000);
  // Sends at 0, then E: 500, 1000, 2000, 4000 (capped at T2), 4000, ... until F at 64*T1.
  std::vector<long> expected{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500};
  EXPECT_EQ(tu.send_times(), expected);
  ASSERT_EQ(tu.responses.size(), 1u);
  EXPECT_EQ(tu.responses[0].status, 408);
  EXPECT_TRUE(tu.responses[0].final);
  EXPECT_NE(tu.responses[0].reason.find("timer F"), std::string::npos);
  EXPECT_EQ(table.client_count(), 0u);
}

TEST_F(fixture, non_invite_client_provisional_sets_e_to_t2_and_final_then_timer_k) {
  table.send_request(1, parse(request_text("MESSAGE", "z9hG4bKc2")), udp_peer());
  clock.advance(table, 600);  // one retransmission at 500
  table.receive(parse(response_text(100, "MESSAGE", "z9hG4bKc2")), udp_peer());
  EXPECT_EQ(table.client_state(1), "proceeding");
  clock.advance(table, 4000);  // proceeding: next E fires at 500+1000=1500, then every T2
  EXPECT_EQ(tu.send_times(), (std::vector<long>{0, 500, 1500}));
  table.receive(parse(response_text(200, "MESSAGE", "z9hG4bKc2")), udp_peer());
  EXPECT_EQ(table.client_state(1), "completed");
  table.receive(parse(response_text(200, "MESSAGE", "z9hG4bKc2")), udp_peer());  // absorbed
  ASSERT_EQ(tu.responses.size(), 2u);
  EXPECT_FALSE(tu.responses[0].final);
  EXPECT_EQ(tu.responses[1].status, 200);
  clock.advance(table, 4999);
  EXPECT_EQ(table.client_state(1), "completed");
  clock.advance(table, 1);  // timer K = T4
  EXPECT_EQ(table.client_state(1), "terminated");
  EXPECT_EQ(tu.wire.size(), 3u);  // no retransmission after the final response
}

TEST_F(fixture, non_invite_client_over_tcp_never_retransmits_and_ends_at_final) {
  table.send_request(1, parse(request_text("MESSAGE", "z9hG4bKc3", "TCP")), tcp_peer());
  clock.advance(table, 10000);
  EXPECT_EQ(tu.wire.size(), 1u);
  table.receive(parse(response_text(202, "MESSAGE", "z9hG4bKc3")), tcp_peer());
  EXPECT_EQ(table.client_count(), 0u);  // timer K is zero on reliable transports
}

TEST_F(fixture, non_invite_client_over_tcp_times_out_with_timer_f) {
  table.send_request(1, parse(request_text("MESSAGE", "z9hG4bKc4", "TCP")), tcp_peer());
  clock.advance(table, 31999);
  EXPECT_TRUE(tu.responses.empty());
  clock.advance(table, 1);
  ASSERT_EQ(tu.responses.size(), 1u);
  EXPECT_EQ(tu.responses[0].status, 408);
}

TEST_F(fixture, transport_error_surfaces_as_503_and_stops_retransmissions) {
  table.send_request(7, parse(request_text("MESSAGE", "z9hG4bKc5")), udp_peer());
  table.transport_error(7, "connection refused");
  ASSERT_EQ(tu.responses.size(), 1u);
  EXPECT_EQ(tu.responses[0].status, 503);
  EXPECT_NE(tu.responses[0].reason.find("connection refused"), std::string::npos);
  clock.advance(table, 60000);
  EXPECT_EQ(tu.wire.size(), 1u);
  EXPECT_EQ(tu.responses.size(), 1u);
}

TEST_F(fixture, stray_response_is_dropped) {
  table.receive(parse(response_text(200, "MESSAGE", "z9hG4bKnobody")), udp_peer());
  EXPECT_TRUE(tu.responses.empty());
}

TEST_F(fixture, duplicate_branch_is_refused) {
  EXPECT_TRUE(table.send_request(1, parse(request_text("MESSAGE", "z9hG4bKd")), udp_peer()));
  EXPECT_FALSE(table.send_request(2, parse(request_text("MESSAGE", "z9hG4bKd")), udp_peer()));
}

// ---------------------------------------------------------------- INVITE client (§17.1.1)

TEST_F(fixture, invite_client_timer_a_doubles_and_timer_b_gives_408) {
  table.send_request(1, parse(request_text("INVITE", "z9hG4bKi1")), udp_peer());
  clock.advance(table, 40000);
  // A: 500, 1000, 2000, 4000, 8000, 16000 (no T2 cap); B at 32000 ends it.
  EXPECT_EQ(tu.send_times(), (std::vector<long>{0, 500, 1500, 3500, 7500, 15500, 31500}));
  ASSERT_EQ(tu.responses.size(), 1u);
  EXPECT_EQ(tu.responses[0].status, 408);
  EXPECT_NE(tu.responses[0].reason.find("timer B"), std::string::npos);
}

TEST_F(fixture, invite_client_non_2xx_is_acked_and_retransmissions_reacked_until_timer_d) {
  table.send_request(1, parse(request_text("INVITE", "z9hG4bKi2")), udp_peer());
  table.receive(parse(response_text(180, "INVITE", "z9hG4bKi2")), udp_peer());
  clock.advance(table, 5000);  // proceeding: no more A
  EXPECT_EQ(tu.wire.size(), 1u);
  table.receive(parse(response_text(486, "INVITE", "z9hG4bKi2")), udp_peer());
  ASSERT_EQ(tu.wire.size(), 2u);
  auto ack = parse(tu.wire[1].bytes);
  EXPECT_EQ(ack.method(), "ACK");
  EXPECT_EQ(ack.top_via().branch, "z9hG4bKi2");  // §17.1.1.3: same branch as the INVITE
  EXPECT_EQ(ack.to().tag(), "b1");
  EXPECT_EQ(ack.cseq().number, 1u);
  table.receive(parse(response_text(486, "INVITE", "z9hG4bKi2")), udp_peer());
  EXPECT_EQ(tu.wire.size(), 3u);       // re-ACKed
  EXPECT_EQ(tu.responses.size(), 2u);  // 180 and one 486 reach the TU
  clock.advance(table, 31999);
  EXPECT_EQ(table.client_state(1), "completed");
  clock.advance(table, 1);  // timer D
  EXPECT_EQ(table.client_state(1), "terminated");
}

TEST_F(fixture, invite_client_2xx_ends_transaction_without_ack) {
  table.send_request(1, parse(request_text("INVITE", "z9hG4bKi3")), udp_peer());
  table.receive(parse(response_text(200, "INVITE", "z9hG4bKi3")), udp_peer());
  EXPECT_EQ(table.client_count(), 0u);
  EXPECT_EQ(tu.wire.size(), 1u);  // the ACK for 2xx is the TU's
  ASSERT_EQ(tu.responses.size(), 1u);
  EXPECT_EQ(tu.responses[0].status, 200);
}

TEST_F(fixture, cancel_waits_for_provisional_then_runs_as_its_own_transaction) {
  table.send_request(1, parse(request_text("INVITE", "z9hG4bKi4")), udp_peer());
  EXPECT_TRUE(table.cancel(1, 2));
  EXPECT_EQ(tu.wire.size(), 1u);  // §9.1: not before a provisional response
  table.receive(parse(response_text(180, "INVITE", "z9hG4bKi4")), udp_peer());
  ASSERT_EQ(tu.wire.size(), 2u);
  auto cancel = parse(tu.wire[1].bytes);
  EXPECT_EQ(cancel.method(), "CANCEL");
  EXPECT_EQ(cancel.top_via().branch, "z9hG4bKi4");
  EXPECT_EQ(cancel.cseq().method, "CANCEL");
  table.receive(parse(response_text(200, "CANCEL", "z9hG4bKi4")), udp_peer());
  table.receive(parse(response_text(487, "INVITE", "z9hG4bKi4")), udp_peer());
  ASSERT_EQ(tu.responses.size(), 3u);
  EXPECT_EQ(tu.responses[1].token, 2u);
  EXPECT_EQ(tu.responses[1].status, 200);
  EXPECT_EQ(tu.responses[2].token, 1u);
  EXPECT_EQ(tu.responses[2].status, 487);
}

// ---------------------------------------------------------------- non-INVITE server (§17.2.2)

TEST_F(fixture, non_invite_server_absorbs_retransmissions_and_timer_j_ends_it) {
  table.receive(parse(request_text("MESSAGE", "z9hG4bKs1")), udp_peer());
  ASSERT_EQ(tu.requests.size(), 1u);
  std::uint64_t id = tu.requests[0].id;
  table.receive(parse(request_text("MESSAGE", "z9hG4bKs1")), udp_peer());  // trying: discarded
  EXPECT_EQ(tu.requests.size(), 1u);
  EXPECT_TRUE(tu.wire.empty());
  auto req = parse(request_text("MESSAGE", "z9hG4bKs1"));
  ASSERT_TRUE(table.respond(id, sip::make_response(req, 200, {}, "t").build().value()));
  EXPECT_EQ(table.server_state(id), "completed");
  EXPECT_FALSE(table.respond(id, sip::make_response(req, 500).build().value()));  // only once
  table.receive(parse(request_text("MESSAGE", "z9hG4bKs1")), udp_peer());  // re-sends the 200
  EXPECT_EQ(tu.requests.size(), 1u);                                       // not re-processed
  ASSERT_EQ(tu.wire.size(), 2u);
  EXPECT_EQ(tu.wire[0].bytes, tu.wire[1].bytes);
  clock.advance(table, 31999);
  EXPECT_EQ(table.server_state(id), "completed");
  clock.advance(table, 1);  // J = 64*T1
  EXPECT_EQ(table.server_state(id), "terminated");
  table.receive(parse(request_text("MESSAGE", "z9hG4bKs1")), udp_peer());  // a new transaction
  EXPECT_EQ(tu.requests.size(), 2u);
}

TEST_F(fixture, non_invite_server_provisional_is_resent_on_retransmission) {
  table.receive(parse(request_text("SUBSCRIBE", "z9hG4bKs2")), udp_peer());
  std::uint64_t id = tu.requests.at(0).id;
  auto req = parse(request_text("SUBSCRIBE", "z9hG4bKs2"));
  table.respond(id, sip::make_response(req, 100).build().value());
  EXPECT_EQ(table.server_state(id), "proceeding");
  table.receive(parse(request_text("SUBSCRIBE", "z9hG4bKs2")), udp_peer());
  ASSERT_EQ(tu.wire.size(), 2u);
  EXPECT_NE(tu.wire[1].bytes.find("100 Trying"), std::string::npos);
}

TEST_F(fixture, non_invite_server_over_tcp_ends_at_final_response) {
  table.receive(parse(request_text("MESSAGE", "z9hG4bKs3", "TCP")), tcp_peer());
  std::uint64_t id = tu.requests.at(0).id;
  table.respond(
      id,
      sip::make_response(parse(request_text("MESSAGE", "z9hG4bKs3", "TCP")), 200).build().value());
  EXPECT_EQ(table.server_count(), 0u);  // J is zero on reliable transports
}

TEST_F(fixture, unanswered_server_transaction_answers_408_and_tells_the_tu) {
  table.receive(parse(request_text("MESSAGE", "z9hG4bKs4")), udp_peer());
  std::uint64_t id = tu.requests.at(0).id;
  clock.advance(table, 64 * 500 + 5000);
  ASSERT_EQ(tu.wire.size(), 1u);
  EXPECT_EQ(parse(tu.wire[0].bytes).status_code(), 408);
  EXPECT_EQ(tu.terminated, std::vector<std::uint64_t>{id});
}

TEST_F(fixture, udp_response_goes_to_source_address_and_via_port_without_rport) {
  peer from = udp_peer();
  from.port = 40000;  // source port differs from the Via sent-by port 5070
  table.receive(parse(request_text("MESSAGE", "z9hG4bKs5")), from);
  auto req = parse(request_text("MESSAGE", "z9hG4bKs5"));
  table.respond(tu.requests.at(0).id, sip::make_response(req, 200).build().value());
  EXPECT_EQ(tu.wire.at(0).to.port, 5070);  // §18.2.2
  std::string with_rport = request_text("MESSAGE", "z9hG4bKs6");
  with_rport.replace(with_rport.find(";branch"), 0, ";rport");
  table.receive(parse(with_rport), from);
  table.respond(tu.requests.at(1).id, sip::make_response(parse(with_rport), 200).build().value());
  EXPECT_EQ(tu.wire.at(1).to.port, 40000);  // RFC 3581 §4
}

// ---------------------------------------------------------------- INVITE server (§17.2.1)

TEST_F(fixture, invite_server_sends_100_then_retransmits_final_with_timer_g_until_ack) {
  table.receive(parse(request_text("INVITE", "z9hG4bKv1")), udp_peer());
  ASSERT_EQ(tu.wire.size(), 1u);
  EXPECT_EQ(parse(tu.wire[0].bytes).status_code(), 100);
  std::uint64_t id = tu.requests.at(0).id;
  table.receive(parse(request_text("INVITE", "z9hG4bKv1")), udp_peer());  // re-sends the 100
  EXPECT_EQ(tu.wire.size(), 2u);
  EXPECT_EQ(tu.requests.size(), 1u);
  table.respond(
      id,
      sip::make_response(parse(request_text("INVITE", "z9hG4bKv1")), 486, {}, "t").build().value());
  clock.advance(table, 7600);
  // 486 at 0, G: 500, 1500, 3500, 7500 (then capped at T2 = 4000)
  std::vector<long> all = tu.send_times();
  std::vector<long> times(all.begin() + 2, all.end());
  EXPECT_EQ(times, (std::vector<long>{0, 500, 1500, 3500, 7500}));
  std::string ack = request_text("ACK", "z9hG4bKv1");
  table.receive(parse(ack), udp_peer());
  EXPECT_EQ(table.server_state(id), "confirmed");
  table.receive(parse(ack), udp_peer());  // absorbed
  EXPECT_EQ(tu.requests.size(), 1u);
  clock.advance(table, 10000);
  EXPECT_EQ(tu.wire.size(), 7u);                    // no G after the ACK
  EXPECT_EQ(table.server_state(id), "terminated");  // timer I = T4
}

TEST_F(fixture, invite_server_timer_h_gives_up_without_ack) {
  table.receive(parse(request_text("INVITE", "z9hG4bKv2")), udp_peer());
  std::uint64_t id = tu.requests.at(0).id;
  table.respond(
      id,
      sip::make_response(parse(request_text("INVITE", "z9hG4bKv2")), 603, {}, "t").build().value());
  clock.advance(table, 31999);
  EXPECT_EQ(table.server_state(id), "completed");
  clock.advance(table, 1);
  EXPECT_EQ(table.server_state(id), "terminated");
}

TEST_F(fixture, invite_server_2xx_ends_it_and_the_ack_goes_to_the_tu) {
  table.receive(parse(request_text("INVITE", "z9hG4bKv3")), udp_peer());
  std::uint64_t id = tu.requests.at(0).id;
  table.respond(
      id,
      sip::make_response(parse(request_text("INVITE", "z9hG4bKv3")), 200, {}, "t").build().value());
  EXPECT_EQ(table.server_count(), 0u);
  table.receive(parse(request_text("ACK", "z9hG4bKv3-ack")), udp_peer());
  ASSERT_EQ(tu.requests.size(), 2u);
  EXPECT_EQ(tu.requests[1].method, "ACK");
  EXPECT_EQ(tu.requests[1].id, 0u);
}

TEST_F(fixture, cancel_of_pending_invite_answers_200_and_487) {
  table.receive(parse(request_text("INVITE", "z9hG4bKv4")), udp_peer());
  std::uint64_t id = tu.requests.at(0).id;
  table.receive(parse(request_text("CANCEL", "z9hG4bKv4")), udp_peer());
  EXPECT_EQ(tu.cancelled, std::vector<std::uint64_t>{id});
  ASSERT_EQ(tu.wire.size(), 3u);  // 100, 200 (CANCEL), 487 (INVITE)
  auto ok = parse(tu.wire[1].bytes);
  EXPECT_EQ(ok.status_code(), 200);
  EXPECT_EQ(ok.cseq().method, "CANCEL");
  auto terminated = parse(tu.wire[2].bytes);
  EXPECT_EQ(terminated.status_code(), 487);
  EXPECT_EQ(terminated.cseq().method, "INVITE");
  EXPECT_EQ(table.server_state(id), "completed");
  EXPECT_EQ(tu.requests.size(), 1u);  // the CANCEL itself is not the TU's business
}

TEST_F(fixture, cancel_without_matching_invite_gets_481) {
  table.receive(parse(request_text("CANCEL", "z9hG4bKv5")), udp_peer());
  ASSERT_EQ(tu.wire.size(), 1u);
  EXPECT_EQ(parse(tu.wire[0].bytes).status_code(), 481);
}

TEST_F(fixture, rfc2543_requests_without_branch_are_matched_too) {
  std::string old = request_text("MESSAGE", "x");
  old.replace(old.find(";branch=x"), 9, "");
  table.receive(parse(old), udp_peer());
  table.receive(parse(old), udp_peer());
  EXPECT_EQ(tu.requests.size(), 1u);
}

TEST(timer_names, letters) {
  EXPECT_EQ(timer_name(timer_kind::a), 'A');
  EXPECT_EQ(timer_name(timer_kind::d), 'D');
  EXPECT_EQ(timer_name(timer_kind::k), 'K');
}

}  // namespace
}  // namespace fedgate::sip_layer
