#pragma once
// An asynchronous DNS resolver for SRV (RFC 2782), A and AAAA records on c-ares, knowing no
// protocol: SIP (RFC 3263) and XMPP (RFC 6120 §3.2, `_xmpp-server._tcp`, XEP-0368
// `_xmpps-server._tcp`) build their service names and policies on top of it.
//
// Threading: a resolver owns one c-ares channel and one thread that runs it (poll(2) on the
// c-ares sockets plus an eventfd that wakes it for new queries; ares_process_fd() with the
// channel's own timeouts, so every query ends within about timeout * tries). The public calls
// may be made from any thread; they queue the query and return at once. Callbacks run on the
// resolver thread: they must be short and must not block or call back into this resolver
// synchronously in a way that waits (sending an actor message is the intended use; see
// resolver_actor.hpp for the message interface). Every callback is called exactly once, also
// when the resolver is destroyed with queries in flight (status::cancelled).
//
// Static overrides (from the config) win over DNS: a host or SRV name found in
// resolver_options is answered from there without a query.
//
// What it does not do: NAPTR (RFC 3403; optional in RFC 3263 and unused by the XMPP side),
// caching beyond what the system's recursive resolver does, DNSSEC, or TLSA.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace fedgate::dns {

enum class status : std::uint8_t {
  ok,
  not_found,       // NXDOMAIN, or the name exists without records of that type (NODATA)
  server_failure,  // SERVFAIL, REFUSED, a malformed answer, no server reachable
  timeout,         // no answer within timeout * tries
  cancelled,       // the resolver was destroyed first
  error,           // anything else (bad name, no servers, out of memory)
};
const char* to_string(status s);

struct srv_record {
  std::string target;  // without the trailing dot; "." means "service not available here"
  std::uint16_t port = 0;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
};

struct srv_result {
  status code = status::ok;
  std::string error;                // human-readable detail when code != ok
  std::vector<srv_record> records;  // RFC 2782 order (order_srv below)
  /// The only record is the "." target (RFC 2782): the service is decidedly not available at
  /// this domain; do not fall back to A/AAAA.
  bool service_unavailable = false;
};

struct host_result {
  status code = status::ok;
  std::string error;
  std::vector<std::string> addresses;  // numeric; IPv4 (A) first, then IPv6 (AAAA)
};

/// One place to try, in order: a host (SRV target or the domain itself), its port, and its
/// addresses (each address is a separate attempt for a caller that fails over).
struct service_target {
  std::string host;
  std::uint16_t port = 0;
  std::vector<std::string> addresses;
  bool from_srv = false;  // false: the A/AAAA fallback with the default port
};

struct service_result {
  status code = status::ok;
  std::string error;
  std::vector<service_target> targets;  // in the order to try; targets without addresses dropped
  bool service_unavailable = false;     // the "." SRV target (no fallback was tried)
};

struct resolver_options {
  /// "127.0.0.1:5353,[::1]:53" (ares_set_servers_ports_csv format); empty = /etc/resolv.conf.
  std::string servers;
  std::chrono::milliseconds timeout{2000};  // per try, per server
  int tries = 2;
  /// Static overrides: a host name -> numeric addresses; an SRV name ("_sip._tcp.example.com")
  /// -> records. Names are compared case-insensitively, a trailing dot ignored.
  std::map<std::string, std::vector<std::string>> hosts;
  std::map<std::string, std::vector<srv_record>> srv;
};

class resolver {
 public:
  explicit resolver(resolver_options options);
  ~resolver();  // cancels pending queries (their callbacks get status::cancelled), joins
  resolver(const resolver&) = delete;
  resolver& operator=(const resolver&) = delete;

  /// Empty when the channel is usable; otherwise every query fails with status::error.
  const std::string& init_error() const;

  /// SRV records of `name` ("_sip._udp.example.com"), ordered by RFC 2782.
  void resolve_srv(const std::string& name, std::function<void(srv_result)> done);

  /// A then AAAA records of `name` (both queried; addresses of either are enough). A numeric
  /// address is returned as is, without a query.
  void resolve_host(const std::string& name, std::function<void(host_result)> done);

  /// Where to reach `service` ("_xmpp-server._tcp", "_sip._udp") at `domain`: the SRV targets
  /// in RFC 2782 order with their addresses; with no SRV record (not_found) the domain's own
  /// A/AAAA with `default_port`. A "." target ends with service_unavailable and no targets.
  /// Other SRV failures (timeout, SERVFAIL) are reported, not papered over with a fallback.
  /// With `fallback_to_host` false, "no SRV record" ends as not_found (callers that try several
  /// services before the A/AAAA fallback, like RFC 3263 §4.1).
  void resolve_service(const std::string& service, const std::string& domain,
                       std::uint16_t default_port, std::function<void(service_result)> done,
                       bool fallback_to_host = true);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

/// RFC 2782 order: ascending priority; within one priority, a weighted random permutation (each
/// step picks a record with probability weight/sum, zero-weight records placed first so they
/// get a small chance, as the RFC's selection algorithm does).
std::vector<srv_record> order_srv(std::vector<srv_record> records, std::mt19937_64& rng);

/// Lower case, trailing dot removed: the key form of names in overrides.
std::string normalize_name(const std::string& name);

}  // namespace fedgate::dns
