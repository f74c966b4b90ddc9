#include "actors/s2s/bounce.hpp"

#include <pugixml.hpp>

#include "codecs/xmpp/serializer.hpp"

namespace fedgate::s2s {

std::optional<stanza> make_bounce(const stanza& original, stanza_error_spec error,
                                  std::string_view text) {
  if (original.type == "error") return std::nullopt;
  if (original.kind == "presence" && original.type != "subscribe") return std::nullopt;
  if (original.kind == "iq" && original.type != "get" && original.type != "set")
    return std::nullopt;
  pugi::xml_document doc;
  if (!doc.load_buffer(original.xml.data(), original.xml.size())) return std::nullopt;
  pugi::xml_node el = doc.document_element();
  el.remove_attribute("from");
  el.remove_attribute("to");
  el.remove_attribute("type");
  el.prepend_attribute("type").set_value("error");
  el.prepend_attribute("to").set_value(original.from.c_str());
  el.prepend_attribute("from").set_value(original.to.c_str());
  pugi::xml_node e = el.append_child("error");
  e.append_attribute("type").set_value(std::string(error.type).c_str());
  pugi::xml_node cond = e.append_child(std::string(error.condition).c_str());
  cond.append_attribute("xmlns").set_value("urn:ietf:params:xml:ns:xmpp-stanzas");
  if (!text.empty()) {
    pugi::xml_node t = e.append_child("text");
    t.append_attribute("xmlns").set_value("urn:ietf:params:xml:ns:xmpp-stanzas");
    t.text().set(std::string(text).c_str());
  }
  stanza out{"", original.to, original.from, original.kind, "error", original.id};
  xmpp::namespace_bindings scope{{"", "jabber:server"}};
  if (!xmpp::write_element(out.xml, el, scope)) return std::nullopt;
  return out;
}

}  // namespace fedgate::s2s
