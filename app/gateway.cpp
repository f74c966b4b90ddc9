#include "app/gateway.hpp"

#include <atomic>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <signal.h>
#include <sstream>
#include <sys/stat.h>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include "actors/im/router.hpp"
#include "actors/presence/subscription_store.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/s2s/partner_domain.hpp"
#include "actors/s2s/s2s_service.hpp"
#include "actors/sip/proxy_probe.hpp"
#include "actors/sip/sip_service.hpp"
#include "app/control_server.hpp"
#include "app/reload.hpp"
#include "app/state_files.hpp"
#include "app/tls_setup.hpp"
#include "app/version.hpp"
#include "metrics/admin_server.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"
#include "metrics/registry.hpp"

namespace fedgate::app {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

bool prepare_state_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    log::error("cannot create the state directory",
               {{"path", dir.string()}, {"reason", ec.message()}});
    return false;
  }
  // Secrets live here (keys, dialback secret): owner only.
  ::chmod(dir.c_str(), 0700);
  return true;
}

std::vector<std::string> xmpp_domains(const config& cfg) {
  std::vector<std::string> out;
  for (const auto& d : cfg.domains)
    out.push_back(d.xmpp);
  return out;
}

presence::authorisation to_presence(presence_authorisation a) {
  switch (a) {
    case presence_authorisation::automatic:
      return presence::authorisation::automatic;
    case presence_authorisation::refuse:
      return presence::authorisation::refuse;
    case presence_authorisation::forward:
      break;
  }
  return presence::authorisation::forward;
}

// [presence] and the partners' presence policies, with the opened store.
presence::presence_settings presence_settings_of(
    const config& cfg, std::shared_ptr<presence::subscription_store> store) {
  presence::presence_settings ps;
  const auto& p = cfg.presence;
  ps.default_authorisation = to_presence(p.authorisation);
  for (const auto& partner : cfg.xmpp.partners) {
    if (partner.presence) ps.partner_authorisation[partner.domain] = to_presence(*partner.presence);
  }
  ps.subscribe_expires = std::chrono::seconds(p.subscribe_expires_s);
  ps.watcher_min_expires = std::chrono::seconds(p.watcher_min_expires_s);
  ps.watcher_max_expires = std::chrono::seconds(p.watcher_max_expires_s);
  ps.coalesce_window = std::chrono::milliseconds(p.coalesce_ms);
  ps.partner_rate_per_second = p.partner_rate_per_second;
  ps.max_watchers = p.max_watchers;
  ps.max_fanout_per_message = p.max_fanout_per_message;
  ps.resubscribe_backoff = std::chrono::seconds(p.resubscribe_backoff_s);
  ps.store = std::move(store);
  ps.rates = std::make_shared<presence::partner_rate_limiter>(p.partner_rate_per_second);
  return ps;
}

// The presence subscription store (docs/presence.md, "Store"): SQLite in the state directory,
// or memory when configured so (subscriptions then do not survive a restart).
std::shared_ptr<presence::subscription_store> open_presence_store(const config& cfg) {
  if (cfg.presence.store == "memory") return presence::make_memory_store();
  std::string error;
  auto path = cfg.general.state_dir / "presence.db";
  std::shared_ptr<presence::subscription_store> store = presence::open_sqlite_store(path, error);
  if (!store) log::error("cannot open the presence store", {{"reason", error}});
  return store;
}

// The IM router both sides deliver into (actors/im/router.hpp).
im::im_router start_router(caf::actor_system& system, const config& cfg,
                           std::shared_ptr<presence::subscription_store> store) {
  im::im_config ic;
  for (const auto& d : cfg.domains) {
    ic.domains.add(d.sip, d.xmpp);
    ic.local_xmpp_domains.push_back(d.xmpp);
    if (d.im == im_mode::session) ic.session_mode_sip_domains.push_back(d.sip);
  }
  ic.shards = cfg.im.shards;
  ic.session_idle = std::chrono::milliseconds(cfg.im.session_idle_timeout_ms);
  ic.delivery_timeout = std::chrono::milliseconds(cfg.im.delivery_timeout_ms);
  ic.error_window = std::chrono::milliseconds(cfg.im.error_window_ms);
  ic.session_queue_max = cfg.im.session_queue_max;
  ic.limits.max_body_bytes = cfg.im.max_body_bytes;
  ic.chat_states_to_sip = cfg.im.chat_states_to_sip;
  ic.presence = presence_settings_of(cfg, std::move(store));
  return im::start_im_router(system, std::move(ic));
}

