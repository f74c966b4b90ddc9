#include "actors/im/router.hpp"

#include <unordered_map>

#include <caf/actor_pool.hpp>
#include <caf/all.hpp>

#include "actors/im/messages.hpp"
#include "actors/im/ownership.hpp"
#include "actors/im/session.hpp"
#include "actors/presence/keys.hpp"
#include "actors/presence/local_user_presence.hpp"
#include "actors/presence/messages.hpp"
#include "actors/presence/remote_contact_presence.hpp"
#include "actors/s2s/bounce.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/s2s/stanza_metrics.hpp"
#include "actors/sip/answer.hpp"
#include "actors/sip/messages.hpp"
#include "codecs/mapping/address.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"
#include "metrics/mailbox_sampler.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const fedgate::im::sip_contact>)

namespace fedgate::im {
namespace {

using wire_atom = caf::atom_constant<caf::atom("im_wire")>;
// Once a second each shard samples its mailbox (metrics/mailbox_sampler.hpp).
using sample_mailbox_atom = caf::atom_constant<caf::atom("im_mbox")>;

// ---- the ownership policy: runs in the sender's context (actor_pool) ----------------------------

// Presence goes to the actor of whoever's presence it is about (presence/keys.hpp): a
// subscription request, its withdrawal and a probe are about our user (the stanza's `to`);
// presence, 'subscribed', 'unsubscribed' and errors are about the contact (its `from`).
std::string key_of(const s2s::stanza& s) {
  auto to = xmpp::jid::parse(s.to);
  auto from = xmpp::jid::parse(s.from);
  if (!to || !from || !to->has_local() || !from->has_local()) return {};
  if (s.kind == "presence") {
    if (s.type == "subscribe" || s.type == "unsubscribe" || s.type == "probe") {
      return presence::local_user_key(to->bare_string());
    }
    return presence::remote_contact_key(from->bare_string());
  }
  return conversation_key(to->bare_string(), from->bare_string());
}

// SIP requests: From is the local user (the sender of a MESSAGE or SUBSCRIBE, the notifier of
// a NOTIFY), To the remote contact. A SUBSCRIBE is about the contact's presence, a NOTIFY
// about our user's.
std::string key_of(const sip::message& request, const mapping::domain_map& domains) {
  auto local = mapping::sip_uri_to_jid(request.from().uri_text, domains);
  auto remote = mapping::sip_uri_to_jid(request.to().uri_text, domains);
  if (!local || !remote) return {};
  auto method = request.method();
  if (method == "SUBSCRIBE") return presence::remote_contact_key(remote->bare_string());
  if (method == "NOTIFY") return presence::local_user_key(local->bare_string());
  return conversation_key(local->bare_string(), remote->bare_string());
}

struct ownership_policy {
  std::shared_ptr<const mapping::domain_map> domains;

