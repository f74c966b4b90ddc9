#include "codecs/xmpp/serializer.hpp"

#include <vector>

#include "codecs/xmpp/internal/utf8.hpp"

namespace fedgate::xmpp {

namespace {

// Escapes per XML 1.0 §2.4 / §3.3.3: '&' and '<' always; '>' always (so "]]>" cannot appear);
// in attributes also both quotes, and TAB/LF/CR as references so attribute-value normalisation
// gives them back; CR in text as a reference so end-of-line handling gives it back.
bool append_escaped(std::string& out, std::string_view s, bool attribute) {
  if (!internal::is_valid_xml_utf8(s)) return false;
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char* rep = nullptr;
    switch (s[i]) {
      case '&':
        rep = "&amp;";
        break;
      case '<':
        rep = "&lt;";
        break;
      case '>':
        rep = "&gt;";
        break;
      case '\r':
        rep = "&#xD;";
        break;
      case '\'':
        rep = attribute ? "&apos;" : nullptr;
        break;
      case '"':
        rep = attribute ? "&quot;" : nullptr;
        break;
      case '\n':
        rep = attribute ? "&#xA;" : nullptr;
        break;
      case '\t':
        rep = attribute ? "&#x9;" : nullptr;
        break;
      default:
        break;
    }
    if (!rep) continue;
    out.append(s, run, i - run);
    out += rep;
    run = i + 1;
  }
  out.append(s, run, std::string_view::npos);
  return true;
}

// Namespaces in XML 1.0 §4: both parts of a qualified name are NCNames (is_xml_name() has
// checked the bytes already).
bool ncname_parts(std::string_view prefix, std::string_view local) {
  auto starts_ok = [](std::string_view p) {
    return internal::is_name_start_byte(static_cast<unsigned char>(p[0])) && p[0] != ':';
  };
  return !local.empty() && local.find(':') == std::string_view::npos && starts_ok(local) &&
         (prefix.empty() || starts_ok(prefix));
}

struct binding_view {
  std::string_view prefix, uri;
};

class writer {
 public:
  writer(std::string& out, const namespace_bindings& in_scope) : out_(out) {
    for (const auto& b : in_scope)
      scope_.push_back({b.prefix, b.uri});
  }

  serialize_result run(pugi::xml_node e) {
    const std::size_t start = out_.size();
    if (e.type() != pugi::node_element) return fail(start, "not an element");
    if (!element(e)) return fail(start, reason_);
    return {};
  }

 private:
  serialize_result fail(std::size_t start, std::string why) {
    out_.resize(start);
    return {false, std::move(why)};
  }
  bool error(std::string why) {
    reason_ = std::move(why);
    return false;
  }

  const binding_view* find(std::string_view prefix) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
      if (it->prefix == prefix) return &*it;
    return nullptr;
  }
  bool declared(std::string_view prefix) const {
    return prefix.empty() || prefix == "xml" || find(prefix) != nullptr;
  }

  bool element(pugi::xml_node e) {
    std::string_view name = e.name();
    if (!internal::is_xml_name(name)) return error("invalid element name");
    const std::size_t mark = scope_.size();
    out_ += '<';
    out_ += name;
    // Namespace declarations: only those that change a binding in scope.
    for (auto a : e.attributes()) {
      if (!is_namespace_declaration(a)) continue;
      std::string_view an = a.name();
      std::string_view prefix = an.size() == 5 ? std::string_view{} : an.substr(6);
      std::string_view uri = a.value();
      if (!prefix.empty() &&
          (!internal::is_xml_name(prefix) || !ncname_parts({}, prefix) || uri.empty()))
        return error("invalid namespace declaration");
      const binding_view* cur = find(prefix);
      if (cur ? cur->uri == uri : (prefix.empty() && uri.empty())) continue;
      scope_.push_back({prefix, uri});
      if (!attribute(an, uri)) return false;
    }
    auto [prefix, local] = split_qname(name);
    if (!ncname_parts(prefix, local)) return error("invalid qualified element name");
    if (!declared(prefix)) return error("undeclared prefix on element");
    for (auto a : e.attributes()) {
      if (is_namespace_declaration(a)) continue;
      std::string_view an = a.name();
      if (!internal::is_xml_name(an)) return error("invalid attribute name");
      auto [ap, al] = split_qname(an);
      if (!ncname_parts(ap, al)) return error("invalid qualified attribute name");
      if (!declared(ap)) return error("undeclared prefix on attribute");
      if (!attribute(an, a.value())) return false;
    }
    if (!e.first_child()) {
      out_ += "/>";
      scope_.resize(mark);
      return true;
    }
    out_ += '>';
    for (auto c = e.first_child(); c; c = c.next_sibling()) {
      switch (c.type()) {
        case pugi::node_element:
          if (!element(c)) return false;
          break;
        case pugi::node_pcdata:
        case pugi::node_cdata:  // written as escaped text: same character data
          if (!append_escaped(out_, c.value(), false))
            return error("text is not valid UTF-8 / XML characters");
          break;
        default:
          return error(
              "comments, processing instructions and DTDs are not allowed (RFC 6120 "
              "§11.1)");
      }
    }
    out_ += "</";
    out_ += name;
    out_ += '>';
    scope_.resize(mark);
    return true;
  }

