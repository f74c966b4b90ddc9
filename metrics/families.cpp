#include "metrics/families.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "metrics/registry.hpp"

namespace fedgate::metrics {
namespace {

template <class E>
constexpr std::size_t ix(E e) {
  return static_cast<std::size_t>(e);
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view without_trailing_dot(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  return d;
}

// ASCII case-insensitive three-way comparison (a is already lower case).
int compare_lower(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    char cb = lower(b[i]);
    if (a[i] != cb) return a[i] < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// Per (direction, kind): the 22 bounce conditions, then delivered, refused, malformed.
constexpr std::size_t xmpp_slots = stanza_error_labels.size() + 3;
std::size_t xmpp_index(direction d, stanza_kind k, outcome o, stanza_error c) {
  std::size_t base = (ix(d) * stanza_kind_labels.size() + ix(k)) * xmpp_slots;
  switch (o) {
    case outcome::bounced:
      return base + ix(c);
    case outcome::delivered:
      return base + stanza_error_labels.size();
    case outcome::refused:
      return base + stanza_error_labels.size() + 1;
    case outcome::malformed:
      break;
  }
  return base + stanza_error_labels.size() + 2;
}

// Per (direction, method): the 5 status classes of a bounce, then delivered, refused, malformed.
constexpr std::size_t sip_slots = status_class_labels.size() + 3;
std::size_t sip_index(direction d, sip_method m, outcome o, status_class c) {
  std::size_t base = (ix(d) * sip_method_labels.size() + ix(m)) * sip_slots;
  switch (o) {
    case outcome::bounced:
      return base + ix(c);
    case outcome::delivered:
      return base + status_class_labels.size();
    case outcome::refused:
      return base + status_class_labels.size() + 1;
    case outcome::malformed:
      break;
  }
  return base + status_class_labels.size() + 2;
}

constexpr std::size_t stream_combinations = direction_labels.size() * stream_state_labels.size() *
                                            stream_auth_labels.size() * tls_labels.size();
std::size_t stream_index(partner_id p, direction d, stream_state s, stream_auth a, bool tls) {
  return (((p.index * direction_labels.size() + ix(d)) * stream_state_labels.size() + ix(s)) *
              stream_auth_labels.size() +
          ix(a)) *
             tls_labels.size() +
         (tls ? 1 : 0);
}

std::size_t failure_index(partner_id p, direction d, negotiation_failure r) {
  return (p.index * direction_labels.size() + ix(d)) * negotiation_failure_labels.size() + ix(r);
}

std::size_t role_method_index(role r, sip_method m) {
  return ix(r) * sip_method_labels.size() + ix(m);
}

std::string str(std::string_view s) {
  return std::string(s);
}

}  // namespace

// --- partner_labels ------------------------------------------------------------------------------

partner_labels::partner_labels(std::vector<std::string> configured) {
  names_.push_back("other");
  for (auto& d : configured) {
    std::string name(without_trailing_dot(d));
    std::transform(name.begin(), name.end(), name.begin(), lower);
    if (name.empty() || std::find(names_.begin() + 1, names_.end(), name) != names_.end()) continue;
    names_.push_back(std::move(name));
  }
  for (std::size_t i = 1; i < names_.size(); ++i)
    order_.push_back(static_cast<std::uint16_t>(i));
  std::sort(order_.begin(), order_.end(),
            [this](std::uint16_t a, std::uint16_t b) { return names_[a] < names_[b]; });
}

partner_id partner_labels::lookup(std::string_view domain) const noexcept {
  domain = without_trailing_dot(domain);
  std::size_t lo = 0, hi = order_.size();
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    int c = compare_lower(names_[order_[mid]], domain);
    if (c == 0) return partner_id{order_[mid]};
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return other_partner;
}

// --- hot paths -----------------------------------------------------------------------------------

void xmpp_stanza_counters::inc(direction d, stanza_kind k, outcome o) noexcept {
  series_[xmpp_index(d, k, o, stanza_error::undefined_condition)]->Increment();
}
void xmpp_stanza_counters::bounced(direction d, stanza_kind k, stanza_error c) noexcept {
  series_[xmpp_index(d, k, outcome::bounced, c)]->Increment();
}
prometheus::Counter& xmpp_stanza_counters::series(direction d, stanza_kind k, outcome o,
                                                  stanza_error c) const {
  return *series_[xmpp_index(d, k, o, c)];
}

void sip_request_counters::inc(direction d, sip_method m, outcome o) noexcept {
  series_[sip_index(d, m, o, status_class::s5xx)]->Increment();
}
void sip_request_counters::bounced(direction d, sip_method m, int status_code) noexcept {
  series_[sip_index(d, m, outcome::bounced, status_class_of(status_code))]->Increment();
}
prometheus::Counter& sip_request_counters::series(direction d, sip_method m, outcome o,
                                                  status_class c) const {
  return *series_[sip_index(d, m, o, c)];
}

void translation_histograms::observe(translation t, double seconds) noexcept {
  series_[ix(t)]->Observe(seconds);
}
prometheus::Histogram& translation_histograms::series(translation t) const {
  return *series_[ix(t)];
}

prometheus::Gauge& s2s_stream_gauges::series(partner_id p, direction d, stream_state s,
                                             stream_auth a, bool tls) const {
  return *series_[stream_index(p, d, s, a, tls)];
}

s2s_stream_tracker::s2s_stream_tracker(const s2s_stream_gauges& gauges, partner_id p, direction d)
    : gauges_(&gauges), partner_(p), direction_(d) {
  move_to(&gauges_->series(partner_, direction_, state_, auth_, tls_));
}
s2s_stream_tracker::s2s_stream_tracker(s2s_stream_tracker&& other) noexcept
    : gauges_(other.gauges_),
      partner_(other.partner_),
      direction_(other.direction_),
      state_(other.state_),
      auth_(other.auth_),
      tls_(other.tls_),
      current_(other.current_) {
  other.current_ = nullptr;
}
s2s_stream_tracker& s2s_stream_tracker::operator=(s2s_stream_tracker&& other) noexcept {
  if (this != &other) {
    move_to(nullptr);
    gauges_ = other.gauges_;
    partner_ = other.partner_;
    direction_ = other.direction_;
    state_ = other.state_;
    auth_ = other.auth_;
    tls_ = other.tls_;
    current_ = other.current_;
    other.current_ = nullptr;
  }
  return *this;
}
s2s_stream_tracker::~s2s_stream_tracker() {
  move_to(nullptr);
}
void s2s_stream_tracker::update(stream_state s, stream_auth a, bool tls) noexcept {
  if (!current_) return;  // moved from
  state_ = s;
  auth_ = a;
  tls_ = tls;
  move_to(&gauges_->series(partner_, direction_, state_, auth_, tls_));
}
void s2s_stream_tracker::set_partner(partner_id p) noexcept {
  if (!current_) return;
  partner_ = p;
  move_to(&gauges_->series(partner_, direction_, state_, auth_, tls_));
}
void s2s_stream_tracker::move_to(prometheus::Gauge* next) noexcept {
  if (next == current_) return;
  if (next) next->Increment();
  if (current_) current_->Decrement();
  current_ = next;
}

void negotiation_failure_counters::inc(partner_id p, direction d, negotiation_failure r) noexcept {
  series_[failure_index(p, d, r)]->Increment();
}
prometheus::Counter& negotiation_failure_counters::series(partner_id p, direction d,
                                                          negotiation_failure r) const {
  return *series_[failure_index(p, d, r)];
}

void partner_gauges::add(partner_id p, double delta) noexcept {
  series_[p.index]->Increment(delta);
}
prometheus::Gauge& partner_gauges::series(partner_id p) const {
  return *series_[p.index];
}

void sip_transaction_metrics::completed(role r, sip_method m, int status_code) noexcept {
  completed_[role_method_index(r, m) * status_class_labels.size() +
             ix(status_class_of(status_code))]
      ->Increment();
}
void sip_transaction_metrics::retransmitted(role r, sip_method m) noexcept {
  retransmissions_[role_method_index(r, m)]->Increment();
}
void sip_transaction_metrics::timed_out(role r, sip_method m) noexcept {
  timeouts_[role_method_index(r, m)]->Increment();
}
void sip_transaction_metrics::active_add(double delta) noexcept {
  active_->Increment(delta);
}
prometheus::Counter& sip_transaction_metrics::completed_series(role r, sip_method m,
                                                               status_class c) const {
  return *completed_[role_method_index(r, m) * status_class_labels.size() + ix(c)];
}
prometheus::Counter& sip_transaction_metrics::retransmission_series(role r, sip_method m) const {
  return *retransmissions_[role_method_index(r, m)];
}
prometheus::Counter& sip_transaction_metrics::timeout_series(role r, sip_method m) const {
  return *timeouts_[role_method_index(r, m)];
}

void actor_gauges::add(actor_type t, double delta) noexcept {
  series_[ix(t)]->Increment(delta);
}
void actor_gauges::set(actor_type t, double value) noexcept {
  series_[ix(t)]->Set(value);
}
prometheus::Gauge& actor_gauges::series(actor_type t) const {
  return *series_[ix(t)];
}

actor_count_guard::actor_count_guard(const actor_gauges& gauges, actor_type t) noexcept
    : gauge_(&gauges.series(t)) {
  gauge_->Increment();
}
actor_count_guard::actor_count_guard(actor_count_guard&& other) noexcept : gauge_(other.gauge_) {
  other.gauge_ = nullptr;
}
actor_count_guard& actor_count_guard::operator=(actor_count_guard&& other) noexcept {
  if (this != &other) {
    if (gauge_) gauge_->Decrement();
    gauge_ = other.gauge_;
    other.gauge_ = nullptr;
  }
  return *this;
}
actor_count_guard::~actor_count_guard() {
  if (gauge_) gauge_->Decrement();
}

void tls_handshake_counters::inc(protocol p, role r, tls_result result) noexcept {
  series_[(ix(p) * role_labels.size() + ix(r)) * tls_result_labels.size() + ix(result)]
      ->Increment();
}
prometheus::Counter& tls_handshake_counters::series(protocol p, role r, tls_result result) const {
  return *series_[(ix(p) * role_labels.size() + ix(r)) * tls_result_labels.size() + ix(result)];
}

void presence_metrics::subscriptions_add(translation t, double delta) noexcept {
  subscriptions_[ix(t)]->Increment(delta);
}
void presence_metrics::coalesced(std::uint64_t n) noexcept {
  coalesced_->Increment(static_cast<double>(n));
}
prometheus::Gauge& presence_metrics::subscriptions_series(translation t) const {
  return *subscriptions_[ix(t)];
}

void reload_counters::inc(reload_result r) noexcept {
  series_[ix(r)]->Increment();
}
prometheus::Counter& reload_counters::series(reload_result r) const {
  return *series_[ix(r)];
}

// --- the families: names, help texts, label combinations -----------------------------------------

const std::vector<double>& translation_buckets() {
  static const std::vector<double> buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                           0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                           1,      2.5,     5,      10};
  return buckets;
}

families::families(prometheus::Registry& registry, const options& opts) : partners_(opts.partners) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;