// The XMPP federation side: the S2S service.
struct xmpp_side {
  caf::actor service;
};

// Starts the XMPP federation side; its stanzas go to `sink`. service is nullptr after logging
// why it could not start.
xmpp_side start_xmpp_side(caf::actor_system& system, const config& cfg,
                          std::shared_ptr<dns::resolver> resolver, caf::actor sink) {
  std::string error;
  auto secret = dialback_secret(cfg, error);
  if (!secret) {
    log::error("cannot prepare the dialback secret", {{"reason", error}});
    return {};
  }
  auto tls_ctx = make_xmpp_tls_context(cfg, error);
  if (!tls_ctx) {
    log::error("cannot set up TLS for XMPP", {{"reason", error}});
    return {};
  }
  auto svc =
      s2s::start_s2s_service(system, s2s::s2s_service_config{cfg.xmpp, xmpp_domains(cfg), *secret,
                                                             tls_ctx, std::move(sink), resolver});
  if (!svc.actor) {
    log::error("cannot start the XMPP side", {{"reason", svc.error}});
    return {};
  }
  for (std::size_t i = 0; i < svc.ports.size(); ++i) {
    log::info("s2s listening", {{"address", cfg.xmpp.listen[i].host}, {"port", svc.ports[i]}});
  }
  for (std::size_t i = 0; i < svc.direct_tls_ports.size(); ++i) {
    log::info("s2s listening", {{"address", cfg.xmpp.direct_tls_listen[i].host},
                                {"port", svc.direct_tls_ports[i]},
                                {"tls", "direct"}});
  }
  return {svc.actor};
}

// The SIP side: listeners, transaction shards; requests go to `handler` (the router).
struct sip_side {
  sip_layer::sip_service service;
  bool ok() const { return service.ok(); }
};

sip_side start_sip_side(caf::actor_system& system, const config& cfg,
                        std::shared_ptr<dns::resolver> resolver, caf::actor handler) {
  sip_layer::sip_service_config sc;
  for (const auto& ep : cfg.sip.udp_listen)
    sc.udp.push_back({ep.host, ep.port});
  for (const auto& ep : cfg.sip.tcp_listen)
    sc.tcp.push_back({ep.host, ep.port});
  for (const auto& ep : cfg.sip.tls_listen)
    sc.tls.push_back({ep.host, ep.port});
  // The SIP side addresses XMPP users by their domains: the partners' (or any, when open).
  for (const auto& p : cfg.xmpp.partners)
    sc.policy.served_domains.push_back(p.domain);
  sc.policy.serve_any_domain = cfg.xmpp.federation == federation_mode::open;
  sc.trusted_peers = cfg.sip.trusted_peers;
  sc.trusted_certificate_names = cfg.sip.trusted_certificate_names;
  sc.outbound_proxy = cfg.sip.outbound_proxy;
  for (const auto& r : cfg.sip.routes) {
    if (auto hop = sip_layer::peer_from_uri(r.uri)) sc.routes.push_back({r.domain, *hop});
  }
  sc.timers.t1 = std::chrono::milliseconds(cfg.sip.t1_ms);
  sc.timers.t2 = std::chrono::milliseconds(cfg.sip.t2_ms);
  sc.timers.t4 = std::chrono::milliseconds(cfg.sip.t4_ms);
  sc.tcp_idle_timeout = std::chrono::seconds(cfg.sip.tcp_idle_timeout);
  sc.limits.max_message_bytes = cfg.sip.max_message_bytes;
  sc.limits.max_headers = cfg.sip.max_headers;
  sc.resolver = std::move(resolver);
  if (!cfg.sip.tls_listen.empty() || cfg.sip.outbound_proxy.rfind("sips:", 0) == 0) {
    std::vector<std::string> sip_domains;
    for (const auto& d : cfg.domains)
      sip_domains.push_back(d.sip);
    std::string error;
    sc.tls_context = tls::tls_context::create(
        {{{sip_domains, cfg.sip.tls.certificate, cfg.sip.tls.key}}, cfg.sip.tls.ca_file}, error);
    if (!sc.tls_context) {
      sip_side side;
      side.service.error = "TLS for SIP: " + error;
      return side;
    }
  }
  sip_side side;
  side.service = sip_layer::start_sip_service(system, sc, std::move(handler));
  return side;
}

