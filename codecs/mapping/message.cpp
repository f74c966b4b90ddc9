#include "codecs/mapping/message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "codecs/mapping/internal/xml.hpp"
#include "codecs/sip/header_values.hpp"
#include "codecs/xmpp/serializer.hpp"

namespace fedgate::mapping {
namespace {

using internal::lang_of;
using internal::local_name;
using internal::namespace_of;

constexpr std::string_view crlf = "\r\n";

error fail(stanza_condition c, int status, std::string reason) {
  return error{c, status, std::move(reason)};
}

error too_large() {
  return fail(stanza_condition::policy_violation, 513, "Message Too Large");
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Valid UTF-8 made of XML 1.0 Chars (so it can become XMPP character data as is).
bool is_xml_text(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t n = 0;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f;
      n = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f;
      n = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07;
      n = 4;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[n] || cp > 0x10ffff) return false;  // overlong / out of range
    if (cp >= 0xd800 && cp <= 0xdfff) return false;          // surrogates
    if (cp < 0x20 && cp != 0x9 && cp != 0xa && cp != 0xd) return false;
    if (cp == 0xfffe || cp == 0xffff) return false;
    i += n;
  }
  return true;
}

std::size_t text_bytes(const im_message& m) {
  std::size_t n = 0;
  for (const auto& b : m.bodies)
    n += b.text.size();
  for (const auto& s : m.subjects)
    n += s.text.size();
  return n;
}

bool is_stanza_ns(std::string_view ns) {
  return ns == "jabber:server" || ns == "jabber:client";
}

std::string unquote_param(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return sip::unquote(v);
  return std::string(v);
}

// First language tag of a Content-Language value ("de, en" -> "de"; RFC 3261 §20.13).
std::string first_language(std::string_view v) {
  auto comma = v.find(',');
  return std::string(trim(v.substr(0, comma)));
}

}  // namespace

std::string_view to_string(message_type t) noexcept {
  return t == message_type::chat ? "chat" : "normal";
}

std::string_view to_string(chat_state s) noexcept {
  switch (s) {
    case chat_state::active:
      return "active";
    case chat_state::composing:
      return "composing";
    case chat_state::paused:
      return "paused";
    case chat_state::inactive:
      return "inactive";
    case chat_state::gone:
      return "gone";
    case chat_state::none:
      break;
  }
  return "";
}

// ---- XMPP ---------------------------------------------------------------------------------------

result<im_message> from_xmpp(const pugi::xml_node& stanza, const message_limits& lim) {
  if (stanza.type() != pugi::node_element || local_name(stanza) != "message" ||
      !is_stanza_ns(namespace_of(stanza))) {
    return fail(stanza_condition::bad_request, 400, "Not a message stanza");
  }
  im_message m;
  std::string_view type = stanza.attribute("type").value();
  if (type.empty() || type == "normal" || type == "headline") {
    m.type = message_type::normal;
  } else if (type == "chat") {
    m.type = message_type::chat;
  } else if (type == "groupchat") {
    return fail(stanza_condition::feature_not_implemented, 501,
                "groupchat is not mapped to SIP (RFC 7572 covers normal and chat)");
  } else if (type == "error") {
    return fail(stanza_condition::bad_request, 400, "error stanzas are mapped as errors");
  } else {
    return fail(stanza_condition::bad_request, 400, "Unknown message type");
  }
  for (const char* attr : {"from", "to"}) {
    pugi::xml_attribute a = stanza.attribute(attr);
    if (!a) continue;
    auto j = xmpp::jid::parse(a.value());
    if (!j) return fail(stanza_condition::jid_malformed, 400, std::string("Malformed ") + attr);
    (attr[0] == 'f' ? m.from : m.to) = std::move(*j);
  }
  m.id = stanza.attribute("id").value();
  m.lang = lang_of(stanza);
  for (pugi::xml_node child : stanza.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view ns = namespace_of(child);
    std::string_view name = local_name(child);
    if (is_stanza_ns(ns) && (name == "body" || name == "subject")) {
      std::string lang = child.attribute("xml:lang").value();
      if (lang == m.lang) lang.clear();
      auto& list = name == "body" ? m.bodies : m.subjects;
      list.push_back({std::move(lang), child.text().get()});
    } else if (is_stanza_ns(ns) && name == "thread") {
      m.thread = child.text().get();
    } else if (ns == chatstates_ns) {
      if (name == "active") m.state = chat_state::active;
      if (name == "composing") m.state = chat_state::composing;
      if (name == "paused") m.state = chat_state::paused;
      if (name == "inactive") m.state = chat_state::inactive;
      if (name == "gone") m.state = chat_state::gone;
    } else if (ns == receipts_ns && name == "request") {
      m.receipt_requested = true;
    } else if (ns == receipts_ns && name == "received") {
      m.receipt_for = child.attribute("id").value();
    } else {
      m.dropped.push_back("{" + std::string(ns) + "}" + std::string(name));
    }
  }
  if (text_bytes(m) > lim.max_body_bytes) return too_large();
  return m;
}

