#include "transport/dns/resolver_actor.hpp"

#include <unordered_map>

#include <caf/all.hpp>

namespace fedgate::dns {
namespace {

struct relay_state {
  std::shared_ptr<resolver> res;
  std::unordered_map<std::uint64_t, caf::response_promise> pending;
  std::uint64_t next = 1;
  static inline const char* name = "dns_resolver";
};
using relay_actor = caf::stateful_actor<relay_state>;

// Results come back on the resolver thread; they re-enter the actor as a message (a weak handle,
// so a pending query never keeps the actor alive), and the promise is delivered from inside it.
template <class Result>
std::function<void(Result)> back_to(relay_actor* self, std::uint64_t id) {
  caf::actor_addr weak = self->address();
  return [weak, id](Result r) {
    if (auto strong = caf::actor_cast<caf::actor>(weak)) {
      caf::anon_send(strong, dns_done_atom::value, id, std::move(r));
    }
  };
}

template <class Result>
void deliver(relay_actor* self, std::uint64_t id, Result& r) {
  auto it = self->state.pending.find(id);
  if (it == self->state.pending.end()) return;
  it->second.deliver(std::move(r));
  self->state.pending.erase(it);
}

caf::behavior relay(relay_actor* self, std::shared_ptr<resolver> res) {
  self->state.res = std::move(res);
  auto start = [self] {
    std::uint64_t id = self->state.next++;
    auto rp = self->make_response_promise();
    self->state.pending.emplace(id, rp);
    return std::make_pair(id, rp);
  };
  return {
      [=](dns_srv_atom, const std::string& name) {
        auto [id, rp] = start();
        self->state.res->resolve_srv(name, back_to<srv_result>(self, id));
        return rp;
      },
      [=](dns_host_atom, const std::string& name) {
        auto [id, rp] = start();
        self->state.res->resolve_host(name, back_to<host_result>(self, id));
        return rp;
      },
      [=](dns_service_atom, const std::string& service, const std::string& domain,
          std::uint16_t default_port) {
        auto [id, rp] = start();
        self->state.res->resolve_service(service, domain, default_port,
                                         back_to<service_result>(self, id));
        return rp;
      },
      [=](dns_done_atom, std::uint64_t id, srv_result& r) { deliver(self, id, r); },
      [=](dns_done_atom, std::uint64_t id, host_result& r) { deliver(self, id, r); },
      [=](dns_done_atom, std::uint64_t id, service_result& r) { deliver(self, id, r); },
  };
}

}  // namespace

caf::actor spawn_resolver_actor(caf::actor_system& sys, resolver_options options) {
  return sys.spawn(relay, std::make_shared<resolver>(std::move(options)));
}

caf::actor spawn_resolver_actor(caf::actor_system& sys, std::shared_ptr<resolver> shared) {
  return sys.spawn(relay, std::move(shared));
}

}  // namespace fedgate::dns