// Answers `fedgate ctl` commands (see app/control_server.hpp). Runs on the control thread.
// Where the gateway is in its life: readiness (/readyz) and `ctl status` report it; `ctl drain`
// moves it from running to draining, a stop signal to stopping.
enum class gateway_phase { running, draining, stopping };

std::string_view to_string(gateway_phase p) {
  switch (p) {
    case gateway_phase::running:
      return "running";
    case gateway_phase::draining:
      return "draining";
    case gateway_phase::stopping:
      return "stopping";
  }
  return "?";
}

// A config reload (app/reload.hpp) reaching the running services: log level, the SIP side's
// served domains and trust, then the XMPP side's partners and policy (waited for, so `ctl
// reload` answers once the change is in effect).
void apply_reload(caf::actor_system& system, const config& c, const caf::actor& xmpp_service,
                  const sip_layer::sip_service& sip) {
  log::set_level(static_cast<log::level>(c.general.level));
  sip_layer::sip_live_policy sp;
  for (const auto& p : c.xmpp.partners)
    sp.served_domains.push_back(p.domain);  // as start_sip_side()
  sp.serve_any_domain = c.xmpp.federation == federation_mode::open;
  sp.trusted_peers = c.sip.trusted_peers;
  sp.trusted_certificate_names = c.sip.trusted_certificate_names;
  sip_layer::update_sip_policy(sip, sp);
  caf::scoped_actor self{system};
  self->request(xmpp_service, std::chrono::seconds(5), s2s::reload_atom::value,
                std::make_shared<const xmpp_config>(c.xmpp))
      .receive([](bool) {},
               [](caf::error& e) {
                 log::error("the XMPP side did not take the reloaded config",
                            {{"reason", caf::to_string(e)}});
               });
}