result<std::string> to_xmpp(const im_message& m) {
  std::string out = "<message xmlns='jabber:server'";
  bool ok = true;
  auto attr = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    out += ' ';
    out += name;
    out += "='";
    ok = xmpp::append_escaped_attribute(out, value) && ok;
    out += '\'';
  };
  if (m.from) attr("from", m.from->to_string());
  if (m.to) attr("to", m.to->to_string());
  attr("type", to_string(m.type));
  attr("id", m.id);
  attr("xml:lang", m.lang);
  out += '>';
  auto element = [&](std::string_view name, const localized_text& t) {
    out += '<';
    out += name;
    attr("xml:lang", t.lang);
    out += '>';
    ok = xmpp::append_escaped_text(out, t.text) && ok;
    out += "</";
    out += name;
    out += '>';
  };
  for (const auto& s : m.subjects)
    element("subject", s);
  for (const auto& b : m.bodies)
    element("body", b);
  if (!m.thread.empty()) element("thread", {"", m.thread});
  if (m.state != chat_state::none) {
    out += '<';
    out += to_string(m.state);
    out += " xmlns='";
    out += chatstates_ns;
    out += "'/>";
  }
  if (m.receipt_requested) {
    out += "<request xmlns='";
    out += receipts_ns;
    out += "'/>";
  }
  if (!m.receipt_for.empty()) {
    out += "<received xmlns='";
    out += receipts_ns;
    out += "'";
    attr("id", m.receipt_for);
    out += "/>";
  }
  out += "</message>";
  if (!ok) return fail(stanza_condition::bad_request, 400, "Text is not valid XML character data");
  return out;
}

// ---- SIP -> XMPP --------------------------------------------------------------------------------

