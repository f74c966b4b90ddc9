// The SIP transaction metrics (docs/operations.md: fedgate_sip_transactions_total,
// fedgate_sip_retransmissions_total, fedgate_sip_transaction_timeouts_total,
// fedgate_sip_transactions) as the transaction table reports them through transaction_metrics,
// driven by a fake clock. The families are process-wide, so every check is a before/after delta.
#include "actors/sip/transaction_metrics.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "actors/sip/transaction_table.hpp"
#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/families.hpp"

namespace fedgate::sip_layer {
namespace {

using metrics::role;
using metrics::sip_method;
using metrics::status_class;
using std::chrono::milliseconds;

class fake_clock : public timer_service {
 public:
  void start(timer_ref ref, milliseconds delay) override {
    pending_.emplace(now_ + delay.count(), ref);
  }
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

 private:
  long now_ = 0;
  std::multimap<long, timer_ref> pending_;
};

class recorder : public transaction_user {
 public:
  void send(const peer&, const std::string&, std::uint64_t) override { ++sends; }
  void on_response(std::uint64_t, const sip::message& r, bool final) override {
    if (final) finals.push_back(r.status_code());
  }
  void on_request(std::uint64_t id, sip::message&&, const peer&) override { last_id = id; }
  void on_cancelled(std::uint64_t) override {}

  int sends = 0;
  std::vector<int> finals;
  std::uint64_t last_id = 0;
};

// Forwards to transaction_metrics (the observer the shards use) and keeps its own running count
// of active transactions per role, to check the +1/-1 calls balance and never go below zero.
class checking_observer : public transaction_observer {
 public:
  void active_changed(txn_role r, std::int64_t delta) override {
    auto& n = active[static_cast<int>(r)];
    n += delta;
    if (n < 0) went_negative = true;
    inner_.active_changed(r, delta);
  }
  void completed(txn_role r, std::string_view m, int code) override {
    inner_.completed(r, m, code);
  }
  void retransmitted(txn_role r, std::string_view m) override { inner_.retransmitted(r, m); }
  void timed_out(txn_role r, std::string_view m) override { inner_.timed_out(r, m); }

  std::int64_t active[2] = {0, 0};  // client, server
  bool went_negative = false;