  auto& build_info =
      BuildGauge()
          .Name("fedgate_build_info")
          .Help("Always 1; the labels say which fedgate build is running (version, git revision).")
          .Register(registry);
  build_info.Add({{"version", opts.version}, {"revision", opts.revision}}).Set(1);

  auto& stanzas =
      BuildCounter()
          .Name("fedgate_xmpp_stanzas_total")
          .Help(
              "XMPP stanzas received (direction=in) from or sent (out) to S2S partners, by kind "
              "and outcome: delivered to the other side, bounced with the RFC 6120 stanza error "
              "condition in reason, refused by policy, or malformed.")
          .Register(registry);
  xmpp_stanzas.series_.resize(direction_labels.size() * stanza_kind_labels.size() * xmpp_slots);
  for (std::size_t d = 0; d < direction_labels.size(); ++d) {
    for (std::size_t k = 0; k < stanza_kind_labels.size(); ++k) {
      auto add = [&](outcome o, stanza_error c, std::string_view reason) {
        xmpp_stanzas.series_[xmpp_index(direction(d), stanza_kind(k), o, c)] =
            &stanzas.Add({{"direction", str(direction_labels[d])},
                          {"kind", str(stanza_kind_labels[k])},
                          {"outcome", str(label_of(outcome_labels, o))},
                          {"reason", str(reason)}});
      };
      for (std::size_t c = 0; c < stanza_error_labels.size(); ++c)
        add(outcome::bounced, stanza_error(c), stanza_error_labels[c]);
      add(outcome::delivered, {}, "none");
      add(outcome::refused, {}, "policy");
      add(outcome::malformed, {}, "none");
    }
  }