namespace {

struct mime_headers {
  std::string content_type;
  std::string content_language;
};

// Splits "headers CRLF CRLF content". A part that starts with CRLF has no headers.
bool split_headers(std::string_view text, std::string_view& headers, std::string_view& content) {
  if (text.substr(0, 2) == crlf) {
    headers = {};
    content = text.substr(2);
    return true;
  }
  auto end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  headers = text.substr(0, end);
  content = text.substr(end + 4);
  return true;
}

template <class F>
void for_each_header_line(std::string_view headers, F f) {
  while (!headers.empty()) {
    auto eol = headers.find(crlf);
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    f(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
}

mime_headers read_mime_headers(std::string_view headers) {
  mime_headers h;
  for_each_header_line(headers, [&](std::string_view name, std::string_view value) {
    if (iequals(name, "Content-Type")) h.content_type = std::string(value);
    if (iequals(name, "Content-Language")) h.content_language = first_language(value);
  });
  return h;
}

std::optional<error> read_body(std::string_view content_type, std::string_view body,
                               const std::string& lang, im_message& m, int depth);

std::optional<error> read_text_plain(const sip::media_type& mt, std::string_view body,
                                     const std::string& lang, im_message& m) {
  if (auto cs = mt.param("charset")) {
    std::string charset = unquote_param(*cs);
    if (!iequals(charset, "utf-8") && !iequals(charset, "us-ascii")) {
      return fail(stanza_condition::not_acceptable, 415, "Unsupported charset " + charset);
    }
  }
  if (!is_xml_text(body)) return fail(stanza_condition::bad_request, 400, "Body is not UTF-8 text");
  m.bodies.push_back({lang, std::string(body)});
  return std::nullopt;
}

std::optional<error> read_multipart(const sip::media_type& mt, std::string_view body,
                                    const std::string& lang, im_message& m, int depth) {
  auto b = mt.param("boundary");
  if (!b || b->empty())
    return fail(stanza_condition::bad_request, 400, "multipart without boundary");
  std::string delimiter = "--" + unquote_param(*b);
  // The first delimiter may open the body; later ones follow a CRLF (RFC 2046 §5.1.1).
  std::size_t pos =
      body.substr(0, delimiter.size()) == delimiter ? 0 : body.find("\r\n" + delimiter);
  if (pos == std::string_view::npos)
    return fail(stanza_condition::bad_request, 400, "Bad multipart");
  if (pos != 0) pos += 2;
  std::size_t before = m.bodies.size();
  for (int parts = 0; parts < 16; ++parts) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") break;  // close delimiter
    auto eol = body.find(crlf, pos);
    if (eol == std::string_view::npos) break;
    auto next = body.find("\r\n" + delimiter, eol);
    if (next == std::string_view::npos)
      return fail(stanza_condition::bad_request, 400, "Bad multipart");
    std::string_view part = body.substr(eol + 2, next - eol - 2);
    std::string_view headers, content;
    if (!split_headers(part, headers, content)) {
      // No blank line: a part with headers only is empty; a part without headers is text.
      headers = {};
      content = part;
    }
    mime_headers h = read_mime_headers(headers);
    std::string ct = h.content_type.empty() ? "text/plain" : h.content_type;
    std::string part_lang = h.content_language.empty() ? lang : h.content_language;
    auto parsed = sip::parse_media_type(ct);
    // multipart/alternative: keep the text/plain alternatives, skip the others.
    if (parsed && parsed->is("text", "plain")) {
      if (auto e = read_body(ct, content, part_lang, m, depth + 1)) return e;
    } else {
      m.dropped.push_back(ct);
    }
    pos = next + 2;
  }
  if (m.bodies.size() == before) {
    return fail(stanza_condition::not_acceptable, 415, "No text/plain alternative");
  }
  return std::nullopt;
}

// RFC 3862 §3: message headers, blank line, MIME headers, blank line, content.
std::optional<error> read_cpim(std::string_view body, const std::string& lang, im_message& m,
                               int depth) {
  std::string_view headers, rest, mime, content;
  if (!split_headers(body, headers, rest) || !split_headers(rest, mime, content)) {
    return fail(stanza_condition::bad_request, 400, "Malformed message/cpim");
  }
  // NS: prefix <uri> declarations (RFC 3862 §3.4), then prefixed headers.
  std::vector<std::pair<std::string, std::string>> ns;
  for_each_header_line(headers, [&](std::string_view name, std::string_view value) {
    if (name == "NS") {
      auto lt = value.find('<');
      auto gt = value.find('>');
      if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
        ns.emplace_back(std::string(trim(value.substr(0, lt))),
                        std::string(value.substr(lt + 1, gt - lt - 1)));
      }
    }
  });
  auto imdn_prefix = std::string("\x01");  // matches no header unless declared
  for (const auto& [prefix, uri] : ns) {
    if (uri == imdn_ns) imdn_prefix = prefix;
  }
  for_each_header_line(headers, [&](std::string_view name, std::string_view value) {
    auto dot = name.find('.');
    if (dot != std::string_view::npos && name.substr(0, dot) == imdn_prefix) {
      std::string_view local = name.substr(dot + 1);
      if (local == "Message-ID") m.id = std::string(value);
      if (local == "Disposition-Notification" &&
          value.find("positive-delivery") != std::string_view::npos) {
        m.receipt_requested = true;
      }
    } else if (name == "Subject") {
      // Subject: ;lang=fr Bonjour (RFC 3862 §5.4)
      std::string subject_lang;
      if (value.substr(0, 6) == ";lang=") {
        auto sp = value.find(' ');
        subject_lang = std::string(value.substr(6, sp == std::string_view::npos ? sp : sp - 6));
        value = sp == std::string_view::npos ? std::string_view{} : trim(value.substr(sp));
      }
      if (is_xml_text(value)) m.subjects.push_back({subject_lang, std::string(value)});
    }
  });
  mime_headers h = read_mime_headers(mime);
  std::string inner_lang = h.content_language.empty() ? lang : h.content_language;
  if (h.content_type.empty()) {
    return fail(stanza_condition::bad_request, 400, "message/cpim without Content-Type");
  }
  return read_body(h.content_type, content, inner_lang, m, depth + 1);
}

std::optional<error> read_iscomposing(std::string_view body, im_message& m) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8)) {
    return fail(stanza_condition::bad_request, 400, "Malformed isComposing document");
  }
  pugi::xml_node root = doc.document_element();
  if (local_name(root) != "isComposing" || namespace_of(root) != iscomposing_ns) {
    return fail(stanza_condition::bad_request, 400, "Not an isComposing document");
  }
  std::string_view state;
  for (pugi::xml_node c : root.children()) {
    if (local_name(c) == "state") state = c.text().get();
    if (local_name(c) == "refresh") {
      int r = 0;
      std::string_view v = c.text().get();
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), r);
      if (ec == std::errc() && p == v.data() + v.size()) m.composing_refresh = r;
    }
  }
  if (state == "active") {
    m.state = chat_state::composing;
  } else if (state == "idle") {
    m.state = chat_state::paused;
  } else {
    return fail(stanza_condition::bad_request, 400, "isComposing state must be active or idle");
  }
  return std::nullopt;
}

