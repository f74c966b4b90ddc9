// libFuzzer target for JIDs. Checks, with __builtin_trap(): a parsed JID's string form parses back
// equal and prints the same (normalisation is idempotent); bare() of bare() is bare(); each part
// is already in normal form and within RFC 7622 §3.1's length limits.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codecs/xmpp/jid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fedgate::xmpp;
  std::string_view input{reinterpret_cast<const char*>(data), size};
  jid_error why = jid_error::none;
  auto j = jid::parse(input, &why);
  if (!j) {
    if (why == jid_error::none) __builtin_trap();
    return 0;
  }
  if (why != jid_error::none) __builtin_trap();
  const auto s = j->to_string();
  auto again = jid::parse(s);
  if (!again || *again != *j || again->to_string() != s) __builtin_trap();
  auto bare = j->bare();
  if (!bare.is_bare() || bare.bare() != bare || bare.to_string() != j->bare_string())
    __builtin_trap();
  if (j->domain().empty() || j->domain().size() > 1023 || j->local().size() > 1023 ||
      j->resource().size() > 1023)
    __builtin_trap();
  if (normalize_domainpart(j->domain()).value_or("") != j->domain()) __builtin_trap();
  if (j->has_local() && normalize_localpart(j->local()).value_or("") != j->local())
    __builtin_trap();
  if (j->has_resource() && normalize_resourcepart(j->resource()).value_or("") != j->resource())
    __builtin_trap();
  if (j->has_resource()) {
    auto r = bare.with_resource(j->resource());
    if (!r || *r != *j) __builtin_trap();
  }
  return 0;
}
