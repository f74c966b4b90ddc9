#include "app/config.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "app/internal/toml_reader.hpp"

namespace fedgate::app {
namespace {

using internal::toml_reader;

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// RFC 1035 §2.3.1 host name (letters, digits, hyphens; labels of 1..63; at most 253 in all).
// Domains in the config are ASCII (IDNs in their A-label form, "xn--...").
bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  char prev = '.';
  for (char c : name) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "host:port" or "[v6]:port". `need_ip`: listeners bind to an address, not a name.
std::optional<endpoint> parse_endpoint(const std::string& text, bool need_ip, std::string& why) {
  std::string host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      why = "expected \"[ipv6]:port\", got \"" + text + "\"";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    unsigned char buf[16];
    if (inet_pton(AF_INET6, host.c_str(), buf) != 1) {
      why = "\"" + host + "\" is not an IPv6 address";
      return std::nullopt;
    }
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      why = "expected \"host:port\" (IPv6 as \"[addr]:port\"), got \"" + text + "\"";
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (need_ip && !is_ip_literal(host)) {
      why = "\"" + host + "\" is not an IP address (listeners bind to an address)";
      return std::nullopt;
    }
    if (!need_ip && !is_ip_literal(host) && !is_dns_name(host)) {
      why = "\"" + host + "\" is neither an IP address nor a host name";
      return std::nullopt;
    }
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
    why = "port \"" + port + "\" is not a number";
    return std::nullopt;
  }
  unsigned long p = std::stoul(port);
  if (p == 0 || p > 65535) {
    why = "port " + port + " is out of range 1..65535";
    return std::nullopt;
  }
  return endpoint{lower(host), static_cast<std::uint16_t>(p)};
}

bool is_cidr(const std::string& text) {
  auto slash = text.find('/');
  std::string addr = text.substr(0, slash);
  unsigned char buf[16];
  int max_len = 0;
  if (inet_pton(AF_INET, addr.c_str(), buf) == 1) {
    max_len = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1) {
    max_len = 128;
  } else {
    return false;
  }
  if (slash == std::string::npos) return true;
  std::string len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3 ||
      !std::all_of(len.begin(), len.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return false;
  }
  return std::stoi(len) <= max_len;
}

void read_endpoints(toml_reader& r, std::string_view key, bool need_ip,
                    std::vector<endpoint>& out) {
  std::vector<std::string> texts;
  if (!r.read(key, texts)) return;
  std::vector<endpoint> eps;
  for (const auto& t : texts) {
    std::string why;
    if (auto ep = parse_endpoint(t, need_ip, why)) {
      eps.push_back(*ep);
    } else {
      r.error(key, why);
      return;
    }
  }
  out = std::move(eps);
}

void read_domain(toml_reader& r, std::string_view key, std::string& out, bool required) {
  std::string d;
  if (!r.read(key, d)) {
    if (required && out.empty()) r.error(key, "is required");
    return;
  }
  d = lower(d);
  if (!d.empty() && d.back() == '.') d.pop_back();  // RFC 7622 §3.2: no trailing dot
  if (!is_dns_name(d)) {
    r.error(key, "\"" + d + "\" is not a valid domain name (IDNs in A-label form, xn--...)");
    return;
  }
  out = d;
}

// A file the gateway must be able to read at start-up.
void read_file_path(toml_reader& r, std::string_view key, const std::filesystem::path& base,
                    std::filesystem::path& out) {
  std::string p;
  if (!r.read(key, p) || p.empty()) return;
  std::filesystem::path full = base / p;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(full, ec)) {
    r.error(key, "file \"" + full.string() + "\" does not exist or is not a regular file");
    return;
  }
  if (!std::ifstream(full).good()) {
    r.error(key, "file \"" + full.string() + "\" is not readable");
    return;
  }
  out = full.lexically_normal();
}