  auto& requests =
      BuildCounter()
          .Name("fedgate_sip_requests_total")
          .Help(
              "SIP requests received (direction=in) from or sent (out) to the SIP side, by "
              "method and outcome: delivered, bounced with the final status class in reason, "
              "refused by policy (untrusted peer), or malformed.")
          .Register(registry);
  sip_requests.series_.resize(direction_labels.size() * sip_method_labels.size() * sip_slots);
  for (std::size_t d = 0; d < direction_labels.size(); ++d) {
    for (std::size_t m = 0; m < sip_method_labels.size(); ++m) {
      auto add = [&](outcome o, status_class c, std::string_view reason) {
        sip_requests.series_[sip_index(direction(d), sip_method(m), o, c)] =
            &requests.Add({{"direction", str(direction_labels[d])},
                           {"method", str(sip_method_labels[m])},
                           {"outcome", str(label_of(outcome_labels, o))},
                           {"reason", str(reason)}});
      };
      for (std::size_t c = 0; c < status_class_labels.size(); ++c)
        add(outcome::bounced, status_class(c), status_class_labels[c]);
      add(outcome::delivered, {}, "none");
      add(outcome::refused, {}, "policy");
      add(outcome::malformed, {}, "none");
    }
  }

  auto& latency = BuildHistogram()
                      .Name("fedgate_translation_duration_seconds")
                      .Help(
                          "Time from the arrival of a stanza or SIP request on one side to the "
                          "write of its translation on the other side, by direction.")
                      .Register(registry);
  for (auto t : translation_labels)
    translation_latency.series_.push_back(
        &latency.Add({{"direction", str(t)}}, translation_buckets()));