std::string control_answer(const std::string& command, caf::actor_system& system, const config& cfg,
                           const caf::actor& xmpp_service, const sip_layer::sip_service& sip,
                           const im::im_router& router,
                           std::chrono::steady_clock::time_point started,
                           std::atomic<gateway_phase>& phase) {
  using nlohmann::json;
  if (command == "status") {
    auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
            .count();
    return json{{"version", std::string(version_string())},
                {"revision", std::string(git_revision())},
                {"state", std::string(to_string(phase.load()))},
                {"uptime_seconds", uptime},
                {"config", cfg.source.string()},
                {"domains", cfg.domains.size()},
                {"partners_configured", cfg.xmpp.partners.size()},
                {"federation", cfg.xmpp.federation == federation_mode::open ? "open" : "allowlist"},
                {"sip_udp_ports", sip.udp_ports},
                {"sip_tcp_ports", sip.tcp_ports},
                {"sip_tls_ports", sip.tls_ports}}
        .dump();
  }
  if (command == "partners") {
    std::vector<s2s::partner_status> live;
    caf::scoped_actor self{system};
    self->request(xmpp_service, std::chrono::seconds(5), s2s::status_atom::value)
        .receive([&](const std::vector<s2s::partner_status>& all) { live = all; },
                 [&](caf::error&) {});
    json out = json::array();
    auto row = [](const s2s::partner_status& p, bool configured) {
      return json{{"domain", p.domain},
                  {"configured", configured},
                  {"state", p.state},
                  {"streams_out", p.outbound_up},
                  {"streams_in", p.inbound},
                  {"queued", p.queued},
                  {"auth", p.auth},
                  {"last_error", p.last_error},
                  {"streams_established", p.established}};
    };
    for (const auto& pc : cfg.xmpp.partners) {
      s2s::partner_status st;
      st.domain = pc.domain;
      st.state = "idle";
      for (const auto& l : live) {
        if (l.domain == pc.domain) st = l;
      }
      out.push_back(row(st, true));
    }
    for (const auto& l : live) {
      bool configured = false;
      for (const auto& pc : cfg.xmpp.partners)
        configured = configured || pc.domain == l.domain;
      if (!configured) out.push_back(row(l, false));
    }
    return out.dump();
  }
  if (command == "drain") {
    // New S2S streams and new SIP conversations go elsewhere; what is under way finishes.
    auto expected = gateway_phase::running;
    bool now = phase.compare_exchange_strong(expected, gateway_phase::draining);
    if (now) {
      log::info("draining: XMPP listeners closed, new SIP requests answered 503 with Retry-After");
      caf::anon_send(xmpp_service, s2s::drain_atom::value);
      im::drain_im_router(router);
    }
    std::uint64_t queued = 0, pending = 0;
    auto sessions = im::list_sessions(system, router);
    for (const auto& s : sessions) {
      queued += s.to_sip_queued + (s.sip_in_flight ? 1 : 0);
      pending += s.to_xmpp_pending;
    }
    return json{{"state", std::string(to_string(phase.load()))},
                {"sessions", sessions.size()},
                {"to_sip_in_progress", queued},
                {"to_xmpp_in_progress", pending}}
        .dump();
  }
  if (command == "sessions") {
    json out = json::array();
    for (const auto& s : im::list_sessions(system, router)) {
      out.push_back(json{{"conversation", s.conversation},
                         {"mode", s.mode},
                         {"to_sip_queued", s.to_sip_queued},
                         {"to_xmpp_pending", s.to_xmpp_pending},
                         {"sip_in_flight", s.sip_in_flight},
                         {"idle_seconds", s.idle_seconds}});
    }
    return out.dump();
  }
  if (command.rfind("presence ", 0) == 0) {
    // presence <JID>: one row per watcher of each presence actor of that address.
    std::string jid = command.substr(9);
    json out = json::array();
    for (const auto& info : im::presence_of(system, router, jid)) {
      if (info.watchers.empty()) {
        out.push_back(json{{"actor", info.key},
                           {"presence", info.presence},
                           {"watcher", ""},
                           {"state", ""},
                           {"sip", ""},
                           {"last_sent", ""},
                           {"coalesced", info.coalesced}});
      }
      for (const auto& w : info.watchers) {
        out.push_back(json{{"actor", info.key},
                           {"presence", info.presence},
                           {"watcher", w.watcher},
                           {"state", w.state},
                           {"sip", w.sip},
                           {"last_sent", w.last_sent},
                           {"coalesced", info.coalesced}});
      }
    }
    return out.dump();
  }
  if (command.rfind("test-im ", 0) == 0) {
    // test-im <local user JID> <remote JID> <text...>
    std::istringstream words(command.substr(8));
    std::string from, to, text, word;
    words >> from >> to;
    while (words >> word)
      text += (text.empty() ? "" : " ") + word;
    if (from.empty() || to.empty() || text.empty()) {
      return json{{"error", "usage: test-im <local user JID> <remote JID> <text>"}}.dump();
    }
    auto wait =
        std::chrono::milliseconds(cfg.im.delivery_timeout_ms + cfg.im.error_window_ms + 2000);
    std::string result = im::test_im(system, router, from, to, text, wait);
    return json{
        {"from", from}, {"to", to}, {"result", result}, {"ok", result.rfind("delivered", 0) == 0}}
        .dump();
  }
  return json{
      {"error", "unknown command \"" + command +
                    "\"; commands: status, partners, sessions, presence, test-im, drain, reload"}}
      .dump();
}

}  // namespace

unsigned scheduler_threads(unsigned configured) {
  if (configured > 0) return configured;
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 1;
}