void read_certificate_pair(toml_reader& r, const std::filesystem::path& base,
                           std::filesystem::path& certificate, std::filesystem::path& key) {
  read_file_path(r, "certificate", base, certificate);
  read_file_path(r, "key", base, key);
  std::string cert_text, key_text;
  r.read("certificate", cert_text);
  r.read("key", key_text);
  if (cert_text.empty() != key_text.empty()) {
    r.error(cert_text.empty() ? "certificate" : "key",
            "certificate and key go together: set both, or neither for a generated "
            "self-signed pair");
  }
}

void read_tls_files(toml_reader& r, const std::filesystem::path& base, tls_files& out) {
  read_certificate_pair(r, base, out.certificate, out.key);
  read_file_path(r, "ca_file", base, out.ca_file);
}

const std::initializer_list<std::pair<std::string_view, negotiation>> negotiation_choices = {
    {"required", negotiation::required},
    {"optional", negotiation::optional},
    {"never", negotiation::never}};

void read_general(toml_reader& r, const std::filesystem::path& base, general_config& g) {
  std::string state;
  if (r.read("state_dir", state)) {
    if (state.empty()) {
      r.error("state_dir", "must not be empty");
    } else {
      g.state_dir = (base / state).lexically_normal();
    }
  }
  r.read_unsigned("worker_threads", g.worker_threads, 0, 1024);
  r.read_enum("log_level", g.level,
              {{"trace", log_level::trace},
               {"debug", log_level::debug},
               {"info", log_level::info},
               {"warn", log_level::warn},
               {"error", log_level::error}});
  r.read_enum("log_format", g.format, {{"logfmt", log_format::logfmt}, {"json", log_format::json}});
  r.finish();
}

// Lync/SfB gateway rules (Set-CsXmppAllowedPartner): SASL needs TLS, and a partner must have at
// least one way to authenticate. A combination that can never succeed is refused here rather
// than discovered as a failing federation.
void check_partner_policy(toml_reader& r, const partner_config& p) {
  if (p.sasl_external != negotiation::never && p.tls == negotiation::never) {
    r.error("sasl_external", "SASL EXTERNAL needs TLS, but tls = \"never\"");
  }
  if (p.sasl_external == negotiation::required && p.tls != negotiation::required) {
    r.error("sasl_external", "sasl_external = \"required\" needs tls = \"required\"");
  }
  if (p.sasl_external == negotiation::never && !p.dialback) {
    r.error("dialback",
            "no way to authenticate this partner: dialback = false and sasl_external = \"never\"");
  }
}

const std::initializer_list<std::pair<std::string_view, presence_authorisation>>
    presence_authorisation_names = {{"auto", presence_authorisation::automatic},
                                    {"forward", presence_authorisation::forward},
                                    {"refuse", presence_authorisation::refuse}};

void read_partner(toml_reader& r, partner_config& p) {
  read_domain(r, "domain", p.domain, true);
  r.read_enum("tls", p.tls, negotiation_choices);
  r.read_enum("sasl_external", p.sasl_external, negotiation_choices);
  r.read("dialback", p.dialback);
  read_endpoints(r, "routes", false, p.routes);
  r.read("direct_tls", p.direct_tls);
  if (p.direct_tls && p.tls == negotiation::never) {
    r.error("direct_tls", "direct TLS (XEP-0368) with tls = \"never\" cannot work");
  }
  r.read_unsigned("max_connections", p.max_connections, 1, 1000);
  presence_authorisation a{};
  if (r.read_enum("presence", a, presence_authorisation_names)) p.presence = a;
  check_partner_policy(r, p);
  r.finish();
}

