#include "actors/im/ownership.hpp"

namespace fedgate::im {

std::string conversation_key(std::string_view local_bare_jid, std::string_view remote_bare_jid) {
  std::string key;
  key.reserve(local_bare_jid.size() + 1 + remote_bare_jid.size());
  key.append(local_bare_jid).append(1, ' ').append(remote_bare_jid);
  return key;
}

owner owner_of(std::string_view key, std::size_t shards) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a offset basis
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;  // FNV prime
  }
  return {std::string(), shards == 0 ? 0 : static_cast<std::size_t>(h % shards)};
}

}  // namespace fedgate::im
