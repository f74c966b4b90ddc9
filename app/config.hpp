#pragma once
// fedgate's configuration: the typed model of config/fedgate.toml and its loader.
//
// Why a typed model validated in one place: operators debug federation from error messages, so
// every problem in the file (unknown key, wrong type, bad address, missing certificate, a policy
// combination that cannot work) is reported with its key path and line, all at once, before
// anything starts. Nothing is silently ignored and nothing in here throws on bad input.
//
// Relative paths in the file are relative to the directory of the file itself, so a config
// works the same whatever the current directory is.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedgate::app {

// A "host:port" listener or target. IPv6 literals are written "[::1]:5269".
struct endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const;
};

enum class log_format { logfmt, json };
enum class log_level { trace, debug, info, warn, error };

// Lync/SfB XMPP gateway policy values (Set-CsXmppAllowedPartner): a capability is required,
// optional (used when the peer offers it) or never used.
enum class negotiation { required, optional, never };
std::string_view to_string(negotiation n);

enum class federation_mode { allowlist, open };

// Who decides when an XMPP contact asks to see a local user's presence (docs/presence.md):
// fedgate at once (automatic), the SIP side's presence server (forward), or nobody (refuse).
enum class presence_authorisation { automatic, forward, refuse };

struct general_config {
  std::filesystem::path state_dir;  // certificates and secrets generated on first start
  unsigned worker_threads = 0;      // CAF scheduler threads; 0 = one per core
  log_level level = log_level::info;
  log_format format = log_format::logfmt;
};

// How IM reaches the SIP users of a domain: single MESSAGEs (RFC 3428 pager mode) or Skype for
// Business style sessions (INVITE with an m=message SDP, MESSAGEs in the dialog, BYE).
enum class im_mode { pager, session };

// A local user population: SIP users of `sip` appear on the XMPP side as users of `xmpp`.
struct domain_pair {
  std::string sip;
  std::string xmpp;
  // The certificate presented for `xmpp` (chosen by SNI on inbound TLS); empty: xmpp.certificate.
  std::filesystem::path certificate;
  std::filesystem::path key;
  im_mode im = im_mode::pager;
};

// Certificate and key in PEM. Empty certificate and key: a self-signed pair is generated in the
// state directory on first start. Empty ca_file: the system's trust store.
struct tls_files {
  std::filesystem::path certificate;
  std::filesystem::path key;
  std::filesystem::path ca_file;
};

struct partner_config {
  std::string domain;
  negotiation tls = negotiation::required;
  negotiation sasl_external = negotiation::optional;
  bool dialback = true;
  std::vector<endpoint> routes;  // static routes, tried in order; empty = DNS SRV
  bool direct_tls = false;       // the routes speak TLS from the first byte (XEP-0368)
  unsigned max_connections = 4;  // inbound streams authenticated for this partner
  // Presence subscriptions from this partner's users; unset: presence.authorisation.
  std::optional<presence_authorisation> presence;
};

struct xmpp_config {
  std::vector<endpoint> listen{{"127.0.0.1", 5269}};
  std::vector<endpoint> direct_tls_listen;  // XEP-0368; empty = off
  tls_files tls;
  federation_mode federation = federation_mode::allowlist;
  std::vector<std::string> deny;
  unsigned max_connections = 1000;
  std::size_t max_stanza_bytes = 256 * 1024;
  std::size_t max_depth = 32;
  std::size_t max_attributes = 64;
  std::vector<partner_config> partners;
  // XEP-0185 secret for dialback keys; empty: generated once into the state directory.
  std::string dialback_secret;
  // Timers and queues (milliseconds).
  unsigned connect_timeout_ms = 10000;     // per TCP target
  unsigned establish_timeout_ms = 30000;   // a stream must authenticate within this
  unsigned keepalive_interval_ms = 60000;  // whitespace keepalive on outbound streams
  unsigned idle_timeout_ms = 600000;       // a stream with no stanza for this long is closed
  unsigned queue_timeout_ms = 30000;       // a stanza waits this long for a stream, then bounces
  std::size_t queue_max = 1000;            // stanzas queued per partner and local domain
  unsigned backoff_initial_ms = 1000;      // reconnect backoff: doubles per failure, with jitter
  unsigned backoff_max_ms = 60000;
};

