#pragma once
// Small pugixml helpers for namespace-aware reading (pugixml itself does not resolve namespaces).
// Not API.

#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace fedgate::mapping::internal {

inline std::string_view local_name(const pugi::xml_node& node) {
  std::string_view n(node.name());
  auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

/// The namespace of `node`'s name: its prefix's (or the default) declaration nearest in scope.
inline std::string_view namespace_of(const pugi::xml_node& node) {
  std::string_view n(node.name());
  auto colon = n.find(':');
  std::string attr = colon == std::string_view::npos ? std::string("xmlns")
                                                     : "xmlns:" + std::string(n.substr(0, colon));
  for (pugi::xml_node p = node; p; p = p.parent()) {
    if (auto a = p.attribute(attr.c_str())) return a.value();
  }
  return {};
}

/// xml:lang in scope for `node` (RFC 6120 §8.1.5: inherited from the stanza or the stream).
inline std::string_view lang_of(const pugi::xml_node& node) {
  for (pugi::xml_node p = node; p; p = p.parent()) {
    if (auto a = p.attribute("xml:lang")) return a.value();
  }
  return {};
}

}  // namespace fedgate::mapping::internal