std::optional<error> read_imdn(std::string_view body, im_message& m) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8)) {
    return fail(stanza_condition::bad_request, 400, "Malformed IMDN document");
  }
  pugi::xml_node root = doc.document_element();
  if (local_name(root) != "imdn" || namespace_of(root) != imdn_xml_ns) {
    return fail(stanza_condition::bad_request, 400, "Not an IMDN document");
  }
  std::string id;
  bool delivered = false;
  for (pugi::xml_node c : root.children()) {
    if (local_name(c) == "message-id") id = c.text().get();
    if (local_name(c) == "delivery-notification") {
      for (pugi::xml_node s : c.children()) {
        if (local_name(s) != "status") continue;
        for (pugi::xml_node v : s.children()) {
          if (v.type() == pugi::node_element && local_name(v) == "delivered") delivered = true;
        }
      }
    } else if (c.type() == pugi::node_element && local_name(c) != "message-id" &&
               local_name(c) != "datetime" && local_name(c) != "recipient-uri" &&
               local_name(c) != "original-recipient-uri" && local_name(c) != "subject") {
      m.dropped.push_back("imdn:" + std::string(local_name(c)));
    }
  }
  if (id.empty()) return fail(stanza_condition::bad_request, 400, "IMDN without message-id");
  // Only a positive delivery notification is a XEP-0184 receipt; failed/forbidden/error and
  // display notifications have no XEP-0184 form.
  if (delivered) m.receipt_for = id;
  return std::nullopt;
}

std::optional<error> read_body(std::string_view content_type, std::string_view body,
                               const std::string& lang, im_message& m, int depth) {
  if (depth > 3) return fail(stanza_condition::not_acceptable, 415, "Body nested too deep");
  std::string ct(content_type);
  auto mt = sip::parse_media_type(ct);
  if (!mt) return fail(stanza_condition::bad_request, 400, "Malformed Content-Type");
  if (mt->is("text", "plain")) return read_text_plain(*mt, body, lang, m);
  if (mt->is("multipart", "alternative")) return read_multipart(*mt, body, lang, m, depth);
  if (mt->is("message", "cpim")) return read_cpim(body, lang, m, depth);
  if (mt->is("application", "im-iscomposing+xml")) return read_iscomposing(body, m);
  if (mt->is("message", "imdn+xml")) return read_imdn(body, m);
  return fail(stanza_condition::not_acceptable, 415,
              "Unsupported Media Type " + std::string(mt->type) + "/" + std::string(mt->subtype));
}

}  // namespace

