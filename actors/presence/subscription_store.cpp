#include "actors/presence/subscription_store.hpp"

namespace fedgate::presence {

std::string_view to_string(watch_direction d) {
  switch (d) {
    case watch_direction::xmpp_watches_sip:
      return "xmpp_watches_sip";
    case watch_direction::sip_watches_xmpp:
      return "sip_watches_xmpp";
  }
  return "invalid";
}

std::string_view to_string(auth_state s) {
  switch (s) {
    case auth_state::pending:
      return "pending";
    case auth_state::active:
      return "active";
  }
  return "invalid";
}

bool operator==(const subscription_record& a, const subscription_record& b) {
  return a.direction == b.direction && a.local == b.local && a.remote == b.remote &&
         a.state == b.state && a.sip_dialog == b.sip_dialog && a.expires_unix == b.expires_unix;
}

bool operator!=(const subscription_record& a, const subscription_record& b) {
  return !(a == b);
}

std::optional<std::string> record_error(const subscription_record& r) {
  if (r.direction != watch_direction::xmpp_watches_sip &&
      r.direction != watch_direction::sip_watches_xmpp)
    return "invalid watch direction " + std::to_string(static_cast<int>(r.direction));
  if (r.state != auth_state::pending && r.state != auth_state::active)
    return "invalid authorisation state " + std::to_string(static_cast<int>(r.state));
  if (r.local.empty()) return "empty local user (remote \"" + r.remote + "\")";
  if (r.remote.empty()) return "empty remote contact (local \"" + r.local + "\")";
  return std::nullopt;
}

}  // namespace fedgate::presence
