#pragma once
// Secrets the gateway generates once and keeps in its state directory (mode 0600), so they
// survive restarts without an operator choosing them: the XEP-0185 dialback secret (keys must
// stay verifiable across a restart while partners still hold streams keyed with them).

#include <filesystem>
#include <optional>
#include <string>

#include "app/config.hpp"

namespace fedgate::app {

// Reads `path`, or creates it with 32 random bytes in hex. nullopt with `error` on failure.
std::optional<std::string> load_or_create_secret(const std::filesystem::path& path,
                                                 std::string& error);

// The dialback secret: xmpp.dialback_secret when configured, else the generated one in
// state_dir/dialback.secret.
std::optional<std::string> dialback_secret(const config& cfg, std::string& error);

}  // namespace fedgate::app
