#include "codecs/mapping/presence.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>

#include "codecs/mapping/internal/xml.hpp"
#include "codecs/xmpp/serializer.hpp"

namespace fedgate::mapping {
namespace {

using internal::lang_of;
using internal::local_name;
using internal::namespace_of;

error bad_request(std::string reason) {
  return error{stanza_condition::bad_request, 400, std::move(reason)};
}

bool is_xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_xml(std::string_view s) {
  while (!s.empty() && is_xml_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_xml_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// SIP LWS inside a header value (the parser has unfolded lines already).
std::string_view trim_lws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Stanzas arrive with xmlns='jabber:server' / 'jabber:client', or with none at all (the
// inter-actor convention strips it, actors/s2s/messages.hpp).
bool is_stanza_ns(std::string_view ns) {
  return ns.empty() || ns == "jabber:server" || ns == "jabber:client";
}

bool is_xml_text(std::string_view s) {
  std::string scratch;
  return xmpp::append_escaped_text(scratch, s);
}

// RFC 3261 §25.1 token characters.
bool is_token_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

// FNV-1a, 64 bits: a stable, platform-independent id from the entity (std::hash is neither).
std::string stable_suffix(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = hex[h & 0xf];
    h >>= 4;
  }
  return out;
}

void add_status(std::vector<localized_text>& statuses, std::string lang, std::string text) {
  for (const auto& s : statuses) {
    if (s.lang == lang) return;  // RFC 6121 §4.7.2.2 [R]: one <status/> per language
  }
  statuses.push_back({std::move(lang), std::move(text)});
}

// ---- the tables ---------------------------------------------------------------------------------

constexpr std::string_view rfc7248 = "RFC 7248 [R]";
constexpr std::string_view ours = "fedgate (RFC 7248 lists no such row) [R]";

// SIP -> XMPP. One row per RFC 4480 §3.2 activity, in pidf::activity order (checked by a test).
// Rationale for the rows that are ours: an activity that says the person is engaged and should
// not be interrupted (a call, a meeting, driving) is dnd; one that says they are gone for days
// is xa; one that says they stepped out is away; being at work, or no information, says nothing
// about availability (none).
constexpr activity_row activity_table[] = {
    {pidf::activity::appointment, show::dnd, ours},
    {pidf::activity::away, show::away, rfc7248},
    {pidf::activity::breakfast, show::away, ours},
    {pidf::activity::busy, show::dnd, rfc7248},
    {pidf::activity::dinner, show::away, ours},
    {pidf::activity::holiday, show::xa, ours},
    {pidf::activity::in_transit, show::away, ours},
    {pidf::activity::looking_for_work, show::none, ours},
    {pidf::activity::lunch, show::away, ours},
    {pidf::activity::meal, show::away, ours},
    {pidf::activity::meeting, show::dnd, ours},
    {pidf::activity::on_the_phone, show::dnd, ours},
    {pidf::activity::performance, show::dnd, ours},
    // RFC 4480 §3.2 [V]: with permanent-absence "it is likely that all services will report a
    // status of CLOSED"; when one is still open, the person is gone for long: xa.
    {pidf::activity::permanent_absence, show::xa, ours},
    {pidf::activity::playing, show::away, ours},
    {pidf::activity::presentation, show::dnd, ours},
    {pidf::activity::shopping, show::away, ours},
    {pidf::activity::sleeping, show::xa, ours},
    {pidf::activity::spectator, show::away, ours},
    {pidf::activity::steering, show::dnd, ours},
    {pidf::activity::travel, show::away, ours},
    {pidf::activity::tv, show::away, ours},
    {pidf::activity::unknown, show::none, ours},
    {pidf::activity::vacation, show::xa, ours},
    {pidf::activity::working, show::none, ours},
    {pidf::activity::worship, show::dnd, ours},
};
static_assert(sizeof(activity_table) / sizeof(activity_table[0]) == pidf::activity_count);

// XMPP -> SIP, in show order. xa has no RPID activity of its own; RFC 7248 [R] (as our notes
// recall it) writes it as <away/>, so xa comes back from SIP as away: lossy by design.
constexpr show_row show_table[] = {
    {show::none, std::nullopt, rfc7248},
    {show::chat, std::nullopt, rfc7248},  // "free for chat": open, no activity
    {show::away, pidf::activity::away, rfc7248},
    {show::xa, pidf::activity::away, rfc7248},
    {show::dnd, pidf::activity::busy, rfc7248},
};
static_assert(sizeof(show_table) / sizeof(show_table[0]) == show_count);

// RFC 6665 §4.2.2 reasons (meanings checked against a quote of RFC 3265 §3.2.4 [V2] except where
// marked) -> what the gateway does. "" is the row for no reason and for unknown reasons.
constexpr subscription_reason_row reason_table[] = {
    // "SHOULD retry immediately with a new subscription"; retry-after has no semantics.
    {"deactivated", xmpp_subscription_effect::resubscribe, false, "RFC 6665 §4.2.2 [V2]"},
    // "SHOULD retry at some later time", at least retry-after seconds later.
    {"probation", xmpp_subscription_effect::resubscribe, true, "RFC 6665 §4.2.2 [V2]"},
    // Authorisation policy changed, "SHOULD NOT attempt to re-subscribe": the SIP user refused.
    {"rejected", xmpp_subscription_effect::unsubscribed, false,
     "RFC 6665 §4.2.2 [V2], RFC 7248 [R]"},
    // Not refreshed in time, "MAY re-subscribe immediately": our own refresh lapsed, not a refusal
    // (a timeout must not flap the XMPP roster; Kamailio's pua_xmpp also sends nothing [V]).
    {"timeout", xmpp_subscription_effect::resubscribe, false, "RFC 6665 §4.2.2 [V2]"},
    // No authorisation "in a timely fashion": ask again, after retry-after when given.
    {"giveup", xmpp_subscription_effect::resubscribe, true, "RFC 6665 §4.2.2 [V2]"},
    // The resource no longer exists, "SHOULD NOT attempt to re-subscribe".
    {"noresource", xmpp_subscription_effect::unsubscribed, false,
     "RFC 6665 §4.2.2 [V2], RFC 7248 [R]"},
    // The state will not change (RFC 6665 only), SHOULD NOT re-subscribe [R]; it is no refusal,
    // so the XMPP roster is left alone.
    {"invariant", xmpp_subscription_effect::none, false, "RFC 6665 §4.2.2 [R]"},
    // No or unknown reason: "MAY attempt to re-subscribe at any time", not before retry-after.
    {"", xmpp_subscription_effect::resubscribe, true, "RFC 3265 §3.2.4 [R]"},
};

const subscription_reason_row& reason_row(std::string_view reason) {
  constexpr std::size_t n = sizeof(reason_table) / sizeof(reason_table[0]);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (reason_table[i].reason == reason) return reason_table[i];
  }
  return reason_table[n - 1];
}

// Appends ' name='value'' (escaped); an invalid value writes an empty attribute.
void write_attr(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "='";
  xmpp::append_escaped_attribute(out, value);
  out += '\'';
}

void open_presence(std::string& out, std::string_view type, std::string_view from,
                   std::string_view to, std::string_view id) {
  out += "<presence";
  write_attr(out, "from", from);
  write_attr(out, "to", to);
  if (!id.empty()) write_attr(out, "id", id);
  if (!type.empty()) write_attr(out, "type", type);
}

std::optional<unsigned> parse_delta_seconds(std::string_view v) {
  if (v.empty()) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
    if (n > std::numeric_limits<unsigned>::max()) n = std::numeric_limits<unsigned>::max();
  }
  return static_cast<unsigned>(n);
}

}  // namespace

// ---- names --------------------------------------------------------------------------------------

std::string_view to_string(show s) noexcept {
  switch (s) {
    case show::chat:
      return "chat";
    case show::away:
      return "away";
    case show::xa:
      return "xa";
    case show::dnd:
      return "dnd";
    case show::none:
      break;
  }
  return "";
}

std::optional<show> show_from(std::string_view text) noexcept {
  for (show s : {show::chat, show::away, show::xa, show::dnd}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

bool operator==(const xmpp_presence& a, const xmpp_presence& b) {
  return a.available == b.available && a.show_value == b.show_value && a.statuses == b.statuses &&
         a.priority == b.priority;
}

bool operator!=(const xmpp_presence& a, const xmpp_presence& b) {
  return !(a == b);
}

std::string_view to_string(presence_type t) noexcept {
  switch (t) {
    case presence_type::unavailable:
      return "unavailable";
    case presence_type::subscribe:
      return "subscribe";
    case presence_type::subscribed:
      return "subscribed";
    case presence_type::unsubscribe:
      return "unsubscribe";
    case presence_type::unsubscribed:
      return "unsubscribed";
    case presence_type::probe:
      return "probe";
    case presence_type::error:
      return "error";
    case presence_type::available:
      break;
  }
  return "";
}

std::optional<presence_type> presence_type_from(std::string_view type_attribute) {
  for (presence_type t :
       {presence_type::available, presence_type::unavailable, presence_type::subscribe,
        presence_type::subscribed, presence_type::unsubscribe, presence_type::unsubscribed,
        presence_type::probe, presence_type::error}) {
    if (type_attribute == to_string(t)) return t;
  }
  return std::nullopt;
}

// ---- XMPP stanzas -------------------------------------------------------------------------------

result<xmpp_presence> presence_from_xmpp(const pugi::xml_node& stanza) {
  if (stanza.type() != pugi::node_element || local_name(stanza) != "presence" ||
      !is_stanza_ns(namespace_of(stanza))) {
    return bad_request("Not a presence stanza");
  }
  xmpp_presence p;
  auto type = presence_type_from(stanza.attribute("type").value());
  if (type == presence_type::unavailable) {
    p.available = false;
  } else if (type != presence_type::available) {
    return bad_request("Not an availability presence (type absent or unavailable)");
  }
  bool seen_show = false, seen_priority = false;
  for (pugi::xml_node child : stanza.children()) {
    if (child.type() != pugi::node_element || !is_stanza_ns(namespace_of(child))) continue;
    std::string_view name = local_name(child);
    if (name == "show") {
      if (seen_show) return bad_request("More than one <show/>");
      seen_show = true;
      auto s = show_from(trim_xml(child.text().get()));
      if (!s) return bad_request("Invalid <show/> value");
      if (p.available) p.show_value = *s;
    } else if (name == "priority") {
      if (seen_priority) return bad_request("More than one <priority/>");
      seen_priority = true;
      std::string_view v = trim_xml(child.text().get());
      bool negative = false;
      if (!v.empty() && (v.front() == '-' || v.front() == '+')) {
        negative = v.front() == '-';
        v.remove_prefix(1);
      }
      if (v.empty() || v.size() > 4) return bad_request("Invalid <priority/> value");
      int n = 0;
      for (char c : v) {
        if (c < '0' || c > '9') return bad_request("Invalid <priority/> value");
        n = n * 10 + (c - '0');
      }
      if (negative) n = -n;
      if (n < -128 || n > 127) return bad_request("<priority/> out of range -128..127");
      p.priority = n;
    } else if (name == "status") {
      add_status(p.statuses, std::string(lang_of(child)), child.text().get());
    }
  }
  return p;
}

std::string presence_to_xmpp(const xmpp_presence& p, std::string_view from, std::string_view to,
                             std::string_view id) {
  std::string out;
  open_presence(out, p.available ? "" : "unavailable", from, to, id);
  std::string children;
  if (p.available && p.show_value != show::none) {
    children += "<show>";
    children += to_string(p.show_value);
    children += "</show>";
  }
  for (const auto& s : p.statuses) {
    std::string text;
    if (!xmpp::append_escaped_text(text, s.text)) continue;
    children += "<status";
    if (!s.lang.empty()) write_attr(children, "xml:lang", s.lang);
    children += '>';
    children += text;
    children += "</status>";
  }
  if (p.priority != 0) {
    children += "<priority>";
    children += std::to_string(std::clamp(p.priority, -128, 127));
    children += "</priority>";
  }
  if (children.empty()) {
    out += "/>";
  } else {
    out += '>';
    out += children;
    out += "</presence>";
  }
  return out;
}

std::string presence_stanza_xml(presence_type t, std::string_view from, std::string_view to,
                                std::string_view id) {
  std::string out;
  open_presence(out, to_string(t), from, to, id);
  out += "/>";
  return out;
}

// ---- PIDF <-> XMPP ------------------------------------------------------------------------------

const activity_row* activity_rows() noexcept {
  return activity_table;
}

const show_row* show_rows() noexcept {
  return show_table;
}

int show_strength(show s) noexcept {
  switch (s) {
    case show::dnd:
      return 3;
    case show::xa:
      return 2;
    case show::away:
      return 1;
    case show::none:
    case show::chat:
      break;
  }
  return 0;
}

xmpp_presence presence_from_pidf(const pidf::document& doc) {
  xmpp_presence p;
  p.available = std::any_of(doc.tuples.begin(), doc.tuples.end(), [](const pidf::tuple& t) {
    return t.basic == pidf::basic_status::open;
  });

  auto consider = [&](const pidf::activities& acts) {
    for (const activity_row& row : activity_table) {
      if (acts.values.contains(row.activity) &&
          show_strength(row.show_value) > show_strength(p.show_value)) {
        p.show_value = row.show_value;
      }
    }
  };
  if (p.available) {
    for (const auto& person : doc.persons)
      consider(person.activities);
    for (const auto& t : doc.tuples)
      consider(t.activities);
  }

  auto take = [&](const std::vector<pidf::note>& notes) {
    for (const auto& n : notes)
      add_status(p.statuses, n.lang, n.text);
  };
  for (const auto& person : doc.persons)
    take(person.notes);
  for (const auto& t : doc.tuples)
    take(t.notes);
  take(doc.notes);
  if (p.statuses.empty()) {
    for (const auto& person : doc.persons)
      take(person.activities.other);
    for (const auto& t : doc.tuples)
      take(t.activities.other);
  }
  return p;
}

pidf::document presence_to_pidf(const xmpp_presence& p, std::string_view entity) {
  pidf::document doc;
  doc.entity = std::string(entity);
  const std::string suffix = stable_suffix(entity);

  pidf::tuple t;
  t.id = "t" + suffix;
  t.basic = p.available ? pidf::basic_status::open : pidf::basic_status::closed;
  for (const auto& s : p.statuses) {
    if (is_xml_text(s.text) && is_xml_text(s.lang)) t.notes.push_back({s.text, s.lang});
  }
  doc.tuples.push_back(std::move(t));

  if (p.available) {
    const show_row& row = show_table[static_cast<std::size_t>(p.show_value)];
    if (row.activity) {
      pidf::person person;
      person.id = "p" + suffix;
      person.activities.values.insert(*row.activity);
      doc.persons.push_back(std::move(person));
    }
  }
  return doc;
}

// ---- Subscription-State -------------------------------------------------------------------------

std::string_view to_string(subscription_state s) noexcept {
  switch (s) {
    case subscription_state::pending:
      return "pending";
    case subscription_state::terminated:
      return "terminated";
    case subscription_state::active:
      break;
  }
  return "active";
}

bool operator==(const subscription_state_value& a, const subscription_state_value& b) {
  return a.state == b.state && a.expires == b.expires && a.reason == b.reason &&
         a.retry_after == b.retry_after;
}

result<subscription_state_value> parse_subscription_state(std::string_view header_value) {
  // Split on ';' outside quoted strings (a generic-param value may be a quoted-string).
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < header_value.size(); ++i) {
    char c = header_value[i];
    if (quoted && c == '\\') {
      ++i;  // quoted-pair
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      parts.push_back(header_value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return bad_request("Subscription-State: unterminated quoted string");
  parts.push_back(header_value.substr(start));

  subscription_state_value v;
  std::string state = lower(trim_lws(parts[0]));
  if (state == "active") {
    v.state = subscription_state::active;
  } else if (state == "pending") {
    v.state = subscription_state::pending;
  } else if (state == "terminated") {
    v.state = subscription_state::terminated;
  } else if (state.empty()) {
    return bad_request("Subscription-State: no state");
  } else {
    return bad_request("Subscription-State: unknown state " + state);
  }

  bool seen_reason = false;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    std::string_view part = trim_lws(parts[i]);
    auto eq = part.find('=');
    std::string name = lower(trim_lws(part.substr(0, eq)));
    std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : trim_lws(part.substr(eq + 1));
    if (name.empty()) return bad_request("Subscription-State: empty parameter");
    if (name == "reason") {
      if (seen_reason) return bad_request("Subscription-State: reason twice");
      if (!is_token(value)) return bad_request("Subscription-State: reason is not a token");
      seen_reason = true;
      v.reason = lower(value);
    } else if (name == "expires" || name == "retry-after") {
      auto& field = name == "expires" ? v.expires : v.retry_after;
      if (field) return bad_request("Subscription-State: " + name + " twice");
      field = parse_delta_seconds(value);
      if (!field) return bad_request("Subscription-State: " + name + " is not delta-seconds");
    }
    // generic-param: ignored (RFC 6665 §8.4 allows extensions).
  }
  return v;
}

std::string to_header_value(const subscription_state_value& v) {
  std::string out(to_string(v.state));
  if (!v.reason.empty()) out += ";reason=" + v.reason;
  if (v.expires) out += ";expires=" + std::to_string(*v.expires);
  if (v.retry_after) out += ";retry-after=" + std::to_string(*v.retry_after);
  return out;
}

std::string_view to_string(xmpp_subscription_effect e) noexcept {
  switch (e) {
    case xmpp_subscription_effect::subscribed:
      return "subscribed";
    case xmpp_subscription_effect::unsubscribed:
      return "unsubscribed";
    case xmpp_subscription_effect::resubscribe:
      return "resubscribe";
    case xmpp_subscription_effect::none:
      break;
  }
  return "none";
}

const subscription_reason_row* subscription_reason_rows() noexcept {
  return reason_table;
}

std::size_t subscription_reason_row_count() noexcept {
  return sizeof(reason_table) / sizeof(reason_table[0]);
}

xmpp_subscription_effect effect_of(const subscription_state_value& v) {
  switch (v.state) {
    case subscription_state::active:
      return xmpp_subscription_effect::subscribed;  // RFC 7248 [R]: the first active NOTIFY
    case subscription_state::pending:
      return xmpp_subscription_effect::none;  // RFC 7248 [R]: wait for the SIP user's decision
    case subscription_state::terminated:
      break;
  }
  return reason_row(v.reason).effect;
}

unsigned resubscribe_delay(const subscription_state_value& v) {
  if (effect_of(v) != xmpp_subscription_effect::resubscribe) return 0;
  const auto& row = reason_row(v.reason);
  return row.honours_retry_after && v.retry_after ? *v.retry_after : 0;
}

}  // namespace fedgate::mapping
