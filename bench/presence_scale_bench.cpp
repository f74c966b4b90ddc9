// What established presence subscriptions cost in memory: `n` XMPP contacts each watching one
// local SIP user, taken up through the router as after a restart (restore_presence), the SIP
// side answering every SUBSCRIBE 200 with a To tag (so each holds a dialog), nothing flowing
// after that. Reported per subscription: the growth of the process's resident set (RSS, from
// /proc/self/statm) from before the restore to when every SUBSCRIBE was answered; each
// subscription here is one presence actor (a local user with one watcher), so it is also the
// cost of an idle presence actor with its subscription. The store is left out (its file is not
// resident memory of the gateway's actors; presence_store_bench measures it).
//
// Issue #8's target: 1,000,000 subscriptions in under 2 GiB. Run:
//   build-release/bench/presence_scale_bench --benchmark_filter='/1000000'
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <caf/all.hpp>

#include "actors/im/router.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/sip/messages.hpp"
#include "app/gateway.hpp"
#include "codecs/sip/serializer.hpp"

namespace {

using namespace fedgate;

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

caf::behavior drop_stanzas(caf::event_based_actor*, int) {
  return {[](s2s::deliver_atom, const s2s::stanza&) {}};
}

// Answers every request 200 with a To tag and counts them.
caf::behavior answer_200(caf::event_based_actor*, std::shared_ptr<std::atomic<std::uint64_t>> n) {
  return {
      [=](sip_layer::sip_send_atom, sip_layer::outgoing_request& o) -> caf::result<sip::message> {
        auto b = o.request;
        b.prepend_header("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKscale");
        auto m = b.build().value();
        auto r = sip::make_response(m, 200, {}, "uas").header("Expires", "3600").build().value();
        ++*n;
        return r;
      },
  };
}

void BM_presence_subscriptions_held(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    caf::actor_system_config cfg;
    // As the gateway runs it (app/gateway.hpp explains why it is bounded).
    cfg.set("scheduler.max-throughput", app::scheduler_max_throughput);
    caf::actor_system sys{cfg};
    auto answered = std::make_shared<std::atomic<std::uint64_t>>(0);
    auto s2s = sys.spawn(drop_stanzas, 0);
    auto sip = sys.spawn(answer_200, answered);
    im::im_config ic;
    ic.domains.add("sip.example", "sip-xmpp.example");
    ic.local_xmpp_domains = {"sip-xmpp.example"};
    ic.shards = 4;
    ic.presence.default_authorisation = presence::authorisation::automatic;
    auto router = im::start_im_router(sys, ic);
    im::connect_im_router(router, s2s, {sip}, im::sip_contact{"127.0.0.1", 5060, "udp"});
    auto before = rss_bytes();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    std::vector<presence::subscription_record> batch;
    for (std::uint64_t i = 0; i < n; ++i) {
      presence::subscription_record r;
      r.direction = presence::watch_direction::xmpp_watches_sip;
      r.local = "user" + std::to_string(i) + "@sip-xmpp.example";
      r.remote = "contact" + std::to_string(i) + "@xmpp.example";
      r.state = presence::auth_state::active;
      batch.push_back(std::move(r));
      if (batch.size() == 10000 || i + 1 == n) {
        im::restore_presence(router, batch);
        batch.clear();
        // Let the actors keep up, so the measure is what is held, not a mailbox backlog.
        while (*answered + 20000 < i + 1 && std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    while (*answered < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (*answered < n) state.SkipWithError("not every SUBSCRIBE was answered within 5 minutes");
    auto after = rss_bytes();
    state.counters["subscriptions"] = static_cast<double>(n);
    state.counters["rss_growth_MiB"] = static_cast<double>(after - before) / (1024.0 * 1024.0);
    state.counters["bytes_per_subscription"] =
        static_cast<double>(after - before) / static_cast<double>(n);
    state.counters["rss_total_MiB"] = static_cast<double>(after) / (1024.0 * 1024.0);
    im::stop_im_router(router);
    caf::anon_send_exit(s2s, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sip, caf::exit_reason::user_shutdown);
  }
}

BENCHMARK(BM_presence_subscriptions_held)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
