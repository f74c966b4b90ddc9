#include "actors/sip/transaction_table.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"

namespace fedgate::sip_layer {
namespace {

using std::chrono::milliseconds;

enum class state : std::uint8_t { calling, trying, proceeding, completed, confirmed, terminated };

const char* state_name(state s) {
  switch (s) {
    case state::calling:
      return "calling";
    case state::trying:
      return "trying";
    case state::proceeding:
      return "proceeding";
    case state::completed:
      return "completed";
    case state::confirmed:
      return "confirmed";
    case state::terminated:
      return "terminated";
  }
  return "terminated";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A response made up by the transaction layer (408 on timeout, 503 on transport error,
// §8.1.3.1); reason names what happened so the TU can log it.
sip::message synthesize(const sip::message& request, int status, const std::string& reason) {
  auto built = sip::make_response(request, status, reason).build();
  if (built.ok()) return std::move(built).value();
  // make_response copies headers of a message that parsed, so this cannot fail in practice;
  // fall back to the bare status line the TU can still read the status from.
  std::string raw = "SIP/2.0 " + std::to_string(status) + " " + reason +
                    "\r\nVia: SIP/2.0/UDP invalid;branch=z9hG4bKx\r\nFrom: <sip:x@invalid>;tag=x"
                    "\r\nTo: <sip:x@invalid>\r\nCall-ID: x\r\nCSeq: 1 " +
                    std::string(request.method()) + "\r\nContent-Length: 0\r\n\r\n";
  return std::move(sip::parse_datagram(raw)).value();
}

}  // namespace

char timer_name(timer_kind k) {
  return static_cast<char>('A' + static_cast<int>(k) +
                           (k >= timer_kind::d ? 1 : 0));  // a b [c] d e f g h i j k
}

std::string_view via_token(transport_kind t) {
  switch (t) {
    case transport_kind::udp:
      return "UDP";
    case transport_kind::tcp:
      return "TCP";
    case transport_kind::tls:
      return "TLS";
  }
  return "UDP";
}

std::string_view uri_param(transport_kind t) {
  switch (t) {
    case transport_kind::udp:
      return "udp";
    case transport_kind::tcp:
      return "tcp";
    case transport_kind::tls:
      return "tls";
  }
  return "udp";
}

std::string peer::to_string() const {
  std::string a = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  return std::string(uri_param(transport)) + ":" + a + ":" + std::to_string(port);
}

std::string server_key(const sip::message& request) {
  sip::via v = request.top_via();
  std::string_view method = request.method();
  if (method == "ACK") method = "INVITE";
  if (v.has_magic_cookie()) {
    std::string key(v.branch);
    key += '|';
    key += lower(v.host);
    key += ':';
    key += std::to_string(v.port.value_or(0));
    key += '|';
    key += method;
    return key;
  }
  // RFC 2543 peers (§17.2.3): no usable branch. The To tag is left out so the ACK for a
  // non-2xx (which carries the tag of our response) matches its INVITE.
  std::string key = "2543|";
  key += request.request_uri();
  key += '|';
  key += request.from().tag();
  key += '|';
  key += request.call_id();
  key += '|';
  key += std::to_string(request.cseq().number);
  key += '|';
  key += lower(v.host);
  key += ':';
  key += std::to_string(v.port.value_or(0));
  key += '|';
  key += method;
  return key;
}

std::string client_key(const sip::message& response) {
  std::string key(response.top_via().branch);
  key += '|';
  key += response.cseq().method;
  return key;
}

struct transaction_table::client_txn {
  std::uint64_t id = 0;
  std::uint64_t token = 0;
  bool invite = false;
  state st = state::trying;
  sip::message request;
  std::string bytes;
  peer hop;
  milliseconds interval{0};  // current A/E interval
  std::array<std::uint32_t, 10> gen{};
  std::uint64_t cancel_token = 0;  // CANCEL waiting for a provisional response (§9.1)
  std::string key;
};

struct transaction_table::server_txn {
  std::uint64_t id = 0;
  bool invite = false;
  state st = state::trying;
  sip::message request;
  std::string last_response;  // bytes of the last response sent (re-sent on retransmissions)
  peer reply_to;
  milliseconds interval{0};  // current G interval
  std::array<std::uint32_t, 10> gen{};
  std::string key;
};

struct transaction_table::impl {
  timer_settings t;
  timer_service& clock;
  transaction_user& tu;
  transaction_observer* obs;  // optional (metrics); every event is counted where it is decided
  std::uint64_t next_id = 1;
  std::unordered_map<std::string, std::uint64_t> client_by_key;
  std::unordered_map<std::uint64_t, client_txn> clients;  // by token
  std::unordered_map<std::uint64_t, std::uint64_t> client_token_by_id;
  std::unordered_map<std::string, std::uint64_t> server_by_key;
  std::unordered_map<std::uint64_t, server_txn> servers;  // by id

  impl(timer_settings ts, timer_service& c, transaction_user& u, transaction_observer* o)
      : t(ts), clock(c), tu(u), obs(o) {}
  ~impl() {
    // Keeps the observer's count of active transactions balanced when a shard stops with
    // transactions still in its table.
    if (!obs) return;
    if (!clients.empty()) obs->active_changed(txn_role::client, -std::int64_t(clients.size()));
    if (!servers.empty()) obs->active_changed(txn_role::server, -std::int64_t(servers.size()));
  }

  // Observer calls, named after the events. Callers call them before end_client/end_server,
  // while the transaction's request (whose method they pass) still exists.
  void completed(txn_role r, const sip::message& request, int code) {
    if (obs) obs->completed(r, request.method(), code);
  }
  void retransmitted(txn_role r, const sip::message& request) {
    if (obs) obs->retransmitted(r, request.method());
  }
  void timed_out(txn_role r, const sip::message& request) {
    if (obs) obs->timed_out(r, request.method());
  }

  template <class Txn>
  void arm(Txn& x, timer_kind k, milliseconds d) {
    auto& g = x.gen[static_cast<std::size_t>(k)];
    ++g;
    clock.start(timer_ref{x.id, k, g}, d);
  }
  template <class Txn>
  void disarm(Txn& x, timer_kind k) {
    ++x.gen[static_cast<std::size_t>(k)];
  }

  // ---- client ----
  void end_client(std::uint64_t token) {
    auto it = clients.find(token);
    if (it == clients.end()) return;
    client_by_key.erase(it->second.key);
    client_token_by_id.erase(it->second.id);
    clients.erase(it);
    if (obs) obs->active_changed(txn_role::client, -1);
  }

  void send_cancel(client_txn& inv, std::uint64_t cancel_token) {
    const sip::message& r = inv.request;
    auto b = sip::message_builder::request("CANCEL", r.request_uri());
    b.header(sip::header_id::via, r.vias().empty() ? std::string_view{} : top_via_text(r));
    for (auto route : r.header_values(sip::header_id::route))
      b.header(sip::header_id::route, route);
    b.header(sip::header_id::from, *r.header(sip::header_id::from));
    b.header(sip::header_id::to, *r.header(sip::header_id::to));
    b.header(sip::header_id::call_id, r.call_id());
    b.header(sip::header_id::cseq, std::to_string(r.cseq().number) + " CANCEL");
    b.header(sip::header_id::max_forwards, "70");
    auto built = b.build();
    if (!built.ok()) return;
    start_client(cancel_token, std::move(built).value(), inv.hop);
  }

  static std::string_view top_via_text(const sip::message& r) {
    // The first element of the first Via field: up to a top-level comma.
    std::string_view v = *r.header(sip::header_id::via);
    sip::list_reader lr(v);
    std::string_view first;
    if (lr.next(first)) return first;
    return v;
  }

  bool start_client(std::uint64_t token, sip::message request, peer hop) {
    client_txn x;
    x.id = next_id++;
    x.token = token;
    x.invite = request.method() == "INVITE";
    x.st = x.invite ? state::calling : state::trying;
    x.key = std::string(request.top_via().branch) + "|" + std::string(request.method());
    if (client_by_key.count(x.key) || clients.count(token)) return false;
    x.bytes = sip::serialize(request);
    x.request = std::move(request);
    x.hop = std::move(hop);
    auto [it, inserted] = clients.emplace(token, std::move(x));
    (void)inserted;
    client_txn& c = it->second;
    client_by_key.emplace(c.key, token);
    client_token_by_id.emplace(c.id, token);
    if (obs) obs->active_changed(txn_role::client, +1);
    bool unreliable = !is_reliable(c.hop.transport);
    if (c.invite) {
      if (unreliable) {
        c.interval = t.t1;
        arm(c, timer_kind::a, c.interval);  // §17.1.1.2
      }
      arm(c, timer_kind::b, 64 * t.t1);
    } else {
      if (unreliable) {
        c.interval = t.t1;
        arm(c, timer_kind::e, c.interval);  // §17.1.2.2
      }
      arm(c, timer_kind::f, 64 * t.t1);
    }
    tu.send(c.hop, c.bytes, c.token);  // may re-enter via transport_error(): c stays valid
    return true;
  }

  void send_ack(client_txn& c, const sip::message& response) {
    // §17.1.1.3: ACK for a non-2xx final response, built from the request.
    const sip::message& r = c.request;
    auto b = sip::message_builder::request("ACK", r.request_uri());
    b.header(sip::header_id::via, top_via_text(r));
    for (auto route : r.header_values(sip::header_id::route))
      b.header(sip::header_id::route, route);
    b.header(sip::header_id::from, *r.header(sip::header_id::from));
    b.header(sip::header_id::to, *response.header(sip::header_id::to));
    b.header(sip::header_id::call_id, r.call_id());
    b.header(sip::header_id::cseq, std::to_string(r.cseq().number) + " ACK");
    b.header(sip::header_id::max_forwards, "70");
    auto bytes = b.serialize();
    if (bytes.ok()) tu.send(c.hop, bytes.value(), 0);
  }

  void client_response(client_txn& c, sip::message&& resp) {
    int code = resp.status_code();
    bool unreliable = !is_reliable(c.hop.transport);
    std::uint64_t token = c.token;
    if (c.invite) {
      if (c.st == state::calling || c.st == state::proceeding) {
        if (code < 200) {
          c.st = state::proceeding;
          disarm(c, timer_kind::a);
          std::uint64_t pending = c.cancel_token;
          c.cancel_token = 0;
          tu.on_response(token, resp, false);
          if (pending != 0) {
            auto it = clients.find(token);
            if (it != clients.end()) send_cancel(it->second, pending);
          }
        } else if (code < 300) {
          completed(txn_role::client, c.request, code);
          end_client(token);  // §17.1.1.2: 2xx -> Terminated; the TU sends the ACK
          tu.on_response(token, resp, true);
        } else {
          c.st = state::completed;
          completed(txn_role::client, c.request, code);
          disarm(c, timer_kind::a);
          disarm(c, timer_kind::b);
          send_ack(c, resp);
          if (unreliable) {
            arm(c, timer_kind::d, t.timer_d);
          }
          tu.on_response(token, resp, true);
          if (!unreliable) end_client(token);
        }
      } else if (c.st == state::completed && code >= 300) {
        send_ack(c, resp);  // retransmitted final response: ACK again, not to the TU
      }
      return;
    }
    // non-INVITE (§17.1.2.2)
    if (c.st == state::trying || c.st == state::proceeding) {
      if (code < 200) {
        c.st = state::proceeding;
        tu.on_response(token, resp, false);
      } else {
        c.st = state::completed;
        completed(txn_role::client, c.request, code);
        disarm(c, timer_kind::e);
        disarm(c, timer_kind::f);
        if (unreliable) arm(c, timer_kind::k, t.t4);
        tu.on_response(token, resp, true);
        if (!unreliable) end_client(token);
      }
    }
    // completed: retransmitted final responses are absorbed
  }

  void client_timer(client_txn& c, timer_kind k) {
    std::uint64_t token = c.token;
    switch (k) {
      case timer_kind::a:
        if (c.st != state::calling) return;
        retransmitted(txn_role::client, c.request);
        tu.send(c.hop, c.bytes, token);
        c.interval *= 2;  // §17.1.1.2: doubles, no cap
        arm(c, timer_kind::a, c.interval);
        return;
      case timer_kind::b:
      case timer_kind::f: {
        if (c.st != state::calling && c.st != state::trying && c.st != state::proceeding) return;
        if (k == timer_kind::b && c.st != state::calling) return;  // B only while calling
        // A timeout, not a completion: the 408 below is the TU's, not counted as completed.
        timed_out(txn_role::client, c.request);
        sip::message timeout = synthesize(
            c.request, 408, std::string("Request Timeout (timer ") + timer_name(k) + ")");
        end_client(token);
        tu.on_response(token, timeout, true);
        return;
      }
      case timer_kind::e:
        if (c.st != state::trying && c.st != state::proceeding) return;
        retransmitted(txn_role::client, c.request);
        tu.send(c.hop, c.bytes, token);
        c.interval = c.st == state::trying ? std::min(2 * c.interval, t.t2) : t.t2;
        arm(c, timer_kind::e, c.interval);
        return;
      case timer_kind::d:
      case timer_kind::k:
        end_client(token);
        return;
      default:
        return;
    }
  }

  // ---- server ----
  void end_server(std::uint64_t id, bool tell_tu) {
    auto it = servers.find(id);
    if (it == servers.end()) return;
    bool unanswered = it->second.st == state::trying || it->second.st == state::proceeding;
    server_by_key.erase(it->second.key);
    servers.erase(it);
    if (obs) obs->active_changed(txn_role::server, -1);
    if (tell_tu && unanswered) tu.on_server_terminated(id);
  }

  bool server_respond(server_txn& s, const sip::message& response) {
    int code = response.status_code();
    if (s.st == state::completed || s.st == state::confirmed || s.st == state::terminated) {
      return false;
    }
    s.last_response = sip::serialize(response);
    tu.send(s.reply_to, s.last_response, 0);
    bool unreliable = !is_reliable(s.reply_to.transport);
    if (code < 200) {
      if (!s.invite) s.st = state::proceeding;
      return true;
    }
    completed(txn_role::server, s.request, code);  // the one final response (state check above)
    if (s.invite) {
      if (code < 300) {
        end_server(s.id, false);  // §17.2.1: 2xx ends the transaction; the TU retransmits it
        return true;
      }
      s.st = state::completed;
      if (unreliable) {
        s.interval = t.t1;
        arm(s, timer_kind::g, s.interval);
      }
      arm(s, timer_kind::h, 64 * t.t1);
      return true;
    }
    s.st = state::completed;
    disarm(s, timer_kind::j);  // the no-answer guard
    if (unreliable) {
      arm(s, timer_kind::j, 64 * t.t1);
    } else {
      end_server(s.id, false);
    }
    return true;
  }

  void server_timer(server_txn& s, timer_kind k) {
    switch (k) {
      case timer_kind::g:
        if (s.st != state::completed) return;
        tu.send(s.reply_to, s.last_response, 0);
        s.interval = std::min(2 * s.interval, t.t2);
        arm(s, timer_kind::g, s.interval);
        return;
      case timer_kind::h:
        if (s.st != state::completed) return;
        // Counted as completed when the final response went out; now also as a timeout.
        timed_out(txn_role::server, s.request);
        end_server(s.id, false);  // no ACK came: the transaction fails (§17.2.1)
        return;
      case timer_kind::i:
        end_server(s.id, false);
        return;
      case timer_kind::j:
        if (s.st == state::trying || s.st == state::proceeding) {
          // Not in RFC 3261: the TU never answered. Answer 408 rather than leave the client
          // without a final response, and free the entry.
          std::uint64_t id = s.id;
          sip::message r = synthesize(s.request, 408, "Request Timeout (no answer)");
          server_respond(s, r);
          tu.on_server_terminated(id);
          return;
        }
        end_server(s.id, false);
        return;
      default:
        return;
    }
  }

  void receive_request(sip::message&& req, const peer& from) {
    std::string key = server_key(req);
    bool ack = req.method() == "ACK";
    auto found = server_by_key.find(key);
    if (found != server_by_key.end()) {
      server_txn& s = servers.at(found->second);
      if (ack) {
        if (s.invite && s.st == state::completed) {
          s.st = state::confirmed;
          disarm(s, timer_kind::g);
          disarm(s, timer_kind::h);
          if (!is_reliable(s.reply_to.transport)) {
            arm(s, timer_kind::i, t.t4);
          } else {
            end_server(s.id, false);
          }
        }
        return;  // absorbed (confirmed: retransmitted ACK)
      }
      // A retransmission: re-send the last response, never re-process (§17.2.1, §17.2.2).
      // Counted even while trying (nothing to re-send yet): it was absorbed all the same, and a
      // peer retransmitting because the TU is slow is what the counter should show.
      retransmitted(txn_role::server, s.request);
      if (!s.last_response.empty() && s.st != state::trying) {
        tu.send(s.reply_to, s.last_response, 0);
      }
      return;
    }
    if (ack) {
      // ACK for a 2xx, or for a transaction already gone: the TU (dialog) takes it (§17).
      tu.on_request(0, std::move(req), from);
      return;
    }
    server_txn s;
    s.id = next_id++;
    s.invite = req.method() == "INVITE";
    s.st = s.invite ? state::proceeding : state::trying;
    s.key = key;
    s.reply_to = from;
    sip::via v = req.top_via();
    if (from.transport == transport_kind::udp && !v.rport) {
      s.reply_to.port = v.port.value_or(5060);  // §18.2.2: sent-by port unless rport (RFC 3581)
    }
    s.request = req;
    std::uint64_t id = s.id;
    auto [it, ok] = servers.emplace(id, std::move(s));
    (void)ok;
    server_by_key.emplace(key, id);
    if (obs) obs->active_changed(txn_role::server, +1);
    server_txn& st = it->second;
    if (st.invite) {
      // §17.2.1: 100 Trying at once, so the client stops retransmitting (we cannot promise the
      // TU answers within 200 ms).
      auto trying = sip::make_response(st.request, 100).build();
      if (trying.ok()) server_respond(st, trying.value());
    } else {
      arm(st, timer_kind::j, 64 * t.t1 + t.t4);  // no-answer guard, see server_timer
    }
    if (req.method() == "CANCEL") {
      handle_cancel(id, req);
      return;
    }
    tu.on_request(id, std::move(req), from);
  }

  // §9.2: CANCEL matches the INVITE server transaction with the same key (method INVITE).
  void handle_cancel(std::uint64_t cancel_id, const sip::message& cancel) {
    std::string key = server_key(cancel);
    key.replace(key.size() - 6, 6, "INVITE");
    auto inv = server_by_key.find(key);
    server_txn& c = servers.at(cancel_id);
    if (inv == server_by_key.end()) {
      auto r = sip::make_response(cancel, 481).build();
      if (r.ok()) server_respond(c, r.value());
      return;
    }
    auto ok = sip::make_response(cancel, 200).build();
    if (ok.ok()) server_respond(c, ok.value());
    std::uint64_t inv_id = inv->second;
    server_txn& i = servers.at(inv_id);
    if (i.st == state::proceeding) {
      auto r487 = sip::make_response(i.request, 487, {}, "cancelled").build();
      if (r487.ok()) server_respond(i, r487.value());
      tu.on_cancelled(inv_id);
    }
  }
};

transaction_table::transaction_table(timer_settings timers, timer_service& clock,
                                     transaction_user& tu, transaction_observer* observer)
    : impl_(std::make_unique<impl>(timers, clock, tu, observer)) {}

transaction_table::~transaction_table() = default;

bool transaction_table::send_request(std::uint64_t token, sip::message request, peer next_hop) {
  if (request.method() == "ACK") return false;  // ACK never has a client transaction
  return impl_->start_client(token, std::move(request), std::move(next_hop));
}

bool transaction_table::cancel(std::uint64_t token, std::uint64_t cancel_token) {
  auto it = impl_->clients.find(token);
  if (it == impl_->clients.end() || !it->second.invite) return false;
  client_txn& c = it->second;
  if (c.st == state::calling) {
    c.cancel_token = cancel_token;  // §9.1: wait for a provisional response
    return true;
  }
  if (c.st != state::proceeding) return false;
  impl_->send_cancel(c, cancel_token);
  return true;
}

void transaction_table::transport_error(std::uint64_t token, const std::string& why) {
  auto it = impl_->clients.find(token);
  if (it == impl_->clients.end()) return;
  client_txn& c = it->second;
  if (c.st == state::completed) {
    impl_->end_client(token);
    return;
  }
  sip::message r = synthesize(c.request, 503, "Service Unavailable (" + why + ")");
  // Counted as completed with 503 (not as a timeout): the transaction ended with a final
  // response for the TU, made up here as §8.1.3.1 says, and the TU treats it as any 503.
  impl_->completed(txn_role::client, c.request, 503);
  impl_->end_client(token);
  impl_->tu.on_response(token, r, true);
}

bool transaction_table::respond(std::uint64_t server_id, const sip::message& response) {
  auto it = impl_->servers.find(server_id);
  if (it == impl_->servers.end() || !response.is_response()) return false;
  return impl_->server_respond(it->second, response);
}

void transaction_table::receive(sip::message&& msg, const peer& from) {
  if (msg.is_request()) {
    impl_->receive_request(std::move(msg), from);
    return;
  }
  auto found = impl_->client_by_key.find(client_key(msg));
  if (found == impl_->client_by_key.end()) return;  // §18.1.2: stray response, dropped
  auto it = impl_->clients.find(found->second);
  if (it == impl_->clients.end()) return;
  impl_->client_response(it->second, std::move(msg));
}

void transaction_table::on_timer(const timer_ref& ref) {
  auto idx = static_cast<std::size_t>(ref.kind);
  auto ct = impl_->client_token_by_id.find(ref.txn);
  if (ct != impl_->client_token_by_id.end()) {
    client_txn& c = impl_->clients.at(ct->second);
    if (c.gen[idx] != ref.generation) return;  // re-armed or cancelled
    impl_->client_timer(c, ref.kind);
    return;
  }
  auto st = impl_->servers.find(ref.txn);
  if (st != impl_->servers.end()) {
    if (st->second.gen[idx] != ref.generation) return;
    impl_->server_timer(st->second, ref.kind);
  }
}

std::size_t transaction_table::client_count() const {
  return impl_->clients.size();
}
std::size_t transaction_table::server_count() const {
  return impl_->servers.size();
}

std::string transaction_table::client_state(std::uint64_t token) const {
  auto it = impl_->clients.find(token);
  return it == impl_->clients.end() ? "terminated" : state_name(it->second.st);
}

std::string transaction_table::server_state(std::uint64_t server_id) const {
  auto it = impl_->servers.find(server_id);
  return it == impl_->servers.end() ? "terminated" : state_name(it->second.st);
}

}  // namespace fedgate::sip_layer
