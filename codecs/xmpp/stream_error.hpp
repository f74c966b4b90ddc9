#pragma once
// Stream error conditions of RFC 6120 §4.9.3, as values. The framer reports the condition the
// local side must send to the peer before closing the stream (RFC 6120 §4.9.1.1); a
// <stream:error/> received from the peer is read back with parse_stream_error().

#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace fedgate::xmpp {

// All defined conditions, in the order of RFC 6120 §4.9.3.1 .. §4.9.3.25.
enum class stream_error_condition {
  bad_format,                // §4.9.3.1
  bad_namespace_prefix,      // §4.9.3.2
  conflict,                  // §4.9.3.3
  connection_timeout,        // §4.9.3.4
  host_gone,                 // §4.9.3.5
  host_unknown,              // §4.9.3.6
  improper_addressing,       // §4.9.3.7
  internal_server_error,     // §4.9.3.8
  invalid_from,              // §4.9.3.9
  invalid_namespace,         // §4.9.3.10
  invalid_xml,               // §4.9.3.11
  not_authorized,            // §4.9.3.12
  not_well_formed,           // §4.9.3.13
  policy_violation,          // §4.9.3.14
  remote_connection_failed,  // §4.9.3.15
  reset,                     // §4.9.3.16
  resource_constraint,       // §4.9.3.17
  restricted_xml,            // §4.9.3.18
  see_other_host,            // §4.9.3.19
  system_shutdown,           // §4.9.3.20
  undefined_condition,       // §4.9.3.21
  unsupported_encoding,      // §4.9.3.22
  unsupported_feature,       // §4.9.3.23
  unsupported_stanza_type,   // §4.9.3.24
  unsupported_version,       // §4.9.3.25
};

inline constexpr int stream_error_condition_count = 25;

// The element name as on the wire, e.g. "not-well-formed".
std::string_view to_string(stream_error_condition c) noexcept;
// Inverse of to_string(); nullopt for an unknown name.
std::optional<stream_error_condition> stream_error_condition_from_string(
    std::string_view name) noexcept;

// A condition plus human text for logs (and, optionally, the <text/> sent to the peer).
struct stream_error {
  stream_error_condition condition = stream_error_condition::undefined_condition;
  std::string text;
  // Set by parse_stream_error() only: the content of see-other-host (§4.9.3.19).
  std::string see_other_host;
};

// Reads a received <stream:error/> (any node whose resolved name is
// {http://etherx.jabber.org/streams}error). Returns nullopt if `element` is not one. An unknown or
// missing condition gives undefined_condition (RFC 6120 §4.9.3.21 allows nothing else).
std::optional<stream_error> parse_stream_error(pugi::xml_node element);

}  // namespace fedgate::xmpp
