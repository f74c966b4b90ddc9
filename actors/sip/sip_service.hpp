#pragma once
// The SIP side of fedgate, started and stopped as one unit: UDP/TCP/TLS listeners, the codec
// actors that parse and serialise (on the worker pool), the sharded transaction layer, and the
// connection registry that reuses outbound TCP/TLS connections.
//
//   UDP socket ─► udp codec actors ─┐                            ┌─► handler (router / harness)
//   TCP/TLS broker ─► stream codec ─┼─► transaction shard (hash of branch) ─┤
//                                   │   trust 403, parse 400 here   404/405/416/483 here
//   connection registry ◄───────────┘ (outbound TCP/TLS: reuse, idle timeout)
//
// One message hop from codec to shard; the shard answers through the peer's flow directly.
// app/ fills a sip_service_config from the TOML config (see docs/sip.md for the mapping).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/sip/messages.hpp"
#include "actors/sip/policy.hpp"
#include "actors/sip/transaction_table.hpp"
#include "codecs/sip/limits.hpp"
#include "transport/dns/resolver.hpp"

namespace fedgate::tls {
class tls_context;
}

namespace fedgate::sip_layer {

struct listen_point {
  std::string host;        // numeric address
  std::uint16_t port = 0;  // 0 = any free port (tests)
};

/// A static next hop for a domain (overrides DNS, RFC 3263 is not consulted for it).
struct static_route {
  std::string domain;
  peer hop;  // transport, address, port
};

/// RFC 3261 §18.1.1: fedgate does not know the path MTU, so a request whose serialised size (our
/// Via included) is larger than this, and whose next hop is UDP, goes over TCP to the same
/// address and port instead (Via transport TCP). Responses keep the transport of the request's
/// Via. Fixed by the RFC, hence no config key.
inline constexpr std::size_t max_udp_request_bytes = 1300;

struct sip_service_config {
  std::vector<listen_point> udp, tcp, tls;
  request_policy policy;
  std::vector<std::string> trusted_peers;              // addresses/CIDRs
  std::vector<std::string> trusted_certificate_names;  // TLS peers whose verified cert matches
  std::string outbound_proxy;  // "sip:10.0.0.5:5060;transport=tcp" or "sips:proxy.example.com"
  std::vector<static_route> routes;
  timer_settings timers;
  std::chrono::milliseconds tcp_idle_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  sip::limits limits;
  std::size_t shards = 4;
  std::size_t udp_codecs = 2;
  std::shared_ptr<tls::tls_context> tls_context;  // required when `tls` listeners are configured
  // RFC 3263 resolution of host names (Request-URI, first Route, outbound proxy). nullptr: the
  // service makes one from `dns` (system resolv.conf when dns.servers is empty).
  std::shared_ptr<dns::resolver> resolver;
  dns::resolver_options dns;
};

struct live_policy_slot;  // sip_service.cpp

/// What a config reload changes while the service runs: the domains requests may be addressed to
/// (the XMPP partners, or any in open federation) and who may send them. Takes effect with the
/// next request; methods, limits and listeners stay as started.
struct sip_live_policy {
  std::vector<std::string> served_domains;
  bool serve_any_domain = false;
  std::vector<std::string> trusted_peers;
  std::vector<std::string> trusted_certificate_names;
};

struct sip_service {
  std::vector<caf::actor> shards;
  caf::actor registry;
  std::vector<caf::actor> udp_sockets;
  std::vector<caf::actor> listeners;                           // TCP and TLS listener brokers
  std::vector<std::uint16_t> udp_ports, tcp_ports, tls_ports;  // bound ports, config order
  std::string error;  // non-empty: start failed (everything started was stopped)
  std::shared_ptr<live_policy_slot> live;  // what update_sip_policy() changes
  bool ok() const { return error.empty(); }
};

/// Applies a reloaded policy (thread-safe; any thread).
void update_sip_policy(const sip_service& svc, const sip_live_policy& p);

/// Starts listeners and actors; `handler` receives incoming requests (messages.hpp).
sip_service start_sip_service(caf::actor_system& sys, const sip_service_config& cfg,
                              caf::actor handler);

/// Closes listeners and sockets and stops the actors. In-flight transactions end unanswered
/// (SIGTERM draining with 503 is the gateway's job before it calls this).
void stop_sip_service(sip_service& svc);

/// The shard to send an outgoing_request to (any shard works; this spreads the load).
caf::actor pick_shard(const sip_service& svc, std::string_view key);

/// Parses "sip:host[:port][;transport=x]" (host numeric) into a next hop; sips: means TLS.
/// Host names give nullopt (they need RFC 3263, locator.hpp).
std::optional<peer> peer_from_uri(std::string_view uri_text);

}  // namespace fedgate::sip_layer
