#include "actors/sip/proxy_probe.hpp"

#include <caf/all.hpp>

#include "actors/sip/messages.hpp"
#include "actors/sip/tokens.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/log.hpp"

namespace fedgate::sip_layer {

std::optional<std::string> proxy_health::problem() const {
  std::lock_guard<std::mutex> lock(mu_);
  return problem_;
}

void proxy_health::answered(int status) {
  std::lock_guard<std::mutex> lock(mu_);
  // 408 and 503 are what the transaction layer itself says when nothing came back (timer F) or
  // the transport failed; a proxy answering its own OPTIONS does not send them.
  if (status == 408 || status == 503) {
    problem_ = "no answer to OPTIONS (" + std::to_string(status) + ")";
  } else {
    problem_.reset();
  }
}

void proxy_health::failed(std::string why) {
  std::lock_guard<std::mutex> lock(mu_);
  problem_ = std::move(why);
}

namespace {

using probe_atom = caf::atom_constant<caf::atom("sip_probe")>;

struct probe_state {
  bool was_ok = false;
  bool reported = false;
  static inline const char* name = "sip_proxy_probe";
};

void probe(caf::stateful_actor<probe_state>* self, caf::actor shard, std::string uri,
           std::string from_host, std::shared_ptr<proxy_health> health) {
  auto b = sip::message_builder::request("OPTIONS", uri);
  b.header("From", "<sip:fedgate@" + from_host + ">;tag=" + random_token());
  b.header("To", "<" + uri + ">");
  b.header("Call-ID", new_call_id());
  b.header("CSeq", "1 OPTIONS");
  b.header("Max-Forwards", "0");
  outgoing_request req;
  req.request = std::move(b);
  req.target_uri = uri;
  auto report = [self, uri, health] {
    auto p = health->problem();
    bool ok = !p;
    if (self->state.reported && ok == self->state.was_ok) return;
    self->state.reported = true;
    self->state.was_ok = ok;
    if (ok) {
      log::info("sip outbound proxy answers", {{"proxy", uri}});
    } else {
      log::warn("sip outbound proxy does not answer", {{"proxy", uri}, {"reason", *p}});
    }
  };
  self->request(shard, caf::infinite, sip_send_atom::value, std::move(req))
      .then(
          [health, report](const sip::message& response) {
            health->answered(response.status_code());
            report();
          },
          [self, health, report](caf::error& e) {
            health->failed("OPTIONS not sent: " + self->system().render(e));
            report();
          });
}

caf::behavior probe_actor(caf::stateful_actor<probe_state>* self, caf::actor shard, std::string uri,
                          std::string from_host, std::chrono::milliseconds interval,
                          std::shared_ptr<proxy_health> health) {
  self->send(self, probe_atom::value);
  return {
      [=](probe_atom) {
        probe(self, shard, uri, from_host, health);
        self->delayed_send(self, interval, probe_atom::value);
      },
  };
}

}  // namespace

caf::actor start_proxy_probe(caf::actor_system& sys, caf::actor shard, std::string proxy_uri,
                             std::string from_host, std::chrono::milliseconds interval,
                             std::shared_ptr<proxy_health> health) {
  return sys.spawn(probe_actor, std::move(shard), std::move(proxy_uri), std::move(from_host),
                   interval, std::move(health));
}

}  // namespace fedgate::sip_layer