  void operator()(caf::actor_system&, caf::actor_pool::uplock& guard,
                  const caf::actor_pool::actor_vec& shards, caf::mailbox_element_ptr& ptr,
                  caf::execution_unit* host) {
    auto& content = ptr->content();
    std::string key;
    caf::mailbox_element_ptr routed;
    if (content.match_elements<s2s::inbound_atom, s2s::stanza>()) {
      auto s = content.move_if_unshared<s2s::stanza>(1);
      key = key_of(s);
      routed = caf::make_mailbox_element(std::move(ptr->sender), ptr->mid, std::move(ptr->stages),
                                         routed_atom::value, key, std::move(s));
    } else if (content.match_elements<sip_layer::sip_request_atom, sip_layer::incoming_request>()) {
      auto r = content.move_if_unshared<sip_layer::incoming_request>(1);
      key = key_of(r.request, *domains);
      routed = caf::make_mailbox_element(std::move(ptr->sender), ptr->mid, std::move(ptr->stages),
                                         routed_atom::value, key, std::move(r));
    }
    // Everything else (CANCEL notices, status queries) goes to shard 0 unchanged.
    auto target = shards[routed ? owner_of(key, shards.size()).shard : 0];
    guard.unlock();
    target->enqueue(routed ? std::move(routed) : std::move(ptr), host);
  }
};

// ---- shards -------------------------------------------------------------------------------------

struct shard_state {
  std::shared_ptr<im_config> cfg;  // s2s and sip_shards filled by the wire message
  std::shared_ptr<const im_config> ready;
  struct entry {
    caf::actor session;
    std::uint64_t forwarded = 0;
  };
  std::unordered_map<std::string, entry> sessions;
  std::unordered_map<std::string, entry> presence;  // presence actors, by presence key
  std::unordered_map<caf::actor_addr, std::string> keys;
  std::optional<metrics::actor_count_guard> alive;
  metrics::mailbox_sampler mailbox{metrics::actor_type::router};
  bool draining = false;
  static inline const char* name = "im_router_shard";
};

using shard_ptr = caf::stateful_actor<shard_state>*;

void send_to_partner(shard_ptr self, s2s::stanza s) {
  self->send(self->state.ready->s2s, s2s::deliver_atom::value, std::move(s));
}

// Bounces a stanza that reached no conversation (when RFC 6120 §8.3.1 allows a reply) and
// counts it.
void refuse(shard_ptr self, const s2s::stanza& s, s2s::stanza_error_spec spec,
            const std::string& text) {
  auto b = s2s::make_bounce(s, spec, text);
  if (!b) return;  // no reply due (RFC 6120 §8.3.1): not a bounce either
  metrics::xmpp_stanzas().bounced(metrics::direction::in, s2s::kind_of(s), s2s::condition_of(spec));
  send_to_partner(self, std::move(*b));
}

// A stanza that is not a conversation message (iq, presence, messages to or from a bare domain;
// pings to our domains never get here: the stream answers them, XEP-0199 §4.2).
void handle_non_conversation(shard_ptr self, const s2s::stanza& s) {
  if (s.type == "error") return;  // never answer an error (RFC 6120 §8.3.1)
  // Presence to or from a bare domain has nobody to reach; presence is never bounced
  // (RFC 6121 §4.3: a server silently ignores what it cannot deliver).
  if (s.kind == "presence") return;
  if (s.kind == "message") {
    // A message to the domain itself or from a domain: there is nobody to give it to.
    return refuse(self, s, s2s::service_unavailable, "no user at this address");
  }
  refuse(self, s, s2s::service_unavailable, "this gateway does not handle " + s.kind + " here yet");
}

// The mapping error of a request whose addresses did not map (the key was empty).
void answer_address_error(shard_ptr self, const sip_layer::incoming_request& in) {
  const auto& domains = self->state.ready->domains;
  auto local = mapping::sip_uri_to_jid(in.request.from().uri_text, domains);
  if (!local) return sip_layer::answer(in, local.err().status, "From: " + local.err().reason);
  auto remote = mapping::sip_uri_to_jid(in.request.to().uri_text, domains);
  if (!remote) return sip_layer::answer(in, remote.err().status, "To: " + remote.err().reason);
  sip_layer::answer(in, 400, "Addresses do not map");
}

// The conversation's session, spawned on first use. Every message the shard sends it is
// counted (`forwarded`): retirement needs the count to match what the session processed.
shard_state::entry& session_for(shard_ptr self, const std::string& key) {
  auto& st = self->state;
  auto it = st.sessions.find(key);
  if (it == st.sessions.end()) {
    auto sp = key.find(' ');
    auto local = xmpp::jid::parse(std::string_view(key).substr(0, sp));
    auto remote = xmpp::jid::parse(std::string_view(key).substr(sp + 1));
    session_identity id{key, *local, *remote};
    auto session = spawn_session(self, std::move(id), st.ready, self);
    st.keys.emplace(session.address(), key);
    it = st.sessions.emplace(key, shard_state::entry{session, 0}).first;
  }
  ++it->second.forwarded;
  return it->second;
}

template <class Routed>
void to_session(shard_ptr self, const std::string& key, Routed&& what) {
  auto& e = session_for(self, key);
  self->send(e.session, routed_atom::value, key, std::forward<Routed>(what));
}

// The presence actor of `key` (presence/keys.hpp), spawned on first use; counted like sessions.
shard_state::entry& presence_for(shard_ptr self, const std::string& key) {
  auto& st = self->state;
  auto it = st.presence.find(key);
  if (it == st.presence.end()) {
    auto jid = std::string(presence::jid_of_key(key));
    auto actor = presence::is_local_user_key(key)
                     ? presence::spawn_local_user_presence(self, key, jid, st.ready)
                     : presence::spawn_remote_contact_presence(self, key, jid, st.ready);
    st.keys.emplace(actor.address(), key);
    it = st.presence.emplace(key, shard_state::entry{actor, 0}).first;
  }
  ++it->second.forwarded;
  return it->second;
}

template <class... Ts>
void to_presence(shard_ptr self, const std::string& key, Ts&&... what) {
  auto& e = presence_for(self, key);
  self->send(e.session, std::forward<Ts>(what)...);
}

caf::behavior running(shard_ptr self) {
  return {
      [=](routed_atom, const std::string& key, s2s::stanza& s) {
        auto& st = self->state;
        bool about_presence = presence::is_presence_key(key);
        if (key.empty() || (s.kind != "message" && !about_presence)) {
          return handle_non_conversation(self, s);
        }
        // Stanzas to a local domain we do not serve never get here (the S2S layer refuses
        // them with host-unknown); from a local domain would be a loop.
        auto from = xmpp::jid::parse(s.from);
        for (const auto& d : st.ready->local_xmpp_domains) {
          if (from && from->domain() == d) {
            if (about_presence) return;  // presence is never bounced (RFC 6121 §4.3)
            return refuse(self, s, s2s::forbidden, "sender claims a local domain");
          }
        }
        if (about_presence) return to_presence(self, key, routed_atom::value, key, std::move(s));
        to_session(self, key, std::move(s));
      },
      [=](routed_atom, const std::string& key, sip_layer::incoming_request& in) {
        if (in.server_id == 0) return;  // ACK for a 2xx: no transaction, nothing to answer
        auto method = in.request.method();
        if (method == "OPTIONS") return sip_layer::answer(in, 200);
        bool about_presence = method == "SUBSCRIBE" || method == "NOTIFY";
        if (!about_presence && method != "MESSAGE" && method != "INVITE" && method != "BYE") {
          return sip_layer::answer(in, 501);
        }
        if (self->state.draining && method != "BYE" && method != "NOTIFY" &&
            in.request.to().tag().empty()) {
          // Nothing new while draining: the proxy retries elsewhere (RFC 3261 §21.5.4).
          auto b = sip::make_response(in.request, 503, "Service Unavailable (draining)",
                                      std::to_string(in.server_id) + "-fg");
          b.header("Retry-After", "30");
          sip_layer::respond(in, b.build().value());
          return;
        }
        if (key.empty()) return answer_address_error(self, in);
        if (about_presence) return to_presence(self, key, routed_atom::value, key, std::move(in));
        to_session(self, key, std::move(in));
      },
      [=](presence::restore_atom, const std::string& key, const presence::subscription_record& r) {
        to_presence(self, key, presence::restore_atom::value, key, r);
      },
      [=](presence::presence_info_atom,
          const std::string& key) -> caf::result<presence::presence_info> {
        auto it = self->state.presence.find(key);
        if (it == self->state.presence.end()) {
          presence::presence_info none;
          none.key = key;
          none.presence = "no presence actor (nobody watches or is watched)";
          return none;
        }
        auto rp = self->make_response_promise<presence::presence_info>();
        auto key_copy = key;
        self->request(it->second.session, std::chrono::seconds(2),
                      presence::presence_info_atom::value)
            .then([rp](const presence::presence_info& i) mutable { rp.deliver(i); },
                  [rp, key_copy](caf::error&) mutable {
                    presence::presence_info busy;
                    busy.key = key_copy;
                    busy.presence = "no answer (busy)";
                    rp.deliver(std::move(busy));
                  });
        return rp;
      },
      [=](sip_layer::sip_cancelled_atom, const caf::actor&, std::uint64_t) {
        // Sessions answer INVITEs at once (router.hpp), so a CANCEL finds nothing to stop.
      },
      [=](idle_atom, const std::string& key, std::uint64_t processed) {
        auto& st = self->state;
        auto& table = presence::is_presence_key(key) ? st.presence : st.sessions;
        auto it = table.find(key);
        if (it == table.end() || it->second.forwarded != processed) return;
        // The actor quits on this; its exit (still in `keys`) is then expected, not a fault.
        self->send(it->second.session, idle_atom::value);
        table.erase(it);
      },
      [=](drain_atom) { self->state.draining = true; },
      [=](sample_mailbox_atom) {
        self->state.mailbox.sample(self);
        self->delayed_send(self, std::chrono::seconds(1), sample_mailbox_atom::value);
      },
      [=](count_sessions_atom) { return static_cast<std::uint64_t>(self->state.sessions.size()); },
      [=](list_sessions_atom) -> caf::result<std::vector<session_info>> {
        auto& st = self->state;
        auto rp = self->make_response_promise<std::vector<session_info>>();
        if (st.sessions.empty()) {
          rp.deliver(std::vector<session_info>{});
          return rp;
        }
        // Ask every session; answer when all did (or gave up: a busy session is left out).
        struct gather {
          std::vector<session_info> rows;
          std::size_t waiting = 0;
        };
        auto g = std::make_shared<gather>();
        g->waiting = st.sessions.size();
        auto done = [g, rp]() mutable {
          if (--g->waiting == 0) rp.deliver(std::move(g->rows));
        };
        for (const auto& [key, e] : st.sessions) {
          self->request(e.session, std::chrono::seconds(2), list_sessions_atom::value)
              .then(
                  [g, done](const session_info& i) mutable {
                    g->rows.push_back(i);
                    done();
                  },
                  [done](caf::error&) mutable { done(); });
        }
        return rp;
      },
      [=](test_im_atom, const std::string& key, const std::string& text) {
        // Through the session that owns the conversation (spawned if needed).
        return self->delegate(session_for(self, key).session, test_im_atom::value, key, text);
      },
  };
}

caf::behavior router_shard(shard_ptr self, std::shared_ptr<im_config> cfg) {
  self->state.cfg = std::move(cfg);
  self->state.alive.emplace(metrics::actors(), metrics::actor_type::router);
  // Sessions are linked to their shard (they stop with it). A session that ends by itself
  // (retired, or a bug) is forgotten; an exit from anyone else stops the shard.
  self->set_exit_handler([=](const caf::exit_msg& m) {
    auto& st = self->state;
    auto it = st.keys.find(m.source);
    if (it == st.keys.end()) {
      self->quit(m.reason);
      return;
    }
    auto& table = presence::is_presence_key(it->second) ? st.presence : st.sessions;
    auto s = table.find(it->second);
    if (s != table.end() && s->second.session.address() == m.source) {
      log::warn("im session ended unexpectedly",
                {{"conversation", it->second}, {"reason", caf::to_string(m.reason)}});
      table.erase(s);
    }
    st.keys.erase(it);
  });
  // Until the services are connected, hold everything back (skip keeps it in the mailbox).
  self->set_default_handler(caf::skip);
  return {
      [=](wire_atom, caf::actor s2s, std::vector<caf::actor> sip_shards,
          std::shared_ptr<const sip_contact> contact) {
        auto cfg2 = std::make_shared<im_config>(*self->state.cfg);
        cfg2->s2s = std::move(s2s);
        cfg2->sip_shards = std::move(sip_shards);
        cfg2->contact = *contact;
        self->state.ready = std::move(cfg2);
        self->set_default_handler(caf::print_and_drop);
        self->become(running(self));
        self->delayed_send(self, std::chrono::seconds(1), sample_mailbox_atom::value);
      },
  };
}

}  // namespace

im_router start_im_router(caf::actor_system& sys, im_config cfg) {
  auto shared = std::make_shared<im_config>(std::move(cfg));
  std::size_t n = shared->shards == 0 ? 1 : shared->shards;
  im_router r;
  for (std::size_t i = 0; i < n; ++i)
    r.shards.push_back(sys.spawn(router_shard, shared));
  auto domains = std::make_shared<const mapping::domain_map>(shared->domains);
  std::vector<caf::actor> workers = r.shards;
  std::size_t next = 0;
  r.entry = caf::actor_pool::make(
      sys.dummy_execution_unit(), workers.size(),
      [workers, next]() mutable { return workers[next++ % workers.size()]; },
      ownership_policy{domains});
  return r;
}

void connect_im_router(const im_router& r, caf::actor s2s, std::vector<caf::actor> sip_shards,
                       sip_contact contact) {
  auto c = std::make_shared<const sip_contact>(std::move(contact));
  for (const auto& shard : r.shards)
    caf::anon_send(shard, wire_atom::value, s2s, sip_shards, c);
}

void stop_im_router(im_router& r) {
  if (r.entry) caf::anon_send_exit(r.entry, caf::exit_reason::user_shutdown);
  for (auto& s : r.shards)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  r.entry = nullptr;
  r.shards.clear();
}

}  // namespace fedgate::im