  auto& streams = BuildGauge()
                      .Name("fedgate_s2s_streams")
                      .Help(
                          "Open XMPP server-to-server streams by partner (configured partners; "
                          "others are 'other'), direction, state, authentication method and "
                          "TLS.")
                      .Register(registry);
  s2s_streams.series_.resize(partners_.size() * stream_combinations);
  for (std::uint16_t p = 0; p < partners_.size(); ++p) {
    for (std::size_t d = 0; d < direction_labels.size(); ++d) {
      for (std::size_t s = 0; s < stream_state_labels.size(); ++s) {
        for (std::size_t a = 0; a < stream_auth_labels.size(); ++a) {
          for (std::size_t t = 0; t < tls_labels.size(); ++t) {
            s2s_streams.series_[stream_index(partner_id{p}, direction(d), stream_state(s),
                                             stream_auth(a), t == 1)] =
                &streams.Add({{"partner", str(partners_.label(partner_id{p}))},
                              {"direction", str(direction_labels[d])},
                              {"state", str(stream_state_labels[s])},
                              {"auth", str(stream_auth_labels[a])},
                              {"tls", str(tls_labels[t])}});
          }
        }
      }
    }
  }

  auto& failures =
      BuildCounter()
          .Name("fedgate_s2s_negotiation_failures_total")
          .Help(
              "XMPP server-to-server streams that failed before being established, by partner, "
              "direction and reason.")
          .Register(registry);
  negotiation_failures.series_.resize(partners_.size() * direction_labels.size() *
                                      negotiation_failure_labels.size());
  for (std::uint16_t p = 0; p < partners_.size(); ++p) {
    for (std::size_t d = 0; d < direction_labels.size(); ++d) {
      for (std::size_t r = 0; r < negotiation_failure_labels.size(); ++r) {
        negotiation_failures
            .series_[failure_index(partner_id{p}, direction(d), negotiation_failure(r))] =
            &failures.Add({{"partner", str(partners_.label(partner_id{p}))},
                           {"direction", str(direction_labels[d])},
                           {"reason", str(negotiation_failure_labels[r])}});
      }
    }
  }

  auto& queued = BuildGauge()
                     .Name("fedgate_s2s_queued_stanzas")
                     .Help(
                         "Stanzas waiting for an established stream to their partner (bounced "
                         "after xmpp.queue_timeout_ms), by partner.")
                     .Register(registry);
  for (std::uint16_t p = 0; p < partners_.size(); ++p)
    s2s_queued_stanzas.series_.push_back(
        &queued.Add({{"partner", str(partners_.label(partner_id{p}))}}));

