#pragma once
// Random tokens for the identifiers a UA makes up: tags (RFC 3261 §19.3: at least 32 bits of
// randomness), Call-IDs (§8.1.1.4: globally unique) and ids of the gateway's own stanzas. One
// generator per thread, so actors on any scheduler thread call these without locking.

#include <cstddef>
#include <random>
#include <string>

namespace fedgate::sip_layer {

// `n` characters of [a-z0-9] (about 5.2 bits each: 12 characters carry 62 bits).
inline std::string random_token(std::size_t n = 12) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(n, 'x');
  for (auto& c : s)
    c = alphabet[rng() % (sizeof alphabet - 1)];
  return s;
}

// A Call-ID of the gateway's making.
inline std::string new_call_id() {
  return random_token(24) + "@fedgate";
}

}  // namespace fedgate::sip_layer
