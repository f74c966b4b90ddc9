#pragma once
// Namespace well-formedness of one parsed element tree (Namespaces in XML 1.0 §3, §5, §6), and the
// step that makes an element extracted from a stream self-contained: declarations it inherits
// from the stream header are copied onto its top element.

#include <optional>

#include <pugixml.hpp>

#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/stream_error.hpp"

namespace fedgate::xmpp::internal {

// Checks every element and attribute name under `top` (qname syntax, declared prefixes, no
// duplicate attributes, no empty prefixed declaration, xml/xmlns prefixes used correctly). Names
// that resolve only through `inherited` get that declaration added to `top`, first among its
// attributes. On failure returns the stream error (not-well-formed or bad-namespace-prefix) and
// `top` may be partly modified.
std::optional<stream_error> check_namespaces(pugi::xml_node top,
                                             const namespace_bindings& inherited);

}  // namespace fedgate::xmpp::internal
