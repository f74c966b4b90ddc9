#pragma once
// A minimal HTTP/1.0 GET to 127.0.0.1 for tests of fedgate's admin endpoints: the status line and
// the body. Every read has a deadline.

#include <cstdint>
#include <string>
#include <utility>

namespace fedgate::testing {

std::pair<std::string, std::string> http_get(std::uint16_t port, const std::string& path);

}  // namespace fedgate::testing
