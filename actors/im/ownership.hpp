#pragma once
// Who owns a conversation: the one function every lookup in the IM layer goes through.
//
// A conversation is keyed by its two bare addresses in XMPP form (the local user as the XMPP side
// sees them, then the remote contact), so a SIP MESSAGE from alice to romeo and a <message/> from
// romeo to alice land on the same owner whatever the direction or the SIP spelling
// (%-escapes, domain pairs) of the addresses.
//
// Today every owner is on this node and `owner_of` only picks a shard. A cluster places owners on
// other nodes by changing this function (a consistent-hash ring over the members instead of a
// modulo) without changing any caller: callers already route on the returned owner, never on
// the key themselves.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fedgate::im {

struct owner {
  std::string node;       // empty: this node
  std::size_t shard = 0;  // index into the node's router shards
  friend bool operator==(const owner& a, const owner& b) {
    return a.node == b.node && a.shard == b.shard;
  }
};

/// "alice@xmpp.example.com romeo@montague.example": normalised bare JIDs, local first. The
/// space cannot occur in a JID (RFC 7622 forbids it in every part), so keys never collide.
std::string conversation_key(std::string_view local_bare_jid, std::string_view remote_bare_jid);

/// The owner of `key` among `shards` shards (>= 1). Stable for a given key and shard count:
/// FNV-1a (64 bit) of the key, so the placement does not change between runs or builds.
owner owner_of(std::string_view key, std::size_t shards);

}  // namespace fedgate::im
