#include "bench/fedgate_bench/external_sip.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/s2s/messages.hpp"
#include "actors/s2s/s2s_service.hpp"
#include "actors/sip/tokens.hpp"
#include "app/config.hpp"
#include "bench/fedgate_bench/bench_s2s.hpp"
#include "bench/fedgate_bench/component_listener.hpp"
#include "metrics/log.hpp"
#include "transport/tls/certificate_issuer.hpp"
#include "transport/tls/tls_context.hpp"

namespace fedgate::bench {

namespace {

std::int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "[run=R ]seq=N t=S.U": SIPp prints its gettimeofday variables as doubles
// ("t=S.000000.U.000000"), the bench as "t=S.UUUUUU"; both read as S seconds and U microseconds.
// R (0 when absent) tells one step's messages from a late one of an earlier step.
bool parse_seq_time(std::string_view b, std::uint64_t& run, std::uint64_t& seq,
                    std::int64_t& t_us) {
  auto p = b.find("seq=");
  run = 0;
  if (auto r = b.find("run="); r != std::string_view::npos && r < p) {
    for (std::size_t k = r + 4; k < b.size() && std::isdigit(static_cast<unsigned char>(b[k])); ++k)
      run = run * 10 + static_cast<std::uint64_t>(b[k] - '0');
  }
  if (p == std::string_view::npos) return false;
  std::size_t i = p + 4;
  if (i >= b.size() || !std::isdigit(static_cast<unsigned char>(b[i]))) return false;
  seq = 0;
  for (; i < b.size() && std::isdigit(static_cast<unsigned char>(b[i])); ++i)
    seq = seq * 10 + static_cast<std::uint64_t>(b[i] - '0');
  auto q = b.find("t=", i);
  if (q == std::string_view::npos) return false;
  std::vector<std::int64_t> groups;
  std::int64_t cur = 0;
  bool in_digits = false;
  for (i = q + 2; i < b.size(); ++i) {
    char c = b[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      cur = cur * 10 + (c - '0');
      in_digits = true;
    } else if (c == '.' && in_digits) {
      groups.push_back(cur);
      cur = 0;
      in_digits = false;
    } else {
      break;
    }
  }
  if (in_digits) groups.push_back(cur);
  if (groups.empty()) return false;
  std::int64_t usec = groups.size() >= 4 ? groups[2] : groups.size() >= 2 ? groups[1] : 0;
  t_us = groups[0] * 1000000 + usec;
  return true;
}

// What arrived since the last reset, from every stream.
struct sink_stats {
  std::mutex mutex;
  std::unordered_set<std::uint64_t> seen;
  std::uint64_t received = 0, duplicates = 0, errors = 0, unmarked = 0, stale = 0;
  std::uint64_t run = 0;  // the step being counted (0: any)
  std::uint64_t via_s2s = 0, via_component = 0;
  std::vector<std::uint32_t> latency_us;
  std::int64_t first_us = 0, last_us = 0;
  // Earliest and latest send time carried by the messages counted: what the sender (SIPp)
  // actually offered, whatever it reports about its calls.
  std::int64_t min_t_us = 0, max_t_us = 0;

  void reset(std::uint64_t new_run) {
    std::lock_guard<std::mutex> lock(mutex);
    run = new_run;
    seen.clear();
    received = duplicates = errors = unmarked = stale = via_s2s = via_component = 0;
    latency_us.clear();
    first_us = last_us = min_t_us = max_t_us = 0;
  }

  void on_message(bool component, std::string_view type, std::string_view text) {
    auto now = wall_us();
    std::uint64_t seq = 0, r = 0;
    std::int64_t t = 0;
    bool marked = parse_seq_time(text, r, seq, t);
    std::lock_guard<std::mutex> lock(mutex);
    if (type == "error") {
      ++errors;
      return;
    }
    if (!marked) {
      ++unmarked;
      return;
    }
    if (run != 0 && r != run) {
      ++stale;
      return;
    }
    ++received;
    ++(component ? via_component : via_s2s);
    if (!seen.insert(seq).second) {
      ++duplicates;
      return;
    }
    latency_us.push_back(
        static_cast<std::uint32_t>(std::clamp<std::int64_t>(now - t, 0, UINT32_MAX)));
    if (first_us == 0) first_us = now;
    last_us = now;
    if (min_t_us == 0 || t < min_t_us) min_t_us = t;
    max_t_us = std::max(max_t_us, t);
  }