namespace fedgate::im {

void drain_im_router(const im_router& r) {
  for (const auto& shard : r.shards)
    caf::anon_send(shard, drain_atom::value);
}

std::vector<session_info> list_sessions(caf::actor_system& sys, const im_router& r) {
  std::vector<session_info> all;
  caf::scoped_actor self{sys};
  for (const auto& shard : r.shards) {
    self->request(shard, std::chrono::seconds(5), list_sessions_atom::value)
        .receive(
            [&](const std::vector<session_info>& rows) {
              all.insert(all.end(), rows.begin(), rows.end());
            },
            [&](caf::error&) {});
  }
  return all;
}

std::string test_im(caf::actor_system& sys, const im_router& r, const std::string& local,
                    const std::string& remote, const std::string& text,
                    std::chrono::milliseconds timeout) {
  if (r.shards.empty()) return "refused: the IM router is not running";
  auto from = xmpp::jid::parse(local);
  auto to = xmpp::jid::parse(remote);
  if (!from || !from->has_local()) return "refused: \"" + local + "\" is not a user JID";
  if (!to || !to->has_local()) return "refused: \"" + remote + "\" is not a user JID";
  auto key = conversation_key(from->bare_string(), to->bare_string());
  const auto& shard = r.shards[owner_of(key, r.shards.size()).shard];
  std::string answer = "no answer within " + std::to_string(timeout.count()) + " ms";
  caf::scoped_actor self{sys};
  self->request(shard, timeout, test_im_atom::value, key, text)
      .receive([&](const std::string& a) { answer = a; }, [&](caf::error&) {});
  return answer;
}

void restore_presence(const im_router& r,
                      const std::vector<presence::subscription_record>& records) {
  if (r.shards.empty()) return;
  for (const auto& rec : records) {
    auto key = rec.direction == presence::watch_direction::xmpp_watches_sip
                   ? presence::local_user_key(rec.local)
                   : presence::remote_contact_key(rec.remote);
    caf::anon_send(r.shards[owner_of(key, r.shards.size()).shard], presence::restore_atom::value,
                   key, rec);
  }
}

std::vector<presence::presence_info> presence_of(caf::actor_system& sys, const im_router& r,
                                                 const std::string& jid) {
  std::vector<presence::presence_info> out;
  if (r.shards.empty()) return out;
  auto parsed = xmpp::jid::parse(jid);
  if (!parsed) return out;
  caf::scoped_actor self{sys};
  for (const auto& key : {presence::local_user_key(parsed->bare_string()),
                          presence::remote_contact_key(parsed->bare_string())}) {
    self->request(r.shards[owner_of(key, r.shards.size()).shard], std::chrono::seconds(5),
                  presence::presence_info_atom::value, key)
        .receive([&](const presence::presence_info& i) { out.push_back(i); }, [&](caf::error&) {});
  }
  return out;
}

}  // namespace fedgate::im
