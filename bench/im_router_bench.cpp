// The IM layer's hop: router entry (ownership policy) -> shard -> session -> the other side, with
// fake S2S and SIP-shard actors standing in for the protocol layers (so this measures the actor
// path, the address and message mapping and the session bookkeeping, not sockets or codecs).
//
//   BM_xmpp_to_sip   <message/> stanzas in, SIP MESSAGE requests out (the fake SIP shard answers
//                    each with 200 at once; one request in flight per conversation)
//   BM_sip_to_xmpp   SIP MESSAGEs in, stanzas out, 200 answers back (the fake S2S reports each
//                    stanza written at once; error window 0)
// Each iteration pushes a batch over `conversations` conversations and waits until the last
// result came back; items/s is messages through the layer per second.
#include <atomic>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <caf/all.hpp>

#include "actors/im/router.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/sip/messages.hpp"
#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"

namespace {

using namespace fedgate;
using done_atom = caf::atom_constant<caf::atom("bench_done")>;
using expect_atom = caf::atom_constant<caf::atom("bench_exp")>;

// Counts what arrives and tells the waiter when the expected number is reached.
struct counter_state {
  std::uint64_t seen = 0, expected = 0;
  caf::actor waiter;
  void count(caf::event_based_actor* self) {
    if (++seen == expected) self->send(waiter, done_atom::value);
  }
};

caf::behavior fake_s2s(caf::stateful_actor<counter_state>* self, caf::actor waiter) {
  self->state.waiter = waiter;
  return {
      [=](expect_atom, std::uint64_t n) {
        self->state.seen = 0;
        self->state.expected = n;
      },
      [=](s2s::deliver_atom, const s2s::stanza& s) {
        if (s.on_written) self->send(s.on_written, s2s::written_atom::value, s.id, s.to);
      },
  };
}

// The SIP side: answers every request 200; counts requests (XMPP -> SIP) or the responses the
// sessions send to their server transactions (SIP -> XMPP).
caf::behavior fake_sip(caf::stateful_actor<counter_state>* self, caf::actor waiter) {
  self->state.waiter = waiter;
  return {
      [=](expect_atom, std::uint64_t n) {
        self->state.seen = 0;
        self->state.expected = n;
      },
      [=](sip_layer::sip_send_atom, sip_layer::outgoing_request& o) -> sip::message {
        self->state.count(self);
        o.request.prepend_header("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbench");
        auto m = o.request.build().value();
        return sip::make_response(m, 200, "OK", "t").build().value();
      },
      [=](sip_layer::sip_respond_atom, std::uint64_t, const sip::message&) {
        self->state.count(self);
      },
  };
}

struct bench_setup {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> self;
  caf::actor s2s, sip;
  im::im_router router;

  bench_setup() {
    cfg.set("scheduler.max-threads", 2);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    self = std::make_unique<caf::scoped_actor>(*sys);
    s2s = sys->spawn(fake_s2s, caf::actor{*self});
    sip = sys->spawn(fake_sip, caf::actor{*self});
    im::im_config ic;
    ic.domains.add("sip.local", "sip.test");
    ic.local_xmpp_domains = {"sip.test"};
    ic.error_window = std::chrono::milliseconds(0);
    ic.session_queue_max = 1000000;
    router = im::start_im_router(*sys, std::move(ic));
    im::connect_im_router(router, s2s, {sip}, im::sip_contact{});
  }
  ~bench_setup() {
    im::stop_im_router(router);
    caf::anon_send_exit(s2s, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sip, caf::exit_reason::user_shutdown);
    self.reset();
    sys.reset();
  }
  void wait_done(benchmark::State& state) {
    bool ok = false;
    (*self)->receive([&](done_atom) { ok = true; },
                     caf::after(std::chrono::seconds(30)) >> [&] { ok = false; });
    if (!ok) state.SkipWithError("timed out waiting for the batch");
  }
};

constexpr std::uint64_t batch = 2000;

void BM_xmpp_to_sip(benchmark::State& state) {
  bench_setup b;
  auto conversations = static_cast<int>(state.range(0));
  std::vector<s2s::stanza> stanzas;
  for (std::uint64_t i = 0; i < batch; ++i) {
    std::string from = "romeo" + std::to_string(i % conversations) + "@montague.example/orchard";
    std::string id = "m" + std::to_string(i);
    stanzas.push_back(s2s::stanza{"<message from='" + from +
                                      "' to='alice@sip.test' type='chat' id='" + id +
                                      "'><body>Wherefore art thou, Romeo?</body></message>",
                                  from, "alice@sip.test", "message", "chat", id});
  }
  for (auto _ : state) {
    (*b.self)->send(b.sip, expect_atom::value, batch);
    for (const auto& s : stanzas)
      (*b.self)->send(b.router.entry, s2s::inbound_atom::value, s);
    b.wait_done(state);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_xmpp_to_sip)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_sip_to_xmpp(benchmark::State& state) {
  bench_setup b;
  auto conversations = static_cast<int>(state.range(0));
  std::vector<sip::message> requests;
  for (std::uint64_t i = 0; i < batch; ++i) {
    std::string from = "sip:alice" + std::to_string(i % conversations) + "@sip.local";
    std::string raw =
        "MESSAGE sip:romeo@montague.example SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bKb" +
        std::to_string(i) + "\r\nMax-Forwards: 70\r\nFrom: <" + from + ">;tag=f" +
        std::to_string(i) + "\r\nTo: <sip:romeo@montague.example>\r\nCall-ID: c" +
        std::to_string(i) +
        "@bench\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain;charset=UTF-8\r\n"
        "Content-Length: 26\r\n\r\nWherefore art thou, Romeo?";
    requests.push_back(sip::parse_datagram(raw).value());
  }
  std::uint64_t round = 0;
  for (auto _ : state) {
    (*b.self)->send(b.sip, expect_atom::value, batch);
    ++round;
    for (std::uint64_t i = 0; i < batch; ++i) {
      // A new Call-ID per round: a repeat would be answered as a duplicate, not delivered.
      sip_layer::incoming_request in;
      in.request = requests[i];
      in.shard = b.sip;
      in.server_id = round * batch + i + 1;
      (*b.self)->send(b.router.entry, sip_layer::sip_request_atom::value, std::move(in));
    }
    b.wait_done(state);
    state.PauseTiming();
    // Fresh Call-IDs for the next round.
    for (std::uint64_t i = 0; i < batch; ++i) {
      std::string raw(requests[i].raw());
      auto at = raw.find("Call-ID: c");
      raw.insert(at + 10, "r");
      requests[i] = sip::parse_datagram(raw).value();
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_sip_to_xmpp)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
