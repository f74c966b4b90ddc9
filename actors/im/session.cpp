#include "actors/im/session.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <optional>
#include <unordered_map>

#include <caf/all.hpp>
#include <pugixml.hpp>

#include "actors/im/chat_session.hpp"
#include "actors/im/messages.hpp"
#include "actors/s2s/bounce.hpp"
#include "actors/s2s/messages.hpp"
#include "actors/s2s/stanza_metrics.hpp"
#include "actors/sip/answer.hpp"
#include "actors/sip/messages.hpp"
#include "actors/sip/tokens.hpp"
#include "codecs/mapping/errors.hpp"
#include "codecs/mapping/message.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"
#include "metrics/mailbox_sampler.hpp"

namespace fedgate::im {
namespace {

using clock = std::chrono::steady_clock;

// Bounds on per-conversation memory (docs/im.md).
constexpr std::size_t max_answered = 256;       // answered SIP MESSAGEs kept for duplicates
constexpr std::size_t max_thread_pairs = 1024;  // thread <-> Call-ID pairs
constexpr std::size_t max_receipt_requests = 256;

// A SIP MESSAGE whose stanza is on its way (keyed by the stanza id).
struct pending_in {
  std::vector<sip_layer::incoming_request> requests;              // the first and any duplicates
  std::optional<caf::typed_response_promise<std::string>> probe;  // `fedgate ctl test-im`
  std::string dedupe;                                             // Call-ID + CSeq number
  bool written = false;
  clock::time_point arrival = clock::now();
};

// A SIP MESSAGE already answered: its duplicates get the same answer; a late XMPP error for a
// 200 reaches the sender as a notice.
struct answered_in {
  std::string id;
  std::string dedupe;
  int status = 200;
  std::string reason;
};

// An XMPP stanza waiting to go out as a SIP MESSAGE.
struct outgoing {
  s2s::stanza stanza;  // for bounces; empty xml for the gateway's own notices
  mapping::im_message message;
  clock::time_point arrival = clock::now();
  bool retried = false;  // resent once after its chat session vanished (481)
};

// The conversation's IM session dialog (chat_session.hpp), whichever side opened it.
struct chat_dialog {
  sip_layer::dialog d;
  std::string contact;                 // ours, as sent
  std::optional<sip::message> answer;  // our 200 to the SIP side's INVITE (for retransmissions)
  std::uint32_t invite_cseq = 0;
};

struct session_state {
  std::optional<session_identity> id;  // set first thing (jid has no default)
  std::shared_ptr<const im_config> cfg;
  caf::actor shard;
  caf::actor sip;  // this conversation's SIP transaction shard
  std::uint64_t processed = 0;
  clock::time_point last_activity = clock::now();
  std::string token;  // random, for ids, tags and Call-IDs of our making
  std::uint64_t counter = 0;

  // XMPP -> SIP
  std::deque<outgoing> queue;
  bool busy = false;
  std::string from_tag;
  std::uint32_t cseq = 0;
  std::unordered_map<std::string, std::string> call_id_of_thread;
  bool sip_refuses_iscomposing = false;
  std::optional<chat_dialog> chat;               // an IM session dialog is up
  bool sessions_refused = false;                 // the SIP side said it does not do INVITE sessions
  std::deque<std::string> sip_receipt_requests;  // stanza ids whose SIP sender asked for IMDN

  // SIP -> XMPP
  std::unordered_map<std::string, pending_in> pending;  // by stanza id
  std::unordered_map<std::string, std::string> pending_by_dedupe;
  std::deque<answered_in> answered;
  std::unordered_map<std::string, std::string> thread_of_call_id;

  std::optional<metrics::actor_count_guard> alive;
  metrics::mailbox_sampler mailbox{metrics::actor_type::session};

