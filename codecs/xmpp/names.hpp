#pragma once
// XML namespace resolution for pugixml trees (pugixml keeps raw qnames and treats xmlns as an
// ordinary attribute). Every element the stream_framer hands out is self-contained: its top
// element carries the declarations it inherited from the stream header, so resolve_name() works
// on any node of it without knowing the stream.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

namespace fedgate::xmpp {

namespace ns {
inline constexpr std::string_view streams = "http://etherx.jabber.org/streams";  // RFC 6120 §4.8.1
inline constexpr std::string_view stream_errors = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view server = "jabber:server";  // RFC 6120 §4.8.2
inline constexpr std::string_view client = "jabber:client";
inline constexpr std::string_view component_accept = "jabber:component:accept";  // XEP-0114
inline constexpr std::string_view dialback = "jabber:server:dialback";           // XEP-0220
inline constexpr std::string_view dialback_features = "urn:xmpp:features:dialback";
inline constexpr std::string_view tls = "urn:ietf:params:xml:ns:xmpp-tls";
inline constexpr std::string_view sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
inline constexpr std::string_view stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas";
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";
}  // namespace ns

// A resolved name. The views point into the pugixml document (or to the constants above), so they
// live as long as the document.
struct expanded_name {
  std::string_view ns;  // empty: no namespace
  std::string_view local;

  bool is(std::string_view n, std::string_view l) const noexcept { return ns == n && local == l; }
  // Clark notation "{ns}local" (just "local" when there is no namespace), for logs and tests.
  std::string clark() const;
};

// One namespace declaration; prefix "" is the default namespace.
struct namespace_binding {
  std::string prefix;
  std::string uri;
  friend bool operator==(const namespace_binding& a, const namespace_binding& b) {
    return a.prefix == b.prefix && a.uri == b.uri;
  }
};
using namespace_bindings = std::vector<namespace_binding>;

// Namespace URI bound to `prefix` ("" = default) at `element`, looking at its own declarations and
// then its ancestors'. "xml" is always bound. nullopt if undeclared (for "" that means: no
// namespace, returned as an empty view).
std::optional<std::string_view> lookup_namespace(pugi::xml_node element, std::string_view prefix);

// The namespace URI and local name of an element node; nullopt if its prefix is undeclared or the
// node is not an element.
std::optional<expanded_name> resolve_name(pugi::xml_node element);

// Same for an attribute of `element`: unprefixed attributes are in no namespace (Namespaces in XML
// 1.0 §6.2). Namespace declarations themselves resolve to {http://www.w3.org/2000/xmlns/}prefix.
std::optional<expanded_name> resolve_attribute_name(pugi::xml_node element, pugi::xml_attribute a);

// Splits "p:local" into {"p", "local"}; {"", name} without a colon.
std::pair<std::string_view, std::string_view> split_qname(std::string_view qname) noexcept;

// True if `a` (or an attribute named `qname`) is a namespace declaration (xmlns or xmlns:*).
bool is_namespace_declaration(std::string_view qname) noexcept;
bool is_namespace_declaration(pugi::xml_attribute a) noexcept;

// Compares two element trees as XMPP sees them: resolved element names, the set of
// non-declaration attributes (by resolved name and value, any order), and character data (text and
// CDATA nodes concatenated between child elements). Prefixes and where namespaces are declared do
// not matter. Used for round-trip checks.
bool equivalent(pugi::xml_node a, pugi::xml_node b);

}  // namespace fedgate::xmpp
