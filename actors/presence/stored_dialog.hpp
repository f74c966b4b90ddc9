#pragma once
// A SIP dialog as text for the subscription store, so a SIP watcher's subscription outlives a
// restart of fedgate: after it, NOTIFYs go on in the same dialog (same Call-ID, tags, route set,
// a CSeq past the last one sent) and the watcher never notices (docs/presence.md, "Restart").
// The text is one "name value" per line; route entries repeat. Plain data, no I/O.

#include <optional>
#include <string>
#include <string_view>

#include "actors/sip/dialog.hpp"

namespace fedgate::presence {

std::string dialog_to_text(const sip_layer::dialog& d);

// nullopt when the text is not one dialog_to_text() wrote (a newer format, a damaged row).
std::optional<sip_layer::dialog> dialog_from_text(std::string_view text);

}  // namespace fedgate::presence