  static inline const char* name = "im_session";
};

using self_ptr = caf::stateful_actor<session_state>*;

using sip_layer::new_call_id;
using sip_layer::random_token;

std::string next_id(self_ptr self) {
  auto& st = self->state;
  return "fg-" + st.token + "-" + std::to_string(++st.counter);
}

std::string rfc3339_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void remember_pair(std::unordered_map<std::string, std::string>& a,
                   std::unordered_map<std::string, std::string>& b, const std::string& x,
                   const std::string& y) {
  if (a.size() >= max_thread_pairs || b.size() >= max_thread_pairs) {
    a.clear();  // a very long-lived conversation starts new pairs; nothing breaks but threading
    b.clear();
  }
  a[x] = y;
  b[y] = x;
}

// A thread keeps its Call-ID (the SIP side sees one conversation); a message without a thread
// gets a Call-ID of its own, as SIP user agents do in pager mode (RFC 3428 §4: each MESSAGE is
// its own transaction outside any dialog).
std::string call_id_for_thread(self_ptr self, const std::string& thread) {
  auto& st = self->state;
  if (thread.empty()) return new_call_id();
  if (auto it = st.call_id_of_thread.find(thread); it != st.call_id_of_thread.end())
    return it->second;
  std::string call_id = new_call_id();
  remember_pair(st.call_id_of_thread, st.thread_of_call_id, thread, call_id);
  return call_id;
}

std::string thread_for_call_id(self_ptr self, const std::string& call_id) {
  auto& st = self->state;
  if (auto it = st.thread_of_call_id.find(call_id); it != st.thread_of_call_id.end())
    return it->second;
  std::string thread = "fg-" + random_token() + random_token();
  remember_pair(st.thread_of_call_id, st.call_id_of_thread, call_id, thread);
  return thread;
}

// ---- XMPP side ----------------------------------------------------------------------------------

// Stanzas travel without their default namespace (actors/s2s/messages.hpp): the mapping writes
// xmlns='jabber:server' on the top element, which the contract leaves out.
void strip_default_namespace(std::string& xml) {
  static const std::string attr = " xmlns='jabber:server'";
  auto end = xml.find('>');
  auto at = xml.find(attr);
  if (at != std::string::npos && at < end) xml.erase(at, attr.size());
}

void to_partner(self_ptr self, s2s::stanza s) {
  self->send(self->state.cfg->s2s, s2s::deliver_atom::value, std::move(s));
}

void bounce(self_ptr self, const s2s::stanza& original, const mapping::stanza_error& e) {
  if (original.xml.empty()) return;  // the gateway's own notice: nobody to bounce to
  auto spec = s2s::stanza_error_spec{mapping::to_string(e.condition), mapping::to_string(e.type)};
  metrics::xmpp_stanzas().bounced(metrics::direction::in, s2s::kind_of(original),
                                  s2s::condition_of(spec));
  if (auto b = s2s::make_bounce(original, spec, e.text)) to_partner(self, std::move(*b));
}

// ---- SIP side -----------------------------------------------------------------------------------

// Answers every transaction of a pending MESSAGE and remembers the answer.
void finish_pending(self_ptr self, const std::string& id, int status, const std::string& reason) {
  auto& st = self->state;
  auto it = st.pending.find(id);
  if (it == st.pending.end()) return;
  for (const auto& in : it->second.requests)
    sip_layer::answer(in, status, reason);
  if (it->second.probe) {
    it->second.probe->deliver(status < 300 ? "delivered: written to the stream to " +
                                                 st.id->remote.domain() +
                                                 ", no error within the error window"
                                           : "refused: " + std::to_string(status) + " " + reason);
  }
  st.answered.push_back({id, it->second.dedupe, status, reason});
  if (st.answered.size() > max_answered) st.answered.pop_front();
  st.pending_by_dedupe.erase(it->second.dedupe);
  st.pending.erase(it);
}

void pump(self_ptr self);
void send_to_sip(self_ptr self, outgoing item);

void on_sip_response(self_ptr self, const outgoing& item, const sip::message& response) {
  auto& st = self->state;
  int status = response.status_code();
  if (status < 300) {
    metrics::sip_requests().inc(metrics::direction::out, metrics::sip_method::message,
                                metrics::outcome::delivered);
    if (!item.stanza.xml.empty()) {
      metrics::xmpp_stanzas().inc(metrics::direction::in, metrics::stanza_kind::message,
                                  metrics::outcome::delivered);
      metrics::translation_latency().observe(metrics::translation::xmpp_to_sip, item.arrival);
    }
    return;
  }
  metrics::sip_requests().bounced(metrics::direction::out, metrics::sip_method::message, status);
  const auto& m = item.message;
  if (!m.has_content()) {
    // A chat state or receipt the SIP side does not take: stop sending chat states to it, and
    // bounce nothing (XEP-0085 §5.2: chat states are not errors' business).
    if (m.state != mapping::chat_state::none &&
        (status == 415 || status == 501 || status == 405 || status == 488)) {
      st.sip_refuses_iscomposing = true;
    }
    return;
  }
  log::info("im message refused by the SIP side",
            {{"conversation", st.id->key},
             {"status", status},
             {"reason", std::string(response.reason_phrase())}});
  bounce(self, item.stanza, mapping::to_xmpp(status, response.reason_phrase()));
}

void send_request(self_ptr self, outgoing item, sip_layer::outgoing_request req) {
  auto& st = self->state;
  st.busy = true;
  self->request(st.sip, caf::infinite, sip_layer::sip_send_atom::value, std::move(req))
      .then(
          [=](const sip::message& response) mutable {
            auto& st = self->state;
            self->state.busy = false;
            if (response.status_code() == 481 && st.chat && !item.retried) {
              // The SIP side forgot our session (restart, timeout): start over, once.
              st.chat.reset();
              item.retried = true;
              st.queue.push_front(std::move(item));
              return pump(self);
            }
            on_sip_response(self, item, response);
            pump(self);
          },
          [=](caf::error& e) {
            log::warn("im SIP send failed", {{"reason", self->system().render(e)}});
            if (item.message.has_content()) {
              bounce(self, item.stanza,
                     {mapping::stanza_condition::internal_server_error, mapping::error_type::wait,
                      "the SIP side is not available"});
            }
            self->state.busy = false;
            pump(self);
          });
}

bool prefers_sessions(self_ptr self) {
  auto& st = self->state;
  if (st.sessions_refused || !st.cfg->contact.ok() || st.cfg->session_mode_sip_domains.empty()) {
    return false;
  }
  auto sip_domain = st.cfg->domains.to_sip(st.id->local.domain());
  if (!sip_domain) return false;
  const auto& list = st.cfg->session_mode_sip_domains;
  return std::find(list.begin(), list.end(), *sip_domain) != list.end();
}

std::string our_contact(self_ptr self) {
  auto& st = self->state;
  return contact_header(mapping::escape_sip_user(st.id->remote.local()), st.cfg->contact);
}

// Opens an IM session with INVITE, then sends `item` inside it. A SIP side that does not do
// sessions gets `item` (and everything after) in pager mode.
void open_session(self_ptr self, outgoing item, const mapping::sip_request_parts& parts) {
  auto& st = self->state;
  std::string call_id = new_call_id();
  std::string contact = our_contact(self);
  auto invite = session_invite(parts, random_token(), call_id, contact, st.cfg->contact);
  auto probe = invite;
  probe.prepend_header("Via", "SIP/2.0/UDP 0.0.0.0;branch=z9hG4bKlocal");  // for dialog_as_uac
  auto sent = probe.build();
  if (!sent.ok()) {
    st.sessions_refused = true;
    return send_to_sip(self, std::move(item));
  }
  sip_layer::outgoing_request req;
  req.request = std::move(invite);
  st.busy = true;
  sip::message invite_msg = std::move(sent).value();
  self->request(st.sip, caf::infinite, sip_layer::sip_send_atom::value, std::move(req))
      .then(
          [=](const sip::message& response) mutable {
            auto& st = self->state;
            st.busy = false;
            int status = response.status_code();
            if (status >= 200 && status < 300) {
              auto d = sip_layer::dialog_as_uac(invite_msg, response);
              if (d.ok()) {
                st.chat = chat_dialog{std::move(d).value(), contact, std::nullopt, 1};
                sip_layer::outgoing_request ack;
                ack.request = sip_layer::next_request(st.chat->d, "ACK");
                ack.target_uri = sip_layer::next_hop_uri(st.chat->d);
                self->request(st.sip, caf::infinite, sip_layer::sip_send_atom::value,
                              std::move(ack))
                    .then([](const sip::message&) {}, [](caf::error&) {});
                log::info("im session opened",
                          {{"conversation", st.id->key}, {"call_id", call_id}});
                return send_to_sip(self, std::move(item));
              }
            }
            if (refuses_sessions(status) || (status >= 200 && status < 300)) {
              log::info("im sessions refused by the SIP side, using pager mode",
                        {{"conversation", st.id->key}, {"status", status}});
              st.sessions_refused = true;
              return send_to_sip(self, std::move(item));
            }
            on_sip_response(self, item, response);  // the mapped error for the message
            pump(self);
          },
          [=](caf::error& e) {
            log::warn("im SIP INVITE failed", {{"reason", self->system().render(e)}});
            self->state.busy = false;
            self->state.sessions_refused = true;
            send_to_sip(self, std::move(item));
          });
}

void send_to_sip(self_ptr self, outgoing item) {
  auto& st = self->state;
  const auto& m = item.message;
  mapping::sip_out_options opt;
  opt.peer_accepts_iscomposing = st.cfg->chat_states_to_sip && !st.sip_refuses_iscomposing;
  opt.peer_requested_imdn =
      !m.receipt_for.empty() &&
      std::find(st.sip_receipt_requests.begin(), st.sip_receipt_requests.end(), m.receipt_for) !=
          st.sip_receipt_requests.end();
  opt.offer_imdn = m.receipt_requested;
  opt.datetime = rfc3339_now();
  auto parts = mapping::to_sip(m, st.cfg->domains, st.cfg->limits, opt);
  if (!parts) {
    bounce(self, item.stanza, parts.err().as_stanza_error());
    return pump(self);
  }
  if (!parts.value()) {
    // Nothing the SIP side wants: a chat state it refused, a receipt it did not ask for.
    log::debug(
        "im stanza has no SIP form here",
        {{"conversation", st.id->key}, {"id", item.stanza.id}, {"receipt_for", m.receipt_for}});
    return pump(self);
  }
  sip_layer::outgoing_request req;
  if (st.chat) {
    req.request = in_dialog_message(st.chat->d, *parts.value());
    req.target_uri = sip_layer::next_hop_uri(st.chat->d);
  } else if (m.has_content() && prefers_sessions(self)) {
    return open_session(self, std::move(item), *parts.value());
  } else {
    auto builder = parts.value()->to_builder(st.from_tag);
    builder.header("Call-ID", call_id_for_thread(self, m.thread));
    builder.header("CSeq", std::to_string(++st.cseq) + " MESSAGE");
    builder.header("Max-Forwards", "70");
    req.request = std::move(builder);
  }
  send_request(self, std::move(item), std::move(req));
}

// Ends the IM session (idle, shutdown): BYE, not waiting for its answer.
void close_session(self_ptr self) {
  auto& st = self->state;
  if (!st.chat) return;
  sip_layer::outgoing_request bye;
  bye.request = sip_layer::next_request(st.chat->d, "BYE");
  bye.target_uri = sip_layer::next_hop_uri(st.chat->d);
  st.chat.reset();
  self->request(st.sip, caf::infinite, sip_layer::sip_send_atom::value, std::move(bye))
      .then([](const sip::message&) {}, [](caf::error&) {});
}

void pump(self_ptr self) {
  auto& st = self->state;
  if (st.busy || st.queue.empty()) return;
  auto item = std::move(st.queue.front());
  st.queue.pop_front();
  send_to_sip(self, std::move(item));
}

// A MESSAGE to the SIP user from the remote contact, written by the gateway (late errors).
void notify_sip_user(self_ptr self, const std::string& text) {
  auto& st = self->state;
  outgoing item;
  item.message.from = st.id->remote;
  item.message.to = st.id->local;
  item.message.type = mapping::message_type::chat;
  item.message.bodies.push_back({"", text});
  st.queue.push_back(std::move(item));
  pump(self);
}

// A stanza from the partner for this conversation.
void on_stanza(self_ptr self, s2s::stanza s) {
  auto& st = self->state;
  pugi::xml_document doc;
  if (!doc.load_buffer(s.xml.data(), s.xml.size())) return;  // the stream parsed it already
  pugi::xml_node el = doc.document_element();
  // Stanzas travel without their default namespace (actors/s2s/messages.hpp); give it back so
  // the mapping sees a jabber:server <message/>.
  if (!el.attribute("xmlns")) el.prepend_attribute("xmlns").set_value("jabber:server");
  if (s.type == "error") {
    // The partner's answer to a stanza we sent for a SIP MESSAGE (an unknown user, say).
    auto e = mapping::parse_stanza_error(el.child("error"));
    auto sip = mapping::to_sip(e);
    if (st.pending.count(s.id)) {
      log::info("im message refused by the XMPP side",
                {{"conversation", st.id->key},
                 {"condition", mapping::to_string(e.condition)},
                 {"status", sip.code}});
      finish_pending(self, s.id, sip.code, sip.reason);
      return;
    }
    for (const auto& a : st.answered) {
      if (a.id != s.id) continue;
      if (a.status < 300) {
        // Too late to change the SIP answer (docs/im.md, "Late errors").
        std::string text = "[fedgate] Your message was not delivered: " +
                           std::string(mapping::to_string(e.condition)) +
                           (e.text.empty() ? std::string() : " (" + e.text + ")");
        notify_sip_user(self, text);
      }
      return;
    }
    log::info("im error stanza for nothing pending", {{"conversation", st.id->key}, {"id", s.id}});
    return;
  }
  auto m = mapping::from_xmpp(el, st.cfg->limits);
  if (!m) {
    bounce(self, s, m.err().as_stanza_error());
    return;
  }
  if (st.queue.size() >= st.cfg->session_queue_max) {
    bounce(self, s,
           {mapping::stanza_condition::resource_constraint, mapping::error_type::wait,
            "too many messages waiting for the SIP side in this conversation"});
    return;
  }
  st.queue.push_back({std::move(s), std::move(m.value())});
  pump(self);
}

void on_sip_message(self_ptr self, sip_layer::incoming_request in) {
  auto& st = self->state;
  std::string call_id(in.request.call_id());
  std::string dedupe = call_id + " " + std::to_string(in.request.cseq().number);
  // The same request in another transaction (a proxy's failover, a client's retry after a
  // lost response): the same answer, no second stanza.
  if (auto it = st.pending_by_dedupe.find(dedupe); it != st.pending_by_dedupe.end()) {
    st.pending[it->second].requests.push_back(std::move(in));
    return;
  }
  for (const auto& a : st.answered) {
    if (a.dedupe == dedupe) return sip_layer::answer(in, a.status, a.reason);
  }
  auto m = mapping::from_sip(in.request, st.cfg->domains, st.cfg->limits);
  if (!m) return sip_layer::answer(in, m.err().status, m.err().reason);
  auto& msg = m.value();
  if (in.request.body().empty()) {
    return sip_layer::answer(in, 400,
                             "MESSAGE without a body (RFC 3428 §4: the message is the body)");
  }
  if (!msg.has_content() && msg.state == mapping::chat_state::none && msg.receipt_for.empty()) {
    // A notification with no XMPP form (an IMDN other than "delivered", say): nobody reads it,
    // so it is acknowledged and not turned into an empty <message/>.
    return sip_layer::answer(in, 200, "OK (nothing to deliver to XMPP)");
  }
  if (msg.id.empty() || st.pending.count(msg.id)) msg.id = next_id(self);
  if (msg.thread.empty()) msg.thread = thread_for_call_id(self, call_id);
  if (msg.receipt_requested) {
    st.sip_receipt_requests.push_back(msg.id);
    if (st.sip_receipt_requests.size() > max_receipt_requests) st.sip_receipt_requests.pop_front();
  }
  auto xml = mapping::to_xmpp(msg);
  if (!xml) return sip_layer::answer(in, xml.err().status, xml.err().reason);
  strip_default_namespace(xml.value());
  s2s::stanza s{std::move(xml.value()),
                msg.from->to_string(),
                msg.to->to_string(),
                "message",
                std::string(mapping::to_string(msg.type)),
                msg.id,
                self};
  auto& p = st.pending[msg.id];
  p.requests.push_back(std::move(in));
  p.dedupe = dedupe;
  st.pending_by_dedupe[dedupe] = msg.id;
  self->delayed_send(self, st.cfg->delivery_timeout, delivery_timeout_atom::value, msg.id);
  to_partner(self, std::move(s));
}

// The SIP side opens an IM session (chat_session.hpp): answered at once with our SDP, so a
// CANCEL never finds it pending.
void on_invite(self_ptr self, const sip_layer::incoming_request& in) {
  auto& st = self->state;
  std::string call_id(in.request.call_id());
  if (st.chat && st.chat->d.call_id == call_id && st.chat->answer &&
      in.request.cseq().number == st.chat->invite_cseq) {
    // The INVITE again (our 200 was lost on UDP): the same answer, RFC 3261 §13.3.1.4.
    sip_layer::respond(in, *st.chat->answer);
    return;
  }
  if (!offers_im_session(in.request)) {
    return sip_layer::answer(
        in, 488,
        "Not Acceptable Here (an IM session needs an SDP m=message line with the "
        "sip protocol)");
  }
  if (!st.cfg->contact.ok())
    return sip_layer::answer(in, 488, "Not Acceptable Here (no SIP listener)");
  bool reinvite = st.chat && st.chat->d.call_id == call_id;
  if (reinvite) {
    // A re-INVITE in our dialog (RFC 3261 §14.2): same tags, the remote target refreshed, the
    // same session answered again.
    if (!sip_layer::accept_remote_cseq(st.chat->d, in.request)) {
      return sip_layer::answer(in, 500, "Server Internal Error (CSeq lower than the last one)");
    }
    sip_layer::refresh_remote_target(st.chat->d, in.request);
    auto b = sip::make_response(in.request, 200, "OK", st.chat->d.local_tag);
    b.header("Contact", st.chat->contact);
    b.body("application/sdp", im_session_sdp(st.cfg->contact));
    auto answer = b.build();
    if (!answer.ok()) return sip_layer::answer(in, 500, "cannot build the answer");
    st.chat->answer = answer.value();
    st.chat->invite_cseq = in.request.cseq().number;
    sip_layer::respond(in, std::move(answer).value());
    return;
  }
  std::string tag = random_token();
  auto d = sip_layer::dialog_as_uas(in.request, tag);
  if (!d.ok()) return sip_layer::answer(in, 400, d.err().reason);
  std::string contact = our_contact(self);
  auto b = sip::make_response(in.request, 200, "OK", tag);
  b.header("Contact", contact);
  b.body("application/sdp", im_session_sdp(st.cfg->contact));
  auto answer = b.build();
  if (!answer.ok()) return sip_layer::answer(in, 500, "cannot build the answer");
  if (st.chat) close_session(self);  // another Call-ID: the newest session wins
  st.chat = chat_dialog{std::move(d).value(), contact, answer.value(), in.request.cseq().number};
  log::info("im session accepted", {{"conversation", st.id->key}, {"call_id", call_id}});
  sip_layer::respond(in, std::move(answer).value());
}

void on_bye(self_ptr self, const sip_layer::incoming_request& in) {
  auto& st = self->state;
  if (!st.chat || st.chat->d.call_id != in.request.call_id()) {
    return sip_layer::answer(in, 481, "Call/Transaction Does Not Exist");
  }
  st.chat.reset();
  log::info("im session ended by the SIP side", {{"conversation", st.id->key}});
  sip_layer::answer(in, 200, "OK");
}

// `fedgate ctl test-im`: a test message from the local user to the remote contact, answered
// like a SIP MESSAGE would be (delivered / the mapped refusal / not written in time).
caf::result<std::string> on_test_im(self_ptr self, const std::string& text) {
  auto& st = self->state;
  mapping::im_message msg;
  msg.from = st.id->local;
  msg.to = st.id->remote;
  msg.type = mapping::message_type::chat;
  msg.id = next_id(self);
  msg.bodies.push_back({"", text});
  auto xml = mapping::to_xmpp(msg);
  if (!xml) return "refused: " + xml.err().reason;
  strip_default_namespace(xml.value());
  auto& p = st.pending[msg.id];
  p.probe = self->make_response_promise<std::string>();
  p.dedupe = "test " + msg.id;
  self->delayed_send(self, st.cfg->delivery_timeout, delivery_timeout_atom::value, msg.id);
  to_partner(self, s2s::stanza{std::move(xml.value()), msg.from->to_string(), msg.to->to_string(),
                               "message", "chat", msg.id, self});
  return *p.probe;
}

void on_sip_request(self_ptr self, sip_layer::incoming_request in) {
  auto method = in.request.method();
  if (method == "MESSAGE") return on_sip_message(self, std::move(in));
  if (method == "INVITE") return on_invite(self, in);
  if (method == "BYE") return on_bye(self, in);
  sip_layer::answer(in, 501, "Not Implemented");
}

void arm_idle_check(self_ptr self) {
  self->delayed_send(self, self->state.cfg->session_idle, idle_check_atom::value);
}

}  // namespace

caf::behavior session_behavior(self_ptr self, session_identity id,
                               std::shared_ptr<const im_config> cfg, caf::actor shard) {
  auto& st = self->state;
  st.id = std::move(id);
  st.cfg = std::move(cfg);
  st.shard = std::move(shard);
  st.token = random_token();
  st.alive.emplace(metrics::actors(), metrics::actor_type::session);
  st.from_tag = random_token();
  if (!st.cfg->sip_shards.empty()) {
    st.sip = st.cfg->sip_shards[std::hash<std::string>{}(st.id->key) % st.cfg->sip_shards.size()];
  }
  arm_idle_check(self);
  return {
      [=](routed_atom, const std::string&, s2s::stanza& s) {
        self->state.mailbox.tick(self);
        ++self->state.processed;
        self->state.last_activity = clock::now();
        on_stanza(self, std::move(s));
      },
      [=](routed_atom, const std::string&, sip_layer::incoming_request& in) {
        self->state.mailbox.tick(self);
        ++self->state.processed;
        self->state.last_activity = clock::now();
        on_sip_request(self, std::move(in));
      },
      [=](s2s::written_atom, const std::string& stanza_id, const std::string&) {
        auto& st = self->state;
        auto it = st.pending.find(stanza_id);
        if (it == st.pending.end() || it->second.written) return;
        it->second.written = true;
        metrics::translation_latency().observe(metrics::translation::sip_to_xmpp,
                                               it->second.arrival);
        self->delayed_send(self, st.cfg->error_window, settle_atom::value, stanza_id);
      },
      [=](settle_atom, const std::string& stanza_id) {
        finish_pending(self, stanza_id, 200, "OK");
      },
      [=](delivery_timeout_atom, const std::string& stanza_id) {
        auto& st = self->state;
        auto it = st.pending.find(stanza_id);
        if (it == st.pending.end() || it->second.written) return;
        auto sip = mapping::to_sip(mapping::stanza_error{
            mapping::stanza_condition::remote_server_timeout, mapping::error_type::wait,
            "no stream to " + st.id->remote.domain() + " within " +
                std::to_string(st.cfg->delivery_timeout.count()) + " ms"});
        log::warn("im message not delivered in time",
                  {{"conversation", st.id->key}, {"status", sip.code}});
        finish_pending(self, stanza_id, sip.code, sip.reason);
      },
      [=](idle_check_atom) {
        auto& st = self->state;
        st.mailbox.sample(self);
        bool quiet = clock::now() - st.last_activity >= st.cfg->session_idle;
        if (quiet && !st.busy && st.chat) {
          close_session(self);  // an idle IM session ends with BYE; the actor the round after
        } else if (quiet && !st.busy && st.queue.empty() && st.pending.empty()) {
          self->send(st.shard, idle_atom::value, st.id->key, st.processed);
        }
        arm_idle_check(self);
      },
      [=](idle_atom) { self->quit(); },
      [=](list_sessions_atom) {
        auto& st = self->state;
        session_info i;
        i.conversation = st.id->key;
        i.to_sip_queued = st.queue.size();
        i.to_xmpp_pending = st.pending.size();
        i.sip_in_flight = st.busy;
        i.mode = st.chat ? "session" : "pager";
        i.idle_seconds = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(clock::now() - st.last_activity)
                .count());
        return i;
      },
      [=](test_im_atom, const std::string&, const std::string& text) {
        ++self->state.processed;
        self->state.last_activity = clock::now();
        return on_test_im(self, text);
      },
  };
}

caf::actor spawn_session(caf::local_actor* parent, session_identity id,
                         std::shared_ptr<const im_config> cfg, caf::actor shard) {
  return parent->spawn<caf::linked>(session_behavior, std::move(id), std::move(cfg),
                                    std::move(shard));
}

}  // namespace fedgate::im
