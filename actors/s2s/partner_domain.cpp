#include "actors/s2s/partner_domain.hpp"

#include <deque>
#include <map>
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
  std::map<std::string, caf::actor> waiting;  // our stream id -> receiving stream to answer
};

struct partner_state {
  static inline const char* name = "partner_domain";
  partner_domain_config cfg;
  std::map<std::string, outbound> out;     // by local domain
  std::map<std::string, verifier> verify;  // by local (receiving) domain
  std::set<caf::actor_addr> inbound;
  std::string last_auth;
  std::string last_error;
  bool queue_timer = false;
  metrics::actor_count_guard counted{metrics::actors(), metrics::actor_type::partner_domain};
  metrics::partner_id pid;
  std::minstd_rand rng{std::random_device{}()};
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
  metrics::xmpp_stanzas().bounced(metrics::direction::out, kind_of(s), condition_of(spec));
  if (auto b = make_bounce(s, spec, text)) {
    self->send(self->state.cfg.bounce_to, inbound_atom::value, std::move(*b));
  }
}

void arm_queue_timer(self_ptr self) {
  if (self->state.queue_timer) return;
  self->state.queue_timer = true;
  self->delayed_send(self, milliseconds(250), queue_check_atom::value);
}

void connect(self_ptr self, const std::string& local, outbound& ob) {
  auto& st = self->state;
  stream_actor_config sc = st.cfg.stream;
  sc.settings.role = stream_role::initiating;
  sc.settings.local_domain = local;
  sc.settings.remote_domain = st.cfg.domain;
  sc.settings.verify_only = false;
  sc.direct_tls = st.cfg.direct_tls;
  sc.partner = self;
  ob.stream = spawn_stream_actor(self->system(), std::move(sc));
  ob.st = outbound::state::connecting;
  auto targets = st.cfg.routes;
  if (targets.empty()) targets.push_back({st.cfg.domain, 5269});
  transport::connect_tcp(self->system(), std::move(targets), st.cfg.connect_timeout, ob.stream);
}

void deliver(self_ptr self, stanza s) {
  auto& st = self->state;
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
          return;
        }
        auto& ob = st.out[local];
        if (ob.stream != stream) return;
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
        for (auto& [local, ob] : st.out) {
          if (ob.stream != stream) continue;
          ob.stream = nullptr;
          ob.last_error = reason;
          if (!not_found) ob.ever_reached = true;
          if (ob.st == outbound::state::up && !during_negotiation) {
            // A working stream ended (idle close, peer restart): reconnect on demand.
            ob.st = outbound::state::idle;
            ob.failures = 0;
            if (!ob.queue.empty()) connect(self, local, ob);
            continue;
          }
          ++ob.failures;
          ob.st = outbound::state::backoff;
          auto wait = backoff(st, ob.failures);
          log::info("s2s reconnect scheduled", {{"partner", st.cfg.domain},
                                                {"local", local},
                                                {"in_ms", static_cast<long>(wait.count())},
                                                {"failures", ob.failures}});
          self->delayed_send(self, wait, reconnect_atom::value, local);
        }
      },
      [=](reconnect_atom, const std::string& local) {
        auto& ob = self->state.out[local];
        if (ob.st != outbound::state::backoff) return;
        ob.st = outbound::state::idle;
        if (!ob.queue.empty()) connect(self, local, ob);
      },
      [=](queue_check_atom) { expire_queues(self); },
      [=](verify_atom, const std::string& originating, const std::string& receiving,
          const std::string& stream_id, const std::string& key, caf::actor requester) {
        auto& st = self->state;
        auto& v = st.verify[receiving];
        if (!v.stream) {
          stream_actor_config sc = st.cfg.stream;
          sc.settings.role = stream_role::initiating;
          sc.settings.local_domain = receiving;
          sc.settings.remote_domain = originating;
          sc.settings.verify_only = true;
          sc.direct_tls = st.cfg.direct_tls;
          sc.partner = self;
          v.stream = spawn_stream_actor(self->system(), std::move(sc));
          auto targets = st.cfg.routes;
          if (targets.empty()) targets.push_back({st.cfg.domain, 5269});
          transport::connect_tcp(self->system(), std::move(targets), st.cfg.connect_timeout,
                                 v.stream);
        }
        v.waiting[stream_id] = requester;
        self->send(v.stream, verify_atom::value, originating, receiving, stream_id, key);
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
        return s;
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