  bool attribute(std::string_view name, std::string_view value) {
    out_ += ' ';
    out_ += name;
    out_ += "='";
    if (!append_escaped(out_, value, true))
      return error("attribute value is not valid UTF-8 / XML characters");
    out_ += '\'';
    return true;
  }

  std::string& out_;
  std::vector<binding_view> scope_;
  std::string reason_;
};

}  // namespace

bool append_escaped_text(std::string& out, std::string_view s) {
  return append_escaped(out, s, false);
}

bool append_escaped_attribute(std::string& out, std::string_view s) {
  return append_escaped(out, s, true);
}

serialize_result write_element(std::string& out, pugi::xml_node element,
                               const namespace_bindings& in_scope) {
  writer w{out, in_scope};
  return w.run(element);
}

stream_header make_stream_header(std::string_view content_namespace, std::string_view from,
                                 std::string_view to, std::string_view id, bool dialback,
                                 std::string_view version, std::string_view lang) {
  stream_header h;
  h.from = from;
  h.to = to;
  h.id = id;
  h.version = version;
  h.lang = lang;
  h.content_namespace = content_namespace;
  h.declarations.push_back({"", std::string{content_namespace}});
  h.declarations.push_back({"stream", std::string{ns::streams}});
  if (dialback) h.declarations.push_back({"db", std::string{ns::dialback}});
  h.xml_declaration = true;
  return h;
}

serialize_result write_stream_header(std::string& out, const stream_header& h) {
  const std::size_t start = out.size();
  auto fail = [&](const char* why) {
    out.resize(start);
    return serialize_result{false, why};
  };
  bool has_stream = false, has_default = false;
  for (const auto& d : h.declarations) {
    if (d.prefix == "stream" && d.uri == ns::streams) has_stream = true;
    if (d.prefix.empty() && d.uri == h.content_namespace) has_default = true;
  }
  if (!has_stream || !has_default)
    return fail("header must declare the stream prefix and the content namespace");
  if (h.xml_declaration) out += "<?xml version='1.0'?>";
  out += "<stream:stream";
  auto attr = [&](std::string_view name, std::string_view value) {
    out += ' ';
    out += name;
    out += "='";
    bool ok = append_escaped(out, value, true);
    out += '\'';
    return ok;
  };
  for (const auto& d : h.declarations) {
    if (!d.prefix.empty() && !internal::is_xml_name(d.prefix)) return fail("bad prefix");
    if (!attr(d.prefix.empty() ? "xmlns" : "xmlns:" + d.prefix, d.uri))
      return fail("bad namespace name");
  }
  const std::pair<std::string_view, const std::string*> fields[] = {{"from", &h.from},
                                                                    {"to", &h.to},
                                                                    {"id", &h.id},
                                                                    {"version", &h.version},
                                                                    {"xml:lang", &h.lang}};
  for (auto& [name, value] : fields)
    if (!value->empty() && !attr(name, *value)) return fail("header attribute not valid XML");
  for (const auto& [name, value] : h.other_attributes) {
    if (!internal::is_xml_name(name)) return fail("bad attribute name");
    if (!attr(name, value)) return fail("header attribute not valid XML");
  }
  out += '>';
  return {};
}

serialize_result write_stream_error(std::string& out, stream_error_condition condition,
                                    std::string_view text, std::string_view lang) {
  const std::size_t start = out.size();
  out += "<stream:error><";
  out += to_string(condition);
  out += " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>";
  if (!text.empty()) {
    out += "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'";
    if (!lang.empty()) {
      out += " xml:lang='";
      if (!append_escaped(out, lang, true)) {
        out.resize(start);
        return {false, "language tag not valid XML"};
      }
      out += '\'';
    }
    out += '>';
    if (!append_escaped(out, text, false)) {
      out.resize(start);
      return {false, "text not valid UTF-8 / XML characters"};
    }
    out += "</text>";
  }
  out += "</stream:error>";
  return {};
}

}  // namespace fedgate::xmpp
