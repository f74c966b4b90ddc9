#pragma once
// A tiny authoritative DNS responder on 127.0.0.1 (UDP, one thread) for tests: answers SRV, A and
// AAAA from a table the test fills, NXDOMAIN for unknown names, NODATA for known names without
// records of the asked type, SERVFAIL or silence (the client times out) when told to. Used by the
// resolver tests and by the SIP RFC 3263 interop test (the harness's c-ares points at it).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fedgate::testing {

class fake_dns_server {
 public:
  enum class behaviour { answer, servfail, drop };

  fake_dns_server();  // binds 127.0.0.1:0; check ok()
  ~fake_dns_server();
  fake_dns_server(const fake_dns_server&) = delete;
  fake_dns_server& operator=(const fake_dns_server&) = delete;

  bool ok() const { return fd_ >= 0; }
  std::uint16_t port() const { return port_; }
  /// "127.0.0.1:PORT", for ares_set_servers_ports_csv / resolver_options::servers.
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void add_srv(const std::string& name, std::uint16_t priority, std::uint16_t weight,
               std::uint16_t port, const std::string& target);
  void add_a(const std::string& name, const std::string& address);
  void add_aaaa(const std::string& name, const std::string& address);
  /// SERVFAIL or no answer at all for `type` ("SRV", "A", "AAAA") of `name`.
  void set_behaviour(const std::string& name, const std::string& type, behaviour b);
  /// Queries seen for name/type so far.
  int queries(const std::string& name, const std::string& type) const;
  /// Waits (bounded) until at least `n` queries for name/type arrived; false at the deadline.
  bool wait_for_queries(const std::string& name, const std::string& type, int n,
                        std::chrono::milliseconds timeout) const;

 private:
  void serve();
  std::string answer(const std::string& packet);

  struct rr {
    std::uint16_t type;
    std::string rdata;
  };
  int fd_ = -1;
  std::uint16_t port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable seen_;
  std::map<std::string, std::vector<rr>> records_;
  std::map<std::string, behaviour> behaviours_;  // key: name + "/" + type number
  std::map<std::string, int> counts_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fedgate::testing