void read_xmpp(toml_reader& r, const std::filesystem::path& base, xmpp_config& x) {
  read_endpoints(r, "listen", true, x.listen);
  read_endpoints(r, "direct_tls_listen", true, x.direct_tls_listen);
  read_tls_files(r, base, x.tls);
  r.read_enum("federation", x.federation,
              {{"allowlist", federation_mode::allowlist}, {"open", federation_mode::open}});
  std::vector<std::string> deny;
  if (r.read("deny", deny)) {
    for (auto& d : deny) {
      d = lower(d);
      if (!is_dns_name(d)) r.error("deny", "\"" + d + "\" is not a valid domain name");
    }
    x.deny = std::move(deny);
  }
  r.read_unsigned("max_connections", x.max_connections, 1, 1000000);
  r.read_unsigned("max_stanza_bytes", x.max_stanza_bytes, 1024, 64 * 1024 * 1024);
  r.read_unsigned("max_depth", x.max_depth, 2, 1024);
  r.read_unsigned("max_attributes", x.max_attributes, 4, 4096);
  if (r.read("dialback_secret", x.dialback_secret) && !x.dialback_secret.empty() &&
      x.dialback_secret.size() < 16) {
    r.error("dialback_secret", "must be at least 16 characters (or empty to generate one)");
  }
  r.read_unsigned("connect_timeout_ms", x.connect_timeout_ms, 100, 600000);
  r.read_unsigned("establish_timeout_ms", x.establish_timeout_ms, 100, 600000);
  r.read_unsigned("keepalive_interval_ms", x.keepalive_interval_ms, 1000, 3600000);
  r.read_unsigned("idle_timeout_ms", x.idle_timeout_ms, 1000, 86400000);
  r.read_unsigned("queue_timeout_ms", x.queue_timeout_ms, 100, 3600000);
  r.read_unsigned("queue_max", x.queue_max, 1, 1000000);
  r.read_unsigned("backoff_initial_ms", x.backoff_initial_ms, 10, 600000);
  r.read_unsigned("backoff_max_ms", x.backoff_max_ms, 10, 3600000);
  if (x.backoff_max_ms < x.backoff_initial_ms) {
    r.error("backoff_max_ms", "must not be smaller than backoff_initial_ms");
  }

  std::set<std::string> seen;
  for (auto& pr : r.tables("partners")) {
    partner_config p;
    read_partner(pr, p);
    if (p.domain.empty()) continue;
    if (!seen.insert(p.domain).second) {
      pr.error("domain", "partner \"" + p.domain + "\" is configured twice");
    }
    if (std::find(x.deny.begin(), x.deny.end(), p.domain) != x.deny.end()) {
      pr.error("domain", "partner \"" + p.domain + "\" is also on xmpp.deny");
    }
    x.partners.push_back(std::move(p));
  }
  r.finish();
}

void read_sip(toml_reader& r, const std::filesystem::path& base, sip_config& s) {
  read_endpoints(r, "udp_listen", true, s.udp_listen);
  read_endpoints(r, "tcp_listen", true, s.tcp_listen);
  read_endpoints(r, "tls_listen", true, s.tls_listen);
  read_tls_files(r, base, s.tls);
  if (r.read("outbound_proxy", s.outbound_proxy) && !s.outbound_proxy.empty()) {
    std::string_view v = s.outbound_proxy;
    if (v.rfind("sip:", 0) != 0 && v.rfind("sips:", 0) != 0) {
      r.error("outbound_proxy", "expected a sip: or sips: URI, got \"" + s.outbound_proxy + "\"");
    }
  }
  std::vector<std::string> peers;
  if (r.read("trusted_peers", peers)) {
    for (const auto& p : peers) {
      if (!is_cidr(p)) {
        r.error("trusted_peers", "\"" + p + "\" is not an IP address or CIDR (e.g. 10.0.0.0/8)");
      }
    }
    s.trusted_peers = std::move(peers);
  }
  r.read_unsigned("max_message_bytes", s.max_message_bytes, 1024, 16 * 1024 * 1024);
  r.read_unsigned("max_headers", s.max_headers, 16, 4096);
  r.read_unsigned("t1_ms", s.t1_ms, 10, 60000);
  r.read_unsigned("t2_ms", s.t2_ms, 10, 600000);
  r.read_unsigned("t4_ms", s.t4_ms, 10, 600000);
  if (s.t2_ms < s.t1_ms) r.error("t2_ms", "must not be smaller than t1_ms (RFC 3261 §17.1.2.2)");
  r.read_unsigned("tcp_idle_timeout", s.tcp_idle_timeout, 1, 86400);
  r.read("trusted_certificate_names", s.trusted_certificate_names);
  for (auto& rr : r.tables("routes")) {
    sip_config::route route;
    rr.read("domain", route.domain);
    rr.read("uri", route.uri);
    if (route.domain.empty()) rr.error("domain", "a SIP route needs a domain");
    if (route.uri.rfind("sip:", 0) != 0 && route.uri.rfind("sips:", 0) != 0) {
      rr.error("uri", "expected a sip: or sips: URI, got \"" + route.uri + "\"");
    }
    rr.finish();
    s.routes.push_back(std::move(route));
  }
  r.finish();
}

