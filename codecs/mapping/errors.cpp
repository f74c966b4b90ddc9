#include "codecs/mapping/errors.hpp"

#include <array>
#include <cstring>

#include "codecs/mapping/internal/xml.hpp"
#include "codecs/sip/serializer.hpp"
#include "codecs/xmpp/serializer.hpp"

namespace fedgate::mapping {
namespace {

using sc = stanza_condition;

struct condition_info {
  std::string_view name;
  error_type type;  // RFC 6120 §8.3.3 [R]
};

// Enum order. Types are those of the RFC 6120 §8.3.3 examples [R].
constexpr std::array<condition_info, stanza_condition_count> conditions{{
    {"bad-request", error_type::modify},
    {"conflict", error_type::cancel},
    {"feature-not-implemented", error_type::cancel},
    {"forbidden", error_type::auth},
    {"gone", error_type::cancel},
    {"internal-server-error", error_type::cancel},
    {"item-not-found", error_type::cancel},
    {"jid-malformed", error_type::modify},
    {"not-acceptable", error_type::modify},
    {"not-allowed", error_type::cancel},
    {"not-authorized", error_type::auth},
    {"policy-violation", error_type::modify},
    {"recipient-unavailable", error_type::wait},
    {"redirect", error_type::modify},
    {"registration-required", error_type::auth},
    {"remote-server-not-found", error_type::cancel},
    {"remote-server-timeout", error_type::wait},
    {"resource-constraint", error_type::wait},
    {"service-unavailable", error_type::cancel},
    {"subscription-required", error_type::auth},
    {"undefined-condition", error_type::cancel},
    {"unexpected-request", error_type::wait},
}};

// RFC 7247 §7.1, Table 1 [R]. Enum order, one row per condition.
constexpr std::array<xmpp_to_sip_row, stanza_condition_count> table_xmpp_to_sip{{
    {sc::bad_request, 400, 0},
    {sc::conflict, 400, 0},
    {sc::feature_not_implemented, 501, 405},  // 405 when the method is not allowed there [R?]
    {sc::forbidden, 403, 603},                // 603 when global [R?]
    {sc::gone, 410, 301},                     // 301 when the new address is known [R?]
    {sc::internal_server_error, 500, 0},
    {sc::item_not_found, 404, 604},  // 604 when global [R?]
    {sc::jid_malformed, 400, 0},
    {sc::not_acceptable, 406, 606},  // 606 when global [R?]
    {sc::not_allowed, 405, 0},
    {sc::not_authorized, 401, 0},
    {sc::policy_violation, 403, 0},
    {sc::recipient_unavailable, 480, 0},
    {sc::redirect, 302, 0},
    {sc::registration_required, 400, 0},
    {sc::remote_server_not_found, 404, 408},
    {sc::remote_server_timeout, 408, 0},
    {sc::resource_constraint, 500, 0},
    {sc::service_unavailable, 503, 0},
    {sc::subscription_required, 400, 0},
    {sc::undefined_condition, 400, 0},
    {sc::unexpected_request, 491, 400},
}};

// RFC 7247 §7.2, Table 2 [R]. Sorted by status. Rows the notes flag as doubtful: [R?].
constexpr std::array<sip_to_xmpp_row, 53> table_sip_to_xmpp{{
    {300, sc::redirect},
    {301, sc::gone},
    {302, sc::redirect},
    {305, sc::redirect},
    {380, sc::redirect},
    {400, sc::bad_request},
    {401, sc::not_authorized},
    {402, sc::bad_request},  // [R?] payment-required no longer exists in RFC 6120
    {403, sc::forbidden},
    {404, sc::item_not_found},
    {405, sc::feature_not_implemented},
    {406, sc::not_acceptable},
    {407, sc::not_authorized},  // [R?]
    {408, sc::remote_server_timeout},
    {410, sc::gone},
    {413, sc::policy_violation},
    {414, sc::policy_violation},  // [R?]
    {415, sc::not_acceptable},
    {416, sc::not_acceptable},  // [R?]
    {420, sc::feature_not_implemented},
    {421, sc::not_acceptable},
    {423, sc::resource_constraint},
    {430, sc::recipient_unavailable},
    {433, sc::policy_violation},
    {436, sc::not_acceptable},
    {437, sc::not_acceptable},
    {438, sc::not_acceptable},
    {439, sc::feature_not_implemented},
    {440, sc::policy_violation},
    {480, sc::recipient_unavailable},
    {481, sc::item_not_found},
    {482, sc::not_acceptable},
    {483, sc::not_acceptable},
    {484, sc::item_not_found},
    {485, sc::item_not_found},
    {486, sc::recipient_unavailable},
    {487, sc::service_unavailable},  // [R?]
    {488, sc::not_acceptable},
    {489, sc::policy_violation},
    {491, sc::unexpected_request},
    {493, sc::bad_request},
    {494, sc::not_authorized},  // [R?]
    {500, sc::internal_server_error},
    {501, sc::feature_not_implemented},
    {502, sc::remote_server_not_found},
    {503, sc::service_unavailable},
    {504, sc::remote_server_timeout},
    {505, sc::not_acceptable},  // [R?]
    {513, sc::policy_violation},
    {600, sc::service_unavailable},  // [R?]
    {603, sc::service_unavailable},  // [R?]
    {604, sc::item_not_found},
    {606, sc::not_acceptable},
}};

constexpr std::array<std::string_view, 5> type_names{"auth", "cancel", "continue", "modify",
                                                     "wait"};

}  // namespace

std::string_view to_string(stanza_condition c) noexcept {
  return conditions[static_cast<std::size_t>(c)].name;
}

std::string_view to_string(error_type t) noexcept {
  return type_names[static_cast<std::size_t>(t)];
}

std::optional<stanza_condition> parse_condition(std::string_view name) noexcept {
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    if (conditions[i].name == name) return static_cast<stanza_condition>(i);
  }
  return std::nullopt;
}

