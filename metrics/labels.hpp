#pragma once
// The label values fedgate's metrics may carry: every label is a bounded enum here (or a partner
// id, bounded by the configured partner list), so no code path can create a series from peer
// input. Each enum has a table of its exposition strings, in enum order; families.cpp pre-creates
// one series per combination, so the hot path indexes an array and never builds a string.
//
// Deliberately not here: anything read from the wire (JIDs, SIP URIs, user agents). Those belong
// in logs (metrics/log.hpp), not in label values.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fedgate::metrics {

// Whether fedgate received the stanza/request from a peer on that protocol (`in`) or sent it to
// one (`out`).
enum class direction : std::uint8_t { in, out };
inline constexpr std::array<std::string_view, 2> direction_labels{"in", "out"};

// XMPP stanza kinds (RFC 6120 §8): presence subscriptions (RFC 6121 §3, type subscribe,
// subscribed, unsubscribe, unsubscribed) are counted apart from presence broadcasts.
enum class stanza_kind : std::uint8_t { message, presence, subscription, iq };
inline constexpr std::array<std::string_view, 4> stanza_kind_labels{"message", "presence",
                                                                    "subscription", "iq"};

// What became of a stanza or request (RFC 7247 §7: delivered, or answered with an error).
// `refused` is fedgate's own policy (allowlist, deny list, untrusted SIP peer); `malformed` is
// input a codec rejected.
enum class outcome : std::uint8_t { delivered, bounced, refused, malformed };
inline constexpr std::array<std::string_view, 4> outcome_labels{"delivered", "bounced", "refused",
                                                                "malformed"};

// RFC 6120 §8.3.3 stanza error conditions: the `reason` of a bounced XMPP stanza.
enum class stanza_error : std::uint8_t {
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
inline constexpr std::array<std::string_view, 22> stanza_error_labels{
    "bad-request",
    "conflict",
    "feature-not-implemented",
    "forbidden",
    "gone",
    "internal-server-error",
    "item-not-found",
    "jid-malformed",
    "not-acceptable",
    "not-allowed",
    "not-authorized",
    "policy-violation",
    "recipient-unavailable",
    "redirect",
    "registration-required",
    "remote-server-not-found",
    "remote-server-timeout",
    "resource-constraint",
    "service-unavailable",
    "subscription-required",
    "undefined-condition",
    "unexpected-request",
};

// SIP request methods fedgate handles (RFC 3261, 3428, 6665, 3903); anything else is `other`.
enum class sip_method : std::uint8_t { message, subscribe, notify, publish, options, other };
inline constexpr std::array<std::string_view, 6> sip_method_labels{"MESSAGE", "SUBSCRIBE", "NOTIFY",
                                                                   "PUBLISH", "OPTIONS",   "other"};

// Final response classes (RFC 3261 §7.2). status_class_of() maps a status code; codes outside
// 200-699 (a caller bug) count as 5xx rather than creating a series.
enum class status_class : std::uint8_t { s2xx, s3xx, s4xx, s5xx, s6xx };
inline constexpr std::array<std::string_view, 5> status_class_labels{"2xx", "3xx", "4xx", "5xx",
                                                                     "6xx"};
constexpr status_class status_class_of(int code) noexcept {
  if (code >= 200 && code < 700) return static_cast<status_class>(code / 100 - 2);
  return status_class::s5xx;
}

// Which side of the gateway a translation (or a presence subscription) goes from and to.
enum class translation : std::uint8_t { xmpp_to_sip, sip_to_xmpp };
inline constexpr std::array<std::string_view, 2> translation_labels{"xmpp_to_sip", "sip_to_xmpp"};

// S2S stream lifecycle (RFC 6120 §4): negotiating until authenticated, then established.
enum class stream_state : std::uint8_t { negotiating, established };
inline constexpr std::array<std::string_view, 2> stream_state_labels{"negotiating", "established"};

// How the peer domain was authenticated: not yet, XEP-0220 dialback, or SASL EXTERNAL
// (RFC 6120 §6 with the peer's certificate).
enum class stream_auth : std::uint8_t { none, dialback, sasl_external };
inline constexpr std::array<std::string_view, 3> stream_auth_labels{"none", "dialback",
                                                                    "sasl_external"};

// Whether the stream runs over TLS (STARTTLS, RFC 6120 §5, or XEP-0368 direct TLS).
inline constexpr std::array<std::string_view, 2> tls_labels{"false", "true"};

// Why an S2S stream failed before it was established.
enum class negotiation_failure : std::uint8_t {
  dns,            // no SRV/A records for the partner
  connect,        // every target refused or timed out at TCP level
  tls_handshake,  // the TLS handshake failed
  tls_required,   // the policy needs TLS and the peer did not offer or accept it
  certificate,    // the peer's certificate did not verify or name the domain (RFC 6125)
  sasl,           // SASL EXTERNAL failed (RFC 6120 §6)
  dialback,       // dialback verification failed or was refused (XEP-0220)
  policy,         // the domain is not allowed (allowlist, deny list)
  timeout,        // not established within xmpp.establish_timeout_ms
  stream_error,   // the peer sent a stream error during negotiation (RFC 6120 §4.9)
  other,
};
inline constexpr std::array<std::string_view, 11> negotiation_failure_labels{
    "dns",      "connect", "tls_handshake", "tls_required", "certificate", "sasl",
    "dialback", "policy",  "timeout",       "stream_error", "other"};

// Which end of a SIP transaction (RFC 3261 §17) or TLS handshake fedgate is.
enum class role : std::uint8_t { client, server };
inline constexpr std::array<std::string_view, 2> role_labels{"client", "server"};

enum class protocol : std::uint8_t { xmpp, sip };
inline constexpr std::array<std::string_view, 2> protocol_labels{"xmpp", "sip"};

enum class tls_result : std::uint8_t { success, failure, certificate_rejected };
inline constexpr std::array<std::string_view, 3> tls_result_labels{"success", "failure",
                                                                   "certificate_rejected"};

// Actor types whose population and mailboxes are watched.
enum class actor_type : std::uint8_t {
  router,
  partner_domain,
  s2s_stream,
  session,
  presence,
  sip_transactions,
  sip_connection,
};
inline constexpr std::array<std::string_view, 7> actor_type_labels{
    "router",   "partner_domain",   "s2s_stream",    "session",
    "presence", "sip_transactions", "sip_connection"};

// What a configuration reload did (`fedgate ctl reload`, SIGHUP): applied a change, found nothing
// live to change, or rejected a file that does not load.
enum class reload_result : std::uint8_t { applied, unchanged, rejected };
inline constexpr std::array<std::string_view, 3> reload_result_labels{"applied", "unchanged",
                                                                      "rejected"};

// The exposition string of an enum value.
template <class Enum, std::size_t N>
constexpr std::string_view label_of(const std::array<std::string_view, N>& table, Enum e) {
  return table[static_cast<std::size_t>(e)];
}

}  // namespace fedgate::metrics
