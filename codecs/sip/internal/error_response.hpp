#pragma once
// Not API: the assembly step of make_error_response() (codecs/sip/error_response.hpp) without
// its final parse check, so the fuzz target can assert that the response is well-formed by
// construction and the check is only a second line of defence.

#include <optional>
#include <string>
#include <string_view>

#include "codecs/sip/error.hpp"
#include "codecs/sip/limits.hpp"

namespace fedgate::sip::internal {

std::optional<std::string> assemble_error_response(std::string_view raw, const error& err,
                                                   std::string_view to_tag, const limits& lim);

}  // namespace fedgate::sip::internal
