#include "transport/tcp/tcp_connector.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "transport/tcp/internal/socket_ops.hpp"
#include "transport/tcp/messages.hpp"
#include "transport/tcp/tcp_connection.hpp"

namespace fedgate::transport {

namespace {

// Runs in its own thread (detached): blocking connects, one target after the other.
// Arguments are passed to spawn rather than captured: CAF 0.17 dereferences a null argument
// tuple when a function actor is spawned with none (UBSan reports it).
void connector(caf::event_based_actor* self, std::vector<tcp_target> targets,
               std::chrono::milliseconds timeout_per_target, caf::actor owner) {
  std::string reasons;
  for (const auto& t : targets) {
    std::string error;
    int fd = internal::connect_with_timeout(t.host, t.port, timeout_per_target, error);
    if (fd >= 0) {
      self->system().middleman().spawn_broker(tcp_connection_from_fd, fd, owner);
      self->quit();
      return;
    }
    reasons += (reasons.empty() ? "" : "; ") + error;
  }
  if (targets.empty()) reasons = "no target to connect to";
  self->send(owner, tcp_failed_atom::value, reasons);
  self->quit();
}

}  // namespace

void connect_tcp(caf::actor_system& sys, std::vector<tcp_target> targets,
                 std::chrono::milliseconds timeout_per_target, caf::actor owner) {
  sys.spawn<caf::detached>(connector, std::move(targets), timeout_per_target, std::move(owner));
}

}  // namespace fedgate::transport