std::optional<error_type> parse_error_type(std::string_view name) noexcept {
  for (std::size_t i = 0; i < type_names.size(); ++i) {
    if (type_names[i] == name) return static_cast<error_type>(i);
  }
  return std::nullopt;
}

error_type default_type(stanza_condition c) noexcept {
  return conditions[static_cast<std::size_t>(c)].type;
}

const xmpp_to_sip_row* xmpp_to_sip_rows() noexcept {
  return table_xmpp_to_sip.data();
}
const sip_to_xmpp_row* sip_to_xmpp_rows() noexcept {
  return table_sip_to_xmpp.data();
}
std::size_t sip_to_xmpp_row_count() noexcept {
  return table_sip_to_xmpp.size();
}

stanza_condition sip_class_default(int status) noexcept {
  if (status >= 300 && status <= 399) return sc::redirect;
  if (status >= 400 && status <= 499) return sc::bad_request;
  if (status >= 500 && status <= 599) return sc::internal_server_error;
  if (status >= 600 && status <= 699) return sc::service_unavailable;
  return sc::undefined_condition;
}

std::string sanitize_reason(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : ch);
  }
  auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  auto last = out.find_last_not_of(' ');
  return out.substr(first, last - first + 1);
}

sip_status to_sip(stanza_condition c) {
  int code = table_xmpp_to_sip[static_cast<std::size_t>(c)].status;
  return {code, std::string(sip::reason_phrase(code))};
}

sip_status to_sip(const stanza_error& e) {
  sip_status s = to_sip(e.condition);
  std::string reason = sanitize_reason(e.text);
  if (!reason.empty()) s.reason = std::move(reason);
  return s;
}

stanza_error to_xmpp(int status, std::string_view reason) {
  stanza_condition c = sip_class_default(status);
  for (const auto& row : table_sip_to_xmpp) {
    if (row.status == status) {
      c = row.condition;
      break;
    }
  }
  return {c, default_type(c), sanitize_reason(reason)};
}

void write_stanza_error(std::string& out, const stanza_error& e, std::string_view lang) {
  out += "<error type='";
  out += to_string(e.type);
  out += "'><";
  out += to_string(e.condition);
  out += " xmlns='";
  out += stanzas_ns;
  out += "'/>";
  if (!e.text.empty()) {
    std::string text;
    if (!xmpp::append_escaped_text(text, e.text)) {
      // Not valid UTF-8 / not XML Chars: keep only what can be written.
      text.clear();
      xmpp::append_escaped_text(text, sanitize_reason(e.text));
    }
    if (!text.empty()) {
      out += "<text xmlns='";
      out += stanzas_ns;
      out += "'";
      if (!lang.empty()) {
        out += " xml:lang='";
        xmpp::append_escaped_attribute(out, lang);
        out += "'";
      }
      out += ">";
      out += text;
      out += "</text>";
    }
  }
  out += "</error>";
}

using internal::local_name;
using internal::namespace_of;

stanza_error parse_stanza_error(const pugi::xml_node& error) {
  stanza_error e;
  bool found = false;
  for (pugi::xml_node child : error.children()) {
    if (child.type() != pugi::node_element) continue;
    if (namespace_of(child) != stanzas_ns) continue;
    std::string_view name = local_name(child);
    if (name == "text") {
      e.text = child.text().get();
    } else if (!found) {
      if (auto c = parse_condition(name)) {
        e.condition = *c;
        found = true;
      }
    }
  }
  auto t = parse_error_type(error.attribute("type").value());
  e.type = t ? *t : default_type(e.condition);
  return e;
}

}  // namespace fedgate::mapping