struct sip_config {
  std::vector<endpoint> udp_listen{{"127.0.0.1", 5060}};
  std::vector<endpoint> tcp_listen{{"127.0.0.1", 5060}};
  std::vector<endpoint> tls_listen{{"127.0.0.1", 5061}};
  tls_files tls;
  std::string outbound_proxy;              // a SIP URI; empty = RFC 3263 resolution
  std::vector<std::string> trusted_peers;  // addresses or CIDRs allowed to send requests
  std::size_t max_message_bytes = 65535;
  std::size_t max_headers = 256;
  // RFC 3261 §17.1.1.1 timers (ms) and the idle time after which an unused TCP/TLS connection
  // is closed (seconds).
  unsigned t1_ms = 500;
  unsigned t2_ms = 4000;
  unsigned t4_ms = 5000;
  unsigned tcp_idle_timeout = 300;
  // TLS peers whose verified certificate carries one of these names (RFC 6125 DNS-ID) are
  // trusted like trusted_peers (Skype for Business pools, MTLS).
  std::vector<std::string> trusted_certificate_names;
  // [[sip.routes]]: requests for `domain` go to `uri` (sip:IP[:port][;transport=tcp] or
  // sips:...), overriding the outbound proxy and RFC 3263.
  struct route {
    std::string domain;
    std::string uri;
  };
  std::vector<route> routes;
};

// DNS for partners without static routes (SRV, A/AAAA via c-ares).
struct dns_config {
  std::string servers;  // "127.0.0.1:5353,[::1]:53"; empty: /etc/resolv.conf
  unsigned timeout_ms = 2000;
  unsigned tries = 2;
};

// Instant messaging between the sides (docs/im.md): router shards, session lifetime, the
// timers behind "every SIP MESSAGE is answered", per-conversation queue, message size.
struct im_config {
  unsigned shards = 4;
  unsigned session_idle_timeout_ms = 600000;
  unsigned delivery_timeout_ms = 25000;  // below SIP timer F (32 s)
  unsigned error_window_ms = 200;        // below T1 (500): see docs/im.md
  std::size_t session_queue_max = 1000;
  std::size_t max_body_bytes = 65536;  // bodies + subjects; larger: policy-violation / 513
  bool chat_states_to_sip = true;
};

// Presence between the sides (docs/presence.md): authorisation default, SIP subscription
// timers, storm control and the subscription store.
struct presence_config {
  presence_authorisation authorisation = presence_authorisation::forward;
  unsigned subscribe_expires_s = 3600;  // asked for in fedgate's SUBSCRIBEs to the SIP side
  unsigned watcher_min_expires_s = 60;  // SIP watchers: below -> 423 with Min-Expires
  unsigned watcher_max_expires_s = 3600;
  unsigned coalesce_ms = 1000;               // changes within this window merge (the last wins)
  unsigned partner_rate_per_second = 200;    // presence stanzas + NOTIFYs per partner domain
  std::size_t max_watchers = 10000;          // per user or contact
  std::size_t max_fanout_per_message = 256;  // stanzas/NOTIFYs per flush before a follow-up
  unsigned resubscribe_backoff_s = 5;        // after a failed SIP subscription, doubled per failure
  std::string store = "sqlite";              // sqlite (state_dir/presence.db) | memory
};

struct metrics_config {
  std::optional<endpoint> listen = endpoint{"127.0.0.1", 9464};  // nullopt = off
};

struct config {
  std::filesystem::path source;  // the file it was read from
  general_config general;
  std::vector<domain_pair> domains;
  xmpp_config xmpp;
  sip_config sip;
  dns_config dns;
  im_config im;
  presence_config presence;
  metrics_config metrics;
};

struct config_error {
  std::string key;       // dotted key path, e.g. "xmpp.partners[1].tls"
  std::size_t line = 0;  // 1-based; 0 when the problem has no single place in the file
  std::size_t column = 0;
  std::string message;
};

struct config_result {
  config cfg;
  std::vector<config_error> errors;
  bool ok() const { return errors.empty(); }
};

// Reads and validates a config file. Never throws; every problem found is in `errors`.
config_result load_config_file(const std::filesystem::path& path);

// Same, from text (tests); `base_dir` anchors relative paths.
config_result load_config_string(std::string_view text, const std::filesystem::path& base_dir,
                                 const std::filesystem::path& source_name = "<string>");

// "fedgate.toml:12:3: xmpp.partners[0].tls: expected one of required, optional, never"
std::string format_error(const config_error& e, const std::filesystem::path& file);

}  // namespace fedgate::app
