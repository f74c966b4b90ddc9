#include "actors/presence/remote_contact_presence.hpp"

#include <algorithm>
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
#include "actors/presence/stored_dialog.hpp"
#include "actors/presence/subscription_store.hpp"
#include "actors/sip/answer.hpp"
#include "actors/sip/dialog.hpp"
#include "codecs/mapping/address.hpp"
#include "codecs/mapping/presence.hpp"
#include "codecs/pidf/serializer.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"
#include "metrics/mailbox_sampler.hpp"

namespace fedgate::presence {
namespace {

using clock = std::chrono::steady_clock;
using namespace internal;

// After a restart NOTIFYs go on in stored dialogs with a CSeq past any sent before: the stored
// CSeq plus this, and the dialog is written again every `cseq_store_interval` NOTIFYs.
constexpr std::uint32_t cseq_restart_gap = 100000;
constexpr std::uint32_t cseq_store_interval = 1000;

// A SIP user's subscription to the contact (one dialog; a user with two devices has two).
struct sip_watcher {
  std::string local;  // the SIP user as a bare JID in XMPP form
  sip_layer::dialog dialog;
  clock::time_point expires_at{};
  std::uint64_t generation = 0;
  bool notify_in_flight = false;
  bool dirty = false;        // a NOTIFY with the current state is due
  bool terminating = false;  // the next NOTIFY is the terminated one, then it is gone
  bool terminated_sent = false;
  std::string terminate_reason;
  // The body last notified ("" = pending, no body; null = none yet). Shared with the contact's
  // current body, so N watchers of one contact hold one copy of it, not N.
  std::shared_ptr<const std::string> last_body;
  std::uint32_t stored_cseq = 0;
};

// The XMPP subscription fedgate holds in a local user's name.
enum class xmpp_state { pending, active };

struct contact_state : actor_base {
  std::string contact;  // bare JID
  std::string entity;   // the contact's SIP URI (the PIDF entity)
  std::map<std::string, mapping::xmpp_presence> resources;  // by resource ("" = bare)
  // The PIDF of the aggregated presence, built once per change for every NOTIFY that carries it
  // (a flush to N watchers used to serialize it N + 1 times). Null: stale, built on next use.
  std::shared_ptr<const std::string> body;
  std::map<std::string, xmpp_state> locals;    // by local user
  std::map<std::string, sip_watcher> dialogs;  // by Call-ID
  static inline const char* name = "presence_remote_contact";
};

using self_ptr = caf::stateful_actor<contact_state>*;

const presence_settings& settings(self_ptr self) {
  return self->state.cfg->presence;
}

std::int64_t unix_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

// ---- the contact's presence ---------------------------------------------------------------------

// RFC 6121 §4.4: the available resource with the highest priority speaks for the contact.
mapping::xmpp_presence aggregate(self_ptr self) {
  const mapping::xmpp_presence* best = nullptr;
  for (const auto& [res, p] : self->state.resources) {
    if (!p.available || p.priority < 0) continue;
    if (!best || p.priority > best->priority) best = &p;
  }
  return best ? *best : mapping::xmpp_presence{false, mapping::show::none, {}, 0};
}

const std::shared_ptr<const std::string>& pidf_body(self_ptr self) {
  auto& st = self->state;
  if (!st.body) {
    auto text = pidf::serialize(mapping::presence_to_pidf(aggregate(self), st.entity));
    st.body =
        std::make_shared<const std::string>(text.ok() ? std::move(text).value() : std::string{});
  }
  return st.body;
}

// The pending NOTIFY's (empty) body, shared by every pending dialog.
const std::shared_ptr<const std::string>& no_body() {
  static const auto empty = std::make_shared<const std::string>();
  return empty;
}

// ---- store --------------------------------------------------------------------------------------

void store_put(self_ptr self, const std::string& local, const sip_watcher* w) {
  auto& s = settings(self);
  if (!s.store) return;
  auto it = self->state.locals.find(local);
  if (it == self->state.locals.end()) return;
  subscription_record r;
  r.direction = watch_direction::sip_watches_xmpp;
  r.local = local;
  r.remote = self->state.contact;
  r.state = it->second == xmpp_state::active ? auth_state::active : auth_state::pending;
  if (w) {
    r.sip_dialog = dialog_to_text(w->dialog);
    auto left = std::chrono::duration_cast<std::chrono::seconds>(w->expires_at - clock::now());
    r.expires_unix = unix_now() + left.count();
  }
  if (auto err = s.store->put(r)) {
    log::error("presence store write failed",
               {{"user", local}, {"contact", r.remote}, {"reason", *err}});
  }
}

void store_erase(self_ptr self, const std::string& local) {
  auto& s = settings(self);
  if (!s.store) return;
  if (auto err = s.store->erase(watch_direction::sip_watches_xmpp, local, self->state.contact)) {
    log::error("presence store erase failed",
               {{"user", local}, {"contact", self->state.contact}, {"reason", *err}});
  }
}

// ---- NOTIFY -------------------------------------------------------------------------------------

bool has_dialogs_of(self_ptr self, const std::string& local) {
  for (const auto& [id, w] : self->state.dialogs)
    if (w.local == local) return true;
  return false;
}

void send_notify(self_ptr self, const std::string& call_id);

void notify_done(self_ptr self, const std::string& call_id, int status) {
  auto it = self->state.dialogs.find(call_id);
  if (it == self->state.dialogs.end()) return;
  auto& w = it->second;
  w.notify_in_flight = false;
  sip_layer::count_request(metrics::direction::out, "NOTIFY", status == 0 ? 408 : status);
  // The terminated NOTIFY asked for while this one was in flight goes out now.
  if (w.terminating && !w.terminated_sent && status != 481 && status != 408 && status != 0) {
    return send_notify(self, call_id);
  }
  // RFC 6665 §4.2.2: 481, 408 or no answer at all ends the subscription.
  if (w.terminating || status == 481 || status == 408 || status == 0) {
    auto local = w.local;
    self->state.dialogs.erase(it);
    if (!has_dialogs_of(self, local) && self->state.locals.count(local)) {
      store_put(self, local, nullptr);  // the XMPP subscription stays; the dialog is gone
    }
    return;
  }
  if (w.dirty) send_notify(self, call_id);
}

void send_notify(self_ptr self, const std::string& call_id) {
  auto& st = self->state;
  auto it = st.dialogs.find(call_id);
  if (it == st.dialogs.end()) return;
  auto& w = it->second;
  if (w.notify_in_flight) return;  // one at a time: they arrive in CSeq order
  w.dirty = false;
  auto ls = st.locals.find(w.local);
  bool active = ls != st.locals.end() && ls->second == xmpp_state::active;
  mapping::subscription_state_value state;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(w.expires_at - clock::now());
  if (w.terminating) {
    w.terminated_sent = true;
    state.state = mapping::subscription_state::terminated;
    state.reason = w.terminate_reason;
  } else {
    state.state =
        active ? mapping::subscription_state::active : mapping::subscription_state::pending;
    state.expires = static_cast<unsigned>(std::max<long long>(0, left.count()));
  }
  sip_layer::outgoing_request req;
  req.request = sip_layer::next_request(w.dialog, "NOTIFY");
  req.request.header("Event", "presence");
  req.request.header("Subscription-State", mapping::to_header_value(state));
  if (st.cfg->contact.ok()) {
    auto j = xmpp::jid::parse(st.contact);
    if (j) req.request.header("Contact", contact_for(j->local(), st.cfg->contact));
  }
  if (active) {
    w.last_body = pidf_body(self);
    req.request.body("application/pidf+xml", *w.last_body);
  } else {
    w.last_body = no_body();
  }
  req.target_uri = sip_layer::next_hop_uri(w.dialog);
  w.notify_in_flight = true;
  if (w.dialog.local_cseq - w.stored_cseq >= cseq_store_interval) {
    w.stored_cseq = w.dialog.local_cseq;
    store_put(self, w.local, &w);
  }
  self->request(st.sip, caf::infinite, sip_layer::sip_send_atom::value, std::move(req))
      .then([=](const sip::message& r) { notify_done(self, call_id, r.status_code()); },
            [=](caf::error&) { notify_done(self, call_id, 0); });
}

// Ends one SIP subscription with a terminated NOTIFY.
void terminate(self_ptr self, const std::string& call_id, std::string reason) {
  auto it = self->state.dialogs.find(call_id);
  if (it == self->state.dialogs.end()) return;
  it->second.terminating = true;
  it->second.terminate_reason = std::move(reason);
  if (it->second.notify_in_flight) {
    it->second.dirty = true;  // goes out when the one in flight is answered
  } else {
    send_notify(self, call_id);
  }
}

// ---- storm control ------------------------------------------------------------------------------

void flush(self_ptr self) {
  auto& st = self->state;
  st.flush_armed = false;
  st.last_flush = clock::now();
  const auto body = pidf_body(self);
  auto domain = xmpp::jid::parse(st.contact)->domain();
  bool held_back = false;
  bool more = false;
  std::size_t sent = 0;
  for (auto& [call_id, w] : st.dialogs) {
    auto ls = st.locals.find(w.local);
    if (ls == st.locals.end() || ls->second != xmpp_state::active || w.terminating) continue;
    if (w.last_body && (w.last_body == body || *w.last_body == *body) && !w.dirty) continue;
    if (sent == settings(self).max_fanout_per_message) {
      more = true;  // the rest in a follow-up message: other traffic is not held up
      break;
    }
    w.dirty = true;
    if (settings(self).rates && !settings(self).rates->try_take(domain)) {
      held_back = true;
      note_held_back(st, domain);
      continue;
    }
    ++sent;
    send_notify(self, call_id);
  }
  continue_flush(self, more, held_back);
}

void presence_changed(self_ptr self) {
  if (!flush_soon(self, settings(self).coalesce_window, flush)) count_coalesced(self->state);
}

// ---- XMPP side ----------------------------------------------------------------------------------

void set_active(self_ptr self, const std::string& local) {
  auto& st = self->state;
  auto it = st.locals.find(local);
  if (it == st.locals.end() || it->second == xmpp_state::active) return;
  it->second = xmpp_state::active;
  metrics::presence().subscriptions_add(metrics::translation::sip_to_xmpp, 1);
  const sip_watcher* any = nullptr;
  for (auto& [id, w] : st.dialogs) {
    if (w.local != local) continue;
    any = &w;
    w.dirty = true;
    send_notify(self, id);  // pending -> active at once: not a presence change to coalesce
  }
  store_put(self, local, any);
}

void drop_local(self_ptr self, const std::string& local, const std::string& reason) {
  auto& st = self->state;
  std::vector<std::string> ids;
  for (const auto& [id, w] : st.dialogs)
    if (w.local == local) ids.push_back(id);
  for (const auto& id : ids)
    terminate(self, id, reason);
  auto it = st.locals.find(local);
  if (it == st.locals.end()) return;
  if (it->second == xmpp_state::active) {
    metrics::presence().subscriptions_add(metrics::translation::sip_to_xmpp, -1);
  }
  st.locals.erase(it);
  store_erase(self, local);
}

void on_stanza(self_ptr self, const s2s::stanza& s) {
  count_stanza_in(s);
  auto& st = self->state;
  auto from = xmpp::jid::parse(s.from);
  auto to = xmpp::jid::parse(s.to);
  if (!from || !to) return;
  auto local = to->bare_string();
  auto t = mapping::presence_type_from(s.type);
  if (!t) return;
  switch (*t) {
    case mapping::presence_type::available:
    case mapping::presence_type::unavailable: {
      pugi::xml_document doc;
      if (!doc.load_buffer(s.xml.data(), s.xml.size())) return;
      auto p = mapping::presence_from_xmpp(doc.first_child());
      if (!p) return;
      auto resource = std::string(from->resource());
      st.body.reset();  // rebuilt once, at the next NOTIFY
      if (p.value().available) {
        st.resources[resource] = std::move(p).value();
      } else if (resource.empty()) {
        st.resources.clear();  // unavailable from the bare JID: every resource is gone
      } else {
        st.resources.erase(resource);
      }
      // Presence to a user with a pending subscription means the contact approved it (some
      // servers send presence before or without 'subscribed').
      presence_changed(self);
      return;
    }
    case mapping::presence_type::subscribed:
      return set_active(self, local);
    case mapping::presence_type::unsubscribed:
      return drop_local(self, local, "rejected");
    case mapping::presence_type::error: {
      // Our subscribe or probe bounced (no such contact, partner unreachable).
      auto it = st.locals.find(local);
      if (it != st.locals.end() && it->second == xmpp_state::pending) {
        drop_local(self, local, "noresource");
      }
      return;
    }
    default:
      return;  // subscribe/unsubscribe/probe go to the user's actor (router.cpp)
  }
}

// ---- SIP side: SUBSCRIBE from local users -------------------------------------------------------

void arm_expiry(self_ptr self, sip_watcher& w, const std::string& call_id) {
  ++w.generation;
  auto left = w.expires_at - clock::now();
  self->delayed_send(self, std::chrono::ceil<std::chrono::milliseconds>(left), expire_atom::value,
                     call_id, w.generation);
}

// The Expires a watcher gets: its own, lowered to the maximum; 0 stays 0 (a fetch or the end).
unsigned granted_expires(self_ptr self, const sip::message& m) {
  auto max = static_cast<unsigned>(settings(self).watcher_max_expires.count());
  return std::min(expires_of(m).value_or(max), max);
}

void on_subscribe(self_ptr self, const sip_layer::incoming_request& in) {
  auto& st = self->state;
  const auto& m = in.request;
  if (!is_presence_event(m)) {
    return sip_layer::answer(in, 489, "Bad Event",
                             [](sip::message_builder& b) { b.header("Allow-Events", "presence"); });
  }
  auto expires = granted_expires(self, m);
  auto min = static_cast<unsigned>(settings(self).watcher_min_expires.count());
  if (expires > 0 && expires < min) {
    return sip_layer::answer(in, 423, "Interval Too Brief", [min](sip::message_builder& b) {
      b.header("Min-Expires", std::to_string(min));
    });
  }
  auto local_jid = mapping::sip_uri_to_jid(m.from().uri_text, st.cfg->domains);
  if (!local_jid) return sip_layer::answer(in, local_jid.err().status, local_jid.err().reason);
  auto local = local_jid.value().bare_string();
  auto contact_header = [&](sip::message_builder& b) {
    b.header("Expires", std::to_string(expires));
    auto j = xmpp::jid::parse(st.contact);
    if (st.cfg->contact.ok() && j) b.header("Contact", contact_for(j->local(), st.cfg->contact));
  };
  std::string call_id(m.call_id());
  auto existing = st.dialogs.find(call_id);
  if (!m.to().tag().empty()) {
    // A refresh or the end of a subscription: absorbed here, nothing goes to XMPP.
    if (existing == st.dialogs.end() || existing->second.dialog.local_tag != m.to().tag()) {
      return sip_layer::answer(in, 481, "Subscription does not exist");
    }
    auto& w = existing->second;
    if (!sip_layer::accept_remote_cseq(w.dialog, m))
      return sip_layer::answer(in, 500, "CSeq out of order");
    sip_layer::refresh_remote_target(w.dialog, m);
    auto b = sip::make_response(m, 200, {}, w.dialog.local_tag);
    contact_header(b);
    sip_layer::answer_with(in, b, 200);
    if (expires == 0) {
      // The user stopped watching: so does the XMPP subscription held in their name, unless
      // another of their devices still watches.
      auto who = w.local;
      terminate(self, call_id, "timeout");
      bool others = false;
      for (const auto& [id, o] : st.dialogs)
        if (o.local == who && id != call_id) others = true;
      if (!others && st.locals.count(who)) {
        send_handshake(self, *st.cfg, mapping::presence_type::unsubscribe, who, st.contact);
        drop_local(self, who, "timeout");
      }
      return;
    }
    w.expires_at = clock::now() + std::chrono::seconds(expires);
    arm_expiry(self, w, call_id);
    w.dirty = true;
    send_notify(self, call_id);  // RFC 6665 §4.2.1.2: a NOTIFY after every SUBSCRIBE
    return;
  }
  if (existing != st.dialogs.end()) {
    return sip_layer::answer(in, 482, "Loop Detected");  // same Call-ID, no tag: a fork or a loop
  }
  if (st.dialogs.size() >= settings(self).max_watchers) {
    return sip_layer::answer(in, 480, "Too many watchers of this contact");
  }
  auto tag = sip_layer::random_token();
  auto d = sip_layer::dialog_as_uas(m, tag);
  if (!d) return sip_layer::answer(in, 400, "Cannot create a dialog");
  auto b = sip::make_response(m, 200, {}, tag);
  contact_header(b);
  sip_layer::answer_with(in, b, 200);
  sip_watcher w;
  w.local = local;
  w.dialog = std::move(d).value();
  w.expires_at = clock::now() + std::chrono::seconds(expires);
  auto& placed = st.dialogs.emplace(call_id, std::move(w)).first->second;
  if (expires == 0) {
    // A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, terminated.
    placed.terminating = true;
    placed.terminate_reason = "timeout";
    if (!st.locals.count(local)) {
      st.dialogs.erase(call_id);
      return;
    }
    send_notify(self, call_id);
    return;
  }
  arm_expiry(self, placed, call_id);
  auto ls = st.locals.find(local);
  if (ls == st.locals.end()) {
    st.locals.emplace(local, xmpp_state::pending);
    send_handshake(self, *st.cfg, mapping::presence_type::subscribe, local, st.contact);
  } else if (ls->second == xmpp_state::active && st.resources.empty()) {
    send_handshake(self, *st.cfg, mapping::presence_type::probe, local, st.contact);
  }
  store_put(self, local, &placed);
  placed.dirty = true;
  send_notify(self, call_id);
}

void on_sip_request(self_ptr self, const sip_layer::incoming_request& in) {
  if (in.request.method() == "SUBSCRIBE") return on_subscribe(self, in);
  sip_layer::answer(in, 405, "Method Not Allowed",
                    [](sip::message_builder& b) { b.header("Allow", "SUBSCRIBE"); });
}

void on_restore(self_ptr self, const subscription_record& r) {
  auto& st = self->state;
  auto state = r.state == auth_state::active ? xmpp_state::active : xmpp_state::pending;
  auto [ls, fresh] = st.locals.emplace(r.local, state);
  if (fresh && state == xmpp_state::active) {
    metrics::presence().subscriptions_add(metrics::translation::sip_to_xmpp, 1);
  }
  auto left = r.expires_unix - unix_now();
  auto d = dialog_from_text(r.sip_dialog);
  if (d && left > 0) {
    sip_watcher w;
    w.local = r.local;
    w.dialog = std::move(*d);
    w.dialog.local_cseq += cseq_restart_gap;  // past anything sent before the restart
    w.stored_cseq = w.dialog.local_cseq;
    w.expires_at = clock::now() + std::chrono::seconds(left);
    auto call_id = w.dialog.call_id;
    auto& placed = st.dialogs.emplace(call_id, std::move(w)).first->second;
    arm_expiry(self, placed, call_id);
    store_put(self, r.local, &placed);
  }
  // Fetch the contact's presence now (RFC 6121 §4.3): the NOTIFYs follow from its answer.
  if (state == xmpp_state::active) {
    send_handshake(self, *st.cfg, mapping::presence_type::probe, r.local, st.contact);
  }
}

caf::behavior remote_contact_behavior(self_ptr self, std::string key, std::string contact,
                                      std::shared_ptr<const im::im_config> cfg, caf::actor shard) {
  auto& st = self->state;
  st.contact = std::move(contact);
  start_base(self, std::move(key), std::move(cfg), std::move(shard));
  if (auto j = xmpp::jid::parse(st.contact)) {
    if (auto uri = mapping::jid_to_sip_uri(*j, st.cfg->domains)) st.entity = uri.value();
  }
  if (st.entity.empty()) st.entity = "pres:" + st.contact;
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
        on_restore(self, r);
      },
      [=](flush_atom) { flush(self); },
      [=](expire_atom, const std::string& call_id, std::uint64_t generation) {
        auto it = self->state.dialogs.find(call_id);
        if (it == self->state.dialogs.end() || it->second.generation != generation) return;
        if (clock::now() < it->second.expires_at) return;
        terminate(self, call_id, "timeout");
      },
      [=](idle_check_atom) {
        idle_check(self, self->state.dialogs.empty() && self->state.locals.empty());
      },
      [=](im::idle_atom) { self->quit(); },
      [=](presence_info_atom) {
        auto& st = self->state;
        presence_info info;
        info.key = st.key;
        info.coalesced = st.coalesced;
        info.presence = describe(aggregate(self));
        for (const auto& [local, state] : st.locals) {
          watcher_info wi;
          wi.watcher = local;
          wi.state = state == xmpp_state::active ? "active" : "pending";
          std::string sip;
          for (const auto& [id, w] : st.dialogs) {
            if (w.local != local) continue;
            auto left =
                std::chrono::duration_cast<std::chrono::seconds>(w.expires_at - clock::now());
            if (!sip.empty()) sip += ", ";
            sip += "dialog " + std::to_string(std::max<long long>(0, left.count())) + "s";
          }
          wi.sip = sip.empty() ? "none" : sip;
          info.watchers.push_back(std::move(wi));
        }
        return info;
      },
  };
}

}  // namespace

caf::actor spawn_remote_contact_presence(caf::local_actor* shard, std::string key,
                                         std::string contact,
                                         std::shared_ptr<const im::im_config> cfg) {
  return shard->spawn<caf::linked>(remote_contact_behavior, std::move(key), std::move(contact),
                                   std::move(cfg), caf::actor_cast<caf::actor>(shard));
}

}  // namespace fedgate::presence
