// Presence fan-out inside fedgate: one XMPP contact watched by N local SIP users (N SIP
// subscriptions, fedgate the notifier), restored through the router as after a restart; each
// iteration the contact's presence changes once (one <presence/> in, show toggling) and the
// iteration ends when all N NOTIFYs it causes were answered 200 by a fake SIP side. Items are
// NOTIFYs, so items/s is NOTIFYs built and sent per second by the contact's actor.
//
// What it exercises: remote_contact_presence's flush (compare with what each watcher last got,
// PIDF build, one NOTIFY per dialog, its answer). Coalescing is off (window 0) so every change
// flushes; the partner rate limit is off.
//
//   build-release/bench/presence_fanout_bench --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true   (one line)
#include <memory>
#include <string>
#include <sys/resource.h>

#include <benchmark/benchmark.h>
#include <caf/all.hpp>

#include "actors/im/router.hpp"
#include "actors/presence/stored_dialog.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/sip/messages.hpp"
#include "app/gateway.hpp"
#include "codecs/sip/serializer.hpp"

namespace {

using namespace fedgate;

// CPU time of the whole process (every scheduler thread), in µs: on a shared machine the wall
// clock shows the neighbours too, the CPU spent per NOTIFY does not.
double process_cpu_us() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

using expect_atom = caf::atom_constant<caf::atom("expect")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

caf::behavior drop_stanzas(caf::event_based_actor*, int) {
  return {[](s2s::deliver_atom, const s2s::stanza&) {}};
}

// Answers every NOTIFY 200 and tells `waiter` when the expected number was answered.
caf::behavior answer_notifies(caf::event_based_actor* self, caf::actor waiter) {
  auto expected = std::make_shared<std::uint64_t>(0);
  auto seen = std::make_shared<std::uint64_t>(0);
  return {
      [=](expect_atom, std::uint64_t n) {
        *expected = n;
        *seen = 0;
      },
      [=](sip_layer::sip_send_atom, sip_layer::outgoing_request& o) -> caf::result<sip::message> {
        auto b = o.request;
        b.prepend_header("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfanout");
        auto m = b.build().value();
        if (m.method() == "NOTIFY" && ++*seen == *expected) self->send(waiter, done_atom::value);
        return sip::make_response(m, 200, {}, {}).build().value();
      },
  };
}

void BM_presence_fanout(benchmark::State& state) {
  const auto watchers = static_cast<std::uint64_t>(state.range(0));
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-throughput", app::scheduler_max_throughput);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto s2s = sys.spawn(drop_stanzas, 0);
  auto sip = sys.spawn(answer_notifies, caf::actor{self});
  im::im_config ic;
  ic.domains.add("sip.example", "sip-xmpp.example");
  ic.local_xmpp_domains = {"sip-xmpp.example"};
  ic.shards = 2;
  ic.presence.coalesce_window = std::chrono::milliseconds(0);
  ic.presence.max_fanout_per_message = watchers;
  auto router = im::start_im_router(sys, ic);
  im::connect_im_router(router, s2s, {sip}, im::sip_contact{"127.0.0.1", 5060, "udp"});

  // N SIP users subscribed to romeo, each in its own dialog, active.
  const std::string contact = "romeo@xmpp.example";
  std::vector<presence::subscription_record> records;
  for (std::uint64_t i = 0; i < watchers; ++i) {
    auto user = "user" + std::to_string(i);
    sip_layer::dialog d;
    d.call_id = "w" + std::to_string(i) + "@sip.example";
    d.local_tag = "gw" + std::to_string(i);
    d.remote_tag = "ua" + std::to_string(i);
    d.local_uri = "<sip:romeo@xmpp.example>";
    d.remote_uri = "<sip:" + user + "@sip.example>";
    d.local_cseq = 1;
    d.remote_cseq = 1;
    d.remote_target = "sip:" + user + "@127.0.0.1:5070";
    presence::subscription_record r;
    r.direction = presence::watch_direction::sip_watches_xmpp;
    r.local = user + "@sip-xmpp.example";
    r.remote = contact;
    r.state = presence::auth_state::active;
    r.sip_dialog = presence::dialog_to_text(d);
    r.expires_unix = static_cast<std::int64_t>(std::time(nullptr)) + 3600;
    records.push_back(std::move(r));
  }
  im::restore_presence(router, records);

  std::uint64_t round = 0;
  auto cpu_before = process_cpu_us();
  for (auto _ : state) {
    self->send(sip, expect_atom::value, watchers);
    const char* show = (round++ % 2 == 0) ? "<show>away</show>" : "<show>dnd</show>";
    std::string from = contact + "/balcony";
    s2s::stanza s{"<presence from='" + from + "' to='user0@sip-xmpp.example'>" + show +
                      "<status>round " + std::to_string(round) + "</status></presence>",
                  from,
                  "user0@sip-xmpp.example",
                  "presence",
                  "",
                  ""};
    self->send(router.entry, s2s::inbound_atom::value, s);
    bool ok = false;
    self->receive([&](done_atom) { ok = true; },
                  caf::after(std::chrono::seconds(30)) >> [&] { ok = false; });
    if (!ok) {
      state.SkipWithError("not every NOTIFY was sent within 30 s");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * watchers));
  state.counters["cpu_us_per_notify"] =
      (process_cpu_us() - cpu_before) / static_cast<double>(state.iterations() * watchers);
  im::stop_im_router(router);
  caf::anon_send_exit(s2s, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sip, caf::exit_reason::user_shutdown);
}

BENCHMARK(BM_presence_fanout)->Arg(10)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
