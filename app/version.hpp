#pragma once
// Build identification for `fedgate version`, logs and (later) fedgate_build_info.

#include <string_view>

namespace fedgate::app {

std::string_view version_string();  // "0.1.0"
std::string_view git_revision();    // short commit hash, or "unknown" outside a git checkout

}  // namespace fedgate::app