result<im_message> from_sip(const sip::message& request, const domain_map& map,
                            const message_limits& lim, const sip_in_options& opt) {
  if (!request.is_request() || request.method() != "MESSAGE") {
    return fail(stanza_condition::not_allowed, 405, "Not a MESSAGE request");
  }
  // Bodies carry markup (CPIM, multipart); refuse clearly oversized ones before parsing them.
  if (request.body().size() > 2 * lim.max_body_bytes + 4096) return too_large();
  im_message m;
  m.type = opt.default_type;
  auto from = sip_uri_to_jid(request.from().uri_text, map, opt.address);
  if (!from) return from.err();
  auto to = sip_uri_to_jid(request.to().uri_text, map, opt.address);
  if (!to) return to.err();
  m.from = std::move(from.value());
  m.to = std::move(to.value());
  if (auto cl = request.header("Content-Language")) m.lang = first_language(*cl);
  if (auto subject = request.header("Subject"); subject && !subject->empty()) {
    if (!is_xml_text(*subject)) {
      return fail(stanza_condition::bad_request, 400, "Subject is not UTF-8 text");
    }
    m.subjects.push_back({"", std::string(*subject)});
  }
  auto ct = request.header(sip::header_id::content_type);
  if (ct) {
    if (auto e = read_body(*ct, request.body(), "", m, 0)) return *e;
  } else if (!request.body().empty()) {
    return fail(stanza_condition::bad_request, 400, "Body without Content-Type");
  }
  // Bodies in the message's own language carry no separate tag.
  for (auto& b : m.bodies) {
    if (b.lang == m.lang) b.lang.clear();
  }
  if (text_bytes(m) > lim.max_body_bytes) return too_large();
  return m;
}

// ---- XMPP -> SIP --------------------------------------------------------------------------------

sip::message_builder sip_request_parts::to_builder(std::string_view from_tag) const {
  auto b = sip::message_builder::request("MESSAGE", request_uri);
  std::string from = "<" + from_uri + ">";
  if (!from_tag.empty()) from += ";tag=" + std::string(from_tag);
  b.header("From", from);
  b.header("To", "<" + to_uri + ">");
  for (const auto& [name, value] : headers)
    b.header(name, value);
  if (!content_type.empty()) b.body(content_type, body);
  return b;
}

namespace {

std::string xml_text(std::string_view s) {
  std::string out;
  xmpp::append_escaped_text(out, s);
  return out;
}

std::string cpim_wrap(const sip_request_parts& p, const sip_out_options& opt,
                      std::string_view imdn_id, bool ask_delivery, std::string_view inner_headers,
                      std::string_view content) {
  std::string out;
  out += "From: <" + p.from_uri + ">\r\n";
  out += "To: <" + p.to_uri + ">\r\n";
  if (!opt.datetime.empty()) out += "DateTime: " + opt.datetime + "\r\n";
  if (!imdn_id.empty()) {
    out += "NS: imdn <" + std::string(imdn_ns) + ">\r\n";
    out += "imdn.Message-ID: " + sanitize_reason(imdn_id) + "\r\n";
    if (ask_delivery) out += "imdn.Disposition-Notification: positive-delivery\r\n";
  }
  out += crlf;
  out += inner_headers;
  out += crlf;
  out += content;
  return out;
}

}  // namespace

