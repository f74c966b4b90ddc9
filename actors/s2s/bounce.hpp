#pragma once
// Stanza errors sent back to a stanza's sender (RFC 6120 §8.3) when fedgate cannot deliver it:
// the partner domain is unreachable (remote-server-not-found), did not come up in time
// (remote-server-timeout), is not allowed (forbidden), or a queue is full (resource-constraint).
//
// RFC 6120 §8.3.1: never answer an error with an error, so a stanza of type "error" gets no
// bounce; neither do presence stanzas other than subscription requests, which XMPP servers do
// not bounce either.

#include <optional>
#include <string>
#include <string_view>

#include "actors/s2s/messages.hpp"

namespace fedgate::s2s {

// The stanza error condition name ("remote-server-not-found") and its type per RFC 6120 §8.3.3.
struct stanza_error_spec {
  std::string_view condition;
  std::string_view type;  // cancel | wait | modify | auth
};

inline constexpr stanza_error_spec remote_server_not_found{"remote-server-not-found", "cancel"};
inline constexpr stanza_error_spec remote_server_timeout{"remote-server-timeout", "wait"};
inline constexpr stanza_error_spec forbidden{"forbidden", "auth"};
inline constexpr stanza_error_spec resource_constraint{"resource-constraint", "wait"};
inline constexpr stanza_error_spec service_unavailable{"service-unavailable", "cancel"};

// The error reply to `original` (from and to swapped, same id and kind, type='error', the
// original's children kept for messages/iq per RFC 6120 §8.3.1), or nullopt when none is due.
std::optional<stanza> make_bounce(const stanza& original, stanza_error_spec error,
                                  std::string_view text);

}  // namespace fedgate::s2s
