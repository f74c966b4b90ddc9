#pragma once
// What the IM tests share: a router started with fake S2S and SIP-shard actors, and the
// messages the S2S and SIP layers would send it.
//
//   test ──(inbound, stanza) / (sip_req, request)──► router entry ──► shard ──► session
//     ▲                                                                            │
//     ├──── forwarded ◄── fake S2S ◄──────── (deliver, stanza) ◄───────────────────┤
//     └──── forwarded ◄── fake SIP shard ◄── (sip_send, request) / (sip_resp) ◄────┘
//
// The fakes forward what they get to the test's scoped actor; the fixture sorts it into three
// queues (stanzas to partners, SIP requests sent, SIP responses by server transaction) and every
// wait for one of them is bounded (wait_bound). Nothing sleeps: a check that something did NOT
// happen first makes sure it would have happened by then (sync_fakes(), or a later message of
// the same actor that must arrive after it).
//
// The fake SIP shard answers each request with `auto_status`, or, with 0, holds it until the
// test calls release_sip() (oldest first). It tells the test how many requests it was holding
// when each arrived (itself included), so a test sees whether they overlapped.
//
// The conversation most tests use: the local user alice (sip:alice@sip.local on the SIP side,
// alice@sip.test on the XMPP side through the pair sip.local = sip.test) and the remote contact
// romeo@montague.example.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "actors/im/im_config.hpp"
#include "actors/im/messages.hpp"
#include "actors/im/router.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/sip/messages.hpp"
#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"

