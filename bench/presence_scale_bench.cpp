// What established presence subscriptions cost in memory: `subscriptions` XMPP contacts each
// watching a local SIP user, taken up through the router as after a restart (restore_presence),
// the SIP side answering every SUBSCRIBE 200 with a To tag (so each holds a dialog), nothing
// flowing after that. Reported per subscription: the growth of the process's resident set (RSS,
// from /proc/self/statm) from before the restore to when every SUBSCRIBE was answered.
//   * users = 0: one local user per subscription, so one presence actor each: the cost of an
//     idle presence actor with its one subscription;
//   * users = 100: the subscriptions spread over 100 users (100 actors): the cost of one more
//     watcher in an existing actor.
// The store is left out (its file is not resident memory of the gateway's actors;
// presence_store_bench measures it).
//
// Issue #8's target: 1,000,000 subscriptions in under 2 GiB. Run:
//   build-release/bench/presence_scale_bench --benchmark_filter='subscriptions:1000000'
#include <atomic>
#include <fstream>
#include <malloc.h>
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

// Bytes the allocator has handed out and not had back (every arena): the live heap, which RSS
// exceeds by what freed-but-kept memory (fragmentation after the burst) costs.
std::size_t heap_in_use() {
  auto m = ::mallinfo2();
  return m.uordblks + m.hblkhd;
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
        // With a Contact, as RFC 6665 §4.1.2.1 asks of a 2xx: without one no dialog forms and
        // the actor keeps the SUBSCRIBE it sent (measured: 3.5 KB per subscription instead of
        // what an established subscription holds).
        auto r = sip::make_response(m, 200, {}, "uas")
                     .header("Expires", "3600")
                     .header("Contact", "<sip:presence@127.0.0.1:5070>")
                     .build()
                     .value();
        ++*n;
        return r;
      },
  };
}

void BM_presence_subscriptions_held(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  // Local SIP users the subscriptions are spread over (0: one user, hence one actor, each).
  const auto users = state.range(1) == 0 ? n : static_cast<std::uint64_t>(state.range(1));
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
    auto heap_before = heap_in_use();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    std::vector<presence::subscription_record> batch;
    for (std::uint64_t i = 0; i < n; ++i) {
      presence::subscription_record r;
      r.direction = presence::watch_direction::xmpp_watches_sip;
      r.local = "user" + std::to_string(i % users) + "@sip-xmpp.example";
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
    auto heap_after = heap_in_use();
    state.counters["subscriptions"] = static_cast<double>(n);
    state.counters["rss_growth_MiB"] = static_cast<double>(after - before) / (1024.0 * 1024.0);
    state.counters["bytes_per_subscription"] =
        static_cast<double>(after - before) / static_cast<double>(n);
    state.counters["rss_total_MiB"] = static_cast<double>(after) / (1024.0 * 1024.0);
    state.counters["presence_actors"] = static_cast<double>(users);
    // What the allocator can give back once the burst's transient memory is free.
    ::malloc_trim(0);
    state.counters["bytes_per_subscription_trimmed"] =
        (static_cast<double>(rss_bytes()) - static_cast<double>(before)) / static_cast<double>(n);
    state.counters["heap_bytes_per_subscription"] =
        (static_cast<double>(heap_after) - static_cast<double>(heap_before)) /
        static_cast<double>(n);
    im::stop_im_router(router);
    caf::anon_send_exit(s2s, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sip, caf::exit_reason::user_shutdown);
  }
}

// {subscriptions, users}: one actor per subscription (the cost of an idle presence actor with
// its subscription), and 100 users watched by many contacts each (the cost of one more watcher
// in an existing actor).
BENCHMARK(BM_presence_subscriptions_held)
    ->ArgNames({"subscriptions", "users"})
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->Args({1000000, 0})
    ->Args({100000, 100})
    ->Args({1000000, 100})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