  auto& transactions =
      BuildCounter()
          .Name("fedgate_sip_transactions_total")
          .Help(
              "SIP transactions (RFC 3261 section 17) that ended with a final response, by role "
              "(client: fedgate sent the request), method and final status class.")
          .Register(registry);
  auto& retransmissions =
      BuildCounter()
          .Name("fedgate_sip_retransmissions_total")
          .Help(
              "SIP request retransmissions: sent by fedgate (role=client, timers A/E) or "
              "received and absorbed (role=server), by method.")
          .Register(registry);
  auto& timeouts = BuildCounter()
                       .Name("fedgate_sip_transaction_timeouts_total")
                       .Help(
                           "SIP transactions that ended without a final response (client: "
                           "timer B/F) or without an ACK (server: timer H), by role and method.")
                       .Register(registry);
  for (std::size_t r = 0; r < role_labels.size(); ++r) {
    for (std::size_t m = 0; m < sip_method_labels.size(); ++m) {
      prometheus::Labels base{{"role", str(role_labels[r])}, {"method", str(sip_method_labels[m])}};
      for (auto c : status_class_labels) {
        auto labels = base;
        labels["status_class"] = str(c);
        sip_transactions.completed_.push_back(&transactions.Add(labels));
      }
      sip_transactions.retransmissions_.push_back(&retransmissions.Add(base));
      sip_transactions.timeouts_.push_back(&timeouts.Add(base));
    }
  }
  sip_transactions.active_ =
      &BuildGauge()
           .Name("fedgate_sip_transactions")
           .Help("SIP transactions currently held in the transaction tables (all shards).")
           .Register(registry)
           .Add({});

  auto& live = BuildGauge()
                   .Name("fedgate_actors")
                   .Help(
                       "Live actors by type (sessions, presence actors, partner domains, "
                       "streams, transaction shards...).")
                   .Register(registry);
  auto& mailbox =
      BuildGauge()
          .Name("fedgate_actor_mailbox_messages")
          .Help(
              "Messages waiting in the mailbox of the busiest actor of each type, sampled "
              "periodically by the actors themselves.")
          .Register(registry);
  for (auto t : actor_type_labels) {
    actors.series_.push_back(&live.Add({{"type", str(t)}}));
    mailbox_messages.series_.push_back(&mailbox.Add({{"type", str(t)}}));
  }

  auto& handshakes = BuildCounter()
                         .Name("fedgate_tls_handshakes_total")
                         .Help(
                             "TLS handshakes by protocol (xmpp, sip), role and result "
                             "(success, failure, certificate_rejected).")
                         .Register(registry);
  for (auto p : protocol_labels) {
    for (auto r : role_labels) {
      for (auto result : tls_result_labels) {
        tls_handshakes.series_.push_back(
            &handshakes.Add({{"protocol", str(p)}, {"role", str(r)}, {"result", str(result)}}));
      }
    }
  }

  auto& subscriptions =
      BuildGauge()
          .Name("fedgate_presence_subscriptions")
          .Help(
              "Active presence subscriptions through the gateway; xmpp_to_sip: an XMPP "
              "contact watches a SIP user, sip_to_xmpp: a SIP watcher of an XMPP user.")
          .Register(registry);
  for (auto t : translation_labels)
    presence.subscriptions_.push_back(&subscriptions.Add({{"direction", str(t)}}));
  presence.coalesced_ =
      &BuildCounter()
           .Name("fedgate_presence_updates_coalesced_total")
           .Help(
               "Presence updates merged into a later update of the same presentity instead of "
               "being sent (rate limiting of presence bursts).")
           .Register(registry)
           .Add({});

  auto& reloads = BuildCounter()
                      .Name("fedgate_config_reloads_total")
                      .Help(
                          "Configuration reloads (fedgate ctl reload, SIGHUP) by result: applied, "
                          "unchanged (nothing live changed), rejected (the file did not load).")
                      .Register(registry);
  for (auto r : reload_result_labels)
    config_reloads.series_.push_back(&reloads.Add({{"result", str(r)}}));
}

// --- process-wide --------------------------------------------------------------------------------

namespace {
std::atomic<families*> installed{nullptr};
std::mutex install_mutex;
}  // namespace

bool install(const options& opts) {
  std::lock_guard<std::mutex> lock(install_mutex);
  if (installed.load(std::memory_order_acquire)) return false;
  // Lives until exit: components hold references to its series.
  installed.store(new families(*registry(), opts), std::memory_order_release);
  return true;
}

families& global() {
  if (auto* f = installed.load(std::memory_order_acquire)) return *f;
  install(options{});
  return *installed.load(std::memory_order_acquire);
}

}  // namespace fedgate::metrics