namespace fedgate::im::testing {

using namespace std::chrono_literals;

// The bound of every wait for something that must happen.
constexpr std::chrono::seconds wait_bound{5};

using sync_atom = caf::atom_constant<caf::atom("t_sync")>;
using release_atom = caf::atom_constant<caf::atom("t_release")>;

inline constexpr const char* sip_domain = "sip.local";
inline constexpr const char* xmpp_domain = "sip.test";
inline constexpr const char* alice_jid = "alice@sip.test";
inline constexpr const char* alice_sip = "sip:alice@sip.local";
inline constexpr const char* romeo_jid = "romeo@montague.example";
inline constexpr const char* romeo_full = "romeo@montague.example/orchard";
inline constexpr const char* romeo_sip = "sip:romeo@montague.example";

// The figures the tests run with: short timers so they are fast. A test that does not exercise a
// timer lengthens it (so a slow machine cannot make it fire in the middle of the test).
inline im_config test_config() {
  im_config cfg;
  cfg.domains.add(sip_domain, xmpp_domain);
  cfg.local_xmpp_domains = {xmpp_domain};
  cfg.shards = 4;
  cfg.error_window = 50ms;
  cfg.delivery_timeout = 300ms;
  cfg.session_idle = 200ms;
  return cfg;
}

// ---- the fakes ------------------------------------------------------------------------------

inline caf::behavior fake_s2s(caf::event_based_actor* self, caf::actor test) {
  return {
      [=](s2s::deliver_atom, s2s::stanza& s) {
        self->send(test, s2s::deliver_atom::value, std::move(s));
      },
      [=](sync_atom a) { return a; },
  };
}

struct fake_sip_state {
  std::deque<std::pair<caf::response_promise, sip::message>> held;
  std::uint64_t branches = 0;
  static inline const char* name = "fake_sip_shard";
};

inline sip::message response_to(const sip::message& request, int status,
                                const std::string& reason = {}) {
  return sip::make_response(request, status, reason, "uas-tag").build().value();
}

inline caf::behavior fake_sip_shard(caf::stateful_actor<fake_sip_state>* self, caf::actor test,
                                    int auto_status) {
  return {
      [=](sip_layer::sip_send_atom, sip_layer::outgoing_request& out) {
        auto& st = self->state;
        // What the SIP layer would put on the wire: the request with its Via.
        auto builder = out.request;
        builder.prepend_header(
            "Via", "SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKfake" + std::to_string(++st.branches));
        auto built = builder.build();
        auto rp = self->make_response_promise();
        if (!built) {
          ADD_FAILURE() << "the session sent a request that does not build: "
                        << built.err().to_string();
          rp.deliver(caf::make_error(caf::sec::invalid_argument));
          return;
        }
        std::uint64_t in_flight = st.held.size() + 1;
        self->send(test, sip_layer::sip_send_atom::value, built.value(), in_flight);
        if (auto_status != 0) {
          rp.deliver(response_to(built.value(), auto_status));
          return;
        }
        st.held.emplace_back(std::move(rp), std::move(built.value()));
      },
      [=](release_atom, int status, const std::string& reason) {
        auto& st = self->state;
        if (st.held.empty()) {
          ADD_FAILURE() << "release_sip() with no request held";
          return;
        }
        auto [rp, request] = std::move(st.held.front());
        st.held.pop_front();
        rp.deliver(response_to(request, status, reason));
      },
      [=](sip_layer::sip_respond_atom, std::uint64_t server_id, sip::message& response) {
        self->send(test, sip_layer::sip_respond_atom::value, server_id, std::move(response));
      },
      [=](sync_atom a) { return a; },
  };
}

// ---- what the S2S and SIP layers send -------------------------------------------------------

// A SIP request as text: CRLF line ends, Content-Length computed.
inline std::string raw_request(const std::string& method, const std::string& request_uri,
                               const std::string& from_uri, const std::string& to_uri,
                               const std::string& call_id, int cseq, const std::string& branch,
                               const std::string& body = {},
                               const std::string& content_type = "text/plain;charset=UTF-8") {
  std::string r = method + " " + request_uri + " SIP/2.0\r\n";
  r += "Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bK" + branch + "\r\n";
  r += "Max-Forwards: 70\r\n";
  r += "From: <" + from_uri + ">;tag=f" + branch + "\r\n";
  r += "To: <" + to_uri + ">\r\n";
  r += "Call-ID: " + call_id + "\r\n";
  r += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  if (!body.empty() && !content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

// A MESSAGE from alice to romeo.
inline std::string alice_message(const std::string& body, const std::string& call_id = "c1@sip",
                                 int cseq = 1, const std::string& branch = "b1") {
  return raw_request("MESSAGE", romeo_sip, alice_sip, romeo_sip, call_id, cseq, branch, body);
}

// A <message/> from romeo (full JID) to alice, as the S2S layer hands it over: no xmlns.
inline s2s::stanza romeo_stanza(const std::string& id, const std::string& children,
                                const std::string& type = "chat") {
  std::string xml = "<message from='" + std::string(romeo_full) + "' to='" + alice_jid +
                    "' type='" + type + "' id='" + id + "'>" + children + "</message>";
  return s2s::stanza{xml, romeo_full, alice_jid, "message", type, id};
}

inline s2s::stanza romeo_says(const std::string& id, const std::string& body) {
  return romeo_stanza(id, "<body>" + body + "</body>");
}

// The partner's error for the stanza `id` (from romeo's server, to alice).
inline s2s::stanza romeo_error(const std::string& id, const std::string& condition,
                               const std::string& text = {}, const std::string& type = "cancel") {
  std::string xml = "<message from='" + std::string(romeo_jid) + "' to='" + alice_jid +
                    "' type='error' id='" + id + "'><error type='" + type + "'><" + condition +
                    " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>";
  if (!text.empty()) xml += "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>" + text + "</text>";
  xml += "</error></message>";
  return s2s::stanza{xml, romeo_jid, alice_jid, "message", "error", id};
}

// ---- the fixture ----------------------------------------------------------------------------

struct sent_request {
  sip::message request;
  std::uint64_t in_flight = 0;  // requests the fake held when it arrived, itself included
};

class im_fixture : public ::testing::Test {
 protected:
  im_fixture() : system_(make_config()), self_(system_) {}

  ~im_fixture() override {
    stop_im_router(router_);
    if (s2s_) caf::anon_send_exit(s2s_, caf::exit_reason::user_shutdown);
    if (sip_) caf::anon_send_exit(sip_, caf::exit_reason::user_shutdown);
  }

  static caf::actor_system_config& make_config() {
    static caf::actor_system_config cfg;
    static bool loaded = false;
    if (!loaded) {
      cfg.set("scheduler.max-threads", 4);
      loaded = true;
    }
    return cfg;
  }

  // Starts the router and connects it to the fakes. `sip_auto_status` 0: the fake SIP shard
  // holds every request until release_sip().
  void start(im_config cfg, int sip_auto_status = 0) {
    start_unconnected(std::move(cfg), sip_auto_status);
    connect();
  }
  void start_unconnected(im_config cfg, int sip_auto_status = 0) {
    caf::actor test = self_;
    s2s_ = system_.spawn(fake_s2s, test);
    sip_ = system_.spawn(fake_sip_shard, test, sip_auto_status);
    router_ = start_im_router(system_, std::move(cfg));
  }
  // No SIP Contact: IM sessions (INVITE) are never opened, every conversation is in pager mode.
  void connect() { connect_im_router(router_, s2s_, {sip_}, sip_contact{}); }
  // With a Contact: IM sessions (INVITE with an m=message SDP) can be accepted and opened.
  void connect(sip_contact contact) { connect_im_router(router_, s2s_, {sip_}, contact); }

  // ---- into the router ----

  sip_layer::incoming_request incoming(const std::string& raw, std::uint64_t server_id) {
    auto parsed = sip::parse_datagram(raw);
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.err().to_string()) << "\n" << raw;
    sip_layer::incoming_request in;
    if (parsed.ok()) in.request = std::move(parsed.value());
    in.from.address = "192.0.2.5";
    in.from.port = 5060;
    in.shard = sip_;
    in.server_id = server_id;
    return in;
  }
  void send_sip(const std::string& raw, std::uint64_t server_id) {
    self_->send(router_.entry, sip_layer::sip_request_atom::value, incoming(raw, server_id));
  }
  void send_stanza(s2s::stanza s) {
    self_->send(router_.entry, s2s::inbound_atom::value, std::move(s));
  }
  // What a stream does once it wrote the stanza.
  void written(const s2s::stanza& s) {
    ASSERT_TRUE(s.on_written) << "nobody to tell the stanza was written";
    self_->send(s.on_written, s2s::written_atom::value, s.id, s.to);
  }
  void release_sip(int status, const std::string& reason = {}) {
    self_->send(sip_, release_atom::value, status, reason);
  }

  // ---- out of the fakes (bounded waits) ----

  std::optional<s2s::stanza> next_delivery() {
    if (!wait_for([this] { return !deliveries_.empty(); })) {
      ADD_FAILURE() << "no stanza for the S2S service within " << wait_bound.count() << " s";
      return std::nullopt;
    }
    auto s = std::move(deliveries_.front());
    deliveries_.pop_front();
    return s;
  }
  std::optional<sent_request> next_sip_request() {
    if (!wait_for([this] { return !requests_.empty(); })) {
      ADD_FAILURE() << "no SIP request within " << wait_bound.count() << " s";
      return std::nullopt;
    }
    auto r = std::move(requests_.front());
    requests_.pop_front();
    return r;
  }
  // The final response to the server transaction `server_id`.
  std::optional<sip::message> response_for(std::uint64_t server_id) {
    if (!wait_for([&] { return responses_.count(server_id) > 0; })) {
      ADD_FAILURE() << "no response for server transaction " << server_id << " within "
                    << wait_bound.count() << " s";
      return std::nullopt;
    }
    auto it = responses_.find(server_id);
    auto r = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) responses_.erase(it);
    return r;
  }
  int status_for(std::uint64_t server_id) {
    auto r = response_for(server_id);
    return r ? r->status_code() : 0;
  }

  // Everything the session sent to the fakes before the fakes answer this has reached the test.
  void sync_fakes() {
    for (const auto& fake : {s2s_, sip_}) {
      self_->request(fake, wait_bound, sync_atom::value)
          .receive([](sync_atom) {},
                   [&](caf::error& e) { ADD_FAILURE() << "sync: " << system_.render(e); });
    }
    drain();
  }
  // Takes what already is in the mailbox, without waiting.
  void drain() {
    bool more = true;
    while (more)
      more = take_one(0ms);
  }

  // Sends a <message/> of alice's conversation with romeo and waits for its SIP request, then
  // syncs with the fakes. After it, the session has handled everything the test sent it before
  // (the shard forwards in order; one mailbox), and whatever the session sent the fakes before
  // this request is in the test's queues. The session must not have a request in flight (it
  // would hold the probe back); a holding fake SIP shard still holds the probe's request.
  std::optional<sent_request> probe_session(const std::string& id) {
    send_stanza(romeo_says(id, "probe " + id));
    auto r = next_sip_request();
    if (r) {
      EXPECT_EQ(r->request.body(), "probe " + id);
    }
    sync_fakes();
    return r;
  }

  std::size_t pending_deliveries() const { return deliveries_.size(); }
  std::size_t pending_requests() const { return requests_.size(); }
  std::size_t pending_responses() const {
    std::size_t n = 0;
    for (const auto& [id, q] : responses_)
      n += q.size();
    return n;
  }

  std::vector<std::uint64_t> sessions_per_shard() {
    std::vector<std::uint64_t> out;
    for (const auto& shard : router_.shards) {
      std::uint64_t n = 0;
      self_->request(shard, wait_bound, count_sessions_atom::value)
          .receive([&](std::uint64_t x) { n = x; },
                   [&](caf::error& e) { ADD_FAILURE() << "count: " << system_.render(e); });
      out.push_back(n);
    }
    return out;
  }
  std::uint64_t count_sessions() {
    std::uint64_t total = 0;
    for (auto n : sessions_per_shard())
      total += n;
    return total;
  }

  // Waits (bounded) until the session actor `session` has ended.
  bool wait_until_down(const caf::actor& session) {
    self_->monitor(session);
    auto addr = session.address();
    bool down = wait_for([&] { return downs_.count(addr) > 0; });
    if (!down) ADD_FAILURE() << "the session did not end within " << wait_bound.count() << " s";
    return down;
  }

  caf::actor_system system_;
  caf::scoped_actor self_;
  caf::actor s2s_;
  caf::actor sip_;
  // For effects no message announces (a metric moving): checks `done` every 10 ms, taking what
  // the fakes send meanwhile, for at most wait_bound.
  template <class Pred>
  bool eventually(Pred done) {
    auto deadline = std::chrono::steady_clock::now() + wait_bound;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      take_one(10ms);
    }
    return true;
  }

