#include "codecs/pidf/error.hpp"

namespace fedgate::pidf {

std::string_view to_string(error_code c) {
  switch (c) {
    case error_code::too_large:
      return "too_large";
    case error_code::invalid_utf8:
      return "invalid_utf8";
    case error_code::unsupported_encoding:
      return "unsupported_encoding";
    case error_code::doctype_forbidden:
      return "doctype_forbidden";
    case error_code::malformed_xml:
      return "malformed_xml";
    case error_code::unbound_prefix:
      return "unbound_prefix";
    case error_code::not_pidf:
      return "not_pidf";
    case error_code::missing_entity:
      return "missing_entity";
    case error_code::missing_id:
      return "missing_id";
    case error_code::missing_status:
      return "missing_status";
    case error_code::duplicate_element:
      return "duplicate_element";
    case error_code::invalid_value:
      return "invalid_value";
    case error_code::must_understand:
      return "must_understand";
    case error_code::too_many_tuples:
      return "too_many_tuples";
    case error_code::too_many_notes:
      return "too_many_notes";
    case error_code::too_many_elements:
      return "too_many_elements";
  }
  return "unknown";
}

}  // namespace fedgate::pidf