result<std::optional<sip_request_parts>> to_sip(const im_message& m, const domain_map& map,
                                                const message_limits& lim,
                                                const sip_out_options& opt) {
  if (!m.from || !m.to) return fail(stanza_condition::bad_request, 400, "Message without from/to");
  if (text_bytes(m) > lim.max_body_bytes) return too_large();
  sip_request_parts p;
  auto to_uri = jid_to_sip_uri(*m.to, map, opt.address);
  if (!to_uri) return to_uri.err();
  auto from_uri = jid_to_sip_uri(*m.from, map, opt.address);
  if (!from_uri) return from_uri.err();
  p.to_uri = p.request_uri = std::move(to_uri.value());
  p.from_uri = std::move(from_uri.value());

  if (!m.has_content()) {
    if (!m.receipt_for.empty()) {
      // XEP-0184 <received/> -> IMDN delivered, only when the SIP side asked (RFC 5438 §7).
      if (!opt.peer_requested_imdn) return std::optional<sip_request_parts>{};
      std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<imdn xmlns=\"";
      xml += imdn_xml_ns;
      xml += "\"><message-id>" + xml_text(m.receipt_for) + "</message-id>";
      if (!opt.datetime.empty()) xml += "<datetime>" + xml_text(opt.datetime) + "</datetime>";
      xml += "<delivery-notification><status><delivered/></status></delivery-notification></imdn>";
      std::string own_id = m.id.empty() ? m.receipt_for + "-dn" : m.id;
      p.content_type = "message/cpim";
      p.body =
          cpim_wrap(p, opt, own_id, false,
                    "Content-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n", xml);
      return std::optional<sip_request_parts>(std::move(p));
    }
    if ((m.state == chat_state::composing || m.state == chat_state::paused) &&
        opt.peer_accepts_iscomposing) {
      p.content_type = "application/im-iscomposing+xml";
      p.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<isComposing xmlns=\"";
      p.body += iscomposing_ns;
      p.body += "\"><state>";
      p.body += m.state == chat_state::composing ? "active" : "idle";
      p.body += "</state><contenttype>text/plain</contenttype>";
      if (m.state == chat_state::composing) p.body += "<refresh>60</refresh>";
      p.body += "</isComposing>";
      return std::optional<sip_request_parts>(std::move(p));
    }
    return std::optional<sip_request_parts>{};
  }

  // Subject: the one in the message's language, else the first (SIP has one Subject header).
  if (!m.subjects.empty()) {
    const localized_text* s = &m.subjects.front();
    for (const auto& x : m.subjects) {
      if (x.lang.empty() || x.lang == m.lang) {
        s = &x;
        break;
      }
    }
    std::string subject = sanitize_reason(s->text);
    if (!subject.empty()) p.headers.emplace_back("Subject", std::move(subject));
  }

  std::string content_type, content, lang;
  if (m.bodies.size() <= 1) {
    content_type = "text/plain;charset=UTF-8";
    if (!m.bodies.empty()) {
      content = m.bodies.front().text;
      lang = m.bodies.front().lang.empty() ? m.lang : m.bodies.front().lang;
    }
  } else {
    std::string boundary = opt.multipart_boundary;
    auto clashes = [&] {
      return std::any_of(m.bodies.begin(), m.bodies.end(), [&](const localized_text& b) {
        return b.text.find(boundary) != std::string::npos;
      });
    };
    for (int i = 0; clashes() && i < 100; ++i)
      boundary += "x";
    content_type = "multipart/alternative;boundary=" + boundary;
    for (const auto& b : m.bodies) {
      content += "--" + boundary + "\r\nContent-Type: text/plain;charset=UTF-8\r\n";
      std::string part_lang = b.lang.empty() ? m.lang : b.lang;
      if (!part_lang.empty()) content += "Content-Language: " + sanitize_reason(part_lang) + "\r\n";
      content += "\r\n" + b.text + "\r\n";
    }
    content += "--" + boundary + "--\r\n";
    lang = m.lang;
  }

  bool imdn = m.receipt_requested && opt.offer_imdn && !m.id.empty();
  if (opt.use_cpim || imdn) {
    std::string inner = "Content-Type: " + content_type + "\r\n";
    if (!lang.empty()) inner += "Content-Language: " + sanitize_reason(lang) + "\r\n";
    p.content_type = "message/cpim";
    p.body =
        cpim_wrap(p, opt, imdn ? std::string_view(m.id) : std::string_view{}, imdn, inner, content);
  } else {
    p.content_type = content_type;
    p.body = std::move(content);
    if (!lang.empty()) p.headers.emplace_back("Content-Language", sanitize_reason(lang));
  }
  return std::optional<sip_request_parts>(std::move(p));
}

}  // namespace fedgate::mapping
