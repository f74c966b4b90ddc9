// Cost of fedgate's metric updates on the hot path (metrics/families.hpp) against the plain
// prometheus-cpp way (Family::Add with a label map per update), plus a partner lookup and a
// whole scrape (serializing every family).

#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "metrics/families.hpp"
#include "metrics/process_collector.hpp"
#include "metrics/registry.hpp"

namespace {

using namespace fedgate::metrics;

std::vector<std::string> partner_list(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back("partner" + std::to_string(i) + ".example");
  return out;
}

families& bench_families() {
  static auto registry = std::make_shared<prometheus::Registry>();
  static families f{*registry, options{partner_list(50), "bench", "bench"}};
  return f;
}

// The hot path as components write it: process-wide accessor, enum labels.
void BM_stanza_inc_global(benchmark::State& state) {
  install(options{partner_list(50)});
  for (auto _ : state)
    xmpp_stanzas().inc(direction::in, stanza_kind::message, outcome::delivered);
}
BENCHMARK(BM_stanza_inc_global)->Threads(1)->Threads(2);

void BM_stanza_bounced(benchmark::State& state) {
  auto& f = bench_families();
  for (auto _ : state)
    f.xmpp_stanzas.bounced(direction::out, stanza_kind::message, stanza_error::service_unavailable);
}
BENCHMARK(BM_stanza_bounced);

void BM_sip_bounced_by_status(benchmark::State& state) {
  auto& f = bench_families();
  for (auto _ : state)
    f.sip_requests.bounced(direction::out, sip_method::message, 408);
}
BENCHMARK(BM_sip_bounced_by_status);

// Baseline: the same update the usual prometheus-cpp way, labels looked up per call.
void BM_prometheus_add_labels_then_increment(benchmark::State& state) {
  static auto registry = std::make_shared<prometheus::Registry>();
  static auto& family = prometheus::BuildCounter().Name("x_total").Help("x").Register(*registry);
  for (auto _ : state) {
    family
        .Add({{"direction", "in"},
              {"kind", "message"},
              {"outcome", "delivered"},
              {"reason", "none"}})
        .Increment();
  }
}
BENCHMARK(BM_prometheus_add_labels_then_increment)->Threads(1)->Threads(2);

void BM_translation_observe(benchmark::State& state) {
  auto& f = bench_families();
  for (auto _ : state)
    f.translation_latency.observe(translation::xmpp_to_sip, 0.0007);
}
BENCHMARK(BM_translation_observe);

void BM_stream_tracker_update(benchmark::State& state) {
  auto& f = bench_families();
  s2s_stream_tracker t{f.s2s_streams, f.partners().lookup("partner7.example"), direction::out};
  bool tls = false;
  for (auto _ : state) {
    tls = !tls;
    t.update(stream_state::established, stream_auth::dialback, tls);
  }
}
BENCHMARK(BM_stream_tracker_update);

// Once per stream / partner actor, not per stanza.
void BM_partner_lookup(benchmark::State& state) {
  auto& f = bench_families();
  std::string domain = state.range(0) ? "Partner42.example" : "stranger.example";
  for (auto _ : state)
    benchmark::DoNotOptimize(f.partners().lookup(domain));
}
BENCHMARK(BM_partner_lookup)->Arg(1)->Arg(0);

// One scrape of everything, 50 partners configured.
void BM_scrape(benchmark::State& state) {
  auto registry = std::make_shared<prometheus::Registry>();
  families f{*registry, options{partner_list(50)}};
  std::vector<std::shared_ptr<prometheus::Collectable>> all{registry,
                                                            std::make_shared<process_collector>()};
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto text = serialize(all);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_scrape)->Unit(benchmark::kMillisecond);

}  // namespace
