#include "actors/s2s/s2s_service.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include <caf/all.hpp>

#include "actors/s2s/bounce.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/s2s/partner_domain.hpp"
#include "actors/s2s/stanza_metrics.hpp"
#include "codecs/xmpp/jid.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"
#include "transport/tcp/tcp_listener.hpp"

namespace fedgate::s2s {
namespace {

using std::chrono::milliseconds;

// The service's config as the listeners' factory (another thread) and the service share it: a
// reload swaps in a new one; each stream takes the one current when it starts.
struct config_slot {
  std::shared_ptr<const s2s_service_config> current;
  std::shared_ptr<const s2s_service_config> get() const { return std::atomic_load(&current); }
  void set(std::shared_ptr<const s2s_service_config> c) { std::atomic_store(&current, c); }
};

struct service_state {
  static inline const char* name = "s2s_service";
  std::shared_ptr<const s2s_service_config> cfg;
  std::shared_ptr<config_slot> slot;
  std::map<std::string, caf::actor> partners;
  std::vector<caf::actor> listeners;
  std::set<caf::actor> inbound;  // receiving streams, closed on shutdown
};

using listener_atom = caf::atom_constant<caf::atom("listener")>;
using track_atom = caf::atom_constant<caf::atom("track")>;

using self_ptr = caf::stateful_actor<service_state>*;

// The policy for a remote domain: configured partners get their own rules; in open federation,
// others get the defaults; everyone on the denylist, and anyone unlisted in allowlist mode, is
// refused with a reason that names the rule.
partner_policy policy_for(const s2s_service_config& cfg, std::string_view domain) {
  partner_policy p;
  std::string d(domain);
  if (std::find(cfg.xmpp.deny.begin(), cfg.xmpp.deny.end(), d) != cfg.xmpp.deny.end()) {
    p.refusal = d + " is on xmpp.deny";
    return p;
  }
  for (const auto& pc : cfg.xmpp.partners) {
    if (pc.domain == d) {
      return partner_policy{true, "", pc.tls, pc.sasl_external, pc.dialback};
    }
  }
  if (cfg.xmpp.federation == app::federation_mode::open && !d.empty()) {
    p.allowed = true;
    return p;
  }
  p.refusal = (d.empty() ? std::string("a server that did not name itself")
                         : d + " is not a configured partner") +
              " (xmpp.federation = \"allowlist\")";
  return p;
}

stream_actor_config make_stream_template(std::shared_ptr<const s2s_service_config> cfg,
                                         caf::actor service) {
  stream_actor_config sc;
  sc.settings.dialback_secret = cfg->dialback_secret;
  sc.settings.is_local_domain = [cfg](std::string_view d) {
    return std::find(cfg->local_domains.begin(), cfg->local_domains.end(), d) !=
           cfg->local_domains.end();
  };
  sc.settings.policy_for = [cfg](std::string_view d) { return policy_for(*cfg, d); };
  sc.settings.limits.max_stanza_bytes = cfg->xmpp.max_stanza_bytes;
  sc.settings.limits.max_depth = cfg->xmpp.max_depth;
  sc.settings.limits.max_attributes = cfg->xmpp.max_attributes;
  sc.tls = cfg->tls;
  sc.service = std::move(service);
  sc.sink = cfg->sink;
  sc.establish_timeout = milliseconds(cfg->xmpp.establish_timeout_ms);
  sc.keepalive_interval = milliseconds(cfg->xmpp.keepalive_interval_ms);
  sc.idle_timeout = milliseconds(cfg->xmpp.idle_timeout_ms);
  return sc;
}

const app::partner_config* configured(const s2s_service_config& cfg, const std::string& domain) {
  for (const auto& p : cfg.xmpp.partners) {
    if (p.domain == domain) return &p;
  }
  return nullptr;
}

// What a partner_domain actor is told about its partner: policy (through the stream template),
// routes, limits.
partner_domain_config partner_config(self_ptr self, const std::string& domain) {
  auto& st = self->state;
  partner_domain_config pc;
  pc.domain = domain;
  for (const auto& p : st.cfg->xmpp.partners) {
    if (p.domain != domain) continue;
    for (const auto& r : p.routes)
      pc.routes.push_back({r.host, r.port});
    pc.direct_tls = p.direct_tls;
    pc.max_inbound = p.max_connections;
  }
  const auto& x = st.cfg->xmpp;
  pc.queue_max = x.queue_max;
  pc.queue_timeout = milliseconds(x.queue_timeout_ms);
  pc.connect_timeout = milliseconds(x.connect_timeout_ms);
  pc.backoff_initial = milliseconds(x.backoff_initial_ms);
  pc.backoff_max = milliseconds(x.backoff_max_ms);
  pc.stream = make_stream_template(st.cfg, self);
  pc.bounce_to = st.cfg->sink;
  pc.resolver = st.cfg->resolver;
  return pc;
}

caf::actor partner(self_ptr self, const std::string& domain) {
  auto& st = self->state;
  auto it = st.partners.find(domain);
  if (it != st.partners.end()) return it->second;
  auto a = spawn_partner_domain(self->system(), partner_config(self, domain));
  st.partners.emplace(domain, a);
  return a;
}

void bounce(self_ptr self, const stanza& s, stanza_error_spec spec, const std::string& text) {
  bounce_outbound(self, self->state.cfg->sink, s, spec, text);
}

bool same_partner(const app::partner_config* a, const app::partner_config* b) {
  if (!a || !b) return a == b;
  auto eps = [](const std::vector<app::endpoint>& v) {
    std::string out;
    for (const auto& e : v)
      out += e.to_string() + ",";
    return out;
  };
  return a->tls == b->tls && a->sasl_external == b->sasl_external && a->dialback == b->dialback &&
         eps(a->routes) == eps(b->routes) && a->direct_tls == b->direct_tls &&
         a->max_connections == b->max_connections;
}

// A config reload: the new partners and federation policy. Partner actors whose domain is now
// refused, or that left the config, are retired (streams closed, queue bounced or handed back);
// those whose entry changed get the new policy and routes for their next streams; the others are
// not touched, so their streams go on.
void reload(self_ptr self, const app::xmpp_config& x) {
  auto& st = self->state;
  auto old = st.cfg;
  auto next = std::make_shared<s2s_service_config>(*old);
  next->xmpp = x;
  st.cfg = next;
  st.slot->set(next);
  for (auto it = st.partners.begin(); it != st.partners.end();) {
    const std::string& domain = it->first;
    const auto* was = configured(*old, domain);
    const auto* now = configured(*next, domain);
    partner_policy p = policy_for(*next, domain);
    if (!p.allowed || (was && !now)) {
      std::string why =
          !p.allowed ? "federation with " + domain + " is no longer allowed (" + p.refusal + ")"
                     : domain + " was removed from xmpp.partners";
      log::info("s2s partner retired by a config reload", {{"partner", domain}, {"reason", why}});
      self->send(it->second, retire_atom::value, p.allowed, why);
      it = st.partners.erase(it);
      continue;
    }
    if (!same_partner(was, now)) {
      log::info("s2s partner reconfigured by a config reload; streams up stay",
                {{"partner", domain}});
      self->send(it->second, reconfigure_atom::value,
                 std::make_shared<const partner_domain_config>(partner_config(self, domain)));
    }
    ++it;
  }
}

caf::behavior service_behavior(self_ptr self, std::shared_ptr<config_slot> slot) {
  self->state.cfg = slot->get();
  self->state.slot = std::move(slot);
  self->set_down_handler([=](const caf::down_msg& m) {
    auto& in = self->state.inbound;
    for (auto it = in.begin(); it != in.end(); ++it) {
      if (it->address() == m.source) {
        in.erase(it);
        break;
      }
    }
  });
  return {
      [=](listener_atom, caf::actor listener) { self->state.listeners.push_back(listener); },
      [=](track_atom, caf::actor stream) {
        self->monitor(stream);
        self->state.inbound.insert(stream);
      },
      [=](deliver_atom, stanza& s) {
        auto to = xmpp::jid::parse(s.to);
        if (!to) {
          bounce(self, s, remote_server_not_found, "\"" + s.to + "\" is not a valid JID");
          return;
        }
        partner_policy p = policy_for(*self->state.cfg, to->domain());
        if (!p.allowed) {
          log::info("s2s stanza refused by policy",
                    {{"partner", to->domain()}, {"reason", p.refusal}});
          bounce(self, s, forbidden, "federation with " + to->domain() + " is not allowed");
          return;
        }
        self->send(partner(self, to->domain()), deliver_atom::value, std::move(s));
      },
      [=](verify_atom, const std::string& originating, const std::string& receiving,
          const std::string& stream_id, const std::string& key, caf::actor requester) {
        self->send(partner(self, originating), verify_atom::value, originating, receiving,
                   stream_id, key, requester);
      },
      [=](stream_up_atom, caf::actor stream, const std::string& local, const std::string& remote,
          const std::string& method, bool initiating) {
        // A stream that negotiated under the policy before a reload and is refused by the
        // current one is not taken.
        if (partner_policy p = policy_for(*self->state.cfg, remote); !p.allowed) {
          self->send(stream, limit_atom::value, p.refusal);
          return;
        }
        self->send(partner(self, remote), stream_up_atom::value, stream, local, remote, method,
                   initiating);
      },
      [=](stream_down_atom, caf::actor, const std::string&, const std::string&, bool, bool) {
        // Inbound streams: the partner_domain monitors the ones that authenticated.
      },
      [=](status_atom) -> caf::result<std::vector<partner_status>> {
        auto& st = self->state;
        auto rp = self->make_response_promise<std::vector<partner_status>>();
        if (st.partners.empty()) {
          rp.deliver(std::vector<partner_status>{});
          return rp;
        }
        auto acc = std::make_shared<std::vector<partner_status>>();
        auto left = std::make_shared<std::size_t>(st.partners.size());
        for (auto& [domain, a] : st.partners) {
          self->request(a, std::chrono::seconds(5), status_atom::value)
              .then(
                  [=](const partner_status& s) mutable {
                    acc->push_back(s);
                    if (--*left == 0) rp.deliver(*acc);
                  },
                  [=](caf::error&) mutable {
                    if (--*left == 0) rp.deliver(*acc);
                  });
        }
        return rp;
      },
      [=](reload_atom, std::shared_ptr<const app::xmpp_config> x) {
        reload(self, *x);
        return true;
      },
      [=](drain_atom) {
        auto& st = self->state;
        for (auto& l : st.listeners)
          self->send_exit(l, caf::exit_reason::user_shutdown);
        log::info("s2s listeners closed (draining)", {{"listeners", st.listeners.size()}});
        st.listeners.clear();
      },
      [=](shutdown_atom) {
        auto& st = self->state;
        for (auto& l : st.listeners)
          self->send_exit(l, caf::exit_reason::user_shutdown);
        for (auto& [d, a] : st.partners)
          self->send(a, shutdown_atom::value);
        log::debug("s2s service stopping",
                   {{"partners", st.partners.size()}, {"inbound_streams", st.inbound.size()}});
        for (auto& stream : st.inbound)
          self->send(stream, shutdown_atom::value);
        self->quit();
      },
  };
}

}  // namespace

s2s_service start_s2s_service(caf::actor_system& sys, s2s_service_config cfg) {
  s2s_service result;
  auto slot = std::make_shared<config_slot>();
  slot->set(std::make_shared<const s2s_service_config>(std::move(cfg)));
  auto shared = slot->get();  // listeners are restart-only keys: the first config names them
  auto live = std::make_shared<std::atomic<std::size_t>>(0);
  // The service first, so the listeners' factory can name it; then the listeners, so that a
  // bind error fails start-up instead of leaving a gateway that silently does not listen.
  result.actor = sys.spawn(service_behavior, slot);
  caf::actor service = result.actor;
  auto listen = [&](const app::endpoint& ep, bool direct_tls) {
    auto l = transport::listen_tcp(
        sys, ep.host, ep.port,
        [&sys, slot, service, live, direct_tls](const transport::connection_info& info) {
          auto shared = slot->get();
          if (live->load() >= shared->xmpp.max_connections) {
            log::warn(
                "s2s connection refused: limit reached",
                {{"peer", info.peer_address}, {"max_connections", shared->xmpp.max_connections}});
            return caf::actor{};
          }
          stream_actor_config sc = make_stream_template(shared, service);
          sc.settings.role = stream_role::receiving;
          sc.direct_tls = direct_tls;
          ++*live;
          auto stream = spawn_stream_actor(sys, std::move(sc));
          stream->attach_functor([live] { --*live; });
          caf::anon_send(service, track_atom::value, stream);
          return stream;
        });
    if (!l.broker) {
      result.error = "cannot listen on " + ep.to_string() + ": " + l.error;
      return false;
    }
    caf::anon_send(service, listener_atom::value, l.broker);
    (direct_tls ? result.direct_tls_ports : result.ports).push_back(l.port);
    return true;
  };
  for (const auto& ep : shared->xmpp.listen) {
    if (!listen(ep, false)) break;
  }
  for (const auto& ep : shared->xmpp.direct_tls_listen) {
    if (!result.error.empty() || !listen(ep, true)) break;
  }
  if (!result.error.empty()) {
    caf::anon_send(result.actor, shutdown_atom::value);
    result.actor = nullptr;
  }
  return result;
}

}  // namespace fedgate::s2s
