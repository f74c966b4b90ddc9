#include "app/reload.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "app/tls_setup.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"

namespace fedgate::app {
namespace {

std::string endpoints(const std::vector<endpoint>& eps) {
  std::string out;
  for (const auto& e : eps)
    out += e.to_string() + ",";
  return out;
}

std::string routes(const std::vector<sip_config::route>& rs) {
  std::string out;
  for (const auto& r : rs)
    out += r.domain + "=" + r.uri + ",";
  return out;
}

std::string domains(const std::vector<domain_pair>& ds) {
  std::string out;
  for (const auto& d : ds) {
    out += d.sip + "|" + d.xmpp + "|" + d.certificate.string() + "|" + d.key.string() + "|" +
           (d.im == im_mode::session ? "s" : "p") + ",";
  }
  return out;
}

// Collects the key paths whose values differ.
struct differ {
  std::vector<std::string>& out;
  template <class T>
  void operator()(const char* key, const T& a, const T& b) {
    if (!(a == b)) out.push_back(key);
  }
  void operator()(const char* key, const std::vector<endpoint>& a, const std::vector<endpoint>& b) {
    (*this)(key, endpoints(a), endpoints(b));
  }
};

std::vector<std::string> partner_keys(const partner_config& a, const partner_config& b) {
  std::vector<std::string> keys;
  differ d{keys};
  d("tls", a.tls, b.tls);
  d("sasl_external", a.sasl_external, b.sasl_external);
  d("dialback", a.dialback, b.dialback);
  d("routes", a.routes, b.routes);
  d("direct_tls", a.direct_tls, b.direct_tls);
  d("max_connections", a.max_connections, b.max_connections);
  return keys;
}

const partner_config* find_partner(const config& c, const std::string& domain) {
  for (const auto& p : c.xmpp.partners) {
    if (p.domain == domain) return &p;
  }
  return nullptr;
}

// Keys that are applied live (everything else in the typed diff needs a restart).
void diff_live_keys(const config& a, const config& b, std::vector<std::string>& live) {
  differ d{live};
  d("general.log_level", a.general.level, b.general.level);
  d("xmpp.federation", a.xmpp.federation, b.xmpp.federation);
  std::set<std::string> deny_a(a.xmpp.deny.begin(), a.xmpp.deny.end());
  std::set<std::string> deny_b(b.xmpp.deny.begin(), b.xmpp.deny.end());
  d("xmpp.deny", deny_a, deny_b);
  d("sip.trusted_peers", a.sip.trusted_peers, b.sip.trusted_peers);
  d("sip.trusted_certificate_names", a.sip.trusted_certificate_names,
    b.sip.trusted_certificate_names);
}

void diff_restart_keys(const config& a, const config& b, std::vector<std::string>& out) {
  differ d{out};
  d("general.state_dir", a.general.state_dir, b.general.state_dir);
  d("general.worker_threads", a.general.worker_threads, b.general.worker_threads);
  d("general.log_format", a.general.format, b.general.format);
  d("domains", domains(a.domains), domains(b.domains));
  const auto &x = a.xmpp, &y = b.xmpp;
  d("xmpp.listen", x.listen, y.listen);
  d("xmpp.direct_tls_listen", x.direct_tls_listen, y.direct_tls_listen);
  d("xmpp.certificate", x.tls.certificate, y.tls.certificate);
  d("xmpp.key", x.tls.key, y.tls.key);
  d("xmpp.ca_file", x.tls.ca_file, y.tls.ca_file);
  d("xmpp.max_connections", x.max_connections, y.max_connections);
  d("xmpp.max_stanza_bytes", x.max_stanza_bytes, y.max_stanza_bytes);
  d("xmpp.max_depth", x.max_depth, y.max_depth);
  d("xmpp.max_attributes", x.max_attributes, y.max_attributes);
  d("xmpp.dialback_secret", x.dialback_secret, y.dialback_secret);
  d("xmpp.connect_timeout_ms", x.connect_timeout_ms, y.connect_timeout_ms);
  d("xmpp.establish_timeout_ms", x.establish_timeout_ms, y.establish_timeout_ms);
  d("xmpp.keepalive_interval_ms", x.keepalive_interval_ms, y.keepalive_interval_ms);
  d("xmpp.idle_timeout_ms", x.idle_timeout_ms, y.idle_timeout_ms);
  d("xmpp.queue_timeout_ms", x.queue_timeout_ms, y.queue_timeout_ms);
  d("xmpp.queue_max", x.queue_max, y.queue_max);
  d("xmpp.backoff_initial_ms", x.backoff_initial_ms, y.backoff_initial_ms);
  d("xmpp.backoff_max_ms", x.backoff_max_ms, y.backoff_max_ms);
  const auto &s = a.sip, &t = b.sip;
  d("sip.udp_listen", s.udp_listen, t.udp_listen);
  d("sip.tcp_listen", s.tcp_listen, t.tcp_listen);
  d("sip.tls_listen", s.tls_listen, t.tls_listen);
  d("sip.certificate", s.tls.certificate, t.tls.certificate);
  d("sip.key", s.tls.key, t.tls.key);
  d("sip.ca_file", s.tls.ca_file, t.tls.ca_file);
  d("sip.outbound_proxy", s.outbound_proxy, t.outbound_proxy);
  d("sip.max_message_bytes", s.max_message_bytes, t.max_message_bytes);
  d("sip.max_headers", s.max_headers, t.max_headers);
  d("sip.t1_ms", s.t1_ms, t.t1_ms);
  d("sip.t2_ms", s.t2_ms, t.t2_ms);
  d("sip.t4_ms", s.t4_ms, t.t4_ms);
  d("sip.tcp_idle_timeout", s.tcp_idle_timeout, t.tcp_idle_timeout);
  d("sip.routes", routes(s.routes), routes(t.routes));
  d("dns.servers", a.dns.servers, b.dns.servers);
  d("dns.timeout_ms", a.dns.timeout_ms, b.dns.timeout_ms);
  d("dns.tries", a.dns.tries, b.dns.tries);
  d("im.shards", a.im.shards, b.im.shards);
  d("im.session_idle_timeout_ms", a.im.session_idle_timeout_ms, b.im.session_idle_timeout_ms);
  d("im.delivery_timeout_ms", a.im.delivery_timeout_ms, b.im.delivery_timeout_ms);
  d("im.error_window_ms", a.im.error_window_ms, b.im.error_window_ms);
  d("im.session_queue_max", a.im.session_queue_max, b.im.session_queue_max);
  d("im.max_body_bytes", a.im.max_body_bytes, b.im.max_body_bytes);
  d("im.chat_states_to_sip", a.im.chat_states_to_sip, b.im.chat_states_to_sip);
  std::string ma = a.metrics.listen ? a.metrics.listen->to_string() : "";
  std::string mb = b.metrics.listen ? b.metrics.listen->to_string() : "";
  d("metrics.listen", ma, mb);
}

// Top-level tables the typed diff above covers; any other is compared as TOML.
const std::set<std::string> typed_sections{"general", "domains", "xmpp",   "sip",
                                           "dns",     "im",      "metrics"};

void diff_toml(const toml::node* a, const toml::node* b, const std::string& path,
               std::vector<std::string>& out) {
  if (a && b && a->is_table() && b->is_table()) {
    std::set<std::string> keys;
    for (auto&& [k, v] : *a->as_table())
      keys.insert(std::string(k.str()));
    for (auto&& [k, v] : *b->as_table())
      keys.insert(std::string(k.str()));
    for (const auto& k : keys)
      diff_toml(a->as_table()->get(k), b->as_table()->get(k), path + "." + k, out);
    return;
  }
  if (!a || !b || !(toml::node_view<const toml::node>(a) == toml::node_view<const toml::node>(b))) {
    out.push_back(path);
  }
}

void diff_untyped_sections(std::string_view running_text, std::string_view next_text,
                           std::vector<std::string>& out) {
  if (running_text.empty() || next_text.empty()) return;
  toml::table a, b;
  try {
    a = toml::parse(running_text);
    b = toml::parse(next_text);
  } catch (const toml::parse_error&) {
    return;  // the typed loader reports syntax errors
  }
  std::set<std::string> keys;
  for (auto&& [k, v] : a)
    keys.insert(std::string(k.str()));
  for (auto&& [k, v] : b)
    keys.insert(std::string(k.str()));
  for (const auto& k : keys) {
    if (typed_sections.count(k)) continue;
    std::vector<std::string> paths;
    diff_toml(a.get(k), b.get(k), "", paths);
    for (auto& p : paths)
      out.push_back(k + p);
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : ",") + s;
  return out;
}

metrics::reload_result metric_of(reload_outcome::result r) {
  switch (r) {
    case reload_outcome::result::applied:
      return metrics::reload_result::applied;
    case reload_outcome::result::unchanged:
      return metrics::reload_result::unchanged;
    case reload_outcome::result::rejected:
      break;
  }
  return metrics::reload_result::rejected;
}

std::string read_text(const std::filesystem::path& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream text;
  if (ok) text << in.rdbuf();
  return text.str();
}

}  // namespace

config_diff diff_configs(const config& running, const config& next, std::string_view running_text,
                         std::string_view next_text) {
  config_diff d;
  for (const auto& p : next.xmpp.partners) {
    const partner_config* was = find_partner(running, p.domain);
    if (!was) {
      d.added.push_back(p.domain);
      continue;
    }
    if (auto keys = partner_keys(*was, p); !keys.empty()) {
      d.changed.push_back({p.domain, std::move(keys)});
    }
    // The presence actors read their partner's authorisation when they start.
    if (was->presence != p.presence) {
      d.needs_restart.push_back("xmpp.partners[" + p.domain + "].presence");
    }
  }
  for (const auto& p : running.xmpp.partners) {
    if (!find_partner(next, p.domain)) d.removed.push_back(p.domain);
  }
  diff_live_keys(running, next, d.live);
  diff_restart_keys(running, next, d.needs_restart);
  diff_untyped_sections(running_text, next_text, d.needs_restart);
  return d;
}

config apply_live(const config& running, const config& next) {
  config c = running;
  c.general.level = next.general.level;
  c.xmpp.federation = next.xmpp.federation;
  c.xmpp.deny = next.xmpp.deny;
  c.xmpp.partners = next.xmpp.partners;
  for (auto& p : c.xmpp.partners) {
    if (const partner_config* was = find_partner(running, p.domain)) p.presence = was->presence;
  }
  c.sip.trusted_peers = next.sip.trusted_peers;
  c.sip.trusted_certificate_names = next.sip.trusted_certificate_names;
  return c;
}

std::string_view to_string(reload_outcome::result r) {
  switch (r) {
    case reload_outcome::result::applied:
      return "applied";
    case reload_outcome::result::unchanged:
      return "unchanged";
    case reload_outcome::result::rejected:
      return "rejected";
  }
  return "?";
}

std::string to_json(const reload_outcome& o) {
  using nlohmann::json;
  json changed = json::array();
  for (const auto& c : o.diff.changed)
    changed.push_back(json{{"domain", c.domain}, {"keys", c.keys}});
  return json{{"result", std::string(to_string(o.what))},
              {"added", o.diff.added},
              {"removed", o.diff.removed},
              {"changed", changed},
              {"live", o.diff.live},
              {"needs_restart", o.diff.needs_restart},
              {"errors", o.errors}}
      .dump();
}

config_reloader::config_reloader(config running, apply_fn apply) : apply_(std::move(apply)) {
  bool ok = false;
  running_text_ = read_text(running.source, ok);
  running_ = std::make_shared<const config>(std::move(running));
}

std::shared_ptr<const config> config_reloader::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

reload_outcome config_reloader::reload() {
  std::lock_guard<std::mutex> lock(mutex_);
  reload_outcome o;
  const std::filesystem::path& file = running_->source;
  bool readable = false;
  std::string text = read_text(file, readable);
  config_result r;
  if (!readable) {
    r.errors.push_back(config_error{"", 0, 0, "cannot open config file"});
  } else {
    r = load_config_string(text, std::filesystem::absolute(file).parent_path(), file);
    if (r.ok()) {
      auto tls_errors = check_tls_files(r.cfg);
      r.errors.insert(r.errors.end(), tls_errors.begin(), tls_errors.end());
    }
  }
  if (!r.ok()) {
    o.what = reload_outcome::result::rejected;
    for (const auto& e : r.errors)
      o.errors.push_back(format_error(e, file));
    return o;
  }
  o.diff = diff_configs(*running_, r.cfg, running_text_, text);
  if (!o.diff.applies()) return o;  // unchanged (perhaps with keys that need a restart)
  auto effective = std::make_shared<const config>(apply_live(*running_, r.cfg));
  if (apply_) apply_(*effective, o.diff);
  // running_text_ stays: the sections it covers all need a restart, so the running values are
  // still the first file's.
  running_ = std::move(effective);
  o.what = reload_outcome::result::applied;
  return o;
}

std::string config_reloader::reload_and_report(std::string_view trigger) {
  reload_outcome o = reload();
  metrics::config_reloads().inc(metric_of(o.what));
  std::string file = running()->source.string();
  if (o.what == reload_outcome::result::rejected) {
    log::error("config reload rejected: the file does not load; nothing changed",
               {{"trigger", trigger}, {"config", file}, {"errors", o.errors.size()}});
    for (const auto& e : o.errors)
      log::error("config error", {{"trigger", trigger}, {"error", e}});
    return to_json(o);
  }
  std::vector<std::string> changed;
  for (const auto& c : o.diff.changed)
    changed.push_back(c.domain + "(" + join(c.keys) + ")");
  log::info(o.what == reload_outcome::result::applied ? "config reloaded"
                                                      : "config reloaded: nothing live changed",
            {{"trigger", trigger},
             {"config", file},
             {"added", join(o.diff.added)},
             {"removed", join(o.diff.removed)},
             {"changed", join(changed)},
             {"live", join(o.diff.live)},
             {"needs_restart", join(o.diff.needs_restart)}});
  if (!o.diff.needs_restart.empty()) {
    log::warn("config reload: these keys need a restart and keep their running values",
              {{"trigger", trigger}, {"keys", join(o.diff.needs_restart)}});
  }
  return to_json(o);
}

}  // namespace fedgate::app
