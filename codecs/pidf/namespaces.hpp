#pragma once
// The XML namespaces the PIDF codec understands. Matching is on the namespace name, never on the
// prefix: real documents bind these to `rpid:`, `r:`, `dm:`, `pdm:` or make them the default.

#include <string_view>

namespace fedgate::pidf::ns {

// RFC 3863 §4.1: the PIDF namespace; the root element is <presence> in it.
inline constexpr std::string_view pidf = "urn:ietf:params:xml:ns:pidf";
// RFC 4479 §4 (schema in §5): the presence data model, <person>, <device>, <deviceID>.
inline constexpr std::string_view data_model = "urn:ietf:params:xml:ns:pidf:data-model";
// RFC 4480 §4 (schema in §5): rich presence, <activities>, <user-input>.
inline constexpr std::string_view rpid = "urn:ietf:params:xml:ns:pidf:rpid";
// Namespaces in XML 1.0 §3: the `xml` prefix is bound to this without a declaration.
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";

}  // namespace fedgate::pidf::ns
