#pragma once
// Whether the SIP outbound proxy answers: the readiness check behind /readyz's "sip outbound
// proxy" (docs/operations.md). fedgate sits behind a proxy; if the proxy is gone, every SIP
// request it would send fails, so a load balancer should take this node out.
//
// How: an OPTIONS to the proxy every `interval`, with Max-Forwards: 0 so the proxy answers it
// itself and never forwards it (RFC 3261 §16.3 step 2: 483, or the proxy's own answer to an
// OPTIONS addressed to it, §11). Any final response from the proxy means it is there; no answer
// (the transaction layer's 408 after timer F, or its 503 for a transport error) means it is
// not. The state starts "not checked yet", so readiness waits for the first answer.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace fedgate::sip_layer {

// Shared between the probe actor and the readiness check (any thread).
class proxy_health {
 public:
  // nullopt when the last probe was answered; else why not.
  std::optional<std::string> problem() const;
  void answered(int status);
  void failed(std::string why);

 private:
  mutable std::mutex mu_;
  std::optional<std::string> problem_{"not checked yet"};
};

// Starts probing `proxy_uri` (a sip: URI) through the transaction shard `shard`; `from_host` is
// our address for the From header. The actor stops with the actor system or on exit.
caf::actor start_proxy_probe(caf::actor_system& sys, caf::actor shard, std::string proxy_uri,
                             std::string from_host, std::chrono::milliseconds interval,
                             std::shared_ptr<proxy_health> health);

}  // namespace fedgate::sip_layer