  nlohmann::json report() {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<std::uint32_t> l = latency_us;
    std::sort(l.begin(), l.end());
    auto pct = [&](double q) -> double {
      if (l.empty()) return 0;
      auto idx = static_cast<std::size_t>(std::ceil(q * static_cast<double>(l.size())));
      idx = std::min(std::max<std::size_t>(idx, 1), l.size()) - 1;
      return l[idx] / 1000.0;
    };
    nlohmann::json j;
    j["received"] = received;
    j["unique"] = seen.size();
    j["duplicates"] = duplicates;
    j["errors"] = errors;
    j["unmarked"] = unmarked;
    j["stale"] = stale;
    j["run"] = run;
    j["via_s2s"] = via_s2s;
    j["via_component"] = via_component;
    j["first_us"] = first_us;
    j["last_us"] = last_us;
    j["min_t_us"] = min_t_us;
    j["max_t_us"] = max_t_us;
    j["latency_ms"] = {{"p50", pct(0.5)},
                       {"p90", pct(0.9)},
                       {"p99", pct(0.99)},
                       {"max", l.empty() ? 0.0 : l.back() / 1000.0}};
    return j;
  }
};

caf::behavior s2s_sink(caf::event_based_actor*, std::shared_ptr<sink_stats> stats, int) {
  return {[stats](s2s::inbound_atom, const s2s::stanza& s) {
    if (s.kind == "message") stats->on_message(false, s.type, s.xml);
  }};
}

struct peer_options {
  std::string s2s_listen;                // host:port ("" = no S2S)
  std::vector<std::string> s2s_domains;  // the bench's XMPP domains
  std::string s2s_peer_domain;           // the gateway's XMPP domain
  std::string s2s_peer;                  // host:port of the gateway's S2S listener
  std::string component_listen;          // host:port ("" = no component listener)
  std::string component_secret = "secret";
  unsigned threads = 2;
};

bool split_host_port(const std::string& s, std::string& host, std::uint16_t& port) {
  auto c = s.rfind(':');
  if (c == std::string::npos) return false;
  host = s.substr(0, c);
  port = static_cast<std::uint16_t>(std::stoul(s.substr(c + 1)));
  return true;
}

void usage() {
  std::cerr << "usage: fedgate-bench --scenario xmpp-peer [options]   (bench/compare/README.md)\n"
               "  --s2s-listen H:P          serve S2S here for --s2s-domain (repeatable)\n"
               "  --s2s-peer DOMAIN=H:P     the gateway's XMPP domain and S2S listener\n"
               "  --component-listen H:P    accept an XEP-0114 component here\n"
               "  --component-secret S      its shared secret (default secret)\n"
               "  --threads N               CAF scheduler threads (default 2)\n"
               "commands on stdin, one JSON line answered on stdout each:\n"
               "  status | reset [RUN] | report | quit   (RUN: count only bodies with run=RUN)\n"
               "  send s2s|component FROM TO RATE COUNT [USERS [RUN]]   ({u}: seq % USERS)\n";
}

std::string expand(const std::string& tmpl, std::uint64_t u) {
  auto p = tmpl.find("{u}");
  if (p == std::string::npos) return tmpl;
  return tmpl.substr(0, p) + std::to_string(u) + tmpl.substr(p + 3);
}

// Sends COUNT messages at RATE, message i due at t0 + i/RATE; its body carries the due time (so
// a late sender does not hide latency). Everything due is sent at once when the sender is behind.
nlohmann::json send_paced(bool component, component_listener* comp, const caf::actor& s2s,
                          const std::string& from, const std::string& to, double rate,
                          std::uint64_t count, std::uint64_t users, std::uint64_t run) {
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  std::int64_t t0_wall = wall_us();
  std::uint64_t sent = 0, failed = 0;
  std::string batch;
  while (sent + failed < count) {
    double elapsed = std::chrono::duration<double>(clock::now() - t0).count();
    auto due = std::min<std::uint64_t>(count, static_cast<std::uint64_t>(elapsed * rate) + 1);
    batch.clear();
    std::uint64_t in_batch = 0;
    for (std::uint64_t i = sent + failed; i < due; ++i) {
      std::uint64_t seq = i + 1;
      std::int64_t t = t0_wall + static_cast<std::int64_t>(static_cast<double>(i) * 1e6 / rate);
      char body[96];
      std::snprintf(body, sizeof body, "run=%llu seq=%llu t=%lld.%06lld",
                    static_cast<unsigned long long>(run), static_cast<unsigned long long>(seq),
                    static_cast<long long>(t / 1000000), static_cast<long long>(t % 1000000));
      std::uint64_t u = users > 0 ? seq % users : 0;
      std::string f = expand(from, u), d = expand(to, u);
      std::string id = "fgbp" + std::to_string(seq);
      std::string xml = "<message from='" + f + "' to='" + d + "' type='chat' id='" + id +
                        "'><body>" + body + "</body></message>";
      if (component) {
        batch += xml;
        ++in_batch;
      } else {
        s2s::stanza s;
        s.xml = std::move(xml);
        s.from = f;
        s.to = d;
        s.kind = "message";
        s.type = "chat";
        s.id = id;
        caf::anon_send(s2s, s2s::deliver_atom::value, std::move(s));
        ++sent;
      }
    }
    if (component && in_batch > 0) {
      if (comp != nullptr && comp->send(batch)) {
        sent += in_batch;
      } else {
        failed += in_batch;
      }
    }
    if (sent + failed < count) {
      auto next = t0 + std::chrono::duration_cast<clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(due) / rate));
      std::this_thread::sleep_until(std::min(next, clock::now() + std::chrono::milliseconds(1)));
    }
  }
  double seconds = std::chrono::duration<double>(clock::now() - t0).count();
  return {{"sent", sent},
          {"failed", failed},
          {"seconds", seconds},
          {"send_rate", seconds > 0 ? static_cast<double>(sent) / seconds : 0.0}};
}

}  // namespace