int run_gateway(config cfg) {
  // As read from the file, before generated certificate paths are filled in: what a reload
  // compares the file with.
  const config as_loaded = cfg;
  if (!prepare_state_dir(cfg.general.state_dir)) return 1;
  if (auto errors = prepare_tls_files(cfg); !errors.empty()) {
    for (const auto& e : errors) {
      log::error("TLS setup failed", {{"key", e.key}, {"reason", e.message}});
    }
    return 1;
  }

  // Metrics first, so every component counts into families that know the configured partners.
  std::vector<std::string> partner_domains;
  for (const auto& p : cfg.xmpp.partners)
    partner_domains.push_back(p.domain);
  metrics::install({partner_domains, std::string(version_string()), std::string(git_revision())});

  sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread CAF starts

  caf::actor_system_config caf_cfg;
  unsigned threads = scheduler_threads(cfg.general.worker_threads);
  caf_cfg.set("scheduler.max-threads", static_cast<size_t>(threads));
  // At most this many messages per actor per turn (CAF's default is unbounded). Why: an actor
  // that spawns or wakes many others in one long turn (a router shard restoring presence
  // subscriptions, a burst to many sessions) fills its worker's run queue, and CAF 0.17's work
  // stealing takes from the tail of a singly linked queue by walking it, so stealing from a long
  // queue is O(n) per steal: 40,000 restored subscriptions took 26 s instead of 2.4 s
  // (bench/presence_scale_bench). A bounded turn also keeps one busy actor from delaying others.
  caf_cfg.set("scheduler.max-throughput", static_cast<size_t>(scheduler_max_throughput));
  caf_cfg.load<caf::io::middleman>();
  caf::actor_system system{caf_cfg};
  // One DNS resolver for both sides (SRV for XMPP partners, RFC 3263 for SIP).
  auto resolver = std::make_shared<dns::resolver>(
      dns::resolver_options{cfg.dns.servers,
                            std::chrono::milliseconds(cfg.dns.timeout_ms),
                            static_cast<int>(cfg.dns.tries),
                            {},
                            {}});
  if (!resolver->init_error().empty()) {
    log::warn("DNS resolver unavailable; partners need static routes",
              {{"reason", resolver->init_error()}});
  }
  // The router first: both sides deliver into it from their first byte on; it holds back
  // what arrives until connect_im_router() hands it the started services.
  auto presence_store = open_presence_store(cfg);
  if (!presence_store) return 1;
  im::im_router router = start_router(system, cfg, presence_store);
  xmpp_side xmpp = start_xmpp_side(system, cfg, resolver, router.entry);
  if (!xmpp.service) {
    im::stop_im_router(router);
    return 1;
  }
  sip_side sip = start_sip_side(system, cfg, resolver, router.entry);
  caf::actor proxy_probe;  // OPTIONS to the outbound proxy for /readyz (proxy_probe.hpp)
  auto stop_sides = [&] {
    if (proxy_probe) caf::anon_send_exit(proxy_probe, caf::exit_reason::user_shutdown);
    caf::anon_send(xmpp.service, s2s::shutdown_atom::value);
    sip_layer::stop_sip_service(sip.service);
    im::stop_im_router(router);
  };
  if (!sip.ok()) {
    log::error("cannot start the SIP side", {{"reason", sip.service.error}});
    stop_sides();
    return 1;
  }
  // Our Contact in IM sessions: the first UDP listener, else the first TCP one.
  im::sip_contact contact;
  if (!sip.service.udp_ports.empty()) {
    contact = {cfg.sip.udp_listen[0].host, sip.service.udp_ports[0], "udp"};
  } else if (!sip.service.tcp_ports.empty()) {
    contact = {cfg.sip.tcp_listen[0].host, sip.service.tcp_ports[0], "tcp"};
  }
  im::connect_im_router(router, xmpp.service, sip.service.shards, contact);
  std::shared_ptr<sip_layer::proxy_health> proxy_health;
  if (!cfg.sip.outbound_proxy.empty() && !sip.service.shards.empty()) {
    proxy_health = std::make_shared<sip_layer::proxy_health>();
    proxy_probe =
        sip_layer::start_proxy_probe(system, sip.service.shards[0], cfg.sip.outbound_proxy,
                                     contact.host.empty() ? std::string("127.0.0.1") : contact.host,
                                     std::chrono::seconds(10), proxy_health);
  }
  {
    // Subscriptions from before the restart: SIP ones subscribe again, XMPP ones are probed.
    auto stored = presence_store->load_all();
    im::restore_presence(router, stored);
    log::info("presence subscriptions restored",
              {{"count", stored.size()}, {"store", presence_store->describe()}});
    // The storm figures, so a storm's log lines can be read against them.
    log::info("presence storm control",
              {{"coalesce_ms", cfg.presence.coalesce_ms},
               {"partner_rate_per_second", cfg.presence.partner_rate_per_second},
               {"max_watchers", cfg.presence.max_watchers},
               {"max_fanout_per_message", cfg.presence.max_fanout_per_message}});
  }
  auto log_ports = [](const char* transport, const std::vector<endpoint>& eps,
                      const std::vector<std::uint16_t>& ports) {
    for (std::size_t i = 0; i < ports.size() && i < eps.size(); ++i) {
      log::info("sip listening",
                {{"transport", transport}, {"address", eps[i].host}, {"port", ports[i]}});
    }
  };
  log_ports("udp", cfg.sip.udp_listen, sip.service.udp_ports);
  log_ports("tcp", cfg.sip.tcp_listen, sip.service.tcp_ports);
  log_ports("tls", cfg.sip.tls_listen, sip.service.tls_ports);

  // `fedgate ctl`: the control socket in the state directory.
  auto started = std::chrono::steady_clock::now();
  auto phase = std::make_shared<std::atomic<gateway_phase>>(gateway_phase::running);
  // `fedgate ctl reload` and SIGHUP; the control socket answers from its current config.
  config_reloader reloader(as_loaded,
                           [&system, xs = xmpp.service, &sip](const config& c, const config_diff&) {
                             apply_reload(system, c, xs, sip.service);
                           });
  control_server control;
  {
    std::string error;
    caf::actor xs = xmpp.service;
    const auto* sip_service = &sip.service;
    const auto* im_router = &router;
    if (!control.start(
            cfg.general.state_dir / "control.sock",
            [&system, &reloader, xs, sip_service, im_router, started,
             phase](const std::string& command) {
              if (command == "reload") return reloader.reload_and_report("ctl");
              return control_answer(command, system, *reloader.running(), xs, *sip_service,
                                    *im_router, started, *phase);
            },
            error)) {
      log::error("cannot open the control socket", {{"reason", error}});
      stop_sides();
      return 1;
    }
  }

  // /metrics, /healthz, /readyz. Readiness: the XMPP listeners are bound (start_xmpp_side fails
  // otherwise) and the gateway is neither draining nor shutting down.
  metrics::admin_server admin;
  if (cfg.metrics.listen) {
    std::string error;
    auto check = [phase]() -> std::optional<std::string> {
      auto p = phase->load();
      if (p == gateway_phase::running) return std::nullopt;
      return std::string(p == gateway_phase::draining ? "draining" : "shutting down");
    };
    std::vector<metrics::named_check> checks{{"xmpp listeners", check}, {"sip listeners", check}};
    if (proxy_health) {
      checks.emplace_back("sip outbound proxy", [proxy_health] { return proxy_health->problem(); });
    }
    if (!admin.start({cfg.metrics.listen->host, cfg.metrics.listen->port},
                     metrics::default_collectables(), std::move(checks), error)) {
      log::error("cannot start the metrics listener",
                 {{"address", cfg.metrics.listen->to_string()}, {"reason", error}});
      stop_sides();
      return 1;
    }
    log::info("metrics listening", {{"address", cfg.metrics.listen->host}, {"port", admin.port()}});
  }

  log::info("fedgate started", {{"version", std::string(version_string())},
                                {"config", cfg.source.string()},
                                {"worker_threads", threads},
                                {"domains", cfg.domains.size()},
                                {"partners", cfg.xmpp.partners.size()},
                                {"state_dir", cfg.general.state_dir.string()}});

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      reloader.reload_and_report("SIGHUP");
      continue;
    }
    log::info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    *phase = gateway_phase::stopping;
    break;
  }
  {
    // Close every S2S stream with <system-shutdown/> and wait (bounded) until the service is gone.
    caf::scoped_actor waiter{system};
    waiter->monitor(xmpp.service);
    waiter->send(xmpp.service, s2s::shutdown_atom::value);
    waiter->receive([](const caf::down_msg&) {},
                    caf::after(std::chrono::seconds(5)) >>
                        [] { log::warn("the XMPP side did not stop within 5 s"); });
  }
  control.stop();  // before the router it asks goes away
  if (proxy_probe) caf::anon_send_exit(proxy_probe, caf::exit_reason::user_shutdown);
  sip_layer::stop_sip_service(sip.service);
  im::stop_im_router(router);
  admin.stop();
  // Leaving scope destroys the actor system, which waits for every actor to finish.
  return 0;
}

}  // namespace fedgate::app
