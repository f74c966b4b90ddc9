#include "actors/s2s/partner_domain.hpp"

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <caf/all.hpp>

#include "actors/s2s/bounce.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/s2s/stanza_metrics.hpp"
#include "codecs/xmpp/jid.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"

namespace fedgate::s2s {
namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct queued_stanza {
  stanza s;
  clock::time_point since;
};

// Outbound traffic from one of our domains to the partner.
struct outbound {
  enum class state { idle, connecting, up, backoff } st = state::idle;
  caf::actor stream;
  std::deque<queued_stanza> queue;
  unsigned failures = 0;
  bool ever_reached = false;  // a TCP connection was made since the queue last emptied
  std::string last_error;
  std::vector<transport::tcp_target> fallback;  // STARTTLS targets if direct TLS cannot connect
};

std::string_view to_string(outbound::state s) {
  switch (s) {
    case outbound::state::idle:
      return "idle";
    case outbound::state::connecting:
      return "connecting";
    case outbound::state::up:
      return "up";
    case outbound::state::backoff:
      return "backoff";
  }
  return "?";
}

// A verification stream to the partner's authoritative server (XEP-0220 §2.3).
struct verifier {
  caf::actor stream;
  bool starting = false;                      // waiting for the route plan
  std::map<std::string, caf::actor> waiting;  // our stream id -> receiving stream to answer
  std::vector<verify_request> unsent;         // requests made before the stream existed
};

// Where the partner is reached: direct-TLS targets first (XEP-0368), then STARTTLS ones.
struct route_plan {
  std::vector<transport::tcp_target> direct;
  std::vector<transport::tcp_target> plain;
  std::string error;  // why there is no target (DNS)
  clock::time_point resolved_at;
  bool empty() const { return direct.empty() && plain.empty(); }
};

using resolved_atom = caf::atom_constant<caf::atom("resolved")>;
using retire_timeout_atom = caf::atom_constant<caf::atom("retire_tmo")>;
// How long a retired partner waits for its outbound streams to close before it stops anyway.
constexpr auto retire_wait = std::chrono::seconds(10);

// The partner left the config (a reload): what becomes of stanzas that still reach it.
struct retirement {
  bool still_allowed = false;  // open federation: the service delivers them with the defaults
  std::string reason;
};
constexpr auto plan_lifetime = std::chrono::minutes(5);

struct partner_state {
  static inline const char* name = "partner_domain";
  partner_domain_config cfg;
  std::map<std::string, outbound> out;     // by local domain
  std::map<std::string, verifier> verify;  // by local (receiving) domain
  std::set<caf::actor_addr> inbound;
  std::string last_auth;
  std::string last_error;
  bool queue_timer = false;
  std::optional<route_plan> plan;
  bool resolving = false;
  std::vector<std::function<void()>> after_plan;  // launches waiting for the plan
  metrics::actor_count_guard counted{metrics::actors(), metrics::actor_type::partner_domain};
  metrics::partner_id pid;
  std::minstd_rand rng{std::random_device{}()};
  std::uint64_t established = 0;      // streams authenticated (partner_status::established)
  std::optional<retirement> retired;  // set by retire_atom: winding down
};

using self_ptr = caf::stateful_actor<partner_state>*;

milliseconds backoff(partner_state& st, unsigned failures) {
  // Exponential with full jitter (the "decorrelated" variants differ little at this scale):
  // uniform in [base/2, base], base = initial * 2^(failures-1), capped.
  auto base = st.cfg.backoff_initial * (1u << std::min(failures - 1, 16u));
  base = std::min(base, st.cfg.backoff_max);
  std::uniform_int_distribution<long> d(base.count() / 2, base.count());
  return milliseconds(d(st.rng));
}

void bounce(self_ptr self, const stanza& s, stanza_error_spec spec, const std::string& text) {
  bounce_outbound(self, self->state.cfg.bounce_to, s, spec, text);
}

void arm_queue_timer(self_ptr self) {
  if (self->state.queue_timer) return;
  self->state.queue_timer = true;
  self->delayed_send(self, milliseconds(250), queue_check_atom::value);
}

// Runs `fn` once the route plan is known: static routes at once, else a DNS answer younger than
// plan_lifetime, else after resolving (the answer arrives as a resolved message).
void with_plan(self_ptr self, std::function<void()> fn) {
  auto& st = self->state;
  if (!st.cfg.routes.empty() || !st.cfg.resolver) {
    route_plan p;
    auto targets = st.cfg.routes;
    if (targets.empty()) targets.push_back({st.cfg.domain, 5269});
    (st.cfg.direct_tls ? p.direct : p.plain) = std::move(targets);
    st.plan = std::move(p);
    fn();
    return;
  }
  if (st.plan && clock::now() - st.plan->resolved_at < plan_lifetime && !st.plan->empty()) {
    fn();
    return;
  }
  st.after_plan.push_back(std::move(fn));
  if (st.resolving) return;
  st.resolving = true;
  // Both SRV lookups, then one message back to this actor (callbacks run on the resolver's
  // thread and must not touch actor state).
  caf::actor me = self;
  auto resolver = st.cfg.resolver;
  std::string domain = st.cfg.domain;
  auto to_targets = [](const dns::service_result& r) {
    std::vector<transport::tcp_target> out;
    for (const auto& t : r.targets) {
      for (const auto& a : t.addresses)
        out.push_back({a, t.port});
    }
    return out;
  };
  resolver->resolve_service(
      "_xmpps-server._tcp", domain, 0,
      [me, resolver, domain, to_targets](dns::service_result direct) {
        resolver->resolve_service(
            "_xmpp-server._tcp", domain, 5269,
            [me, direct, to_targets](dns::service_result plain) {
              std::string error;
              if (plain.targets.empty()) {
                error = plain.service_unavailable
                            ? "the domain says it offers no XMPP service (SRV target \".\")"
                            : std::string("DNS: ") + dns::to_string(plain.code) +
                                  (plain.error.empty() ? "" : ": " + plain.error);
              }
              caf::anon_send(me, resolved_atom::value, to_targets(direct), to_targets(plain),
                             error);
            },
            true);
      },
      false);
}

// Spawns an initiating stream and connects it along the plan (which must be known).
caf::actor launch(self_ptr self, stream_actor_config sc,
                  std::vector<transport::tcp_target>* fallback) {
  auto& st = self->state;
  const route_plan& p = *st.plan;
  bool direct = !p.direct.empty();
  sc.direct_tls = direct;
  sc.partner = self;
  auto stream = spawn_stream_actor(self->system(), std::move(sc));
  if (fallback) *fallback = direct ? p.plain : std::vector<transport::tcp_target>{};
  transport::connect_tcp(self->system(), direct ? p.direct : p.plain, st.cfg.connect_timeout,
                         stream);
  return stream;
}

stream_actor_config initiating_config(self_ptr self, const std::string& local, bool verify_only) {
  auto& st = self->state;
  stream_actor_config sc = st.cfg.stream;
  sc.settings.role = stream_role::initiating;
  sc.settings.local_domain = local;
  sc.settings.remote_domain = st.cfg.domain;
  sc.settings.verify_only = verify_only;
  return sc;
}

void schedule_reconnect(self_ptr self, const std::string& local, outbound& ob) {
  auto& st = self->state;
  ++ob.failures;
  ob.st = outbound::state::backoff;
  auto wait = backoff(st, ob.failures);
  log::info("s2s reconnect scheduled", {{"partner", st.cfg.domain},
                                        {"local", local},
                                        {"in_ms", static_cast<long>(wait.count())},
                                        {"failures", ob.failures}});
  self->delayed_send(self, wait, reconnect_atom::value, local);
}

// No target at all (DNS said nothing usable): like a refused connection, the queued stanzas
// wait for a retry until their timeout, then bounce with remote-server-not-found.
void fail_without_route(self_ptr self, const std::string& local, outbound& ob) {
  auto& st = self->state;
  ob.last_error = st.plan->error;
  st.last_error = st.plan->error;
  st.plan.reset();  // ask DNS again next time
  log::warn("s2s connect failed", {{"partner", st.cfg.domain}, {"reason", ob.last_error}});
  metrics::negotiation_failures().inc(st.pid, metrics::direction::out,
                                      metrics::negotiation_failure::dns);
  schedule_reconnect(self, local, ob);
}

void connect(self_ptr self, const std::string& local, outbound& ob) {
  ob.st = outbound::state::connecting;
  with_plan(self, [self, local] {
    auto& st = self->state;
    auto& o = st.out[local];
    if (o.st != outbound::state::connecting || o.stream) return;
    if (st.plan->empty()) {
      fail_without_route(self, local, o);
      return;
    }
    o.stream = launch(self, initiating_config(self, local, false), &o.fallback);
  });
}

void start_verifier(self_ptr self, const std::string& receiving) {
  auto& v = self->state.verify[receiving];
  v.starting = true;
  with_plan(self, [self, receiving] {
    auto& st = self->state;
    auto& ver = st.verify[receiving];
    ver.starting = false;
    if (st.plan->empty()) {
      for (auto& [id, requester] : ver.waiting) {
        self->send(requester, verified_atom::value, st.cfg.domain, receiving, false);
      }
      ver.waiting.clear();
      ver.unsent.clear();
      return;
    }
    ver.stream = launch(self, initiating_config(self, receiving, true), nullptr);
    for (auto& r : ver.unsent) {
      self->send(ver.stream, verify_atom::value, r.originating, r.receiving, r.stream_id, r.key);
    }
    ver.unsent.clear();
  });
}

// A stanza for a retired partner: back to the service (which routes it by the current policy)
// when the domain is still allowed, else bounced: never dropped.
void hand_back(self_ptr self, stanza s) {
  auto& st = self->state;
  if (st.retired->still_allowed && st.cfg.stream.service) {
    self->send(st.cfg.stream.service, deliver_atom::value, std::move(s));
  } else {
    bounce(self, s, forbidden, st.retired->reason);
  }
}

// A retired partner stops once its outbound and verification streams are gone.
void quit_if_retired_and_idle(self_ptr self) {
  auto& st = self->state;
  if (!st.retired) return;
  for (auto& [local, ob] : st.out) {
    if (ob.stream) return;
  }
  for (auto& [local, v] : st.verify) {
    if (v.stream) return;
  }
  self->quit();
}

void deliver(self_ptr self, stanza s) {
  auto& st = self->state;
  if (st.retired) {
    hand_back(self, std::move(s));
    return;
  }
  auto from = xmpp::jid::parse(s.from);
  if (!from) return;  // the service checked addressing; nothing sensible to bounce to
  auto& ob = st.out[from->domain()];
  if (ob.st == outbound::state::up) {
    self->send(ob.stream, send_atom::value, std::move(s));
    return;
  }
  if (ob.queue.size() >= st.cfg.queue_max) {
    log::warn("s2s queue full, bouncing",
              {{"partner", st.cfg.domain}, {"queued", ob.queue.size()}});
    bounce(self, s, resource_constraint, "queue for " + st.cfg.domain + " is full");
    return;
  }
  ob.queue.push_back({std::move(s), clock::now()});
  metrics::s2s_queued_stanzas().add(st.pid, 1);
  arm_queue_timer(self);
  if (ob.st == outbound::state::idle) connect(self, from->domain(), ob);
}

void expire_queues(self_ptr self) {
  auto& st = self->state;
  st.queue_timer = false;
  auto now = clock::now();
  bool any = false;
  for (auto& [local, ob] : st.out) {
    while (!ob.queue.empty() && now - ob.queue.front().since >= st.cfg.queue_timeout) {
      bool reached = ob.ever_reached;
      std::string why = "no authenticated stream to " + st.cfg.domain + " within " +
                        std::to_string(st.cfg.queue_timeout.count()) + " ms" +
                        (ob.last_error.empty() ? "" : ": " + ob.last_error);
      bounce(self, ob.queue.front().s, reached ? remote_server_timeout : remote_server_not_found,
             why);
      ob.queue.pop_front();
      metrics::s2s_queued_stanzas().add(st.pid, -1);
    }
    if (ob.queue.empty()) ob.ever_reached = false;
    any = any || !ob.queue.empty();
  }
  if (any) arm_queue_timer(self);
}

caf::behavior partner_behavior(self_ptr self, partner_domain_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.pid = metrics::partner(self->state.cfg.domain);
  self->set_down_handler([=](const caf::down_msg& m) { self->state.inbound.erase(m.source); });
  return {
      [=](deliver_atom, stanza& s) { deliver(self, std::move(s)); },
      [=](stream_up_atom, caf::actor stream, const std::string& local, const std::string&,
          const std::string& method, bool initiating) {
        auto& st = self->state;
        if (st.retired) {
          // Negotiated while the partner was being retired: not taken.
          if (initiating) {
            self->send(stream, close_atom::value);
          } else {
            self->send(stream, limit_atom::value, st.retired->reason);
          }
          return;
        }
        st.last_auth = method;
        if (!initiating) {
          if (st.inbound.size() >= st.cfg.max_inbound) {
            log::warn("s2s inbound stream refused: partner connection limit",
                      {{"partner", st.cfg.domain}, {"max_connections", st.cfg.max_inbound}});
            self->send(stream, limit_atom::value,
                       "connection limit for " + st.cfg.domain + " reached");
            return;
          }
          st.inbound.insert(stream.address());
          self->monitor(stream);
          ++st.established;
          return;
        }
        auto& ob = st.out[local];
        if (ob.stream != stream) return;
        ++st.established;
        ob.st = outbound::state::up;
        ob.failures = 0;
        ob.last_error.clear();
        for (auto& q : ob.queue)
          self->send(stream, send_atom::value, std::move(q.s));
        metrics::s2s_queued_stanzas().add(st.pid, -static_cast<double>(ob.queue.size()));
        ob.queue.clear();
        ob.ever_reached = false;
      },
      [=](stream_down_atom, caf::actor stream, const std::string&, const std::string& reason,
          bool not_found, bool during_negotiation) {
        auto& st = self->state;
        st.last_error = reason;
        for (auto& [local, v] : st.verify) {
          if (v.stream != stream) continue;
          for (auto& [id, requester] : v.waiting) {
            self->send(requester, verified_atom::value, st.cfg.domain, local, false);
          }
          v.waiting.clear();
          v.stream = nullptr;
        }
        if (st.retired) {
          for (auto& [local, ob] : st.out) {
            if (ob.stream == stream) ob.stream = nullptr;
          }
          quit_if_retired_and_idle(self);
          return;
        }
        for (auto& [local, ob] : st.out) {
          if (ob.stream != stream) continue;
          ob.stream = nullptr;
          ob.last_error = reason;
          if (!not_found) ob.ever_reached = true;
          if (not_found && !ob.fallback.empty()) {
            // XEP-0368: the direct-TLS targets could not be reached; try the STARTTLS ones.
            auto targets = std::move(ob.fallback);
            ob.fallback.clear();
            stream_actor_config sc = initiating_config(self, local, false);
            sc.direct_tls = false;
            sc.partner = self;
            ob.stream = spawn_stream_actor(self->system(), std::move(sc));
            transport::connect_tcp(self->system(), std::move(targets), st.cfg.connect_timeout,
                                   ob.stream);
            continue;
          }
          if (ob.st == outbound::state::up && !during_negotiation) {
            // A working stream ended (idle close, peer restart): reconnect on demand.
            ob.st = outbound::state::idle;
            ob.failures = 0;
            if (!ob.queue.empty()) connect(self, local, ob);
            continue;
          }
          schedule_reconnect(self, local, ob);
        }
      },
      [=](reconnect_atom, const std::string& local) {
        auto& ob = self->state.out[local];
        if (self->state.retired || ob.st != outbound::state::backoff) return;
        ob.st = outbound::state::idle;
        if (!ob.queue.empty()) connect(self, local, ob);
      },
      [=](queue_check_atom) { expire_queues(self); },
      [=](verify_atom, const std::string& originating, const std::string& receiving,
          const std::string& stream_id, const std::string& key, caf::actor requester) {
        auto& st = self->state;
        auto& v = st.verify[receiving];
        v.waiting[stream_id] = requester;
        if (v.stream) {
          self->send(v.stream, verify_atom::value, originating, receiving, stream_id, key);
          return;
        }
        v.unsent.push_back(verify_request{originating, receiving, stream_id, key});
        if (!v.starting) start_verifier(self, receiving);
      },
      [=](resolved_atom, std::vector<transport::tcp_target>& direct,
          std::vector<transport::tcp_target>& plain, const std::string& error) {
        auto& st = self->state;
        st.resolving = false;
        st.plan = route_plan{std::move(direct), std::move(plain), error, clock::now()};
        log::debug("s2s partner resolved", {{"partner", st.cfg.domain},
                                            {"direct_tls_targets", st.plan->direct.size()},
                                            {"starttls_targets", st.plan->plain.size()},
                                            {"error", error}});
        auto waiting = std::move(st.after_plan);
        st.after_plan.clear();
        for (auto& fn : waiting)
          fn();
      },
      [=](verify_answer_atom, const std::string& originating, const std::string& receiving,
          const std::string& stream_id, bool valid) {
        auto& st = self->state;
        auto it = st.verify.find(receiving);
        if (it == st.verify.end()) return;
        auto w = it->second.waiting.find(stream_id);
        if (w == it->second.waiting.end()) return;
        self->send(w->second, verified_atom::value, originating, receiving, valid);
        it->second.waiting.erase(w);
        if (it->second.waiting.empty() && it->second.stream) {
          self->send(it->second.stream, close_atom::value);
          it->second.stream = nullptr;
        }
      },
      [=](status_atom) {
        auto& st = self->state;
        partner_status s;
        s.domain = st.cfg.domain;
        s.state = st.out.empty() ? "idle" : std::string(to_string(st.out.begin()->second.st));
        for (auto& [local, ob] : st.out) {
          if (ob.st == outbound::state::up) ++s.outbound_up;
          s.queued += ob.queue.size();
        }
        s.inbound = st.inbound.size();
        s.auth = st.last_auth;
        s.last_error = st.last_error;
        s.established = st.established;
        return s;
      },
      [=](retire_atom, bool still_allowed, const std::string& why) {
        // Removed from the config by a reload: queued stanzas go back or bounce, streams close
        // politely (</stream:stream>), and the actor stops once its outbound streams are gone.
        auto& st = self->state;
        if (st.retired) return;
        st.retired = retirement{still_allowed, why};
        for (auto& [local, ob] : st.out) {
          metrics::s2s_queued_stanzas().add(st.pid, -static_cast<double>(ob.queue.size()));
          auto queue = std::move(ob.queue);
          ob.queue.clear();
          for (auto& q : queue)
            hand_back(self, std::move(q.s));
          if (ob.stream) self->send(ob.stream, close_atom::value);
        }
        for (auto& [local, v] : st.verify) {
          for (auto& [id, requester] : v.waiting)
            self->send(requester, verified_atom::value, st.cfg.domain, local, false);
          v.waiting.clear();
          v.unsent.clear();
          if (v.stream) self->send(v.stream, close_atom::value);
        }
        for (const auto& addr : st.inbound) {
          if (auto stream = caf::actor_cast<caf::actor>(addr)) {
            self->send(stream, close_atom::value);
          }
        }
        log::info("s2s partner retired: streams closing",
                  {{"partner", st.cfg.domain}, {"inbound", st.inbound.size()}, {"reason", why}});
        self->delayed_send(self, retire_wait, retire_timeout_atom::value);
        quit_if_retired_and_idle(self);
      },
      [=](retire_timeout_atom) { self->quit(); },
      [=](reconfigure_atom, std::shared_ptr<const partner_domain_config> next) {
        // New policy and routes: streams up keep going; the next ones use these.
        auto& st = self->state;
        if (st.retired) return;
        st.cfg.routes = next->routes;
        st.cfg.direct_tls = next->direct_tls;
        st.cfg.max_inbound = next->max_inbound;
        st.cfg.stream = next->stream;
        st.plan.reset();
      },
      [=](shutdown_atom) {
        auto& st = self->state;
        for (auto& [local, ob] : st.out) {
          if (ob.stream) self->send(ob.stream, shutdown_atom::value);
          for (auto& q : ob.queue)
            bounce(self, q.s, remote_server_timeout, "gateway shutting down");
          metrics::s2s_queued_stanzas().add(st.pid, -static_cast<double>(ob.queue.size()));
          ob.queue.clear();
        }
        for (auto& [local, v] : st.verify) {
          if (v.stream) self->send(v.stream, shutdown_atom::value);
        }
        self->quit();
      },
  };
}

}  // namespace

caf::actor spawn_partner_domain(caf::actor_system& sys, partner_domain_config cfg) {
  return sys.spawn(partner_behavior, std::move(cfg));
}

}  // namespace fedgate::s2s
