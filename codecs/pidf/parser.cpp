#include "codecs/pidf/parser.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include <pugixml.hpp>

#include "codecs/pidf/internal/text.hpp"
#include "codecs/pidf/namespaces.hpp"
#include "codecs/pidf/serializer.hpp"

namespace fedgate::pidf {

namespace {

using internal::trim;

struct qname {
  std::string_view ns;
  std::string_view local;
};

std::string_view name_of(pugi::xml_node n) {
  return n.name();
}
std::string_view value_of(pugi::xml_attribute a) {
  return a.value();
}

// The namespace bound to `prefix` at element `el` (Namespaces in XML 1.0 §6): the nearest
// declaration on the element or an ancestor. The empty prefix with no declaration is no namespace.
std::optional<std::string_view> lookup_namespace(pugi::xml_node el, std::string_view prefix) {
  if (prefix == "xml") return ns::xml;
  for (; el.type() == pugi::node_element; el = el.parent()) {
    for (pugi::xml_attribute a : el.attributes()) {
      std::string_view name = a.name();
      if (name.substr(0, 5) != "xmlns") continue;
      name.remove_prefix(5);
      if (prefix.empty()
              ? name.empty()
              : (name.size() == prefix.size() + 1 && name[0] == ':' && name.substr(1) == prefix)) {
        return value_of(a);
      }
    }
  }
  if (prefix.empty()) return std::string_view{};
  return std::nullopt;
}

// "p:local" -> {"p", "local"}; "local" -> {"", "local"}.
std::pair<std::string_view, std::string_view> split_qname(std::string_view name) {
  const std::size_t colon = name.find(':');
  if (colon == std::string_view::npos) return {std::string_view{}, name};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

// The expanded name of an element; nullopt when its prefix is not bound.
std::optional<qname> resolve_element(pugi::xml_node el) {
  const auto [prefix, local] = split_qname(name_of(el));
  const auto ns = lookup_namespace(el, prefix);
  if (!ns) return std::nullopt;
  return qname{*ns, local};
}

// The in-scope xml:lang (XML 1.0 §2.12): the nearest one on the element or an ancestor.
std::string_view lang_of(pugi::xml_node el) {
  for (; el.type() == pugi::node_element; el = el.parent()) {
    if (pugi::xml_attribute a = el.attribute("xml:lang")) return value_of(a);
  }
  return {};
}

// Character data of an element, CDATA included; child elements (not allowed in the text elements
// the parser reads) contribute nothing.
std::string text_of(pugi::xml_node el) {
  std::string out;
  for (pugi::xml_node c = el.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

class document_parser {
 public:
  explicit document_parser(const limits& lim) : lim_(lim) {}

  std::optional<error> run(pugi::xml_node root, document& doc) {
    parse_presence(root, doc);
    return std::move(err_);
  }

 private:
  bool fail(error_code code, std::string message) {
    if (!err_) err_ = error{code, std::move(message)};
    return false;
  }

  bool resolve(pugi::xml_node el, qname& out) {
    if (const auto q = resolve_element(el)) {
      out = *q;
      return true;
    }
    return fail(error_code::unbound_prefix,
                "element <" + std::string(name_of(el)) +
                    ">: its prefix has no namespace declaration in scope");
  }

  // RFC 3863 §4.3: an extension element may carry mustUnderstand (an attribute of the PIDF
  // namespace; the unprefixed spelling is accepted too, as some implementations write it).
  bool must_understand(pugi::xml_node el) {
    for (pugi::xml_attribute a : el.attributes()) {
      const auto [prefix, local] = split_qname(a.name());
      if (local != "mustUnderstand") continue;
      if (!prefix.empty()) {  // unprefixed attributes have no namespace (Namespaces in XML §6.3)
        const auto ns = lookup_namespace(el, prefix);
        if (!ns || *ns != ns::pidf) continue;
      }
      const std::string_view v = trim(value_of(a));
      if (v == "true" || v == "1") return true;
    }
    return false;
  }

  // An element the model does not hold: skipped (RFC 3863 §4.1.5) unless it must be understood.
  bool skip(pugi::xml_node el, const qname& q, std::string_view where) {
    if (!must_understand(el)) return true;
    return fail(error_code::must_understand,
                std::string(where) + ": extension <" + std::string(q.local) + "> in namespace '" +
                    std::string(q.ns) + "' is marked mustUnderstand and is not supported");
  }

  bool once(bool& seen, std::string_view what, std::string_view where) {
    if (seen) {
      return fail(error_code::duplicate_element,
                  std::string(where) + ": more than one <" + std::string(what) + ">");
    }
    seen = true;
    return true;
  }

  bool count_note() {
    if (++notes_ > lim_.max_notes) {
      return fail(error_code::too_many_notes,
                  "more than " + std::to_string(lim_.max_notes) + " notes in the document");
    }
    return true;
  }

  bool add_note(pugi::xml_node el, std::vector<note>& notes) {
    if (!count_note()) return false;
    notes.push_back(note{text_of(el), std::string(lang_of(el))});
    return true;
  }

  bool read_timestamp(pugi::xml_node el, std::string& out, std::string_view where) {
    const std::string text = text_of(el);
    const std::string_view v = trim(text);
    if (!internal::is_date_time(v)) {
      return fail(error_code::invalid_value, std::string(where) + ": <timestamp> '" +
                                                 std::string(v) + "' is not an xs:dateTime");
    }
    out = std::string(v);
    return true;
  }

  void parse_presence(pugi::xml_node el, document& doc) {
    const std::string_view entity = trim(value_of(el.attribute("entity")));
    if (entity.empty()) {
      fail(error_code::missing_entity, "<presence> has no 'entity' attribute (RFC 3863 §4.1.1)");
      return;
    }
    doc.entity = std::string(entity);
    for (pugi::xml_node c = el.first_child(); c && !err_; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      qname q;
      if (!resolve(c, q)) return;
      if (q.ns == ns::pidf && q.local == "tuple") {
        if (doc.tuples.size() >= lim_.max_tuples) {
          fail(error_code::too_many_tuples,
               "more than " + std::to_string(lim_.max_tuples) + " tuples in the document");
          return;
        }
        parse_tuple(c, doc.tuples.emplace_back());
      } else if (q.ns == ns::pidf && q.local == "note") {
        add_note(c, doc.notes);
      } else if (q.ns == ns::data_model && q.local == "person") {
        if (doc.persons.size() >= lim_.max_persons) {
          fail(error_code::too_many_elements,
               "more than " + std::to_string(lim_.max_persons) + " <dm:person> elements");
          return;
        }
        parse_person(c, doc.persons.emplace_back());
      } else if (q.ns == ns::data_model && q.local == "device") {
        if (doc.devices.size() >= lim_.max_devices) {
          fail(error_code::too_many_elements,
               "more than " + std::to_string(lim_.max_devices) + " <dm:device> elements");
          return;
        }
        parse_device(c, doc.devices.emplace_back());
      } else {
        skip(c, q, "<presence>");
      }
    }
  }

  void parse_tuple(pugi::xml_node el, tuple& t) {
    t.id = std::string(trim(value_of(el.attribute("id"))));
    if (t.id.empty()) {
      fail(error_code::missing_id, "<tuple> has no 'id' attribute (RFC 3863 §4.1.2)");
      return;
    }
    const std::string where = "tuple '" + t.id + "'";
    bool seen_status = false, seen_contact = false, seen_timestamp = false;
    bool seen_device = false, seen_input = false, seen_activities = false;
    for (pugi::xml_node c = el.first_child(); c && !err_; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      qname q;
      if (!resolve(c, q)) return;
      if (q.ns == ns::pidf && q.local == "status") {
        if (once(seen_status, "status", where)) parse_status(c, t, seen_activities, where);
      } else if (q.ns == ns::pidf && q.local == "contact") {
        if (once(seen_contact, "contact", where)) parse_contact(c, t.contact.emplace(), where);
      } else if (q.ns == ns::pidf && q.local == "note") {
        add_note(c, t.notes);
      } else if (q.ns == ns::pidf && q.local == "timestamp") {
        if (once(seen_timestamp, "timestamp", where)) read_timestamp(c, t.timestamp, where);
      } else if (q.ns == ns::data_model && q.local == "deviceID") {
        if (once(seen_device, "deviceID", where)) t.device_id = std::string(trim(text_of(c)));
      } else if (q.ns == ns::rpid && q.local == "user-input") {
        if (once(seen_input, "user-input", where))
          parse_user_input(c, t.user_input.emplace(), where);
      } else if (q.ns == ns::rpid && q.local == "activities") {
        if (once(seen_activities, "activities", where)) parse_activities(c, t.activities, where);
      } else {
        skip(c, q, where);
      }
    }
    if (!err_ && !seen_status) {
      fail(error_code::missing_status, where + " has no <status> (RFC 3863 §4.1.2)");
    }
  }

  void parse_status(pugi::xml_node el, tuple& t, bool& seen_activities, const std::string& where) {
    bool seen_basic = false;
    for (pugi::xml_node c = el.first_child(); c && !err_; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      qname q;
      if (!resolve(c, q)) return;
      if (q.ns == ns::pidf && q.local == "basic") {
        if (!once(seen_basic, "basic", where)) return;
        const std::string text = text_of(c);
        const std::string_view v = trim(text);
        if (v == "open") {
          t.basic = basic_status::open;
        } else if (v == "closed") {
          t.basic = basic_status::closed;
        } else {
          fail(error_code::invalid_value, where + ": <basic> is '" + std::string(v) +
                                              "', not open or closed (RFC 3863 §4.1.4)");
        }
      } else if (q.ns == ns::rpid && q.local == "activities") {
        if (once(seen_activities, "activities", where)) parse_activities(c, t.activities, where);
      } else {
        skip(c, q, where + " <status>");
      }
    }
  }

  void parse_contact(pugi::xml_node el, contact& out, const std::string& where) {
    out.uri = std::string(trim(text_of(el)));
    if (out.uri.empty()) {
      fail(error_code::invalid_value, where + ": empty <contact>");
      return;
    }
    if (pugi::xml_attribute p = el.attribute("priority")) {
      const std::string_view v = trim(value_of(p));
      out.priority_milli = internal::parse_priority(v);
      if (!out.priority_milli) {
        fail(error_code::invalid_value,
             where + ": contact priority '" + std::string(v) +
                 "' is not a decimal in [0, 1] with at most 3 fraction digits (RFC 3863 §4.1.3)");
      }
    }
  }

  // RFC 4480 §3.2.
  void parse_activities(pugi::xml_node el, activities& out, const std::string& where) {
    for (pugi::xml_node c = el.first_child(); c && !err_; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      qname q;
      if (!resolve(c, q)) return;
      if (q.ns == ns::rpid && q.local == "other") {
        add_note(c, out.other);
      } else if (q.ns == ns::rpid) {
        if (const auto a = activity_from_name(q.local)) {
          out.values.insert(*a);
        } else {
          skip(c, q, where + " <activities>");  // includes <rpid:note>: not kept
        }
      } else {
        skip(c, q, where + " <activities>");
      }
    }
  }

  // RFC 4480 §3.8.
  void parse_user_input(pugi::xml_node el, user_input& out, const std::string& where) {
    const std::string text = text_of(el);
    const std::string_view v = trim(text);
    if (v == "active") {
      out.state = input_state::active;
    } else if (v == "idle") {
      out.state = input_state::idle;
    } else {
      fail(error_code::invalid_value, where + ": <user-input> is '" + std::string(v) +
                                          "', not active or idle (RFC 4480 §3.8)");
      return;
    }
    if (pugi::xml_attribute a = el.attribute("idle-threshold")) {
      out.idle_threshold = internal::parse_positive_u32(trim(value_of(a)));
      if (!out.idle_threshold) {
        fail(error_code::invalid_value, where + ": idle-threshold '" + std::string(value_of(a)) +
                                            "' is not a positive 32-bit integer");
        return;
      }
    }
    if (pugi::xml_attribute a = el.attribute("last-input")) {
      const std::string_view li = trim(value_of(a));
      if (!internal::is_date_time(li)) {
        fail(error_code::invalid_value,
             where + ": last-input '" + std::string(li) + "' is not an xs:dateTime");
        return;
      }
      out.last_input = std::string(li);
    }
  }

  // Notes and timestamps of <dm:person> and <dm:device> are in the data-model namespace
  // (RFC 4479 §5); PIDF-namespace ones are accepted too, as some clients write them that way.
  static bool is_note(const qname& q) {
    return (q.ns == ns::data_model || q.ns == ns::pidf) && q.local == "note";
  }
  static bool is_timestamp(const qname& q) {
    return (q.ns == ns::data_model || q.ns == ns::pidf) && q.local == "timestamp";
  }

  // RFC 4479 §5 requires `id` on <dm:person> and <dm:device>, but Asterisk writes <dm:person>
  // without one; a missing id is read as empty.
  void parse_person(pugi::xml_node el, person& p) {
    p.id = std::string(trim(value_of(el.attribute("id"))));
    const std::string where = "person '" + p.id + "'";
    bool seen_activities = false, seen_input = false, seen_timestamp = false;
    for (pugi::xml_node c = el.first_child(); c && !err_; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      qname q;
      if (!resolve(c, q)) return;
      if (q.ns == ns::rpid && q.local == "activities") {
        if (once(seen_activities, "activities", where)) parse_activities(c, p.activities, where);
      } else if (q.ns == ns::rpid && q.local == "user-input") {
        if (once(seen_input, "user-input", where))
          parse_user_input(c, p.user_input.emplace(), where);
      } else if (is_note(q)) {
        add_note(c, p.notes);
      } else if (is_timestamp(q)) {
        if (once(seen_timestamp, "timestamp", where)) read_timestamp(c, p.timestamp, where);
      } else {
        skip(c, q, where);
      }
    }
  }

  void parse_device(pugi::xml_node el, device& d) {
    d.id = std::string(trim(value_of(el.attribute("id"))));
    const std::string where = "device '" + d.id + "'";
    bool seen_device = false, seen_input = false, seen_timestamp = false;
    for (pugi::xml_node c = el.first_child(); c && !err_; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      qname q;
      if (!resolve(c, q)) return;
      if (q.ns == ns::data_model && q.local == "deviceID") {
        if (once(seen_device, "deviceID", where)) d.device_id = std::string(trim(text_of(c)));
      } else if (q.ns == ns::rpid && q.local == "user-input") {
        if (once(seen_input, "user-input", where))
          parse_user_input(c, d.user_input.emplace(), where);
      } else if (is_note(q)) {
        add_note(c, d.notes);
      } else if (is_timestamp(q)) {
        if (once(seen_timestamp, "timestamp", where)) read_timestamp(c, d.timestamp, where);
      } else {
        skip(c, q, where);
      }
    }
  }

  const limits& lim_;
  std::size_t notes_ = 0;
  std::optional<error> err_;
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// XML 1.0 §3.1 "Unique Att Spec": pugixml does not check it, so walk the tree (iteratively: the
// depth is the peer's choice) and compare the attribute names of each element.
std::optional<std::string> find_duplicate_attribute(pugi::xml_node root) {
  pugi::xml_node n = root;
  while (n) {
    if (n.type() == pugi::node_element) {
      for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
        for (pugi::xml_attribute b = a.next_attribute(); b; b = b.next_attribute()) {
          if (std::strcmp(a.name(), b.name()) == 0) {
            return "element <" + std::string(n.name()) + "> has attribute '" + a.name() + "' twice";
          }
        }
      }
    }
    if (n.first_child()) {
      n = n.first_child();
      continue;
    }
    while (n && n != root && !n.next_sibling())
      n = n.parent();
    if (!n || n == root) break;
    n = n.next_sibling();
  }
  return std::nullopt;
}

}  // namespace

result<document> parse(std::string_view body, const limits& lim) {
  if (body.size() > lim.max_bytes) {
    return error{error_code::too_large, "PIDF body of " + std::to_string(body.size()) +
                                            " bytes exceeds the limit of " +
                                            std::to_string(lim.max_bytes)};
  }
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);  // UTF-8 byte order mark
  if (const auto bad = internal::find_invalid_char(body)) {
    return error{error_code::invalid_utf8,
                 "byte " + std::to_string(*bad) +
                     " is not UTF-8 or not an XML character (only UTF-8 PIDF is accepted)"};
  }

  pugi::xml_document xml;
  // parse_doctype keeps a DOCTYPE as a node so it can be refused below; parse_ws_pcdata keeps
  // whitespace-only text, so a note of spaces reads back as written; pugixml never expands
  // entities other than the five predefined ones and character references.
  const unsigned options =
      pugi::parse_default | pugi::parse_declaration | pugi::parse_doctype | pugi::parse_ws_pcdata;
  const pugi::xml_parse_result r =
      xml.load_buffer(body.data(), body.size(), options, pugi::encoding_utf8);
  if (!r) {
    return error{error_code::malformed_xml, std::string("not well-formed XML at byte ") +
                                                std::to_string(r.offset) + ": " + r.description()};
  }

  pugi::xml_node root;
  for (pugi::xml_node n = xml.first_child(); n; n = n.next_sibling()) {
    switch (n.type()) {
      case pugi::node_doctype:
        return error{error_code::doctype_forbidden,
                     "document has a DOCTYPE; DTDs and entity declarations are refused"};
      case pugi::node_declaration: {
        const pugi::xml_attribute enc = n.attribute("encoding");
        if (enc && !iequals(value_of(enc), "UTF-8")) {
          return error{error_code::unsupported_encoding, "XML declaration names encoding '" +
                                                             std::string(value_of(enc)) +
                                                             "'; only UTF-8 is accepted"};
        }
        break;
      }
      case pugi::node_element:
        if (root) return error{error_code::malformed_xml, "more than one root element"};
        root = n;
        break;
      case pugi::node_pcdata:
      case pugi::node_cdata:
        if (!trim(n.value()).empty()) {
          return error{error_code::malformed_xml, "text outside the root element"};
        }
        break;
      default:
        break;
    }
  }
  if (!root) return error{error_code::malformed_xml, "no root element"};
  if (auto dup = find_duplicate_attribute(root)) {
    return error{error_code::malformed_xml, std::move(*dup)};
  }

  const auto q = resolve_element(root);
  if (!q) {
    return error{error_code::unbound_prefix, "root element <" + std::string(name_of(root)) +
                                                 ">: its prefix has no namespace declaration"};
  }
  if (q->ns != ns::pidf || q->local != "presence") {
    return error{error_code::not_pidf, "root element is <" + std::string(q->local) +
                                           "> in namespace '" + std::string(q->ns) +
                                           "', not <presence> in '" + std::string(ns::pidf) +
                                           "' (RFC 3863 §4.1.1)"};
  }

  document doc;
  if (auto err = document_parser(lim).run(root, doc)) return std::move(*err);
  // Character references can still produce what validate() refuses (a control character, a
  // surrogate); checking here keeps every parsed document serializable.
  if (auto err = validate(doc)) return std::move(*err);
  return doc;
}

}  // namespace fedgate::pidf
