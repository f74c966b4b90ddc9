#include "codecs/xmpp/internal/namespace_check.hpp"

#include <string>

#include "codecs/xmpp/internal/utf8.hpp"

namespace fedgate::xmpp::internal {

namespace {
using cond = stream_error_condition;

}  // namespace

std::optional<stream_error> namespace_checker::check(pugi::xml_node top,
                                                     const namespace_bindings& inherited) {
  inherited_ = &inherited;
  needed_.assign(inherited.size(), 0);
  scope_.clear();
  if (!visit(top)) return error_;
  // Prepend in reverse so the declarations keep the header's order.
  for (std::size_t i = inherited.size(); i-- > 0;) {
    if (!needed_[i]) continue;
    const auto& b = inherited[i];
    std::string name = b.prefix.empty() ? std::string{"xmlns"} : "xmlns:" + b.prefix;
    top.prepend_attribute(name.c_str()).set_value(b.uri.c_str());
  }
  return std::nullopt;
}

bool namespace_checker::fail(cond c, std::string text) {
  error_ = stream_error{c, std::move(text), {}};
  return false;
}

// Looks `prefix` up in the element scopes, then in the inherited bindings. Returns false if
// undeclared. A default namespace that is declared nowhere is "no namespace" and succeeds.
bool namespace_checker::resolve(std::string_view prefix) {
  if (prefix == "xml") return true;
  for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
    if (it->prefix == prefix) return true;
  const auto& inherited = *inherited_;
  for (std::size_t i = 0; i < inherited.size(); ++i) {
    if (inherited[i].prefix == prefix) {
      needed_[i] = 1;
      return true;
    }
  }
  return prefix.empty();
}

bool namespace_checker::check_qname(std::string_view qname, const char* what) {
  auto colon = qname.find(':');
  if (colon == std::string_view::npos) return true;
  // Namespaces in XML 1.0 §4: prefix and local part are each an NCName.
  if (colon == 0 || colon + 1 == qname.size() ||
      qname.find(':', colon + 1) != std::string_view::npos ||
      !is_name_start_byte(static_cast<unsigned char>(qname[colon + 1])))
    return fail(cond::not_well_formed,
                std::string{"malformed qualified "} + what + " name '" + std::string{qname} + "'");
  return true;
}

bool namespace_checker::visit(pugi::xml_node e) {
  const std::size_t mark = scope_.size();
  attrs_.clear();
  for (auto a = e.first_attribute(); a; a = a.next_attribute())
    attrs_.emplace_back(a.name(), a);
  // Declarations first: they apply to the element's own name and attributes.
  for (std::size_t i = 0; i < attrs_.size(); ++i) {
    std::string_view name = attrs_[i].first;
    for (std::size_t j = i + 1; j < attrs_.size(); ++j)
      if (name == attrs_[j].first)
        return fail(cond::not_well_formed, "duplicate attribute '" + std::string{name} + "'");
    if (!is_namespace_declaration(name)) continue;
    std::string_view uri = attrs_[i].second.value();
    if (name.size() == 5) {
      scope_.push_back({std::string_view{}, uri});
      continue;
    }
    std::string_view prefix = name.substr(6);
    if (prefix.empty() || prefix.find(':') != std::string_view::npos ||
        !is_name_start_byte(static_cast<unsigned char>(prefix[0])))
      return fail(cond::not_well_formed,
                  "malformed namespace declaration '" + std::string{name} + "'");
    if (prefix == "xmlns" || (prefix == "xml") != (uri == ns::xml))
      return fail(cond::bad_namespace_prefix,
                  "reserved prefix misused in '" + std::string{name} + "'");
    if (uri.empty())  // Namespaces in XML 1.0 §5: prefixes cannot be undeclared
      return fail(cond::bad_namespace_prefix,
                  "empty namespace name for prefix '" + std::string{prefix} + "'");
    scope_.push_back({prefix, uri});
  }
  std::string_view qname = e.name();
  if (!check_qname(qname, "element")) return false;
  auto [prefix, local] = split_qname(qname);
  (void)local;
  if (prefix == "xmlns") return fail(cond::bad_namespace_prefix, "element uses the xmlns prefix");
  if (!resolve(prefix))
    return fail(cond::bad_namespace_prefix, "undeclared prefix '" + std::string{prefix} +
                                                "' on element '" + std::string{qname} + "'");
  for (const auto& [an, a] : attrs_) {
    if (is_namespace_declaration(an) || an.find(':') == std::string_view::npos) continue;
    if (!check_qname(an, "attribute")) return false;
    auto [ap, al] = split_qname(an);
    (void)al;
    if (!resolve(ap))
      return fail(cond::bad_namespace_prefix, "undeclared prefix '" + std::string{ap} +
                                                  "' on attribute '" + std::string{an} + "'");
  }
  // attrs_ is reused by the children from here on.
  for (auto c = e.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && !visit(c)) return false;
  scope_.resize(mark);
  return true;
}

std::optional<stream_error> check_namespaces(pugi::xml_node top,
                                             const namespace_bindings& inherited) {
  namespace_checker c;
  return c.check(top, inherited);
}

}  // namespace fedgate::xmpp::internal
