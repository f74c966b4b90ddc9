#pragma once
// Every Prometheus metric family fedgate exposes, declared in one place (here and families.cpp,
// which holds the names and help texts), as a small typed API components call on hot paths:
//
//   metrics::xmpp_stanzas().inc(direction::in, stanza_kind::message, outcome::delivered);
//   metrics::sip_requests().bounced(direction::out, sip_method::message, 408);
//   metrics::translation_latency().observe(translation::xmpp_to_sip, arrival);
//
// Why it is shaped like this:
// - Cheap: every label is a bounded enum (metrics/labels.hpp) and every combination is created
//   when the families are built, so an increment is an array index plus one atomic operation on
//   the prometheus-cpp series: no map lookup, no string, no allocation, no lock (histograms take
//   prometheus-cpp's per-series mutex). bench/metrics_bench.cpp measures it.
// - Bounded: the partner label takes only configured partners; every other domain is `other`.
//   partner() maps a domain once (a binary search, no allocation); callers keep the partner_id
//   (a partner_domain actor or an S2S stream looks it up when it starts).
// - Names follow Prometheus conventions: `fedgate_` prefix, `_total` counters, `_seconds`
//   histograms, base units. The process_* families come from metrics/process_collector.hpp.
//
// Deliberately not here: the HTTP listener (metrics/admin_server.hpp) and sampling loops (the
// components that own the queues set their gauges).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/labels.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace prometheus

namespace fedgate::metrics {

// A partner's position in the configured partner list; 0 is `other` (every unconfigured domain).
struct partner_id {
  std::uint16_t index = 0;
  friend bool operator==(partner_id a, partner_id b) { return a.index == b.index; }
};
inline constexpr partner_id other_partner{0};

// The bounded partner label: configured partner domains (compared ASCII case-insensitively, a
// trailing dot ignored) keep their name, everything else folds into `other`.
class partner_labels {
 public:
  explicit partner_labels(std::vector<std::string> configured);
  partner_id lookup(std::string_view domain) const noexcept;
  std::string_view label(partner_id p) const { return names_[p.index]; }
  std::size_t size() const { return names_.size(); }  // configured partners + 1 (`other`)

 private:
  std::vector<std::string> names_;    // [0] = "other", then the configured domains, lower case
  std::vector<std::uint16_t> order_;  // indexes of names_[1..], sorted by name
};

// fedgate_xmpp_stanzas_total{direction, kind, outcome, reason}
class xmpp_stanza_counters {
 public:
  // outcome::bounced counts with reason undefined-condition; prefer bounced() with the condition.
  void inc(direction d, stanza_kind k, outcome o) noexcept;
  void bounced(direction d, stanza_kind k, stanza_error condition) noexcept;
  prometheus::Counter& series(direction d, stanza_kind k, outcome o, stanza_error c) const;

 private:
  friend class families;
  std::vector<prometheus::Counter*> series_;
};

// fedgate_sip_requests_total{direction, method, outcome, reason}
class sip_request_counters {
 public:
  // outcome::bounced counts as 5xx; prefer bounced() with the final status code.
  void inc(direction d, sip_method m, outcome o) noexcept;
  void bounced(direction d, sip_method m, int status_code) noexcept;
  prometheus::Counter& series(direction d, sip_method m, outcome o, status_class c) const;

 private:
  friend class families;
  std::vector<prometheus::Counter*> series_;
};

// fedgate_translation_duration_seconds{direction}: from the arrival of a stanza/request on one
// side to the write of its translation on the other.
class translation_histograms {
 public:
  void observe(translation t, double seconds) noexcept;
  void observe(translation t, std::chrono::steady_clock::time_point arrival) noexcept {
    observe(t, std::chrono::duration<double>(std::chrono::steady_clock::now() - arrival).count());
  }
  prometheus::Histogram& series(translation t) const;

 private:
  friend class families;
  std::vector<prometheus::Histogram*> series_;
};

// fedgate_s2s_streams{partner, direction, state, auth, tls}: open S2S streams. Components use an
// s2s_stream_tracker per stream rather than these gauges directly.
class s2s_stream_gauges {
 public:
  prometheus::Gauge& series(partner_id p, direction d, stream_state s, stream_auth a,
                            bool tls) const;

