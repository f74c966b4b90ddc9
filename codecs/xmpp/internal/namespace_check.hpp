#pragma once
// Namespace well-formedness of one parsed element tree (Namespaces in XML 1.0 §3, §4, §5, §6), and
// the step that makes an element extracted from a stream self-contained: declarations it inherits
// from the stream header are copied onto its top element.

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/stream_error.hpp"

namespace fedgate::xmpp::internal {

// Reusable (keeps its scratch buffers between calls: the framer runs it on every element).
class namespace_checker {
 public:
  // Checks every element and attribute name under `top` (qname syntax, declared prefixes, no
  // duplicate attributes, no empty prefixed declaration, xml/xmlns prefixes used correctly).
  // Names that resolve only through `inherited` get that declaration added to `top`, first among
  // its attributes. On failure returns the stream error (not-well-formed or bad-namespace-prefix)
  // and `top` may be partly modified.
  std::optional<stream_error> check(pugi::xml_node top, const namespace_bindings& inherited);

 private:
  struct scope_entry {
    std::string_view prefix;
    std::string_view uri;
  };
  bool visit(pugi::xml_node e);
  bool resolve(std::string_view prefix);
  bool check_qname(std::string_view qname, const char* what);
  bool fail(stream_error_condition c, std::string text);

  const namespace_bindings* inherited_ = nullptr;
  std::vector<char> needed_;
  std::vector<scope_entry> scope_;
  std::vector<std::pair<std::string_view, pugi::xml_attribute>> attrs_;
  stream_error error_;
};

// One-off form of namespace_checker::check().
std::optional<stream_error> check_namespaces(pugi::xml_node top,
                                             const namespace_bindings& inherited);

}  // namespace fedgate::xmpp::internal
