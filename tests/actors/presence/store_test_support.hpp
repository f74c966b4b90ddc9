#pragma once
// Shared by the store tests: records, and gtest printing of them.

#include <ostream>
#include <string>

#include "actors/presence/subscription_store.hpp"

namespace fedgate::presence {

// gtest prints records in failures with this (found by ADL).
inline void PrintTo(const subscription_record& r, std::ostream* os) {
  *os << "{" << to_string(r.direction) << " " << r.local << " " << r.remote << " "
      << to_string(r.state) << " dialog=\"" << r.sip_dialog << "\" expires=" << r.expires_unix
      << "}";
}

namespace testing {

inline subscription_record record(watch_direction d, std::string local, std::string remote,
                                  auth_state s = auth_state::active, std::string dialog = "",
                                  std::int64_t expires = 0) {
  subscription_record r;
  r.direction = d;
  r.local = std::move(local);
  r.remote = std::move(remote);
  r.state = s;
  r.sip_dialog = std::move(dialog);
  r.expires_unix = expires;
  return r;
}

}  // namespace testing
}  // namespace fedgate::presence
