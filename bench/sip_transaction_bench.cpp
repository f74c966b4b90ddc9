// The RFC 3261 §17 transaction table (actors/sip/transaction_table.hpp) on its hot path: one
// MESSAGE transaction from start to end per iteration, as a shard runs it, without actors or
// sockets. The messages are parsed once; each iteration copies them (as the shard receives a
// parsed message), runs the table and serializes what it sends. Timers are recorded and the
// ending timer (K, J) is fired by hand so the table never grows.
//
//   client_*: send_request, then the 200 arrives (UDP: then timer K ends it).
//   server_*: the request arrives, the TU answers 200 (UDP: then timer J ends it).
//   server_retransmission_udp: a retransmitted request absorbed by a completed server
//     transaction (the stored 200 re-sent).
// Each runs with the metrics observer the shards use (transaction_metrics.hpp); the _no_metrics
// variants run the table without an observer, which shows what counting costs.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "actors/sip/transaction_metrics.hpp"
#include "actors/sip/transaction_table.hpp"
#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"

namespace {

using namespace fedgate;
using namespace fedgate::sip_layer;

struct recording_clock : timer_service {
  std::vector<timer_ref> armed;
  void start(timer_ref ref, std::chrono::milliseconds) override { armed.push_back(ref); }
  // Fires the latest armed timer of kind `k` (the one that ends the transaction).
  void fire(transaction_table& t, timer_kind k) {
    for (auto it = armed.rbegin(); it != armed.rend(); ++it) {
      if (it->kind == k) {
        timer_ref ref = *it;
        armed.clear();
        t.on_timer(ref);
        return;
      }
    }
    armed.clear();
  }
};

struct null_tu : transaction_user {
  std::size_t bytes = 0;
  std::uint64_t last_server = 0;
  int finals = 0;
  void send(const peer&, const std::string& b, std::uint64_t) override { bytes += b.size(); }
  void on_response(std::uint64_t, const sip::message&, bool final) override { finals += final; }
  void on_request(std::uint64_t id, sip::message&&, const peer&) override { last_server = id; }
  void on_cancelled(std::uint64_t) override {}
};

sip::message parse(const std::string& raw) {
  return std::move(sip::parse_datagram(raw)).value();
}

std::string request_text(const std::string& transport) {
  return "MESSAGE sip:bob@xmpp.example.org SIP/2.0\r\n"
         "Via: SIP/2.0/" +
         transport +
         " 192.0.2.20:5060;branch=z9hG4bK7c2a91e3f2b0a0b3c1d2;rport\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@sip.example.com>;tag=8a1b2c3d4e\r\n"
         "To: <sip:bob@xmpp.example.org>\r\n"
         "Call-ID: 6f2d9c1e8b7a4f3e9d2c1b0a99887766@192.0.2.20\r\n"
         "CSeq: 2 MESSAGE\r\n"
         "Content-Type: text/plain\r\n"
         "Content-Length: 12\r\n\r\nHello, Bob!\n";
}

peer hop(transport_kind t) {
  peer p;
  p.transport = t;
  p.address = "192.0.2.20";
  p.port = 5060;
  return p;
}

transaction_metrics metrics_observer;

void client(benchmark::State& state, transport_kind t, const char* via,
            transaction_observer* obs = &metrics_observer) {
  recording_clock clock;
  null_tu tu;
  transaction_table table{timer_settings{}, clock, tu, obs};
  sip::message request = parse(request_text(via));
  sip::message ok = sip::make_response(request, 200, {}, "b1").build().value();
  bool reliable = is_reliable(t);
  for (auto _ : state) {
    table.send_request(1, request, hop(t));
    sip::message r = ok;
    table.receive(std::move(r), hop(t));
    if (!reliable) clock.fire(table, timer_kind::k);
    clock.armed.clear();
  }
  if (table.client_count() != 0 || tu.finals != static_cast<int>(state.iterations())) {
    state.SkipWithError("client transactions did not end");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void server(benchmark::State& state, transport_kind t, const char* via,
            transaction_observer* obs = &metrics_observer) {
  recording_clock clock;
  null_tu tu;
  transaction_table table{timer_settings{}, clock, tu, obs};
  sip::message request = parse(request_text(via));
  sip::message ok = sip::make_response(request, 200, {}, "b1").build().value();
  bool reliable = is_reliable(t);
  for (auto _ : state) {
    sip::message in = request;
    table.receive(std::move(in), hop(t));
    table.respond(tu.last_server, ok);
    if (!reliable) clock.fire(table, timer_kind::j);
    clock.armed.clear();
  }
  if (table.server_count() != 0) state.SkipWithError("server transactions did not end");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_client_message_tcp(benchmark::State& s) {
  client(s, transport_kind::tcp, "TCP");
}
void BM_client_message_udp(benchmark::State& s) {
  client(s, transport_kind::udp, "UDP");
}
void BM_server_message_tcp(benchmark::State& s) {
  server(s, transport_kind::tcp, "TCP");
}
void BM_server_message_udp(benchmark::State& s) {
  server(s, transport_kind::udp, "UDP");
}

void retransmission(benchmark::State& state, transaction_observer* obs) {
  recording_clock clock;
  null_tu tu;
  transaction_table table{timer_settings{}, clock, tu, obs};
  sip::message request = parse(request_text("UDP"));
  sip::message first = request;
  table.receive(std::move(first), hop(transport_kind::udp));
  table.respond(tu.last_server, sip::make_response(request, 200, {}, "b1").build().value());
  std::size_t before = tu.bytes;
  for (auto _ : state) {
    sip::message again = request;
    table.receive(std::move(again), hop(transport_kind::udp));
  }
  if (tu.bytes == before) state.SkipWithError("retransmissions were not answered");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_server_retransmission_udp(benchmark::State& s) {
  retransmission(s, &metrics_observer);
}

void BM_client_message_udp_no_metrics(benchmark::State& s) {
  client(s, transport_kind::udp, "UDP", nullptr);
}
void BM_server_message_udp_no_metrics(benchmark::State& s) {
  server(s, transport_kind::udp, "UDP", nullptr);
}
void BM_server_retransmission_udp_no_metrics(benchmark::State& s) {
  retransmission(s, nullptr);
}

BENCHMARK(BM_client_message_tcp);
BENCHMARK(BM_client_message_udp);
BENCHMARK(BM_server_message_tcp);
BENCHMARK(BM_server_message_udp);
BENCHMARK(BM_server_retransmission_udp);
BENCHMARK(BM_client_message_udp_no_metrics);
BENCHMARK(BM_server_message_udp_no_metrics);
BENCHMARK(BM_server_retransmission_udp_no_metrics);

}  // namespace