void read_dns(toml_reader& r, dns_config& d) {
  if (r.read("servers", d.servers)) {
    std::string rest = d.servers;
    std::size_t start = 0;
    while (start <= rest.size() && !rest.empty()) {
      auto comma = rest.find(',', start);
      std::string one =
          rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      std::string why;
      if (!parse_endpoint(one, true, why) && !is_cidr(one)) {
        r.error("servers", "\"" + one + "\" is not an address or address:port");
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  r.read_unsigned("timeout_ms", d.timeout_ms, 100, 60000);
  r.read_unsigned("tries", d.tries, 1, 10);
  r.finish();
}

void read_presence(toml_reader& r, presence_config& p) {
  r.read_enum("authorisation", p.authorisation, presence_authorisation_names);
  r.read_unsigned("subscribe_expires_s", p.subscribe_expires_s, 60, 604800);
  r.read_unsigned("watcher_min_expires_s", p.watcher_min_expires_s, 1, 86400);
  r.read_unsigned("watcher_max_expires_s", p.watcher_max_expires_s, 1, 604800);
  if (p.watcher_max_expires_s < p.watcher_min_expires_s) {
    r.error("watcher_max_expires_s", "must not be smaller than watcher_min_expires_s");
  }
  r.read_unsigned("coalesce_ms", p.coalesce_ms, 0, 600000);
  r.read_unsigned("partner_rate_per_second", p.partner_rate_per_second, 0, 1000000);
  r.read_unsigned("max_watchers", p.max_watchers, 1, 10000000);
  r.read_unsigned("max_fanout_per_message", p.max_fanout_per_message, 1, 1000000);
  r.read_unsigned("resubscribe_backoff_s", p.resubscribe_backoff_s, 1, 3600);
  if (r.read("store", p.store) && p.store != "sqlite" && p.store != "memory") {
    r.error("store", "expected one of sqlite, memory, got \"" + p.store + "\"");
  }
  r.finish();
}

void read_im(toml_reader& r, im_config& im) {
  r.read_unsigned("shards", im.shards, 1, 256);
  r.read_unsigned("session_idle_timeout_ms", im.session_idle_timeout_ms, 1000, 86400000);
  r.read_unsigned("delivery_timeout_ms", im.delivery_timeout_ms, 100, 31000);
  r.read_unsigned("error_window_ms", im.error_window_ms, 0, 30000);
  r.read_unsigned("session_queue_max", im.session_queue_max, 1, 1000000);
  r.read_unsigned("max_body_bytes", im.max_body_bytes, 1, 16 * 1024 * 1024);
  r.read("chat_states_to_sip", im.chat_states_to_sip);
  r.finish();
}

void read_metrics(toml_reader& r, metrics_config& m) {
  std::string listen;
  if (r.read("listen", listen)) {
    if (listen.empty()) {
      m.listen.reset();
    } else {
      std::string why;
      if (auto ep = parse_endpoint(listen, true, why)) {
        m.listen = *ep;
      } else {
        r.error("listen", why);
      }
    }
  }
  r.finish();
}

void check_whole(toml_reader& root, config& c) {
  if (c.general.state_dir.empty()) root.error("general.state_dir", "is required");
  if (c.domains.empty()) {
    root.error("domains", "at least one [[domains]] entry (sip = ..., xmpp = ...) is required");
  }
  std::set<std::string> xmpp_domains;
  for (const auto& d : c.domains) {
    if (!xmpp_domains.insert(d.xmpp).second) {
      root.error("domains", "XMPP domain \"" + d.xmpp + "\" is mapped twice");
    }
  }
  if (std::uint64_t timer_f = 64ull * c.sip.t1_ms;
      c.im.delivery_timeout_ms + c.im.error_window_ms >= timer_f) {
    root.error("im.delivery_timeout_ms",
               "delivery_timeout_ms + error_window_ms must stay below SIP timer F (64 * sip.t1_ms "
               "= " +
                   std::to_string(timer_f) +
                   " ms), or SIP senders give up before fedgate "
                   "answers");
  }
  for (const auto& p : c.xmpp.partners) {
    if (xmpp_domains.count(p.domain)) {
      root.error("xmpp.partners", "\"" + p.domain + "\" is one of our own domains, not a partner");
    }
  }
}

}  // namespace

std::string endpoint::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::string_view to_string(negotiation n) {
  switch (n) {
    case negotiation::required:
      return "required";
    case negotiation::optional:
      return "optional";
    case negotiation::never:
      return "never";
  }
  return "?";
}

config_result load_config_string(std::string_view text, const std::filesystem::path& base_dir,
                                 const std::filesystem::path& source_name) {
  config_result result;
  result.cfg.source = source_name;
  toml::table root;
  try {
    root = toml::parse(text, source_name.string());
  } catch (const toml::parse_error& e) {
    result.errors.push_back(config_error{"", e.source().begin.line, e.source().begin.column,
                                         "TOML syntax: " + std::string(e.description())});
    return result;
  }
  auto& errors = result.errors;
  config& c = result.cfg;
  toml_reader r(root, "", errors);
  if (auto g = r.table("general")) read_general(*g, base_dir, c.general);
  for (auto& dr : r.tables("domains")) {
    domain_pair d;
    read_domain(dr, "sip", d.sip, true);
    read_domain(dr, "xmpp", d.xmpp, true);
    dr.read_enum("im_mode", d.im, {{"pager", im_mode::pager}, {"session", im_mode::session}});
    read_certificate_pair(dr, base_dir, d.certificate, d.key);
    dr.finish();
    if (!d.sip.empty() && !d.xmpp.empty()) c.domains.push_back(std::move(d));
  }
  if (auto x = r.table("xmpp")) read_xmpp(*x, base_dir, c.xmpp);
  if (auto s = r.table("sip")) read_sip(*s, base_dir, c.sip);
  if (auto d = r.table("dns")) read_dns(*d, c.dns);
  if (auto i = r.table("im")) read_im(*i, c.im);
  if (auto p = r.table("presence")) read_presence(*p, c.presence);
  if (auto m = r.table("metrics")) read_metrics(*m, c.metrics);
  r.finish();
  check_whole(r, c);
  return result;
}

config_result load_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    config_result result;
    result.cfg.source = path;
    result.errors.push_back(config_error{"", 0, 0, "cannot open config file"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::filesystem::path base = std::filesystem::absolute(path).parent_path();
  return load_config_string(text.str(), base, path);
}

std::string format_error(const config_error& e, const std::filesystem::path& file) {
  std::string out = file.string();
  if (e.line > 0) out += ":" + std::to_string(e.line) + ":" + std::to_string(e.column);
  out += ": ";
  if (!e.key.empty()) out += e.key + ": ";
  out += e.message;
  return out;
}

}  // namespace fedgate::app