  im_router router_;

 private:
  // Takes one forwarded message into its queue; false when none came within `timeout`.
  bool take_one(std::chrono::milliseconds timeout) {
    bool got = true;
    self_->receive([&](s2s::deliver_atom, s2s::stanza& s) { deliveries_.push_back(std::move(s)); },
                   [&](sip_layer::sip_send_atom, sip::message& m, std::uint64_t n) {
                     requests_.push_back({std::move(m), n});
                   },
                   [&](sip_layer::sip_respond_atom, std::uint64_t id, sip::message& m) {
                     responses_[id].push_back(std::move(m));
                   },
                   [&](caf::down_msg& m) { downs_.insert(m.source); },
                   caf::after(timeout) >> [&] { got = false; });
    return got;
  }

  template <class Pred>
  bool wait_for(Pred done) {
    auto deadline = std::chrono::steady_clock::now() + wait_bound;
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms || !take_one(left)) return done();
    }
    return true;
  }

  std::deque<s2s::stanza> deliveries_;
  std::deque<sent_request> requests_;
  std::map<std::uint64_t, std::deque<sip::message>> responses_;
  std::set<caf::actor_addr> downs_;  // actors the test monitors that have ended
};

// ---- reading what came out ------------------------------------------------------------------

// The stanza's XML parsed (the element, whatever its namespace declaration).
struct parsed_stanza {
  pugi::xml_document doc;
  pugi::xml_node el;
  bool ok = false;
  explicit parsed_stanza(const std::string& xml) {
    ok = static_cast<bool>(doc.load_buffer(xml.data(), xml.size()));
    if (ok) el = doc.document_element();
  }
};

inline std::string body_of(const s2s::stanza& s) {
  parsed_stanza p(s.xml);
  return p.ok ? p.el.child("body").text().as_string() : std::string();
}

}  // namespace fedgate::im::testing
