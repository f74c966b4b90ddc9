#include "app/gateway.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>

#include "app/tls_setup.hpp"
#include "app/version.hpp"
#include "metrics/log.hpp"

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

}  // namespace

unsigned scheduler_threads(unsigned configured) {
  if (configured > 0) return configured;
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 1;
}

int run_gateway(config cfg) {
  if (!prepare_state_dir(cfg.general.state_dir)) return 1;
  if (auto errors = prepare_tls_files(cfg); !errors.empty()) {
    for (const auto& e : errors) {
      log::error("TLS setup failed", {{"key", e.key}, {"reason", e.message}});
    }
    return 1;
  }

  sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread CAF starts

  caf::actor_system_config caf_cfg;
  unsigned threads = scheduler_threads(cfg.general.worker_threads);
  caf_cfg.set("scheduler.max-threads", static_cast<size_t>(threads));
  caf_cfg.load<caf::io::middleman>();
  caf::actor_system system{caf_cfg};

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
      log::warn("SIGHUP received: configuration reload is not implemented yet; ignoring");
      continue;
    }
    log::info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  // Leaving scope destroys the actor system, which waits for every actor to finish.
  return 0;
}

}  // namespace fedgate::app
