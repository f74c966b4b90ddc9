#pragma once
// Error-condition mapping between XMPP stanza errors and SIP responses, RFC 7247 §7, as two tables
// (one per direction) plus the class defaults for codes the table does not list (SIP status codes
// are extensible, RFC 3261 §21). Also the stanza error `type` of each condition (RFC 6120 §8.3.3)
// and the carriage of the SIP reason phrase in the stanza error's <text/> (and back), so an
// operator sees the peer's own words on the other side.
//
// Verification state (see /work/shared/rfc-notes.md): the rows below were transcribed from the
// project's notes, which were written from memory ([R]). The RFC text itself could not be
// retrieved through the reference search (only the front matter of RFC 7247 was returned), so
// EVERY ROW IS STILL [R] — unverified against RFC 7247 §7.1/§7.2 and RFC 6120 §8.3.3. The rows
// the notes flag as most doubtful are marked "[R?]" in errors.cpp.
//
// Not here: XMPP *stream* errors (they end a stream, not one transaction: the caller answers every
// pending SIP transaction with 500/503, RFC 7247 §7.1 [R]); application-specific conditions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <pugixml.hpp>

namespace fedgate::mapping {

inline constexpr std::string_view stanzas_ns = "urn:ietf:params:xml:ns:xmpp-stanzas";

/// The 22 defined stanza error conditions of RFC 6120 §8.3.3.
enum class stanza_condition : std::uint8_t {
  bad_request,
  conflict,
  feature_not_implemented,
  forbidden,
  gone,
  internal_server_error,
  item_not_found,
  jid_malformed,
  not_acceptable,
  not_allowed,
  not_authorized,
  policy_violation,
  recipient_unavailable,
  redirect,
  registration_required,
  remote_server_not_found,
  remote_server_timeout,
  resource_constraint,
  service_unavailable,
  subscription_required,
  undefined_condition,
  unexpected_request,
};
inline constexpr std::size_t stanza_condition_count = 22;

/// The error `type` attribute, RFC 6120 §8.3.2.
enum class error_type : std::uint8_t { auth, cancel, continue_, modify, wait };

/// "item-not-found", "cancel", ...
std::string_view to_string(stanza_condition c) noexcept;
std::string_view to_string(error_type t) noexcept;
std::optional<stanza_condition> parse_condition(std::string_view name) noexcept;
std::optional<error_type> parse_error_type(std::string_view name) noexcept;

/// The type RFC 6120 §8.3.3 gives each condition (its examples; [R]).
error_type default_type(stanza_condition c) noexcept;

/// A stanza error as it travels: condition, type, and the human-readable <text/> (may be empty).
struct stanza_error {
  stanza_condition condition = stanza_condition::undefined_condition;
  error_type type = error_type::cancel;
  std::string text;
};

/// A SIP final response as it travels: status and reason phrase.
struct sip_status {
  int code = 500;
  std::string reason;
};

// ---- the tables -------------------------------------------------------------------------------

/// RFC 7247 §7.1 (Table 1 [R]): XMPP condition -> SIP status. `alternative` is the other code the
/// RFC allows for that row (0 if none), e.g. 603 instead of 403 when the refusal is global.
struct xmpp_to_sip_row {
  stanza_condition condition;
  int status;
  int alternative;
};
/// Exactly one row per condition, in enum order.
const xmpp_to_sip_row* xmpp_to_sip_rows() noexcept;  // stanza_condition_count rows

/// RFC 7247 §7.2 (Table 2 [R]): SIP status -> XMPP condition. Codes not listed take their class
/// default (sip_class_default()).
struct sip_to_xmpp_row {
  int status;
  stanza_condition condition;
};
const sip_to_xmpp_row* sip_to_xmpp_rows() noexcept;
std::size_t sip_to_xmpp_row_count() noexcept;

/// Class defaults, RFC 7247 §7.2 [R]: 3xx redirect, 4xx bad-request, 5xx internal-server-error,
/// 6xx service-unavailable; anything else (1xx/2xx are not errors) undefined-condition.
stanza_condition sip_class_default(int status) noexcept;

// ---- mapping functions ------------------------------------------------------------------------

/// XMPP -> SIP: the table's status; the reason phrase is the error's <text/> made safe for a
/// Reason-Phrase (CR, LF and other control characters become spaces; trimmed), or the standard
/// phrase of the status when the text is empty.
sip_status to_sip(const stanza_error& e);
sip_status to_sip(stanza_condition c);

/// SIP -> XMPP: condition from the table (or class default), type per RFC 6120 §8.3.3, and the
/// reason phrase as <text/> (empty reason: no text).
stanza_error to_xmpp(int status, std::string_view reason = {});

/// Appends <error type='..'><condition xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>[<text
/// xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='..'>..</text>]</error> (RFC 6120 §8.3.2).
/// `lang` empty: no xml:lang on <text/>.
void write_stanza_error(std::string& out, const stanza_error& e, std::string_view lang = {});

/// Reads an <error/> element (the child of a stanza with type='error'): first child in the
/// stanzas namespace that names a defined condition, the type attribute (default from the
/// condition when missing or unknown), and <text/>. An <error/> without a known condition gives
/// undefined-condition (RFC 6120 §8.3.2: the condition is required; be liberal in what we accept).
/// The element is looked up by local name; namespaces are checked on the condition only.
stanza_error parse_stanza_error(const pugi::xml_node& error);

// ---- a result that carries both answers -------------------------------------------------------

/// The failure of a mapping function: what to answer on either side (RFC 7247 §7).
struct error {
  stanza_condition condition = stanza_condition::bad_request;
  int status = 400;
  std::string reason;  // human-readable; safe as a SIP reason phrase and as <text/>

  stanza_error as_stanza_error() const { return {condition, default_type(condition), reason}; }
  sip_status as_sip_status() const { return {status, reason}; }
};

/// Value or mapping::error (never throws on bad input; check ok() before value()).
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}  // NOLINT: implicit, like expected<T>
  result(error e) : v_(std::move(e)) {}      // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T* operator->() const { return &std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T& operator*() const& { return value(); }
  const error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

/// Replaces CR, LF and other C0 controls / DEL with spaces and trims: a valid SIP Reason-Phrase
/// (RFC 3261 §25.1 allows UTF-8 text) and valid XML character data.
std::string sanitize_reason(std::string_view text);

}  // namespace fedgate::mapping
