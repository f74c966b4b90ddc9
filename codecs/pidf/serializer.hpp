#pragma once
// Writes the typed presence state (codecs/pidf/presence.hpp) as a compact application/pidf+xml
// body (RFC 3863): an XML declaration, no whitespace between elements, PIDF as the default
// namespace, and `dm:` (RFC 4479) and `rpid:` (RFC 4480) declared only when something uses them.
// Elements are written in the order the schemas require (RFC 3863 §4.4, RFC 4479 §5,
// RFC 4480 §5). parse(serialize(d)) == d for every d that validate() accepts.
//
// It does not pretty-print and does not write extensions the model does not hold.

#include <optional>
#include <string>

#include "codecs/pidf/error.hpp"
#include "codecs/pidf/presence.hpp"

namespace fedgate::pidf {

// Checks that `doc` can be written as valid PIDF and read back unchanged: the entity and tuple ids
// are present; strings are UTF-8 with only XML characters; the fields the parser trims
// (entity, ids, URIs, timestamps) have no surrounding whitespace; timestamps are xs:dateTime;
// priority <= 1000; idle-threshold > 0. Everything parse() returns passes.
std::optional<error> validate(const document& doc);

// validate(), then the document.
result<std::string> serialize(const document& doc);

}  // namespace fedgate::pidf
