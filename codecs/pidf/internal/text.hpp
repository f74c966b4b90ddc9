#pragma once
// Lexical checks shared by the parser and the serializer, so that what one accepts the other can
// write and read back: one definition each of a valid character string, an xs:dateTime and a
// PIDF contact priority.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fedgate::pidf::internal {

// Offset of the first byte that is not well-formed UTF-8 or encodes a character XML 1.0 §2.2
// forbids (controls other than tab/LF/CR, surrogates, U+FFFE/U+FFFF); nullopt if all is valid.
std::optional<std::size_t> find_invalid_char(std::string_view s);

// XML whitespace (XML 1.0 §2.3 S: space, tab, CR, LF).
bool is_xml_space(char c);
std::string_view trim(std::string_view s);
bool is_trimmed(std::string_view s);

// xs:dateTime (XML Schema Part 2 §3.2.7), the type of <timestamp> (RFC 3863 §4.1.7) and of
// RPID's last-input (RFC 4480 §3.8): [-]YYYY-MM-DDThh:mm:ss[.fff][Z|(+|-)hh:mm].
bool is_date_time(std::string_view s);

// RFC 3863 §4.1.3 / schema qvalue: a decimal between 0 and 1 with at most three fraction digits,
// in thousandths. Extra fraction digits are accepted only when they are zeros.
std::optional<std::uint16_t> parse_priority(std::string_view s);
// The shortest decimal for a priority in thousandths ("1", "0", "0.8", "0.125"); milli <= 1000.
std::string format_priority(std::uint16_t milli);

// xs:positiveInteger that fits 32 bits (RPID idle-threshold, RFC 4480 §3.8).
std::optional<std::uint32_t> parse_positive_u32(std::string_view s);

}  // namespace fedgate::pidf::internal
