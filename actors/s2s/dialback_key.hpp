#pragma once
// Server Dialback keys, XEP-0185 §3:
//   key = HEX( HMAC-SHA256( HEX(SHA256(secret)), receiving + ' ' + originating + ' ' + stream_id )
//   )
// The originating server sends it in <db:result/>; the authoritative server recomputes it to
// answer <db:verify/>, so the secret never leaves the gateway and nothing needs to be stored per
// stream. Prosody computes the same function (its mod_dialback), which the interop tests rely on.

#include <string>
#include <string_view>

namespace fedgate::s2s {

std::string dialback_key(std::string_view secret, std::string_view receiving_domain,
                         std::string_view originating_domain, std::string_view stream_id);

// Constant-time comparison of two keys (answers to db:verify must not leak timing).
bool keys_equal(std::string_view a, std::string_view b);

}  // namespace fedgate::s2s
