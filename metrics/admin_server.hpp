#pragma once
// The admin HTTP listener (metrics.listen, default 127.0.0.1:9464): /metrics (Prometheus text
// exposition of the registry and the process collector), /healthz (the process is alive: always
// 200 "ok") and /readyz (200 when every readiness check passes, else 503 naming the failing
// checks). Any other path is 404.
//
// Why cpp-httplib and not prometheus-cpp's Exposer: the Exposer answers only Prometheus
// exposition of registered collectables (every URI it serves is 200 with metric text), so it
// cannot give /readyz a 503 with a plain-text reason. One small HTTP server serves all three.
//
// It runs on its own threads (two), never on CAF's: a scrape or a probe cannot stall an actor,
// and an overloaded actor system still answers /healthz. Readiness checks therefore run on those
// threads: they must be thread-safe and quick (read state the components publish, e.g. atomics).
//
// Deliberately not here: authentication or TLS. Keep the listener on loopback or a management
// network.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace prometheus {
class Collectable;
}

namespace fedgate::metrics {

struct listen_address {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9464;  // 0: any free port (tests); port() tells which
};

// nullopt when ready; otherwise why not, in a few words ("no S2S listener bound").
using readiness_check = std::function<std::optional<std::string>()>;
using named_check = std::pair<std::string, readiness_check>;

class admin_server {
 public:
  admin_server();
  ~admin_server();  // stop()
  admin_server(const admin_server&) = delete;
  admin_server& operator=(const admin_server&) = delete;

  // Binds and serves in the background. Returns false with `error` set when the address cannot
  // be bound, or when it is already started.
  bool start(const listen_address& at,
             std::vector<std::shared_ptr<prometheus::Collectable>> collectables,
             std::vector<named_check> checks, std::string& error);

  // Adds (or replaces, by name) a readiness check; thread-safe, at any time.
  void add_readiness_check(std::string name, readiness_check check);

  // Stops serving and joins the threads. Idempotent.
  void stop();

  // The bound port (useful with port 0); 0 when not started.
  std::uint16_t port() const;

  struct readiness {
    bool ready = true;
    std::string body;  // one line per check: "ok name" or "failed name: reason"
  };
  // What /readyz answers, without HTTP (also used by tests).
  readiness check_readiness() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace fedgate::metrics
