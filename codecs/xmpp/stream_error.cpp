#include "codecs/xmpp/stream_error.hpp"

#include <array>

#include "codecs/xmpp/names.hpp"

namespace fedgate::xmpp {

namespace {

constexpr std::array<std::string_view, stream_error_condition_count> condition_names{
    "bad-format",
    "bad-namespace-prefix",
    "conflict",
    "connection-timeout",
    "host-gone",
    "host-unknown",
    "improper-addressing",
    "internal-server-error",
    "invalid-from",
    "invalid-namespace",
    "invalid-xml",
    "not-authorized",
    "not-well-formed",
    "policy-violation",
    "remote-connection-failed",
    "reset",
    "resource-constraint",
    "restricted-xml",
    "see-other-host",
    "system-shutdown",
    "undefined-condition",
    "unsupported-encoding",
    "unsupported-feature",
    "unsupported-stanza-type",
    "unsupported-version",
};

}  // namespace

std::string_view to_string(stream_error_condition c) noexcept {
  auto i = static_cast<std::size_t>(c);
  return i < condition_names.size() ? condition_names[i] : std::string_view{"undefined-condition"};
}

std::optional<stream_error_condition> stream_error_condition_from_string(
    std::string_view name) noexcept {
  for (std::size_t i = 0; i < condition_names.size(); ++i)
    if (condition_names[i] == name) return static_cast<stream_error_condition>(i);
  return std::nullopt;
}

std::optional<stream_error> parse_stream_error(pugi::xml_node element) {
  auto name = resolve_name(element);
  if (!name || name->ns != ns::streams || name->local != "error") return std::nullopt;
  stream_error result;
  for (auto child : element.children()) {
    if (child.type() != pugi::node_element) continue;
    auto cn = resolve_name(child);
    if (!cn || cn->ns != ns::stream_errors) continue;  // application-specific conditions
    if (cn->local == "text") {
      result.text = child.text().get();
      continue;
    }
    if (auto c = stream_error_condition_from_string(cn->local)) {
      result.condition = *c;
      if (*c == stream_error_condition::see_other_host) result.see_other_host = child.text().get();
    }
  }
  return result;
}

}  // namespace fedgate::xmpp
