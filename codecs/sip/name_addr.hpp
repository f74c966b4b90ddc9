#pragma once
// The address headers From, To, Contact, Route, Record-Route, Reply-To, Refer-To:
//   ( name-addr / addr-spec ) *( SEMI param )            (RFC 3261 §20.10, §20.20, §20.39, §25.1)
//   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
//   display-name = *(token LWS) / quoted-string
// Without angle brackets the URI ends at the first ';' (the rest are header parameters, §20.10)
// and must contain no ',', '?' or ';' of its own (§20, RFC 4475 §3.1.2.13).
//
// Views into the parsed text; nothing owned.

#include <optional>
#include <string>
#include <string_view>

#include "codecs/sip/error.hpp"
#include "codecs/sip/header_values.hpp"
#include "codecs/sip/uri.hpp"

namespace fedgate::sip {

struct name_addr {
  std::string_view display_name;  // as sent: with its quotes if quoted; empty if none
  std::string_view uri_text;      // the addr-spec, without the angle brackets
  bool angle_brackets = false;
  std::string_view params;  // header parameters from the first ';' after the URI, or empty
  uri address;              // uri_text parsed (views into the same text)

  /// Display name with quotes removed and quoted-pairs resolved.
  std::string display_name_text() const { return unquote(display_name); }
  std::optional<std::string_view> param(std::string_view name) const {
    return find_param(params, name);
  }
  /// The tag parameter (RFC 3261 §19.3), empty if absent.
  std::string_view tag() const { return param("tag").value_or(std::string_view{}); }
};

/// Parses one element (From and To have exactly one; Contact and Route are lists: split them
/// with list_reader first). `header_name` only names the header in the error reason.
result<name_addr> parse_name_addr(std::string_view element, std::string_view header_name = "From");

}  // namespace fedgate::sip
