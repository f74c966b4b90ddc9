#include "actors/sip/sip_service.hpp"

#include <functional>
#include <unordered_map>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/sip/dialog.hpp"
#include "actors/sip/locator.hpp"
#include "actors/sip/tokens.hpp"
#include "actors/sip/transaction_metrics.hpp"
#include "codecs/sip/error_response.hpp"
#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"
#include "codecs/sip/stream_framer.hpp"
#include "metrics/log.hpp"
#include "metrics/mailbox_sampler.hpp"
#include "transport/tcp/messages.hpp"
#include "transport/tcp/tcp_connector.hpp"
#include "transport/tcp/tcp_listener.hpp"
#include "transport/tls/tls_session.hpp"
#include "transport/udp/udp_endpoint.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fedgate::sip_layer::locate_result)

namespace fedgate::sip_layer {
namespace {

using namespace fedgate::transport;
using clock_type = std::chrono::steady_clock;
// Once a second each transaction shard samples its mailbox (metrics/mailbox_sampler.hpp).
using sample_mailbox_atom = caf::atom_constant<caf::atom("sip_mbox")>;

}  // namespace

// The part of the policy a reload changes (update_sip_policy), read per request.
struct live_values {
  request_policy policy;
  address_set trusted{{}};
  std::vector<std::string> trusted_certificate_names;
};
struct live_policy_slot {
  std::shared_ptr<const live_values> current;
  std::shared_ptr<const live_values> get() const { return std::atomic_load(&current); }
  void set(std::shared_ptr<const live_values> v) { std::atomic_store(&current, v); }
};

namespace {

// What every actor of one service shares. Filled by start_sip_service() before any listener
// runs; read-only afterwards, except `live` (a reload swaps its values).
struct context {
  sip_service_config cfg;
  std::shared_ptr<live_policy_slot> live = std::make_shared<live_policy_slot>();
  std::vector<caf::actor> shards;
  caf::actor registry;
  caf::actor handler;
  caf::actor udp_default;  // the socket client transactions over UDP leave from
  std::string sent_by[3];  // per transport_kind: "host:port" for our Via
  std::shared_ptr<dns::resolver> resolver;
};
using ctx_ptr = std::shared_ptr<context>;

std::size_t shard_of(std::string_view key, std::size_t n) {
  return std::hash<std::string_view>{}(key) % n;
}

std::size_t shard_for(const sip::message& m, std::size_t n) {
  sip::via v = m.top_via();
  // A branch with the magic cookie names the transaction (and its CANCEL/ACK); without it
  // (RFC 2543) the Call-ID keeps a request and its retransmissions together.
  return shard_of(v.has_magic_cookie() ? v.branch : m.call_id(), n);
}

std::string host_port(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

void log_refused(const peer& from, std::string_view method, int status, const std::string& why) {
  log::warn("sip request refused",
            {{"peer", from.to_string()}, {"method", method}, {"status", status}, {"reason", why}});
}

// Trust, received/rport, then one hop to the shard. `reply` answers statelessly (403) on the
// connection or socket the request came from.
void dispatch(const context& c, sip::message&& m, peer from, bool datagram,
              const std::function<void(const std::string&)>& reply, caf::event_based_actor* self) {
  if (m.is_request()) {
    bool trusted = c.live->get()->trusted.contains(from.address) || !from.certificate_names.empty();
    if (!trusted) {
      if (m.method() != "ACK") {
        auto r =
            sip::make_response(m, 403, "Forbidden: peer not trusted", random_token(10)).serialize();
        if (r.ok()) reply(r.value());
      }
      log_refused(from, m.method(), 403, "peer not trusted");
      return;
    }
    if (auto fixed = add_received_rport(m, from.address, from.port)) {
      auto again = datagram ? sip::parse_datagram(*fixed, c.cfg.limits)
                            : sip::parse_stream_message(*fixed, c.cfg.limits);
      if (again.ok()) m = std::move(again).value();
    }
  }
  // Requests on one TCP/TLS connection keep their order up to the router: a proxy pipelining
  // MESSAGEs of a conversation over its connection expects them delivered in that order, so
  // they all pass one shard, chosen by the connection. Their retransmissions (none from a UAC on
  // a reliable transport, RFC 3261 §17.1.2.2) and ACK/CANCEL come over the same connection. UDP
  // datagrams carry no order (they are spread over the codec actors): the branch picks.
  std::size_t index = m.is_request() && !datagram
                          ? shard_of(host_port(from.address, from.port), c.shards.size())
                          : shard_for(m, c.shards.size());
  self->send(c.shards[index], sip_in_atom::value, std::move(m), std::move(from));
}

// ------------------------------------------------------------------------------ UDP codec

caf::behavior udp_codec(caf::event_based_actor* self, ctx_ptr c) {
  return {
      [=](udp_recv_atom, const caf::actor& sock, const std::string& addr, std::uint16_t port,
          const std::string& bytes) {
        if (sip::is_keepalive(bytes)) return;  // RFC 5626 §3.5.1 CRLFs on UDP: nothing to do
        peer from;
        from.transport = transport_kind::udp;
        from.address = addr;
        from.port = port;
        from.flow = sock;
        auto reply = [&](const std::string& out) {
          self->send(sock, udp_send_atom::value, addr, port, out);
        };
        auto parsed = sip::parse_datagram(bytes, c->cfg.limits);
        if (!parsed.ok()) {
          if (auto r = stateless_400(bytes, parsed.err().reason)) reply(*r);
          log_refused(from, "?", parsed.err().status, parsed.err().reason);
          return;
        }
        dispatch(*c, std::move(parsed).value(), std::move(from), true, reply, self);
      },
  };
}

// --------------------------------------------------------------------- stream codec (TCP/TLS)

struct stream_state {
  ctx_ptr c;
  peer me;  // the peer this connection leads to (transport, address, port, flow = self)
  bool inbound = true;
  caf::actor broker;
  std::unique_ptr<tls::tls_session> tls;
  std::unique_ptr<sip::stream_framer> framer;
  std::string queued;  // bytes written before the connection was attached
  std::vector<std::pair<caf::actor, std::uint64_t>> waiters;  // client txns until attach
  clock_type::time_point last = clock_type::now();
  bool names_checked = false;
  static inline const char* name = "sip_stream_codec";
};
using stream_actor = caf::stateful_actor<stream_state>;

void stream_write(stream_actor* self, const std::string& bytes) {
  auto& st = self->state;
  if (!st.broker) {
    st.queued += bytes;
    return;
  }
  if (st.tls) {
    st.tls->write(bytes);
    if (st.tls->has_output()) self->send(st.broker, tcp_write_atom::value, st.tls->take_output());
    return;
  }
  self->send(st.broker, tcp_write_atom::value, bytes);
}

void stream_close(stream_actor* self, const std::string& why) {
  auto& st = self->state;
  log::info("sip connection closed", {{"peer", st.me.to_string()}, {"reason", why}});
  if (st.broker) self->send(st.broker, tcp_close_atom::value);
  for (auto& [shard, token] : st.waiters)
    self->send(shard, sip_txerr_atom::value, token, why);
  st.waiters.clear();
  self->quit();
}

void stream_plaintext(stream_actor* self, const std::string& plain) {
  auto& st = self->state;
  auto res = st.framer->consume(plain);
  if (!res.ok()) {
    // Framing is lost (RFC 3261 §18.3: no or bad Content-Length, size limit): answer the
    // request if its headers allow it, then close, as the connection cannot be resynchronised.
    if (!res.fatal_bytes.empty()) {
      if (auto r = sip::make_error_response(res.fatal_bytes, *res.fatal, random_token(10),
                                            st.c->cfg.limits)) {
        stream_write(self, *r);
      }
    }
    log_refused(st.me, "?", res.fatal->status, res.fatal->reason);
    stream_close(self, "framing lost: " + res.fatal->to_string());
  }
}

caf::behavior stream_codec(stream_actor* self, ctx_ptr c, bool inbound, transport_kind kind,
                           std::string server_name) {
  auto& st = self->state;
  st.c = c;
  st.inbound = inbound;
  st.me.transport = kind;
  st.me.flow = caf::actor_cast<caf::actor>(self);
  st.framer = std::make_unique<sip::stream_framer>(
      sip::stream_framer::handlers{
          [self](sip::message&& m) {
            auto& s = self->state;
            peer from = s.me;
            dispatch(
                *s.c, std::move(m), std::move(from), false,
                [self](const std::string& out) { stream_write(self, out); }, self);
          },
          [self](sip::keepalive_kind k) {
            if (k == sip::keepalive_kind::ping) stream_write(self, "\r\n");  // RFC 5626 §3.5.1
          },
          [self](const sip::error& e) { log_refused(self->state.me, "?", e.status, e.reason); },
          [self](const sip::error& e, std::string_view bytes) {
            // RFC 3261 §8.2 / §21.4.1: 400 naming the problem, built from the raw request
            // (nothing for responses or unrecoverable bytes); the connection stays.
            auto& s = self->state;
            if (auto r = sip::make_error_response(bytes, e, random_token(10), s.c->cfg.limits)) {
              stream_write(self, *r);
            }
          }},
      c->cfg.limits,
      // The side that accepted the connection answers RFC 5626 pings (a ping split across
      // reads is still one ping); the side that opened it only sends them.
      inbound ? sip::keepalive_side::answers_pings : sip::keepalive_side::sends_pings);
  if (kind == transport_kind::tls && c->cfg.tls_context) {
    st.tls = inbound ? tls::tls_session::server(*c->cfg.tls_context)
                     : tls::tls_session::client(*c->cfg.tls_context, server_name);
  }
  auto idle = c->cfg.tcp_idle_timeout;
  return {
      [=](tcp_attach_atom, caf::actor broker, const connection_info& info) {
        auto& s = self->state;
        s.broker = broker;
        s.me.address = info.peer_address;
        s.me.port = info.peer_port;
        s.last = clock_type::now();
        if (s.tls && !inbound) s.tls->start();
        if (!s.queued.empty()) {
          std::string q = std::move(s.queued);
          s.queued.clear();
          stream_write(self, q);
        } else if (s.tls && s.tls->has_output()) {
          self->send(broker, tcp_write_atom::value, s.tls->take_output());
        }
        s.waiters.clear();  // connected: later failures are timeouts of the transactions
        self->delayed_send(self, idle, sip_idle_atom::value);
      },
      [=](tcp_data_atom, const std::string& bytes) {
        auto& s = self->state;
        s.last = clock_type::now();
        if (!s.tls) {
          stream_plaintext(self, bytes);
          return;
        }
        std::string plain;
        bool ok = s.tls->consume(bytes, plain);
        if (s.tls->has_output()) self->send(s.broker, tcp_write_atom::value, s.tls->take_output());
        if (!ok) {
          stream_close(self, "tls: " + s.tls->error());
          return;
        }
        if (s.tls->established() && !s.names_checked) {
          s.names_checked = true;
          if (s.tls->peer().chain_valid) {
            auto live = s.c->live->get();
            for (const auto& n : live->trusted_certificate_names) {
              if (s.tls->check_peer_name(n).empty()) s.me.certificate_names.push_back(n);
            }
          }
        }
        if (!plain.empty()) stream_plaintext(self, plain);
      },
      [=](tcp_closed_atom, const std::string& why) {
        self->state.broker = nullptr;
        stream_close(self, why);
      },
      [=](tcp_failed_atom, const std::string& why) { stream_close(self, why); },
      [=](sip_write_atom, const std::string& bytes) {
        self->state.last = clock_type::now();
        stream_write(self, bytes);
      },
      [=](sip_write_atom, const std::string& bytes, caf::actor shard, std::uint64_t token) {
        auto& s = self->state;
        s.last = clock_type::now();
        if (!s.broker) s.waiters.emplace_back(std::move(shard), token);
        stream_write(self, bytes);
      },
      [=](sip_idle_atom) {
        auto& s = self->state;
        auto quiet = clock_type::now() - s.last;
        if (quiet >= idle) {
          stream_close(self, "idle timeout");
          return;
        }
        self->delayed_send(self,
                           idle - std::chrono::duration_cast<std::chrono::milliseconds>(quiet),
                           sip_idle_atom::value);
      },
  };
}

// ------------------------------------------------------------------- connection registry

struct registry_state {
  std::unordered_map<std::string, caf::actor> by_target;
  std::unordered_map<caf::actor_addr, std::string> by_actor;
  static inline const char* name = "sip_connections";
};

caf::behavior connection_registry(caf::stateful_actor<registry_state>* self, ctx_ptr c) {
  self->set_down_handler([=](const caf::down_msg& dm) {
    auto it = self->state.by_actor.find(dm.source);
    if (it == self->state.by_actor.end()) return;
    self->state.by_target.erase(it->second);
    self->state.by_actor.erase(it);
  });
  return {
      [=](sip_connect_atom, const peer& target, const std::string& bytes, caf::actor shard,
          std::uint64_t token) {
        auto& st = self->state;
        std::string key = target.to_string();
        auto it = st.by_target.find(key);
        if (it != st.by_target.end()) {
          self->send(it->second, sip_write_atom::value, bytes, std::move(shard), token);
          return;
        }
        caf::actor conn = self->spawn(stream_codec, c, false, target.transport, target.address);
        self->monitor(conn);
        st.by_target.emplace(key, conn);
        st.by_actor.emplace(conn.address(), key);
        // The write (with its waiter) is queued before the connector exists, so a refused
        // connection's tcp_failed always finds the waiter and the client gets its 503 at once
        // (RFC 3263 §4.3 failover) instead of waiting for timer B/F.
        self->send(conn, sip_write_atom::value, bytes, std::move(shard), token);
        connect_tcp(self->system(), {tcp_target{target.address, target.port}},
                    c->cfg.connect_timeout, conn);
      },
  };
}

// ------------------------------------------------------------------- transaction shard

struct shard_state;
using shard_actor = caf::stateful_actor<shard_state>;

struct pending_client {
  caf::response_promise promise;
  outgoing_request request;        // without Via: each attempt gets its own Via and branch
  std::vector<peer> alternatives;  // RFC 3263 §4.3: the hops left after the current one
};

struct shard_state : timer_service, transaction_user {
  shard_actor* self = nullptr;
  ctx_ptr c;
  std::size_t index = 0;
  // Counts the table's events into the SIP transaction metrics (transaction_metrics.hpp).
  // Declared before `table` so it outlives it: the table reports its last transactions leaving
  // when it is destroyed with the shard's state.
  transaction_metrics txn_metrics;
  metrics::mailbox_sampler mailbox{metrics::actor_type::sip_transactions};
  std::unique_ptr<transaction_table> table;
  std::unordered_map<std::uint64_t, pending_client> pending;
  std::unordered_map<std::string, std::uint64_t> cancel_keys;  // cancel_key -> token
  std::uint64_t next_token = 1;
  static inline const char* name = "sip_transaction_shard";

  void start(timer_ref ref, std::chrono::milliseconds delay) override {
    self->delayed_send(self, delay, sip_timer_atom::value, ref.txn,
                       static_cast<std::uint8_t>(ref.kind), ref.generation);
  }

  void send(const peer& to, const std::string& bytes, std::uint64_t token) override {
    if (to.transport == transport_kind::udp) {
      caf::actor sock = to.flow ? to.flow : c->udp_default;
      if (!sock) {
        self->send(self, sip_txerr_atom::value, token, std::string("no UDP listener"));
        return;
      }
      self->send(sock, udp_send_atom::value, to.address, to.port, bytes);
      return;
    }
    if (to.flow) {
      self->send(to.flow, sip_write_atom::value, bytes);
      return;
    }
    if (to.transport == transport_kind::tls && !c->cfg.tls_context) {
      self->send(self, sip_txerr_atom::value, token, std::string("no TLS configured"));
      return;
    }
    peer target = to;
    self->send(c->registry, sip_connect_atom::value, std::move(target), bytes,
               caf::actor_cast<caf::actor>(self), token);
  }

  void on_response(std::uint64_t token, const sip::message& r, bool final) override {
    auto it = pending.find(token);
    if (it == pending.end()) return;
    if (!final) {
      if (it->second.request.progress) {
        self->send(it->second.request.progress, sip_progress_atom::value, r);
      }
      return;
    }
    int code = r.status_code();
    if ((code == 503 || code == 408) && !it->second.alternatives.empty()) {
      // RFC 3263 §4.3: a transport error, timeout or 503 moves on to the next target. Not from
      // inside the table's callback: the retry starts a new transaction.
      self->send(self, sip_retry_atom::value, token);
      return;
    }
    forget(token, it);
    it->second.promise.deliver(r);
    pending.erase(it);
  }

  void forget(std::uint64_t token, decltype(pending)::iterator it) {
    const auto& key = it->second.request.cancel_key;
    if (!key.empty()) {
      auto k = cancel_keys.find(key);
      if (k != cancel_keys.end() && k->second == token) cancel_keys.erase(k);
    }
  }

  void on_request(std::uint64_t id, sip::message&& req, const peer& from) override {
    if (id != 0) {
      auto live = c->live->get();
      if (auto fail = check_request(req, live->policy)) {
        auto b = sip::make_response(req, fail->status, fail->reason, random_token(10));
        if (fail->add_allow) b.header(sip::header_id::allow, live->policy.allow_header());
        auto r = b.build(c->cfg.limits);
        if (r.ok()) table->respond(id, r.value());
        log_refused(from, req.method(), fail->status, fail->reason);
        return;
      }
    }
    incoming_request in{std::move(req), from, caf::actor_cast<caf::actor>(self), id};
    self->send(c->handler, sip_request_atom::value, std::move(in));
  }

  void on_cancelled(std::uint64_t id) override {
    self->send(c->handler, sip_cancelled_atom::value, caf::actor_cast<caf::actor>(self), id);
  }

  void on_server_terminated(std::uint64_t id) override {
    log::warn("sip server transaction ended without an answer from the handler",
              {{"server_id", id}});
  }

  // Where a request goes when the user named no next hop (messages.hpp): a fixed peer, or a
  // URI for RFC 3263.
  struct destination {
    std::optional<peer> hop;
    std::string uri;
  };

  destination route(const sip::message& m) const {
    if (auto first = next_hop_uri(m); !first.empty()) return {std::nullopt, first};  // §8.1.2
    sip::uri ruri = m.request_uri_parsed();
    for (const auto& r : c->cfg.routes) {
      if (r.domain.size() == ruri.host.size() &&
          std::equal(r.domain.begin(), r.domain.end(), ruri.host.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return {r.hop, {}};
      }
    }
    if (!c->cfg.outbound_proxy.empty()) return {std::nullopt, c->cfg.outbound_proxy};
    return {std::nullopt, std::string(m.request_uri())};
  }

  // A response made up here for a request that never left (no route, DNS failure).
  void fail(std::uint64_t token, int status, const std::string& reason) {
    auto it = pending.find(token);
    if (it == pending.end()) return;
    auto probe = it->second.request.request;
    probe.prepend_header("Via", "SIP/2.0/UDP 0.0.0.0;branch=z9hG4bKprobe");
    auto pm = probe.build(c->cfg.limits);
    forget(token, it);
    if (pm.ok()) {
      it->second.promise.deliver(sip::make_response(pm.value(), status, reason).build().value());
    } else {
      it->second.promise.deliver(caf::make_error(caf::sec::invalid_argument, reason));
    }
    pending.erase(it);
  }

  // One attempt: our Via with a fresh branch, a new client transaction towards `hop`.
  void attempt(std::uint64_t token, peer hop) {
    auto it = pending.find(token);
    if (it == pending.end()) return;
    // A branch that hashes to this shard, so responses come back here (bounded: with n shards
    // the expected number of tries is n).
    std::string branch;
    for (int i = 0; i < 256; ++i) {
      branch = "z9hG4bK" + random_token(16);
      if (shard_of(branch, c->shards.size()) == index) break;
    }
    auto with_via = [&](const peer& to) {
      auto b = it->second.request.request;
      b.prepend_header("Via", "SIP/2.0/" + std::string(via_token(to.transport)) + " " +
                                  c->sent_by[static_cast<int>(to.transport)] + ";branch=" + branch +
                                  ";rport");
      return b.build(c->cfg.limits);
    };
    auto m = with_via(hop);
    // RFC 3261 §18.1.1: a request larger than 1300 bytes when the path MTU is not known (it
    // never is here) MUST go over a congestion controlled transport, and the top Via must then
    // name it. Every client transaction we originate passes here once its hop is final, so the
    // switch is made here: TCP to the same address and port, through the connection registry
    // (the UDP socket in `flow` cannot carry it). The transaction, its CANCEL and the ACK of a
    // non-2xx use that hop. A failed connection ends in the usual 503 (RFC 3263 failover, if
    // targets are left); there is no retry over UDP (see docs/sip.md).
    if (m.ok() && hop.transport == transport_kind::udp) {
      std::size_t size = sip::serialize(m.value()).size();  // the bytes the table will send
      if (size > max_udp_request_bytes) {
        log::info("sip request too large for UDP, sending it over TCP",
                  {{"target", hop.to_string()}, {"bytes", size}});
        hop.transport = transport_kind::tcp;
        hop.flow = nullptr;
        m = with_via(hop);
      }
    }
    if (!m.ok()) {
      forget(token, it);
      it->second.promise.deliver(caf::make_error(caf::sec::invalid_argument, m.err().to_string()));
      pending.erase(it);
      return;
    }
    if (m.value().method() == "ACK") {
      // The ACK for a 2xx is the UAC core's, not a transaction's (RFC 3261 §13.2.2.4, §17.1.1.3):
      // sent once to the hop; the requester gets a 200 made up here once it is handed over.
      auto ack = std::move(m).value();
      send(hop, sip::serialize(ack), token);
      forget(token, it);
      it->second.promise.deliver(sip::make_response(ack, 200, "ACK sent").build().value());
      pending.erase(it);
      return;
    }
    if (!it->second.request.cancel_key.empty()) {
      cancel_keys[it->second.request.cancel_key] = token;
    }
    table->send_request(token, std::move(m).value(), hop);
  }

  void located(std::uint64_t token, locate_result& r) {
    auto it = pending.find(token);
    if (it == pending.end()) return;
    if (r.hops.empty()) {
      fail(token, 503, "Service Unavailable (" + r.error + ")");
      return;
    }
    peer first = std::move(r.hops.front());
    it->second.alternatives.assign(std::make_move_iterator(r.hops.begin() + 1),
                                   std::make_move_iterator(r.hops.end()));
    attempt(token, std::move(first));
  }

  // The previous attempt of `token` failed with 503/408: the next target, as a new token (the
  // old client transaction may still be absorbing retransmissions under its token).
  void retry(std::uint64_t token) {
    auto it = pending.find(token);
    if (it == pending.end() || it->second.alternatives.empty()) return;
    std::uint64_t next = next_token++;
    pending_client moved = std::move(it->second);
    pending.erase(it);
    peer hop = std::move(moved.alternatives.front());
    moved.alternatives.erase(moved.alternatives.begin());
    log::info("sip trying next target", {{"target", hop.to_string()}});
    pending.emplace(next, std::move(moved));
    attempt(next, std::move(hop));
  }

  void cancel(const std::string& key) {
    auto k = cancel_keys.find(key);
    if (k == cancel_keys.end()) return;
    table->cancel(k->second, next_token++);  // the CANCEL's own result is not reported
  }

  void originate(outgoing_request& o, caf::response_promise rp) {
    auto probe = o.request;
    probe.prepend_header("Via", "SIP/2.0/UDP 0.0.0.0;branch=z9hG4bKprobe");
    auto pm = probe.build(c->cfg.limits);
    if (!pm.ok()) {
      rp.deliver(caf::make_error(caf::sec::invalid_argument, pm.err().to_string()));
      return;
    }
    std::uint64_t token = next_token++;
    std::optional<peer> hop = o.next_hop;
    destination d;
    if (!hop && !o.target_uri.empty()) {
      d.uri = o.target_uri;
    } else if (!hop) {
      d = route(pm.value());
      hop = d.hop;
    }
    pending.emplace(token, pending_client{rp, std::move(o), {}});
    if (hop) {
      attempt(token, *hop);
      return;
    }
    auto plan = plan_locate(d.uri, c->cfg.tls_context != nullptr);
    if (auto now = locate_without_dns(plan)) {
      located(token, *now);
      return;
    }
    caf::actor_addr weak = self->address();
    locate(*c->resolver, plan, [weak, token](locate_result r) {
      if (auto strong = caf::actor_cast<caf::actor>(weak)) {
        caf::anon_send(strong, sip_located_atom::value, token, std::move(r));
      }
    });
  }
};

caf::behavior transaction_shard(shard_actor* self, ctx_ptr c, std::size_t index) {
  auto& st = self->state;
  st.self = self;
  st.c = c;
  st.index = index;
  st.table = std::make_unique<transaction_table>(c->cfg.timers, st, st, &st.txn_metrics);
  self->delayed_send(self, std::chrono::seconds(1), sample_mailbox_atom::value);
  return {
      [=](sample_mailbox_atom) {
        self->state.mailbox.sample(self);
        self->delayed_send(self, std::chrono::seconds(1), sample_mailbox_atom::value);
      },
      [=](sip_in_atom, sip::message& m, const peer& from) {
        self->state.table->receive(std::move(m), from);
      },
      [=](sip_timer_atom, std::uint64_t txn, std::uint8_t kind, std::uint32_t gen) {
        self->state.table->on_timer(timer_ref{txn, static_cast<timer_kind>(kind), gen});
      },
      [=](sip_respond_atom, std::uint64_t id, const sip::message& r) {
        self->state.table->respond(id, r);
      },
      [=](sip_txerr_atom, std::uint64_t token, const std::string& why) {
        self->state.table->transport_error(token, why);
      },
      [=](sip_send_atom, outgoing_request& o) {
        auto rp = self->make_response_promise();
        self->state.originate(o, rp);
        return rp;
      },
      [=](sip_located_atom, std::uint64_t token, locate_result& r) {
        self->state.located(token, r);
      },
      [=](sip_retry_atom, std::uint64_t token) { self->state.retry(token); },
      [=](sip_cancel_atom, const std::string& key) { self->state.cancel(key); },
  };
}

}  // namespace

std::optional<peer> peer_from_uri(std::string_view uri_text) {
  auto u = sip::parse_uri(uri_text);
  if (!u.ok() || !u->is_sip()) return std::nullopt;
  if (u->host_type != sip::host_kind::ipv4 && u->host_type != sip::host_kind::ipv6) {
    return std::nullopt;
  }
  peer p;
  p.transport = u->scheme == sip::uri_scheme::sips ? transport_kind::tls : transport_kind::udp;
  if (auto t = u->param("transport")) {
    std::string v(*t);
    for (auto& ch : v)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (v == "tcp")
      p.transport = u->scheme == sip::uri_scheme::sips ? transport_kind::tls : transport_kind::tcp;
    if (v == "tls") p.transport = transport_kind::tls;
  }
  std::string host(u->host);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  p.address = host;
  p.port = u->port.value_or(p.transport == transport_kind::tls ? 5061 : 5060);
  return p;
}

sip_service start_sip_service(caf::actor_system& sys, const sip_service_config& cfg,
                              caf::actor handler) {
  sip_service svc;
  auto c = std::make_shared<context>();
  c->cfg = cfg;
  c->live->set(std::make_shared<const live_values>(
      live_values{cfg.policy, address_set(cfg.trusted_peers), cfg.trusted_certificate_names}));
  svc.live = c->live;
  c->handler = std::move(handler);
  c->resolver = cfg.resolver ? cfg.resolver : std::make_shared<dns::resolver>(cfg.dns);
  if (!cfg.tls.empty() && !cfg.tls_context) {
    svc.error = "sip: TLS listeners need a TLS context (certificate and key)";
    return svc;
  }
  std::size_t n = std::max<std::size_t>(1, cfg.shards);
  for (std::size_t i = 0; i < n; ++i)
    c->shards.push_back(sys.spawn(transaction_shard, c, i));
  c->registry = sys.spawn(connection_registry, c);
  svc.shards = c->shards;
  svc.registry = c->registry;
  std::vector<caf::actor> codecs;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, cfg.udp_codecs); ++i) {
    codecs.push_back(sys.spawn(udp_codec, c));
  }
  for (const auto& lp : cfg.udp) {
    auto ep = listen_udp(sys, lp.host, lp.port, codecs);
    if (!ep.broker) {
      svc.error = "sip udp listener: " + ep.error;
      stop_sip_service(svc);
      return svc;
    }
    if (!c->udp_default) {
      c->udp_default = ep.broker;
      c->sent_by[0] = host_port(lp.host, ep.port);
    }
    svc.udp_sockets.push_back(ep.broker);
    svc.udp_ports.push_back(ep.port);
  }
  auto listen = [&](const std::vector<listen_point>& pts, transport_kind kind,
                    std::vector<std::uint16_t>& ports) {
    for (const auto& lp : pts) {
      auto l = listen_tcp(sys, lp.host, lp.port, [&sys, c, kind](const connection_info&) {
        return sys.spawn(stream_codec, c, true, kind, std::string());
      });
      if (!l.broker) {
        svc.error = std::string("sip ") + std::string(uri_param(kind)) + " listener: " + l.error;
        return false;
      }
      if (c->sent_by[static_cast<int>(kind)].empty()) {
        c->sent_by[static_cast<int>(kind)] = host_port(lp.host, l.port);
      }
      svc.listeners.push_back(l.broker);
      ports.push_back(l.port);
    }
    return true;
  };
  if (!listen(cfg.tcp, transport_kind::tcp, svc.tcp_ports) ||
      !listen(cfg.tls, transport_kind::tls, svc.tls_ports)) {
    stop_sip_service(svc);
    return svc;
  }
  // Without a listener of a transport, our Via still needs a sent-by: use the first address.
  std::string any = !cfg.udp.empty()   ? cfg.udp.front().host
                    : !cfg.tcp.empty() ? cfg.tcp.front().host
                                       : "127.0.0.1";
  for (auto& s : c->sent_by) {
    if (s.empty()) s = host_port(any, 5060);
  }
  return svc;
}

void update_sip_policy(const sip_service& svc, const sip_live_policy& p) {
  if (!svc.live) return;
  auto now = svc.live->get();
  live_values next{now->policy, address_set(p.trusted_peers), p.trusted_certificate_names};
  next.policy.served_domains = p.served_domains;
  next.policy.serve_any_domain = p.serve_any_domain;
  svc.live->set(std::make_shared<const live_values>(std::move(next)));
}

void stop_sip_service(sip_service& svc) {
  for (auto& l : svc.listeners)
    caf::anon_send_exit(l, caf::exit_reason::user_shutdown);
  for (auto& u : svc.udp_sockets)
    caf::anon_send(u, udp_close_atom::value);
  for (auto& s : svc.shards)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  if (svc.registry) caf::anon_send_exit(svc.registry, caf::exit_reason::user_shutdown);
  svc.listeners.clear();
  svc.udp_sockets.clear();
  svc.shards.clear();
  svc.registry = nullptr;
}

caf::actor pick_shard(const sip_service& svc, std::string_view key) {
  if (svc.shards.empty()) return nullptr;
  return svc.shards[shard_of(key, svc.shards.size())];
}

}  // namespace fedgate::sip_layer