 private:
  friend class families;
  std::vector<prometheus::Gauge*> series_;
};

// One S2S stream's place in fedgate_s2s_streams: counted (negotiating, no auth, no TLS) from
// construction, moved by update() as the negotiation proceeds, uncounted on destruction. Movable,
// so it can live in an actor's state.
class s2s_stream_tracker {
 public:
  s2s_stream_tracker(const s2s_stream_gauges& gauges, partner_id p, direction d);
  s2s_stream_tracker(s2s_stream_tracker&& other) noexcept;
  s2s_stream_tracker& operator=(s2s_stream_tracker&& other) noexcept;
  s2s_stream_tracker(const s2s_stream_tracker&) = delete;
  s2s_stream_tracker& operator=(const s2s_stream_tracker&) = delete;
  ~s2s_stream_tracker();

  void update(stream_state s, stream_auth a, bool tls) noexcept;
  // The partner becomes known after the stream header (inbound streams): move to it.
  void set_partner(partner_id p) noexcept;

 private:
  void move_to(prometheus::Gauge* next) noexcept;
  const s2s_stream_gauges* gauges_;
  partner_id partner_;
  direction direction_;
  stream_state state_ = stream_state::negotiating;
  stream_auth auth_ = stream_auth::none;
  bool tls_ = false;
  prometheus::Gauge* current_ = nullptr;
};

// fedgate_s2s_negotiation_failures_total{partner, direction, reason}
class negotiation_failure_counters {
 public:
  void inc(partner_id p, direction d, negotiation_failure reason) noexcept;
  prometheus::Counter& series(partner_id p, direction d, negotiation_failure reason) const;

 private:
  friend class families;
  std::vector<prometheus::Counter*> series_;
};

// A gauge per partner (fedgate_s2s_queued_stanzas{partner}). add() rather than set(): several
// unconfigured domains share the `other` series, so each partner_domain adds its own changes.
class partner_gauges {
 public:
  void add(partner_id p, double delta) noexcept;
  prometheus::Gauge& series(partner_id p) const;

 private:
  friend class families;
  std::vector<prometheus::Gauge*> series_;
};

// fedgate_sip_transactions_total{role, method, status_class}, fedgate_sip_retransmissions_total
// {role, method}, fedgate_sip_transaction_timeouts_total{role, method}, fedgate_sip_transactions
// (active, gauge).
class sip_transaction_metrics {
 public:
  // A transaction ended with a final response (sent as server, received as client).
  void completed(role r, sip_method m, int status_code) noexcept;
  // Client: fedgate retransmitted a request (timer A/E); server: a retransmission arrived.
  void retransmitted(role r, sip_method m) noexcept;
  // Timer B/F (client) or H (server) fired: ended without a final response / ACK.
  void timed_out(role r, sip_method m) noexcept;
  // Transactions in the tables now: +1 when one starts, -1 when it is removed.
  void active_add(double delta) noexcept;

  prometheus::Counter& completed_series(role r, sip_method m, status_class c) const;
  prometheus::Counter& retransmission_series(role r, sip_method m) const;
  prometheus::Counter& timeout_series(role r, sip_method m) const;
  prometheus::Gauge& active_series() const { return *active_; }

 private:
  friend class families;
  std::vector<prometheus::Counter*> completed_;
  std::vector<prometheus::Counter*> retransmissions_;
  std::vector<prometheus::Counter*> timeouts_;
  prometheus::Gauge* active_ = nullptr;
};

// A gauge per actor type: fedgate_actors{type} (live actors, kept by actor_count_guard) and
// fedgate_actor_mailbox_messages{type} (sampled: see docs/operations.md).
class actor_gauges {
 public:
  void add(actor_type t, double delta) noexcept;
  void set(actor_type t, double value) noexcept;
  prometheus::Gauge& series(actor_type t) const;

 private:
  friend class families;
  std::vector<prometheus::Gauge*> series_;
};

// Counts one live actor of a type for its lifetime: a member of the actor's state.
class actor_count_guard {
 public:
  actor_count_guard(const actor_gauges& gauges, actor_type t) noexcept;
  actor_count_guard(actor_count_guard&& other) noexcept;
  actor_count_guard& operator=(actor_count_guard&& other) noexcept;
  actor_count_guard(const actor_count_guard&) = delete;
  actor_count_guard& operator=(const actor_count_guard&) = delete;
  ~actor_count_guard();