 private:
  transaction_metrics inner_;
};

sip::message parse(const std::string& raw) {
  auto r = sip::parse_datagram(raw);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().to_string()) << "\n" << raw;
  return std::move(r).value();
}

std::string request_text(const std::string& method, const std::string& branch,
                         const std::string& transport = "UDP") {
  return method + " sip:bob@xmpp.test SIP/2.0\r\nVia: SIP/2.0/" + transport +
         " 127.0.0.1:5070;branch=" + branch +
         "\r\nFrom: <sip:alice@sip.test>;tag=a1\r\nTo: <sip:bob@xmpp.test>\r\n"
         "Call-ID: call-1@test\r\nCSeq: 1 " +
         method + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
}

sip::message response_to(const std::string& request, int status) {
  return sip::make_response(parse(request), status, {}, "b1").build().value();
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

double completed(role r, sip_method m, status_class c) {
  return metrics::sip_transactions().completed_series(r, m, c).Value();
}
double retransmissions(role r, sip_method m) {
  return metrics::sip_transactions().retransmission_series(r, m).Value();
}
double timeouts(role r, sip_method m) {
  return metrics::sip_transactions().timeout_series(r, m).Value();
}
double active() {
  return metrics::sip_transactions().active_series().Value();
}

// Every completed series of a role and method, all status classes: a check that nothing else
// was counted.
double completed_any(role r, sip_method m) {
  double sum = 0;
  for (std::size_t c = 0; c < metrics::status_class_labels.size(); ++c)
    sum += completed(r, m, static_cast<status_class>(c));
  return sum;
}

struct sip_txn_metrics : ::testing::Test {
  fake_clock clock;
  recorder tu;
  checking_observer obs;
  timer_settings timers;  // T1 500, T2 4000, T4 5000
  std::unique_ptr<transaction_table> table =
      std::make_unique<transaction_table>(timers, clock, tu, &obs);
  double active_before = active();

  // The observer's count matches the table after every step, and so does the gauge's change.
  void expect_balanced() {
    EXPECT_FALSE(obs.went_negative);
    EXPECT_EQ(obs.active[0], static_cast<std::int64_t>(table->client_count()));
    EXPECT_EQ(obs.active[1], static_cast<std::int64_t>(table->server_count()));
    EXPECT_EQ(active() - active_before,
              static_cast<double>(table->client_count() + table->server_count()));
  }
};

TEST(sip_method_label, maps_the_bounded_methods_and_folds_the_rest_into_other) {
  EXPECT_EQ(method_label("MESSAGE"), sip_method::message);
  EXPECT_EQ(method_label("SUBSCRIBE"), sip_method::subscribe);
  EXPECT_EQ(method_label("NOTIFY"), sip_method::notify);
  EXPECT_EQ(method_label("PUBLISH"), sip_method::publish);
  EXPECT_EQ(method_label("OPTIONS"), sip_method::options);
  for (const char* m :
       {"INVITE", "ACK", "BYE", "CANCEL", "REFER", "INFO", "message", "MESSAGES", ""})
    EXPECT_EQ(method_label(m), sip_method::other) << m;
}

TEST_F(sip_txn_metrics, client_message_with_two_retransmissions_then_200) {
  double done = completed(role::client, sip_method::message, status_class::s2xx);
  double retx = retransmissions(role::client, sip_method::message);
  double tout = timeouts(role::client, sip_method::message);
  ASSERT_TRUE(table->send_request(1, parse(request_text("MESSAGE", "z9hG4bKm1")), udp_peer()));
  expect_balanced();
  EXPECT_EQ(active() - active_before, 1);
  clock.advance(*table, 2000);  // timer E at 500 and 1500
  EXPECT_EQ(tu.sends, 3);
  EXPECT_EQ(retransmissions(role::client, sip_method::message) - retx, 2);
  table->receive(response_to(request_text("MESSAGE", "z9hG4bKm1"), 200), udp_peer());
  EXPECT_EQ(completed(role::client, sip_method::message, status_class::s2xx) - done, 1);
  // A retransmitted 200 is absorbed by the completed transaction: not a second completion.
  table->receive(response_to(request_text("MESSAGE", "z9hG4bKm1"), 200), udp_peer());
  EXPECT_EQ(completed(role::client, sip_method::message, status_class::s2xx) - done, 1);
  expect_balanced();
  EXPECT_EQ(table->client_count(), 1u);  // completed, waiting for timer K
  clock.advance(*table, 5000);
  EXPECT_EQ(table->client_count(), 0u);
  expect_balanced();
  EXPECT_EQ(active(), active_before);
  EXPECT_EQ(retransmissions(role::client, sip_method::message) - retx, 2);
  EXPECT_EQ(timeouts(role::client, sip_method::message) - tout, 0);
}

TEST_F(sip_txn_metrics, client_timer_f_counts_a_timeout_not_a_408_completion) {
  double done = completed_any(role::client, sip_method::message);
  double retx = retransmissions(role::client, sip_method::message);
  double tout = timeouts(role::client, sip_method::message);
  table->send_request(1, parse(request_text("MESSAGE", "z9hG4bKm2")), udp_peer());
  clock.advance(*table, 31999);
  EXPECT_EQ(timeouts(role::client, sip_method::message) - tout, 0);
  clock.advance(*table, 1);  // timer F = 64*T1
  ASSERT_EQ(tu.finals, std::vector<int>{408});
  EXPECT_EQ(timeouts(role::client, sip_method::message) - tout, 1);
  EXPECT_EQ(completed_any(role::client, sip_method::message) - done, 0);
  // E: 500, 1500, 3500, 7500, then every T2 up to 31500: ten retransmissions.
  EXPECT_EQ(retransmissions(role::client, sip_method::message) - retx, 10);
  EXPECT_EQ(tu.sends, 11);
  expect_balanced();
  EXPECT_EQ(active(), active_before);
}

TEST_F(sip_txn_metrics, client_invite_timer_a_and_b_count_as_other) {
  double retx = retransmissions(role::client, sip_method::other);
  double tout = timeouts(role::client, sip_method::other);
  double done = completed_any(role::client, sip_method::other);
  table->send_request(1, parse(request_text("INVITE", "z9hG4bKi1")), udp_peer());
  clock.advance(*table, 32000);  // A at 500, 1500, 3500, 7500, 15500, 31500; B at 32000
  EXPECT_EQ(retransmissions(role::client, sip_method::other) - retx, 6);
  EXPECT_EQ(timeouts(role::client, sip_method::other) - tout, 1);
  EXPECT_EQ(completed_any(role::client, sip_method::other) - done, 0);
  expect_balanced();
}

TEST_F(sip_txn_metrics, client_transport_error_counts_a_503_completion) {
  double done = completed(role::client, sip_method::message, status_class::s5xx);
  double tout = timeouts(role::client, sip_method::message);
  table->send_request(7, parse(request_text("MESSAGE", "z9hG4bKm3", "TCP")), tcp_peer());
  table->transport_error(7, "connection refused");
  ASSERT_EQ(tu.finals, std::vector<int>{503});
  EXPECT_EQ(completed(role::client, sip_method::message, status_class::s5xx) - done, 1);
  EXPECT_EQ(timeouts(role::client, sip_method::message) - tout, 0);
  table->transport_error(7, "again");  // gone: nothing more
  EXPECT_EQ(completed(role::client, sip_method::message, status_class::s5xx) - done, 1);
  expect_balanced();
  EXPECT_EQ(active(), active_before);
}

TEST_F(sip_txn_metrics, client_invite_final_responses_count_once) {
  double ok = completed(role::client, sip_method::other, status_class::s2xx);
  double busy = completed(role::client, sip_method::other, status_class::s4xx);
  table->send_request(1, parse(request_text("INVITE", "z9hG4bKi2", "TCP")), tcp_peer());
  table->receive(response_to(request_text("INVITE", "z9hG4bKi2"), 180), tcp_peer());
  EXPECT_EQ(completed_any(role::client, sip_method::other) - ok - busy, 0);
  table->receive(response_to(request_text("INVITE", "z9hG4bKi2"), 200), tcp_peer());
  EXPECT_EQ(completed(role::client, sip_method::other, status_class::s2xx) - ok, 1);

  table->send_request(2, parse(request_text("INVITE", "z9hG4bKi3")), udp_peer());
  table->receive(response_to(request_text("INVITE", "z9hG4bKi3"), 486), udp_peer());
  table->receive(response_to(request_text("INVITE", "z9hG4bKi3"), 486), udp_peer());  // re-ACKed
  EXPECT_EQ(completed(role::client, sip_method::other, status_class::s4xx) - busy, 1);
  expect_balanced();
  clock.advance(*table, 32000);  // timer D
  expect_balanced();
  EXPECT_EQ(active(), active_before);
}

TEST_F(sip_txn_metrics, server_message_absorbs_retransmissions_before_and_after_the_answer) {
  double done = completed(role::server, sip_method::message, status_class::s2xx);
  double done_any = completed_any(role::server, sip_method::message);
  double retx = retransmissions(role::server, sip_method::message);
  std::string req = request_text("MESSAGE", "z9hG4bKs1");
  table->receive(parse(req), udp_peer());
  std::uint64_t id = tu.last_id;
  ASSERT_NE(id, 0u);
  expect_balanced();
  EXPECT_EQ(active() - active_before, 1);
  table->receive(parse(req), udp_peer());  // trying: absorbed, nothing to re-send yet
  EXPECT_EQ(tu.sends, 0);
  EXPECT_EQ(retransmissions(role::server, sip_method::message) - retx, 1);
  ASSERT_TRUE(table->respond(id, response_to(req, 200)));
  EXPECT_EQ(completed(role::server, sip_method::message, status_class::s2xx) - done, 1);
  table->receive(parse(req), udp_peer());  // completed: the stored 200 re-sent
  EXPECT_EQ(tu.sends, 2);
  EXPECT_EQ(retransmissions(role::server, sip_method::message) - retx, 2);
  EXPECT_FALSE(table->respond(id, response_to(req, 500)));  // a second final: refused, uncounted
  EXPECT_EQ(completed_any(role::server, sip_method::message) - done_any, 1);
  clock.advance(*table, 32000);  // timer J
  EXPECT_EQ(table->server_count(), 0u);
  expect_balanced();
  EXPECT_EQ(active(), active_before);
}

TEST_F(sip_txn_metrics, server_invite_absorbed_retransmission_and_timer_h) {
  double done = completed(role::server, sip_method::other, status_class::s4xx);
  double retx = retransmissions(role::server, sip_method::other);
  double tout = timeouts(role::server, sip_method::other);
  std::string req = request_text("INVITE", "z9hG4bKs2");
  table->receive(parse(req), udp_peer());  // 100 Trying at once: not a completion
  std::uint64_t id = tu.last_id;
  EXPECT_EQ(completed_any(role::server, sip_method::other) - done, 0);
  table->receive(parse(req), udp_peer());  // the 100 re-sent
  EXPECT_EQ(retransmissions(role::server, sip_method::other) - retx, 1);
  ASSERT_TRUE(table->respond(id, response_to(req, 486)));
  EXPECT_EQ(completed(role::server, sip_method::other, status_class::s4xx) - done, 1);
  table->receive(parse(req), udp_peer());  // the 486 re-sent
  EXPECT_EQ(retransmissions(role::server, sip_method::other) - retx, 2);
  int sends = tu.sends;
  clock.advance(*table, 31999);  // timer G re-sends the 486: a response, not counted
  EXPECT_GT(tu.sends, sends);
  EXPECT_EQ(retransmissions(role::server, sip_method::other) - retx, 2);
  EXPECT_EQ(timeouts(role::server, sip_method::other) - tout, 0);
  clock.advance(*table, 1);  // timer H = 64*T1, no ACK came
  EXPECT_EQ(timeouts(role::server, sip_method::other) - tout, 1);
  EXPECT_EQ(completed(role::server, sip_method::other, status_class::s4xx) - done, 1);
  EXPECT_EQ(table->server_count(), 0u);
  expect_balanced();
  EXPECT_EQ(active(), active_before);
}

TEST_F(sip_txn_metrics, server_invite_acked_is_not_a_timeout_and_acks_are_not_retransmissions) {
  double retx = retransmissions(role::server, sip_method::other);
  double tout = timeouts(role::server, sip_method::other);
  std::string req = request_text("INVITE", "z9hG4bKs3");
  table->receive(parse(req), udp_peer());
  table->respond(tu.last_id, response_to(req, 603));
  table->receive(parse(request_text("ACK", "z9hG4bKs3")), udp_peer());
  table->receive(parse(request_text("ACK", "z9hG4bKs3")), udp_peer());  // confirmed: absorbed
  clock.advance(*table, 60000);                                         // timer I
  EXPECT_EQ(retransmissions(role::server, sip_method::other) - retx, 0);
  EXPECT_EQ(timeouts(role::server, sip_method::other) - tout, 0);
  expect_balanced();
  EXPECT_EQ(active(), active_before);
}

TEST_F(sip_txn_metrics, server_without_answer_completes_with_the_guard_408) {
  double done = completed(role::server, sip_method::notify, status_class::s4xx);
  double tout = timeouts(role::server, sip_method::notify);
  table->receive(parse(request_text("NOTIFY", "z9hG4bKs4", "TCP")), tcp_peer());
  clock.advance(*table, 64 * 500 + 5000);  // the no-answer guard (timer J while trying)
  EXPECT_EQ(completed(role::server, sip_method::notify, status_class::s4xx) - done, 1);
  EXPECT_EQ(timeouts(role::server, sip_method::notify) - tout, 0);
  expect_balanced();
  EXPECT_EQ(active(), active_before);
}

TEST_F(sip_txn_metrics, cancel_runs_its_own_transactions_and_everything_balances) {
  std::string inv = request_text("INVITE", "z9hG4bKs5");
  table->receive(parse(inv), udp_peer());
  table->receive(parse(request_text("CANCEL", "z9hG4bKs5")), udp_peer());  // 200 + 487
  expect_balanced();
  table->send_request(1, parse(request_text("INVITE", "z9hG4bKc6")), udp_peer());
  table->receive(response_to(request_text("INVITE", "z9hG4bKc6"), 180), udp_peer());
  ASSERT_TRUE(table->cancel(1, 2));
  expect_balanced();
  EXPECT_EQ(table->client_count(), 2u);
  // An INVITE client transaction in proceeding has no timer of its own (timer B stopped): it
  // ends with the peer's 487.
  table->receive(response_to(request_text("CANCEL", "z9hG4bKc6"), 200), udp_peer());
  table->receive(response_to(request_text("INVITE", "z9hG4bKc6"), 487), udp_peer());
  expect_balanced();
  clock.advance(*table, 64000);
  EXPECT_EQ(table->client_count() + table->server_count(), 0u);
  expect_balanced();
  EXPECT_EQ(active(), active_before);
}

TEST_F(sip_txn_metrics, destroying_the_table_removes_its_transactions_from_the_gauge) {
  table->send_request(1, parse(request_text("MESSAGE", "z9hG4bKd1")), udp_peer());
  table->send_request(2, parse(request_text("INVITE", "z9hG4bKd2")), udp_peer());
  table->receive(parse(request_text("MESSAGE", "z9hG4bKd3")), udp_peer());
  expect_balanced();
  EXPECT_EQ(active() - active_before, 3);
  table.reset();  // a shard stopping with transactions in flight
  EXPECT_EQ(obs.active[0], 0);
  EXPECT_EQ(obs.active[1], 0);
  EXPECT_FALSE(obs.went_negative);
  EXPECT_EQ(active(), active_before);
}

}  // namespace
}  // namespace fedgate::sip_layer
