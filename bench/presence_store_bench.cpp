// The presence subscription store (actors/presence/subscription_store.hpp): what a presence actor
// pays per put (a new subscription, and the common case: a refresh replacing one), and what a
// restart pays to load N records. The SQLite store is a file in $TMPDIR (WAL, synchronous=NORMAL,
// as in the state directory); the memory store is the floor.

#include <cstdio>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "actors/presence/subscription_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace fedgate::presence;

struct sqlite_kind {
  fedgate::testing::temp_dir dir;
  std::unique_ptr<subscription_store> store;
  sqlite_kind() {
    std::string error;
    store = open_sqlite_store(dir.path() / "presence.db", error);
    if (!store) std::fprintf(stderr, "%s\n", error.c_str());
  }
};

struct memory_kind {
  std::unique_ptr<subscription_store> store = make_memory_store();
};

// A record as the presence actors write it: bare JIDs and a serialized dialog of a few hundred
// bytes (Call-ID, tags, CSeq, route set, remote target).
subscription_record make_record(std::int64_t i) {
  subscription_record r;
  r.direction = i % 2 ? watch_direction::sip_watches_xmpp : watch_direction::xmpp_watches_sip;
  r.local = "user" + std::to_string(i / 8) + "@sip.example.com";
  r.remote = "contact" + std::to_string(i) + "@xmpp.example.org";
  r.state = auth_state::active;
  r.sip_dialog = "call-id=" + std::to_string(i) +
                 "-a84b4c76e66710@gw.example.com;local-tag=1928301774;remote-tag=a6c85cf;cseq=4;"
                 "remote-target=sip:user@10.0.0.12:5061;transport=tls;"
                 "route=<sip:proxy1.example.com;lr>,<sip:proxy2.example.com;lr>;"
                 "event=presence;accept=application/pidf+xml";
  r.expires_unix = 1700000000 + i;
  return r;
}

template <class Kind>
void BM_put_new(benchmark::State& state) {
  Kind k;
  if (!k.store) return state.SkipWithError("store did not open");
  std::int64_t i = 0;
  for (auto _ : state) {
    if (k.store->put(make_record(i++))) return state.SkipWithError("put failed");
  }
  state.SetItemsProcessed(state.iterations());
}

// A refresh: the same keys again with a new expiry (INSERT OR REPLACE of an existing row).
template <class Kind>
void BM_put_replace(benchmark::State& state) {
  Kind k;
  if (!k.store) return state.SkipWithError("store did not open");
  const std::int64_t n = state.range(0);
  for (std::int64_t i = 0; i < n; ++i)
    k.store->put(make_record(i));
  std::int64_t i = 0;
  for (auto _ : state) {
    auto r = make_record(i % n);
    r.expires_unix += i++;
    if (k.store->put(r)) return state.SkipWithError("put failed");
  }
  state.SetItemsProcessed(state.iterations());
}

template <class Kind>
void BM_load_all(benchmark::State& state) {
  Kind k;
  if (!k.store) return state.SkipWithError("store did not open");
  const std::int64_t n = state.range(0);
  for (std::int64_t i = 0; i < n; ++i)
    k.store->put(make_record(i));
  for (auto _ : state) {
    auto all = k.store->load_all();
    if (static_cast<std::int64_t>(all.size()) != n) return state.SkipWithError("lost records");
    benchmark::DoNotOptimize(all.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

BENCHMARK_TEMPLATE(BM_put_new, sqlite_kind);
BENCHMARK_TEMPLATE(BM_put_new, memory_kind);
BENCHMARK_TEMPLATE(BM_put_replace, sqlite_kind)->Arg(10000);
BENCHMARK_TEMPLATE(BM_put_replace, memory_kind)->Arg(10000);
BENCHMARK_TEMPLATE(BM_load_all, sqlite_kind)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_load_all, memory_kind)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
