#pragma once
// Parses an application/pidf+xml body (RFC 3863) into the typed presence state of
// codecs/pidf/presence.hpp, reading the RFC 4479 data-model and RFC 4480 RPID elements the gateway
// maps to XMPP.
//
// - Namespace-aware: elements are matched on (namespace name, local name), resolving prefixes
//   through the xmlns declarations in scope, so `rpid:`, `r:`, default namespaces all work.
// - Strict where RFC 3863 is: the root is <presence> in the PIDF namespace with an `entity`; each
//   <tuple> has an `id` and one <status>; <basic> is open or closed.
// - Tolerant of extensions (RFC 3863 §4.1.5): unknown elements are skipped, unless marked
//   mustUnderstand="true", which is an error (§4.3, §7).
// - Hostile input: only UTF-8, no DTD (so no entity expansion), and the sizes and counts of
//   `limits` are enforced. Errors are values; nothing throws on bad input.
//
// What is parsed and what is skipped is listed in codecs/pidf/README.md.

#include <string_view>

#include "codecs/pidf/error.hpp"
#include "codecs/pidf/limits.hpp"
#include "codecs/pidf/presence.hpp"

namespace fedgate::pidf {

result<document> parse(std::string_view body, const limits& lim = {});

}  // namespace fedgate::pidf