 private:
  prometheus::Gauge* gauge_;
};

// fedgate_tls_handshakes_total{protocol, role, result}
class tls_handshake_counters {
 public:
  void inc(protocol p, role r, tls_result result) noexcept;
  prometheus::Counter& series(protocol p, role r, tls_result result) const;

 private:
  friend class families;
  std::vector<prometheus::Counter*> series_;
};

// fedgate_presence_subscriptions{direction} (gauge: active subscriptions; xmpp_to_sip = an XMPP
// contact watches a SIP user) and fedgate_presence_updates_coalesced_total (updates a presence
// actor merged into a later one instead of sending, RFC 7248 rate limiting).
class presence_metrics {
 public:
  void subscriptions_add(translation t, double delta) noexcept;
  void coalesced(std::uint64_t n = 1) noexcept;
  prometheus::Gauge& subscriptions_series(translation t) const;
  prometheus::Counter& coalesced_series() const { return *coalesced_; }

 private:
  friend class families;
  std::vector<prometheus::Gauge*> subscriptions_;
  prometheus::Counter* coalesced_ = nullptr;
};

// fedgate_config_reloads_total{result}: configuration reloads (ctl reload, SIGHUP) by result.
class reload_counters {
 public:
  void inc(reload_result r) noexcept;
  prometheus::Counter& series(reload_result r) const;

 private:
  friend class families;
  std::vector<prometheus::Counter*> series_;
};

struct options {
  std::vector<std::string> partners;  // configured partner domains ([[xmpp.partners]] domain)
  std::string version = "unknown";    // fedgate_build_info labels
  std::string revision = "unknown";
};

// Every family, registered on one registry. Not copyable: the series pointers belong to the
// registry, which must outlive this object.
class families {
 public:
  families(prometheus::Registry& registry, const options& opts);
  families(const families&) = delete;
  families& operator=(const families&) = delete;

  const partner_labels& partners() const { return partners_; }

 private:
  partner_labels partners_;

 public:
  xmpp_stanza_counters xmpp_stanzas;
  sip_request_counters sip_requests;
  translation_histograms translation_latency;
  s2s_stream_gauges s2s_streams;
  negotiation_failure_counters negotiation_failures;
  partner_gauges s2s_queued_stanzas;
  sip_transaction_metrics sip_transactions;
  actor_gauges actors;
  actor_gauges mailbox_messages;
  tls_handshake_counters tls_handshakes;
  presence_metrics presence;
  reload_counters config_reloads;
};

// The latency buckets of fedgate_translation_duration_seconds (seconds): 100 µs to 10 s.
const std::vector<double>& translation_buckets();

// --- the process-wide families, on metrics::registry() ------------------------------------------

// Builds the process-wide families with the configured partners and build identity. Call once at
// start-up, before any component counts. Returns false (and changes nothing) when they already
// exist, built by an earlier install() or by a component counting first with defaults.
bool install(const options& opts);

// The process-wide families; built with default options (no partners) when install() was not
// called, so components and their unit tests can always count.
families& global();

inline partner_id partner(std::string_view domain) {
  return global().partners().lookup(domain);
}
inline xmpp_stanza_counters& xmpp_stanzas() {
  return global().xmpp_stanzas;
}
inline sip_request_counters& sip_requests() {
  return global().sip_requests;
}
inline translation_histograms& translation_latency() {
  return global().translation_latency;
}
inline const s2s_stream_gauges& s2s_streams() {
  return global().s2s_streams;
}
inline negotiation_failure_counters& negotiation_failures() {
  return global().negotiation_failures;
}
inline partner_gauges& s2s_queued_stanzas() {
  return global().s2s_queued_stanzas;
}
inline sip_transaction_metrics& sip_transactions() {
  return global().sip_transactions;
}
inline actor_gauges& actors() {
  return global().actors;
}
inline actor_gauges& mailbox_messages() {
  return global().mailbox_messages;
}
inline tls_handshake_counters& tls_handshakes() {
  return global().tls_handshakes;
}
inline presence_metrics& presence() {
  return global().presence;
}
inline reload_counters& config_reloads() {
  return global().config_reloads;
}

}  // namespace fedgate::metrics
