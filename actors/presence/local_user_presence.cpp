#include "actors/presence/local_user_presence.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <optional>

#include <caf/all.hpp>
#include <pugixml.hpp>

#include "actors/im/messages.hpp"
#include "actors/presence/internal/actor_base.hpp"
#include "actors/presence/internal/common.hpp"
#include "actors/presence/messages.hpp"
#include "actors/presence/subscription_store.hpp"
#include "actors/sip/answer.hpp"
#include "actors/sip/dialog.hpp"
#include "codecs/mapping/address.hpp"
#include "codecs/mapping/presence.hpp"
#include "codecs/pidf/parser.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"
#include "metrics/mailbox_sampler.hpp"

namespace fedgate::presence {
namespace {

using clock = std::chrono::steady_clock;
using namespace internal;

// One XMPP contact watching the user.
struct watcher {
  std::string remote;       // bare JID
  bool authorised = false;  // 'subscribed' was sent: presence may flow
  authorisation policy = authorisation::forward;
  // The SIP subscription on the contact's behalf.
  // The initial SUBSCRIBE until its dialog forms (a NOTIFY may beat its 2xx). On the heap: a
  // message is 672 bytes inline, and an established watcher (most of them) holds none.
  std::unique_ptr<sip::message> subscribe;
  std::optional<sip_layer::dialog> dialog;
  std::string call_id;
  std::uint64_t generation = 0;  // timers of an older subscription are stale
  unsigned failures = 0;
  bool subscribing = false;  // a SUBSCRIBE transaction is in flight
  clock::time_point expires_at{};
  // Presence: the latest from the SIP side, and what the contact was last sent.
  std::optional<mapping::xmpp_presence> latest;
  std::optional<mapping::xmpp_presence> sent;
  bool dirty = false;             // `latest` waits for this watcher's window (a flush is armed)
  clock::time_point last_sent{};  // the storm-control window is per watcher (from here)
};

struct user_state : actor_base {
  std::string user;                         // bare JID, XMPP form
  std::map<std::string, watcher> watchers;  // by bare JID
  static inline const char* name = "presence_local_user";
};

using self_ptr = caf::stateful_actor<user_state>*;

const presence_settings& settings(self_ptr self) {
  return self->state.cfg->presence;
}

void store_put(self_ptr self, const watcher& w) {
  auto& s = settings(self);
  if (!s.store) return;
  subscription_record r;
  r.direction = watch_direction::xmpp_watches_sip;
  r.local = self->state.user;
  r.remote = w.remote;
  r.state = w.authorised ? auth_state::active : auth_state::pending;
  if (auto err = s.store->put(r)) {
    log::error("presence store write failed",
               {{"user", r.local}, {"watcher", r.remote}, {"reason", *err}});
  }
}

void store_erase(self_ptr self, const std::string& remote) {
  auto& s = settings(self);
  if (!s.store) return;
  if (auto err = s.store->erase(watch_direction::xmpp_watches_sip, self->state.user, remote)) {
    log::error("presence store erase failed",
               {{"user", self->state.user}, {"watcher", remote}, {"reason", *err}});
  }
}

void start_subscription(self_ptr self, watcher& w);

void schedule_resubscribe(self_ptr self, watcher& w, std::optional<unsigned> retry_after = {}) {
  w.dialog.reset();
  w.subscribe.reset();
  w.subscribing = false;
  ++w.generation;
  auto base = settings(self).resubscribe_backoff;
  auto factor = 1u << std::min(w.failures, 6u);
  ++w.failures;
  auto delay = retry_after ? std::chrono::seconds(*retry_after) : base * factor;
  self->delayed_send(self, delay, refresh_atom::value, w.remote, w.generation);
}

void remove_watcher(self_ptr self, const std::string& remote) {
  auto it = self->state.watchers.find(remote);
  if (it == self->state.watchers.end()) return;
  if (it->second.authorised) {
    metrics::presence().subscriptions_add(metrics::translation::xmpp_to_sip, -1);
  }
  self->state.watchers.erase(it);
  store_erase(self, remote);
}

void mark_authorised(self_ptr self, watcher& w) {
  if (w.authorised) return;
  w.authorised = true;
  metrics::presence().subscriptions_add(metrics::translation::xmpp_to_sip, 1);
  store_put(self, w);
}

// ---- storm control: the latest state per watcher goes out at most once per window -------------
//
// The window is per watcher, not per user: a change of the user's state arrives as one NOTIFY per
// watcher (one SIP subscription each), and a per-user window let the first NOTIFY through and
// held the other watchers' copies of the same change back for a whole window (found with
// fedgate-bench presence-fanout: p50 1,005 ms instead of 4 ms with 10 watchers per user).

// Sends the watcher its latest state unless the partner's budget is spent (false: held back,
// it stays dirty and merges with what follows).
bool send_latest(self_ptr self, watcher& w) {
  auto& st = self->state;
  auto domain = xmpp::jid::parse(w.remote)->domain();
  if (settings(self).rates && !settings(self).rates->try_take(domain)) {
    note_held_back(st, domain);
    return false;
  }
  send_presence(self, *st.cfg, *w.latest, st.user, w.remote);
  w.sent = w.latest;
  w.dirty = false;
  w.last_sent = clock::now();
  return true;
}

// Sends every watcher whose window has passed its latest state; arms the flush for the rest.
void flush(self_ptr self) {
  auto& st = self->state;
  st.flush_armed = false;
  const auto now = clock::now();
  const auto window = settings(self).coalesce_window;
  std::optional<clock::time_point> next_due;
  bool held_back = false;
  bool more = false;
  std::size_t sent = 0;
  for (auto& entry : st.watchers) {
    auto& w = entry.second;
    if (!w.dirty || !w.authorised || !w.latest) continue;
    if (w.sent && *w.sent == *w.latest) {
      w.dirty = false;
      continue;
    }
    if (now - w.last_sent < window) {
      auto due = w.last_sent + window;
      if (!next_due || due < *next_due) next_due = due;
      continue;
    }
    if (sent == settings(self).max_fanout_per_message) {
      more = true;
      break;
    }
    if (!send_latest(self, w)) {
      held_back = true;
      continue;
    }
    ++sent;
  }
  continue_flush(self, more, held_back);
  if (next_due) arm_flush(self, *next_due - now);
}

// A new state from the SIP side (or the first one a newly authorised watcher may see).
void presence_changed(self_ptr self, watcher& w, mapping::xmpp_presence p) {
  auto& st = self->state;
  if (w.dirty) {
    count_coalesced(st);  // waiting for its window already: the latest state wins
    w.latest = std::move(p);
    return;
  }
  w.latest = std::move(p);
  if (!w.authorised || (w.sent && *w.sent == *w.latest)) return;
  w.dirty = true;
  auto since = clock::now() - w.last_sent;
  auto window = settings(self).coalesce_window;
  if (since >= window) {
    if (!send_latest(self, w)) arm_flush(self, window);
    return;
  }
  arm_flush(self, window - since);
}

// ---- the SIP subscription on the watcher's behalf ---------------------------------------------

std::optional<std::string> sip_uri(self_ptr self, const std::string& bare) {
  auto j = xmpp::jid::parse(bare);
  if (!j) return std::nullopt;
  auto uri = mapping::jid_to_sip_uri(*j, self->state.cfg->domains);
  if (!uri) return std::nullopt;
  return std::move(uri).value();
}

void add_subscribe_headers(self_ptr self, sip::message_builder& b, const watcher& w,
                           std::chrono::seconds expires) {
  b.header("Event", "presence");
  b.header("Accept", "application/pidf+xml");
  b.header("Expires", std::to_string(expires.count()));
  auto local = xmpp::jid::parse(w.remote);
  if (self->state.cfg->contact.ok() && local) {
    b.header("Contact", contact_for(local->local(), self->state.cfg->contact));
  }
}

void arm_refresh(self_ptr self, watcher& w, unsigned granted) {
  w.expires_at = clock::now() + std::chrono::seconds(granted);
  // RFC 6665 §4.1.2.1: refresh before expiry; 80 % leaves room for a slow transaction.
  auto at = std::chrono::milliseconds(std::max(1000u, granted * 800u));
  self->delayed_send(self, at, refresh_atom::value, w.remote, w.generation);
}

void on_subscribe_response(self_ptr self, const std::string& remote, std::uint64_t generation,
                           const sip::message& response, bool refresh) {
  auto it = self->state.watchers.find(remote);
  if (it == self->state.watchers.end() || it->second.generation != generation) return;
  auto& w = it->second;
  w.subscribing = false;
  int status = response.status_code();
  sip_layer::count_request(metrics::direction::out, "SUBSCRIBE", status);
  if (status >= 200 && status < 300) {
    w.failures = 0;
    if (!w.dialog && w.subscribe) {
      if (auto d = sip_layer::dialog_as_uac(*w.subscribe, response); d.ok())
        w.dialog = std::move(d).value();
    }
    if (w.dialog) w.subscribe.reset();  // only needed to build the dialog (memory per watcher)
    auto granted = expires_of(response).value_or(
        static_cast<unsigned>(settings(self).subscribe_expires.count()));
    if (granted == 0) return schedule_resubscribe(self, w);
    return arm_refresh(self, w, granted);
  }
  if (refresh && status == 481) return start_subscription(self, w);  // it forgot us: anew
  // The user does not exist or may not be watched: the contact's subscription ends, unless it
  // was approved by policy (then the SIP side's answer might change: keep trying, slowly).
  bool final_no = status == 403 || status == 404 || status == 489 || status == 603 || status == 604;
  log::info("presence SUBSCRIBE refused",
            {{"user", self->state.user}, {"watcher", remote}, {"status", status}});
  if (final_no && !w.authorised) {
    send_handshake(self, *self->state.cfg, mapping::presence_type::unsubscribed, self->state.user,
                   remote);
    return remove_watcher(self, remote);
  }
  std::optional<unsigned> retry;
  if (auto ra = response.header("Retry-After")) {
    unsigned n = 0;
    auto r = std::from_chars(ra->data(), ra->data() + ra->size(), n);
    if (r.ec == std::errc{}) retry = n;
  }
  schedule_resubscribe(self, w, retry);
}

void send_subscribe(self_ptr self, watcher& w, sip_layer::outgoing_request req, bool refresh) {
  w.subscribing = true;
  auto remote = w.remote;
  auto generation = w.generation;
  self->request(self->state.sip, caf::infinite, sip_layer::sip_send_atom::value, std::move(req))
      .then(
          [=](const sip::message& response) {
            on_subscribe_response(self, remote, generation, response, refresh);
          },
          [=](caf::error& e) {
            auto it = self->state.watchers.find(remote);
            if (it == self->state.watchers.end() || it->second.generation != generation) return;
            log::warn("presence SUBSCRIBE failed", {{"user", self->state.user},
                                                    {"watcher", remote},
                                                    {"reason", self->system().render(e)}});
            schedule_resubscribe(self, it->second);
          });
}

void start_subscription(self_ptr self, watcher& w) {
  auto& st = self->state;
  ++w.generation;
  w.dialog.reset();
  auto to = sip_uri(self, st.user);
  auto from = sip_uri(self, w.remote);
  if (!to || !from || !st.sip) {
    log::warn("presence: cannot subscribe on the SIP side",
              {{"user", st.user}, {"watcher", w.remote}});
    return;
  }
  w.call_id = sip_layer::new_call_id();
  auto b = sip::message_builder::request("SUBSCRIBE", *to);
  b.header("From", "<" + *from + ">;tag=" + sip_layer::random_token());
  b.header("To", "<" + *to + ">");
  b.header("Call-ID", w.call_id);
  b.header("CSeq", "1 SUBSCRIBE");
  b.header("Max-Forwards", "70");
  add_subscribe_headers(self, b, w, settings(self).subscribe_expires);
  // Kept to build the dialog from its 2xx or first NOTIFY; the layer adds the real Via, which
  // the dialog does not use (a placeholder makes it a complete message meanwhile).
  auto kept = b;
  kept.prepend_header("Via", "SIP/2.0/UDP invalid;branch=z9hG4bKkept");
  auto built = kept.build();
  if (!built.ok()) {
    log::error("presence: SUBSCRIBE not built",
               {{"user", st.user}, {"watcher", w.remote}, {"reason", built.err().to_string()}});
    return;
  }
  w.subscribe = std::make_unique<sip::message>(std::move(built).value());
  sip_layer::outgoing_request req;
  req.request = std::move(b);
  send_subscribe(self, w, std::move(req), false);
}

void refresh_subscription(self_ptr self, watcher& w, std::chrono::seconds expires) {
  // Ending a subscription that has no dialog yet: nothing to send it in. Its NOTIFYs then find
  // no watcher and get 481, which ends it on the SIP side (RFC 6665 §4.1.3).
  if (!w.dialog && expires.count() == 0) return;
  if (!w.dialog) return start_subscription(self, w);
  sip_layer::outgoing_request req;
  req.request = sip_layer::next_request(*w.dialog, "SUBSCRIBE");
  add_subscribe_headers(self, req.request, w, expires);
  req.target_uri = sip_layer::next_hop_uri(*w.dialog);
  if (expires.count() == 0) {
    // Ending it (the watcher left): the answer only counts. Still a request: the transaction
    // shard answers every sip_send with the final response (a plain send would get that answer
    // back as an unexpected message).
    self->request(self->state.sip, caf::infinite, sip_layer::sip_send_atom::value, std::move(req))
        .then(
            [](const sip::message& r) {
              sip_layer::count_request(metrics::direction::out, "SUBSCRIBE", r.status_code());
            },
            [](caf::error&) {
              sip_layer::count_request(metrics::direction::out, "SUBSCRIBE", 408);
            });
    return;
  }
  send_subscribe(self, w, std::move(req), true);
}

// ---- XMPP side ---------------------------------------------------------------------------------

watcher& add_watcher(self_ptr self, const std::string& remote, authorisation policy) {
  auto& w = self->state.watchers[remote];
  w.remote = remote;
  w.policy = policy;
  return w;
}

void on_subscribe(self_ptr self, const std::string& remote) {
  auto& st = self->state;
  auto domain = xmpp::jid::parse(remote)->domain();
  auto policy = settings(self).authorisation_for(domain);
  auto it = st.watchers.find(remote);
  if (it != st.watchers.end()) {
    // Already known (RFC 6121 §3.1.3: a repeated request is answered, not queued again).
    if (it->second.authorised) {
      send_handshake(self, *st.cfg, mapping::presence_type::subscribed, st.user, remote);
      if (it->second.sent) send_presence(self, *st.cfg, *it->second.sent, st.user, remote);
    }
    return;
  }
  if (policy == authorisation::refuse || st.watchers.size() >= settings(self).max_watchers) {
    log::info("presence subscription refused",
              {{"user", st.user},
               {"watcher", remote},
               {"reason", policy == authorisation::refuse ? "policy" : "max_watchers"}});
    return send_handshake(self, *st.cfg, mapping::presence_type::unsubscribed, st.user, remote);
  }
  auto& w = add_watcher(self, remote, policy);
  if (policy == authorisation::automatic) {
    send_handshake(self, *st.cfg, mapping::presence_type::subscribed, st.user, remote);
    mark_authorised(self, w);
  } else {
    store_put(self, w);  // pending: the SIP side decides
  }
  start_subscription(self, w);
}

void on_unsubscribe(self_ptr self, const std::string& remote) {
  auto& st = self->state;
  auto it = st.watchers.find(remote);
  if (it == st.watchers.end()) return;
  refresh_subscription(self, it->second, std::chrono::seconds(0));
  // Forgotten (store included) before the contact is told, so whoever sees the stanza sees the
  // record gone too (the unit test read the store right after the stanza and sometimes found it).
  remove_watcher(self, remote);
  // RFC 6121 §3.3.3: the contact's server tells the user the contact is now unavailable.
  send_presence(self, *st.cfg, mapping::xmpp_presence{false, mapping::show::none, {}, 0}, st.user,
                remote);
}

void on_probe(self_ptr self, const std::string& remote) {
  auto& st = self->state;
  auto it = st.watchers.find(remote);
  if (it == st.watchers.end()) {
    // RFC 6121 §4.3.2: no subscription, no presence; say so.
    return send_handshake(self, *st.cfg, mapping::presence_type::unsubscribed, st.user, remote);
  }
  auto& w = it->second;
  if (!w.authorised) return;  // pending: nothing to reveal yet
  auto p = w.latest.value_or(mapping::xmpp_presence{false, mapping::show::none, {}, 0});
  send_presence(self, *st.cfg, p, st.user, remote);
  w.sent = p;
  w.dirty = false;
}

void on_stanza(self_ptr self, const s2s::stanza& s) {
  count_stanza_in(s);
  auto from = xmpp::jid::parse(s.from);
  if (!from) return;
  auto remote = from->bare_string();
  auto t = mapping::presence_type_from(s.type);
  if (!t) return;
  switch (*t) {
    case mapping::presence_type::subscribe:
      return on_subscribe(self, remote);
    case mapping::presence_type::unsubscribe:
      return on_unsubscribe(self, remote);
    case mapping::presence_type::probe:
      return on_probe(self, remote);
    default:
      return;  // routed to the contact's actor, not here (router.cpp)
  }
}

// ---- SIP side: NOTIFYs for the subscriptions we hold ------------------------------------------

void on_notify(self_ptr self, const sip_layer::incoming_request& in) {
  auto& st = self->state;
  const auto& m = in.request;
  auto subscriber = mapping::sip_uri_to_jid(m.to().uri_text, st.cfg->domains);
  if (!subscriber) return sip_layer::answer(in, 481, "Subscription does not exist");
  auto it = st.watchers.find(subscriber.value().bare_string());
  if (it == st.watchers.end() || it->second.call_id != m.call_id()) {
    return sip_layer::answer(in, 481, "Subscription does not exist");
  }
  auto& w = it->second;
  if (!is_presence_event(m)) return sip_layer::answer(in, 489, "Bad Event");
  if (!w.dialog && w.subscribe) {
    if (auto d = sip_layer::dialog_from_notify(*w.subscribe, m); d.ok())
      w.dialog = std::move(d).value();
  }
  if (w.dialog) {
    w.subscribe.reset();  // only needed to build the dialog
    if (!sip_layer::accept_remote_cseq(*w.dialog, m))
      return sip_layer::answer(in, 500, "CSeq out of order");
    sip_layer::refresh_remote_target(*w.dialog, m);
  }
  mapping::subscription_state_value state;
  if (auto h = m.header("Subscription-State")) {
    auto parsed = mapping::parse_subscription_state(*h);
    if (!parsed) return sip_layer::answer(in, 400, "Bad Subscription-State");
    state = std::move(parsed).value();
  }
  std::optional<mapping::xmpp_presence> p;
  auto type = m.content_type();
  if (!m.body().empty() && type && type->is("application", "pidf+xml")) {
    auto doc = pidf::parse(m.body());
    if (!doc) return sip_layer::answer(in, 400, "Bad PIDF document");
    p = mapping::presence_from_pidf(doc.value());
  }
  sip_layer::answer(in, 200);
  bool newly_authorised = false;
  switch (mapping::effect_of(state)) {
    case mapping::xmpp_subscription_effect::subscribed:
      if (!w.authorised) {
        send_handshake(self, *st.cfg, mapping::presence_type::subscribed, st.user, w.remote);
        mark_authorised(self, w);
        newly_authorised = true;
      }
      break;
    case mapping::xmpp_subscription_effect::unsubscribed: {
      auto remote = w.remote;
      send_handshake(self, *st.cfg, mapping::presence_type::unsubscribed, st.user, remote);
      if (w.authorised) {
        send_presence(self, *st.cfg, mapping::xmpp_presence{false, mapping::show::none, {}, 0},
                      st.user, remote);
      }
      return remove_watcher(self, remote);
    }
    case mapping::xmpp_subscription_effect::resubscribe:
      // The SIP side ended it for its own reasons (timeout, deactivated): the XMPP side keeps
      // its subscription and fedgate subscribes again.
      schedule_resubscribe(self, w, state.retry_after);
      break;
    case mapping::xmpp_subscription_effect::none:
      break;
  }
  if (p) {
    presence_changed(self, w, std::move(*p));
  } else if (newly_authorised && w.latest) {
    presence_changed(self, w, *w.latest);  // what an earlier (pending) NOTIFY said
  }
}

void on_sip_request(self_ptr self, const sip_layer::incoming_request& in) {
  if (in.request.method() == "NOTIFY") return on_notify(self, in);
  sip_layer::answer(in, 405, "Method Not Allowed",
                    [](sip::message_builder& b) { b.header("Allow", "NOTIFY"); });
}

caf::behavior local_user_behavior(self_ptr self, std::string key, std::string user,
                                  std::shared_ptr<const im::im_config> cfg, caf::actor shard) {
  self->state.user = std::move(user);
  start_base(self, std::move(key), std::move(cfg), std::move(shard));
  return {
      [=](im::routed_atom, const std::string&, const s2s::stanza& s) {
        took(self);
        on_stanza(self, s);
      },
      [=](im::routed_atom, const std::string&, const sip_layer::incoming_request& in) {
        took(self);
        on_sip_request(self, in);
      },
      [=](restore_atom, const std::string&, const subscription_record& r) {
        ++self->state.processed;
        auto domain = xmpp::jid::parse(r.remote);
        if (!domain) return;
        auto policy = settings(self).authorisation_for(domain->domain());
        if (policy == authorisation::refuse) {
          // The policy changed while fedgate was down: the contact is told.
          send_handshake(self, *self->state.cfg, mapping::presence_type::unsubscribed,
                         self->state.user, r.remote);
          return store_erase(self, r.remote);
        }
        auto& w = add_watcher(self, r.remote, policy);
        if (r.state == auth_state::active) {
          w.authorised = true;
          metrics::presence().subscriptions_add(metrics::translation::xmpp_to_sip, 1);
        }
        start_subscription(self, w);
      },
      [=](flush_atom) { flush(self); },
      [=](refresh_atom, const std::string& remote, std::uint64_t generation) {
        auto it = self->state.watchers.find(remote);
        if (it == self->state.watchers.end() || it->second.generation != generation) return;
        if (it->second.subscribing) return;
        if (it->second.dialog) {
          refresh_subscription(self, it->second, settings(self).subscribe_expires);
        } else {
          start_subscription(self, it->second);
        }
      },
      [=](idle_check_atom) { idle_check(self, self->state.watchers.empty()); },
      [=](im::idle_atom) { self->quit(); },
      [=](presence_info_atom) {
        auto& st = self->state;
        presence_info info;
        info.key = st.key;
        info.coalesced = st.coalesced;
        for (const auto& [remote, w] : st.watchers) {
          watcher_info wi;
          wi.watcher = remote;
          wi.state = w.authorised ? "active" : "pending";
          if (w.dialog) {
            auto left =
                std::chrono::duration_cast<std::chrono::seconds>(w.expires_at - clock::now());
            wi.sip = "active " + std::to_string(std::max<long long>(0, left.count())) + "s";
          } else {
            wi.sip = w.subscribing ? "subscribing" : "retrying";
          }
          if (w.sent) wi.last_sent = describe(*w.sent);
          if (w.latest && info.presence.empty()) info.presence = describe(*w.latest);
          info.watchers.push_back(std::move(wi));
        }
        if (info.presence.empty()) info.presence = "unknown";
        return info;
      },
  };
}

}  // namespace

caf::actor spawn_local_user_presence(caf::local_actor* shard, std::string key, std::string user,
                                     std::shared_ptr<const im::im_config> cfg) {
  return shard->spawn<caf::linked>(local_user_behavior, std::move(key), std::move(user),
                                   std::move(cfg), caf::actor_cast<caf::actor>(shard));
}

}  // namespace fedgate::presence
