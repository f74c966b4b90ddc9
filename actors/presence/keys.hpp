#pragma once
// Presence actors share the IM router's key space and ownership function (actors/im/
// ownership.hpp) with conversations, so one lookup places any of them on a node and shard.
// Conversation keys are "local remote" (two bare JIDs); presence keys start with '#', which no
// JID domainpart contains, so the two never collide:
//   "#user alice@sip.example"   the presence of a local SIP user, watched by XMPP contacts;
//   "#contact bob@xmpp.example" the presence of an XMPP contact, watched by SIP users.

#include <string>
#include <string_view>

namespace fedgate::presence {

inline constexpr std::string_view user_prefix = "#user ";
inline constexpr std::string_view contact_prefix = "#contact ";

inline std::string local_user_key(std::string_view bare_jid) {
  return std::string(user_prefix) + std::string(bare_jid);
}

inline std::string remote_contact_key(std::string_view bare_jid) {
  return std::string(contact_prefix) + std::string(bare_jid);
}

inline bool is_presence_key(std::string_view key) {
  return !key.empty() && key.front() == '#';
}

inline bool is_local_user_key(std::string_view key) {
  return key.substr(0, user_prefix.size()) == user_prefix;
}

// The bare JID of a presence key ("" for other keys).
inline std::string_view jid_of_key(std::string_view key) {
  if (is_local_user_key(key)) return key.substr(user_prefix.size());
  if (key.substr(0, contact_prefix.size()) == contact_prefix)
    return key.substr(contact_prefix.size());
  return {};
}

}  // namespace fedgate::presence
