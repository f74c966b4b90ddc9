#include "actors/presence/internal/common.hpp"

#include <charconv>

#include <caf/send.hpp>

#include "actors/im/chat_session.hpp"
#include "actors/s2s/stanza_metrics.hpp"
#include "codecs/mapping/address.hpp"
#include "metrics/families.hpp"

namespace fedgate::presence::internal {

std::string describe(const mapping::xmpp_presence& p) {
  std::string out = p.available ? "available" : "unavailable";
  if (p.available && p.show_value != mapping::show::none) {
    out += " ";
    out += mapping::to_string(p.show_value);
  }
  if (!p.statuses.empty()) out += " \"" + p.statuses.front().text + "\"";
  return out;
}

caf::actor sip_shard_for(const im::im_config& cfg, std::string_view key) {
  if (cfg.sip_shards.empty()) return {};
  return cfg.sip_shards[std::hash<std::string_view>{}(key) % cfg.sip_shards.size()];
}

void send_stanza(caf::local_actor* self, const im::im_config& cfg, std::string xml,
                 std::string from, std::string to, std::string type) {
  s2s::stanza s;
  s.xml = std::move(xml);
  s.from = std::move(from);
  s.to = std::move(to);
  s.kind = "presence";
  s.type = std::move(type);
  caf::anon_send(cfg.s2s, s2s::deliver_atom::value, std::move(s));
  (void)self;
}

namespace {

std::string_view type_name(mapping::presence_type t) {
  switch (t) {
    case mapping::presence_type::available:
      return "";
    case mapping::presence_type::unavailable:
      return "unavailable";
    case mapping::presence_type::subscribe:
      return "subscribe";
    case mapping::presence_type::subscribed:
      return "subscribed";
    case mapping::presence_type::unsubscribe:
      return "unsubscribe";
    case mapping::presence_type::unsubscribed:
      return "unsubscribed";
    case mapping::presence_type::probe:
      return "probe";
    case mapping::presence_type::error:
      return "error";
  }
  return "";
}

}  // namespace

void send_handshake(caf::local_actor* self, const im::im_config& cfg, mapping::presence_type t,
                    const std::string& from, const std::string& to) {
  send_stanza(self, cfg, mapping::presence_stanza_xml(t, from, to), from, to,
              std::string(type_name(t)));
}

void send_presence(caf::local_actor* self, const im::im_config& cfg,
                   const mapping::xmpp_presence& p, const std::string& from,
                   const std::string& to) {
  send_stanza(self, cfg, mapping::presence_to_xmpp(p, from, to), from, to,
              p.available ? "" : "unavailable");
}

void count_stanza_in(const s2s::stanza& s) {
  metrics::xmpp_stanzas().inc(metrics::direction::in, s2s::kind_of(s), metrics::outcome::delivered);
}

bool is_presence_event(const sip::message& m) {
  auto e = m.header("Event");
  if (!e) e = m.header("o");  // compact form (RFC 6665 §8.2.1)
  if (!e) return false;
  auto v = *e;
  auto semi = v.find(';');
  auto name = v.substr(0, semi);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
    name.remove_suffix(1);
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t'))
    name.remove_prefix(1);
  return name == "presence";
}

std::optional<unsigned> expires_of(const sip::message& m) {
  auto e = m.header("Expires");
  if (!e) return std::nullopt;
  auto v = *e;
  while (!v.empty() && v.front() == ' ')
    v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  unsigned n = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  if (r.ec != std::errc{} || r.ptr != v.data() + v.size()) return std::nullopt;
  return n;
}

std::string contact_for(std::string_view user_localpart, const im::sip_contact& where) {
  return im::contact_header(mapping::escape_sip_user(user_localpart), where);
}

}  // namespace fedgate::presence::internal