bool is_external_sip_scenario(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--scenario") == 0 && std::strcmp(argv[i + 1], "xmpp-peer") == 0)
      return true;
  return false;
}

int external_sip_main(int argc, char** argv) {
  peer_options o;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--scenario") {
        value();
      } else if (a == "--s2s-listen") {
        o.s2s_listen = value();
      } else if (a == "--s2s-domain") {
        o.s2s_domains.push_back(value());
      } else if (a == "--s2s-peer") {
        auto v = value();
        auto eq = v.find('=');
        if (eq == std::string::npos) throw std::invalid_argument("--s2s-peer wants DOMAIN=H:P");
        o.s2s_peer_domain = v.substr(0, eq);
        o.s2s_peer = v.substr(eq + 1);
      } else if (a == "--component-listen") {
        o.component_listen = value();
      } else if (a == "--component-secret") {
        o.component_secret = value();
      } else if (a == "--threads") {
        o.threads = static_cast<unsigned>(std::stoul(value()));
      } else if (a == "-h" || a == "--help") {
        usage();
        return 0;
      } else {
        throw std::invalid_argument("unknown option " + a);
      }
    }
    if (o.s2s_listen.empty() && o.component_listen.empty())
      throw std::invalid_argument("--s2s-listen or --component-listen is needed");
    if (!o.s2s_listen.empty() && (o.s2s_domains.empty() || o.s2s_peer.empty()))
      throw std::invalid_argument("--s2s-listen needs --s2s-domain and --s2s-peer");
  } catch (const std::exception& e) {
    std::cerr << "fedgate-bench: " << e.what() << "\n";
    usage();
    return 2;
  }
  log::init(log::level::error, log::format::logfmt);
  auto stats = std::make_shared<sink_stats>();

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", static_cast<std::size_t>(o.threads));
  caf_cfg.load<caf::io::middleman>();
  caf::actor_system sys{caf_cfg};

  nlohmann::json ready;
  caf::actor sink, s2s;
  if (!o.s2s_listen.empty()) {
    // Self-signed for the bench's domains: the gateway cannot verify it, so streams authenticate
    // by dialback after STARTTLS, as with fedgate-bench's other scenarios.
    std::string error;
    auto ctx = bench_s2s::self_signed_context(o.s2s_domains, error);
    if (!ctx) {
      std::cerr << "fedgate-bench: TLS: " << error << "\n";
      return 1;
    }
    app::endpoint listen, peer;
    if (!split_host_port(o.s2s_listen, listen.host, listen.port) ||
        !split_host_port(o.s2s_peer, peer.host, peer.port)) {
      std::cerr << "fedgate-bench: bad host:port\n";
      return 2;
    }
    auto x = bench_s2s::bench_xmpp_config({listen}, o.s2s_peer_domain, peer);
    sink = sys.spawn(s2s_sink, stats, 0);
    auto svc = s2s::start_s2s_service(
        sys,
        s2s::s2s_service_config{x, o.s2s_domains, sip_layer::random_token(32), ctx, sink, nullptr});
    if (!svc.actor) {
      std::cerr << "fedgate-bench: S2S service: " << svc.error << "\n";
      caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
      return 1;
    }
    s2s = svc.actor;
    ready["s2s_port"] = svc.ports.empty() ? 0 : svc.ports.front();
  }
  std::unique_ptr<component_listener> comp;
  if (!o.component_listen.empty()) {
    comp =
        std::make_unique<component_listener>(o.component_secret, [stats](const pugi::xml_node& e) {
          if (std::string_view(e.name()) != "message") return;
          stats->on_message(true, e.attribute("type").value(), e.child("body").text().get());
        });
    std::string host, error;
    std::uint16_t port = 0;
    if (!split_host_port(o.component_listen, host, port) || !comp->start(host, port, error)) {
      std::cerr << "fedgate-bench: component listener: " << error << "\n";
      return 1;
    }
    ready["component_port"] = comp->port();
  }
  ready["ready"] = true;
  std::cout << ready.dump() << std::endl;

  // The command loop: one JSON line per command (the driving script reads them in turn).
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    nlohmann::json out;
    if (cmd == "quit") break;
    if (cmd == "reset") {
      std::uint64_t run = 0;
      in >> run;
      stats->reset(run);
      out["ok"] = true;
    } else if (cmd == "report") {
      out = stats->report();
    } else if (cmd == "status") {
      out["sink"] = stats->report();
      if (comp) {
        auto c = comp->snapshot();
        out["component"] = {{"accepted", c.accepted},       {"authenticated", c.authenticated},
                            {"auth_failed", c.auth_failed}, {"closed", c.closed},
                            {"connected", c.connected},     {"stanzas", c.stanzas},
                            {"last_close", c.last_close}};
      }
    } else if (cmd == "send") {
      std::string via, from, to;
      double rate = 0;
      std::uint64_t count = 0, users = 0, run = 0;
      in >> via >> from >> to >> rate >> count;
      if (!(in >> users)) users = 0;
      if (!(in >> run)) run = 0;
      if ((via != "s2s" && via != "component") || rate <= 0 || count == 0 ||
          (via == "s2s" && !s2s) || (via == "component" && !comp)) {
        out["error"] = "bad send command (or that stream is not served): " + line;
      } else {
        out = send_paced(via == "component", comp.get(), s2s, from, to, rate, count, users, run);
      }
    } else {
      out["error"] = "unknown command: " + line;
    }
    std::cout << out.dump() << std::endl;
  }

  if (comp) comp->stop();
  if (s2s) {
    caf::scoped_actor self{sys};
    self->monitor(s2s);
    self->send(s2s, s2s::shutdown_atom::value);
    self->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds(5)) >> [] {});
  }
  if (sink) caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  return 0;
}

}  // namespace fedgate::bench
