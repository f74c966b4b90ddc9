#include "codecs/xmpp/names.hpp"

#include <algorithm>
#include <tuple>

namespace fedgate::xmpp {

namespace {
constexpr std::string_view xmlns_ns = "http://www.w3.org/2000/xmlns/";
}

std::string expanded_name::clark() const {
  if (ns.empty()) return std::string{local};
  std::string s;
  s.reserve(ns.size() + local.size() + 2);
  s += '{';
  s += ns;
  s += '}';
  s += local;
  return s;
}

std::pair<std::string_view, std::string_view> split_qname(std::string_view qname) noexcept {
  auto colon = qname.find(':');
  if (colon == std::string_view::npos) return {std::string_view{}, qname};
  return {qname.substr(0, colon), qname.substr(colon + 1)};
}

bool is_namespace_declaration(std::string_view n) noexcept {
  return n.size() >= 5 && n.compare(0, 5, "xmlns") == 0 && (n.size() == 5 || n[5] == ':');
}

bool is_namespace_declaration(pugi::xml_attribute a) noexcept {
  return is_namespace_declaration(std::string_view{a.name()});
}

std::optional<std::string_view> lookup_namespace(pugi::xml_node element, std::string_view prefix) {
  if (prefix == "xml") return ns::xml;
  if (prefix == "xmlns") return xmlns_ns;
  for (auto n = element; n && n.type() == pugi::node_element; n = n.parent()) {
    for (auto a : n.attributes()) {
      std::string_view name = a.name();
      if (name.size() < 5 || name.compare(0, 5, "xmlns") != 0) continue;
      if (prefix.empty() ? name.size() == 5
                         : (name.size() == 6 + prefix.size() && name[5] == ':' &&
                            name.compare(6, std::string_view::npos, prefix) == 0))
        return std::string_view{a.value()};
    }
  }
  if (prefix.empty()) return std::string_view{};
  return std::nullopt;
}

std::optional<expanded_name> resolve_name(pugi::xml_node element) {
  if (element.type() != pugi::node_element) return std::nullopt;
  auto [prefix, local] = split_qname(element.name());
  auto uri = lookup_namespace(element, prefix);
  if (!uri) return std::nullopt;
  return expanded_name{*uri, local};
}

std::optional<expanded_name> resolve_attribute_name(pugi::xml_node element, pugi::xml_attribute a) {
  std::string_view name = a.name();
  if (name == "xmlns") return expanded_name{xmlns_ns, std::string_view{}};
  auto [prefix, local] = split_qname(name);
  if (prefix.empty()) return expanded_name{std::string_view{}, local};
  auto uri = lookup_namespace(element, prefix);
  if (!uri) return std::nullopt;
  return expanded_name{*uri, local};
}

namespace {

struct resolved_attribute {
  std::string_view ns, local, value;
  bool operator<(const resolved_attribute& o) const {
    return std::tie(ns, local, value) < std::tie(o.ns, o.local, o.value);
  }
  bool operator==(const resolved_attribute& o) const {
    return ns == o.ns && local == o.local && value == o.value;
  }
};

bool attributes_of(pugi::xml_node e, std::vector<resolved_attribute>& out) {
  out.clear();
  for (auto a : e.attributes()) {
    if (is_namespace_declaration(a)) continue;
    auto n = resolve_attribute_name(e, a);
    if (!n) return false;
    out.push_back({n->ns, n->local, a.value()});
  }
  std::sort(out.begin(), out.end());
  return true;
}

// Character data between child elements, as runs; one run per gap.
void content_of(pugi::xml_node e, std::vector<std::string>& text,
                std::vector<pugi::xml_node>& kids) {
  text.assign(1, std::string{});
  kids.clear();
  for (auto c : e.children()) {
    if (c.type() == pugi::node_element) {
      kids.push_back(c);
      text.emplace_back();
    } else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      text.back() += c.value();
    }
  }
}

}  // namespace

bool equivalent(pugi::xml_node a, pugi::xml_node b) {
  auto na = resolve_name(a);
  auto nb = resolve_name(b);
  if (!na || !nb || na->ns != nb->ns || na->local != nb->local) return false;
  std::vector<resolved_attribute> aa, ab;
  if (!attributes_of(a, aa) || !attributes_of(b, ab) || aa != ab) return false;
  std::vector<std::string> ta, tb;
  std::vector<pugi::xml_node> ka, kb;
  content_of(a, ta, ka);
  content_of(b, tb, kb);
  if (ta != tb || ka.size() != kb.size()) return false;
  for (std::size_t i = 0; i < ka.size(); ++i)
    if (!equivalent(ka[i], kb[i])) return false;
  return true;
}

}  // namespace fedgate::xmpp
