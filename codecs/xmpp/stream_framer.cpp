#include "codecs/xmpp/stream_framer.hpp"

#include <algorithm>

#include "codecs/xmpp/internal/namespace_check.hpp"

namespace fedgate::xmpp {

namespace {

using cond = stream_error_condition;
using internal::is_name_byte;
using internal::is_name_start_byte;
using internal::is_xml_space;

// Bytes the fast paths may skip without looking: printable ASCII and tab/CR/LF, minus the bytes
// that mean something in that context.
struct byte_tables {
  bool text[256] = {};
  bool cdata[256] = {};
  bool attr[256] = {};
  bool name[256] = {};
};

constexpr byte_tables make_tables() {
  byte_tables t;
  for (int c = 0; c < 0x80; ++c) {
    bool plain = c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
    t.text[c] = plain && c != '<' && c != '&' && c != ']' && c != '>';
    t.cdata[c] = plain && c != ']' && c != '>';
    t.attr[c] = plain && c != '<' && c != '&' && c != '\'' && c != '"';
    t.name[c] = is_name_byte(static_cast<unsigned char>(c));
  }
  return t;
}

constexpr byte_tables tables = make_tables();

// Whitespace-only text is kept (a <body> of one space is a message); CR/LF are normalised and
// entities decoded as XML 1.0 requires.
constexpr unsigned parse_options = pugi::parse_default | pugi::parse_ws_pcdata;

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

}  // namespace

stream_framer::stream_framer(stream_handler& handler, struct limits lim)
    : handler_(handler), limits_(lim) {}

void stream_framer::reset() {
  state_ = state::expect_header;
  lex_ = lex::prolog;
  error_.reset();
  header_ = stream_header{};
  header_qname_.clear();
  utf8_.reset();
  capture_ = capture_kind::none;
  buf_.clear();
  limit_at_ = SIZE_MAX;
  depth_ = 0;
  prolog_pos_ = 0;
  decl_allowed_ = true;
  ws_run_ = 0;
  stop_requested_ = false;
}

bool stream_framer::mid_element() const noexcept {
  return capture_ != capture_kind::none ||
         (lex_ != lex::prolog && lex_ != lex::top && lex_ != lex::done);
}

void stream_framer::flush_whitespace() {
  if (ws_run_ == 0) return;
  handler_.on_whitespace(ws_run_);
  ws_run_ = 0;
}

void stream_framer::begin_entity(lex return_to) {
  entity_return_ = return_to;
  entity_len_ = 0;
  entity_kind_ = 0;
  entity_value_ = 0;
  entity_digits_ = false;
  lex_ = lex::entity;
}

bool stream_framer::fail(stream_error_condition c, std::string text) {
  flush_whitespace();  // whitespace already consumed is reported, as a chunk boundary would have
  state_ = state::failed;
  lex_ = lex::done;
  capture_ = capture_kind::none;
  buf_.clear();
  error_ = stream_error{c, std::move(text), {}};
  handler_.on_error(*error_);
  return false;
}

void stream_framer::begin_capture(capture_kind kind, std::size_t i, std::size_t budget) {
  capture_ = kind;
  cap_begin_ = i;
  cap_budget_ = budget;
  limit_at_ = i + budget;
  buf_.clear();
}

std::string_view stream_framer::finish_capture(std::string_view chunk, std::size_t i) {
  auto tail = chunk.substr(cap_begin_, i + 1 - cap_begin_);
  capture_ = capture_kind::none;
  limit_at_ = SIZE_MAX;
  if (buf_.empty()) return tail;  // the common case: the whole element is in this chunk
  buf_.append(tail);
  return buf_;
}

bool stream_framer::add_content_bytes(std::size_t k) {
  if (entity_return_ == lex::attr_value) {
    attr_len_ += k;
    if (attr_len_ > limits_.max_attribute_value_bytes)
      return fail(cond::policy_violation, "attribute value too long");
  } else {
    text_len_ += k;
    if (text_len_ > limits_.max_text_bytes)
      return fail(cond::policy_violation, "character data too long");
  }
  return true;
}

// XML 1.0 §4.1 references. RFC 6120 §11.1: only the five predefined entities and character
// references are allowed; any other entity reference is restricted-xml.
bool stream_framer::entity_byte(unsigned char c) {
  if (!add_content_bytes(1)) return false;
  if (c == ';') return finish_entity();
  if (entity_kind_ == 0) {
    if (entity_len_ == 0 && c == '#') {
      entity_kind_ = 1;
      return true;
    }
    if (entity_len_ == 0 ? is_name_start_byte(c) : is_name_byte(c)) {
      if (entity_len_ < sizeof entity_name_) entity_name_[entity_len_] = static_cast<char>(c);
      if (++entity_len_ > limits_.max_name_bytes)
        return fail(cond::policy_violation, "entity name too long");
      return true;
    }
    return fail(cond::not_well_formed, "malformed entity reference");
  }
  if (entity_kind_ == 1 && !entity_digits_ && c == 'x') {
    entity_kind_ = 2;
    return true;
  }
  unsigned d;
  if (c >= '0' && c <= '9') {
    d = c - '0';
  } else if (entity_kind_ == 2 && c >= 'a' && c <= 'f') {
    d = c - 'a' + 10;
  } else if (entity_kind_ == 2 && c >= 'A' && c <= 'F') {
    d = c - 'A' + 10;
  } else {
    return fail(cond::not_well_formed, "malformed character reference");
  }
  entity_digits_ = true;
  entity_value_ =
      std::min<std::uint32_t>(entity_value_ * (entity_kind_ == 2 ? 16 : 10) + d, 0x110000);
  return true;
}

bool stream_framer::finish_entity() {
  lex_ = entity_return_;
  if (entity_kind_ != 0) {
    if (!entity_digits_ || !internal::is_xml_char(entity_value_))
      return fail(cond::not_well_formed, "invalid character reference");
    return true;
  }
  if (entity_len_ == 0) return fail(cond::not_well_formed, "empty entity reference");
  std::string_view name{entity_name_, std::min(entity_len_, sizeof entity_name_)};
  if (entity_len_ <= 4 &&
      (name == "amp" || name == "lt" || name == "gt" || name == "apos" || name == "quot"))
    return true;
  return fail(cond::restricted_xml, "entity reference '&" + std::string{name} +
                                        (entity_len_ > 8 ? "...;" : ";") +
                                        "' is not one of the predefined entities (RFC 6120 §11.1)");
}

// XML 1.0 §2.8 XMLDecl. Only UTF-8 is allowed (RFC 6120 §11.6).
bool stream_framer::finish_decl(std::string_view s) {
  s.remove_prefix(5);  // "<?xml"
  s.remove_suffix(2);  // "?>"
  bool seen_version = false;
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && is_xml_space(static_cast<unsigned char>(s[i])))
      ++i;
  };
  while (true) {
    skip_ws();
    if (i == s.size()) break;
    std::size_t b = i;
    while (i < s.size() && is_name_byte(static_cast<unsigned char>(s[i])))
      ++i;
    std::string_view name = s.substr(b, i - b);
    skip_ws();
    if (name.empty() || i == s.size() || s[i] != '=')
      return fail(cond::not_well_formed, "malformed XML declaration");
    ++i;
    skip_ws();
    if (i == s.size() || (s[i] != '\'' && s[i] != '"'))
      return fail(cond::not_well_formed, "malformed XML declaration");
    char q = s[i++];
    auto e = s.find(q, i);
    if (e == std::string_view::npos)
      return fail(cond::not_well_formed, "malformed XML declaration");
    std::string_view value = s.substr(i, e - i);
    i = e + 1;
    if (name == "version" && !seen_version) {
      seen_version = true;
      if (value.size() < 3 || value.compare(0, 2, "1.") != 0)
        return fail(cond::not_well_formed, "XML declaration: unsupported XML version");
    } else if (name == "encoding" && seen_version) {
      if (!iequals(value, "UTF-8"))
        return fail(cond::unsupported_encoding,
                    "XML declaration names encoding '" + std::string{value} + "', not UTF-8");
    } else if (name == "standalone" && seen_version) {
      if (value != "yes" && value != "no")
        return fail(cond::not_well_formed, "XML declaration: bad standalone value");
    } else {
      return fail(cond::not_well_formed, "malformed XML declaration");
    }
  }
  if (!seen_version) return fail(cond::not_well_formed, "XML declaration without version");
  header_.xml_declaration = true;
  return true;
}

bool stream_framer::finish_header(std::string_view bytes, bool self_closing) {
  // An open start tag is not a document pugixml can load: close it ("<x a='1'>" -> "<x a='1'/>").
  std::string s{bytes};
  if (!self_closing) {
    s.back() = '/';
    s += '>';
  }
  buf_.clear();
  auto r = doc_.load_buffer(s.data(), s.size(), parse_options, pugi::encoding_utf8);
  auto el = doc_.document_element();
  if (!r || !el)
    return fail(cond::not_well_formed, std::string{"stream header: "} + r.description());
  if (auto e = namespaces_.check(el, {})) return fail(e->condition, std::move(e->text));
  auto [prefix, local] = split_qname(el.name());
  // RFC 6120 §4.8.1: the stream element is qualified by the streams namespace.
  if (lookup_namespace(el, prefix).value_or(std::string_view{}) != ns::streams)
    return fail(cond::invalid_namespace,
                "stream element not qualified by " + std::string{ns::streams});
  // RFC 6120 §4.8.5 and its example: the stream namespace goes with the prefix "stream".
  if (prefix != "stream")
    return fail(cond::bad_namespace_prefix, "stream element must use the prefix 'stream'");
  if (local != "stream") return fail(cond::bad_format, "root element is not <stream:stream/>");
  std::string_view content = lookup_namespace(el, "").value_or(std::string_view{});
  // RFC 6120 §4.9.3.10: a content namespace we do not support is invalid-namespace.
  if (content != ns::server && content != ns::client && content != ns::component_accept)
    return fail(cond::invalid_namespace,
                "unsupported content namespace '" + std::string{content} + "'");
  bool had_decl = header_.xml_declaration;
  header_ = stream_header{};
  header_.xml_declaration = had_decl;
  header_.content_namespace = std::string{content};
  for (auto a : el.attributes()) {
    std::string_view n = a.name();
    if (is_namespace_declaration(a)) {
      header_.declarations.push_back(
          {std::string{n.size() == 5 ? std::string_view{} : n.substr(6)}, a.value()});
    } else if (n == "from") {
      header_.from = a.value();
    } else if (n == "to") {
      header_.to = a.value();
    } else if (n == "id") {
      header_.id = a.value();
    } else if (n == "version") {
      header_.version = a.value();
    } else if (n == "xml:lang") {
      header_.lang = a.value();
    } else {
      header_.other_attributes.emplace_back(std::string{n}, a.value());
    }
  }
  header_qname_ = el.name();
  doc_.reset();
  state_ = state::open;
  depth_ = 1;
  lex_ = lex::top;
  handler_.on_stream_open(header_);
  if (self_closing && state_ == state::open) {
    state_ = state::closed;
    lex_ = lex::done;
    depth_ = 0;
    handler_.on_stream_close();
  }
  return true;
}

bool stream_framer::finish_element(std::string_view bytes) {
  auto r = doc_.load_buffer(bytes.data(), bytes.size(), parse_options, pugi::encoding_utf8);
  buf_.clear();
  auto top = doc_.document_element();
  if (!r || !top) return fail(cond::not_well_formed, r.description());
  if (auto e = namespaces_.check(top, header_.declarations))
    return fail(e->condition, std::move(e->text));
  lex_ = lex::top;
  handler_.on_element(doc_);
  return true;
}

std::size_t stream_framer::consume(std::string_view bytes) {
  if (state_ == state::closed || state_ == state::failed) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  if (capture_ != capture_kind::none) {
    cap_begin_ = 0;
    limit_at_ = cap_budget_ - buf_.size();
  }
  stop_requested_ = false;
  // After an event: stop here if the handler asked to, or the stream ended.
  auto leave_after_event = [&] { return stop_requested_ || state_ != state::open; };

  std::size_t i = 0;
  for (; i < n; ++i) {
    if (i >= limit_at_) {
      fail(cond::policy_violation, capture_ == capture_kind::element
                                       ? "top-level element exceeds max_stanza_bytes"
                                       : "stream header exceeds max_header_bytes");
      return i;
    }
    const unsigned char c = p[i];
    if (state_ == state::expect_header && prolog_pos_ < 2 && (c == 0 || c == 0xFE || c == 0xFF)) {
      // A UTF-16/UTF-32 byte order mark or a NUL next to '<': not UTF-8 (RFC 6120 §11.6).
      fail(cond::unsupported_encoding, "stream is not encoded in UTF-8");
      return i;
    }
    if (c >= 0x80 || utf8_.in_sequence()) {
      auto r = utf8_.feed(c);
      if (r == internal::utf8_decoder::step::invalid) {
        fail(cond::not_well_formed, "invalid UTF-8");
        return i;
      }
      if (r == internal::utf8_decoder::step::done && !internal::is_xml_char(utf8_.code_point())) {
        fail(cond::not_well_formed, "character not allowed in XML");
        return i;
      }
    } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      fail(cond::not_well_formed, "control character not allowed in XML");
      return i;
    }
    if (state_ == state::expect_header) ++prolog_pos_;

    switch (lex_) {
      case lex::prolog:
        if (is_xml_space(c)) {
          decl_allowed_ = false;
          break;
        }
        if (c == '<') {
          begin_capture(capture_kind::header, i, limits_.max_header_bytes);
          lex_ = lex::lt;
          break;
        }
        if (c >= 0x80) {
          if (utf8_.in_sequence()) break;
          if (utf8_.code_point() == 0xFEFF && prolog_pos_ == 3) break;  // UTF-8 BOM
        }
        fail(cond::not_well_formed, "character data before the stream header");
        return i;

      case lex::top:
        if (is_xml_space(c)) {
          ++ws_run_;
          break;
        }
        if (c == '<') {
          if (ws_run_ != 0) {
            flush_whitespace();
            if (leave_after_event()) return i;
          }
          begin_capture(capture_kind::element, i, limits_.max_stanza_bytes);
          lex_ = lex::lt;
          break;
        }
        fail(cond::bad_format, "character data at stream level");
        return i;

      case lex::lt:
        if (depth_ == 0) {
          if (c == '?') {
            // Only the XML declaration, and only as the very first bytes (after a BOM).
            if (!decl_allowed_) {
              fail(cond::restricted_xml, "processing instruction (RFC 6120 §11.1)");
              return i;
            }
            capture_ = capture_kind::decl;
            decl_allowed_ = false;
            match_ = 0;
            lex_ = lex::pi_target;
            break;
          }
          decl_allowed_ = false;
        }
        if (is_name_start_byte(c)) {
          if (depth_ > limits_.max_depth) {
            fail(cond::policy_violation, "elements nested too deeply");
            return i;
          }
          text_len_ = 0;
          name_len_ = 1;
          attr_count_ = 0;
          lex_ = lex::start_name;
          break;
        }
        if (c == '/' && depth_ > 0) {
          text_len_ = 0;
          name_len_ = 0;
          match_ = 0;
          close_mismatch_ = false;
          lex_ = lex::end_name;
          break;
        }
        if (c == '!') {
          lex_ = lex::bang;
          break;
        }
        if (c == '?') {
          fail(cond::restricted_xml, "processing instruction (RFC 6120 §11.1)");
          return i;
        }
        fail(cond::not_well_formed, "invalid character after '<'");
        return i;

      case lex::start_name:
      case lex::attr_name:
        if (c < 0x80 && tables.name[c]) {
          std::size_t end = std::min({n, limit_at_, i + (limits_.max_name_bytes - name_len_)});
          std::size_t j = i;
          while (j < end && tables.name[p[j]])
            ++j;
          if (j > i) {
            name_len_ += j - i;
            i = j - 1;
            break;
          }
        }
        if (is_name_byte(c)) {
          if (++name_len_ > limits_.max_name_bytes) {
            fail(cond::policy_violation, "name too long");
            return i;
          }
          break;
        }
        if (lex_ == lex::attr_name) {
          if (is_xml_space(c)) {
            lex_ = lex::attr_after_name;
          } else if (c == '=') {
            lex_ = lex::attr_before_value;
          } else {
            fail(cond::not_well_formed, "malformed attribute name");
            return i;
          }
          break;
        }
        [[fallthrough]];
      case lex::after_attr_value:
        if (lex_ == lex::after_attr_value && !is_xml_space(c) && c != '/' && c != '>') {
          fail(cond::not_well_formed, "missing whitespace between attributes");
          return i;
        }
        [[fallthrough]];
      case lex::tag_space:
        if (is_xml_space(c)) {
          lex_ = lex::tag_space;
          break;
        }
        if (lex_ == lex::tag_space && is_name_start_byte(c)) {
          if (++attr_count_ > limits_.max_attributes) {
            fail(cond::policy_violation, "too many attributes");
            return i;
          }
          name_len_ = 1;
          lex_ = lex::attr_name;
          break;
        }
        if (c == '/') {
          lex_ = lex::empty_close;
          break;
        }
        if (c != '>') {
          fail(cond::not_well_formed, "malformed start tag");
          return i;
        }
        // End of a start tag.
        if (depth_ == 0) {
          if (!finish_header(finish_capture(bytes, i), false)) return i;
          if (leave_after_event()) return i + 1;
          break;
        }
        ++depth_;
        lex_ = lex::text;
        brackets_ = 0;
        text_len_ = 0;
        break;

      case lex::attr_after_name:
        if (is_xml_space(c)) break;
        if (c != '=') {
          fail(cond::not_well_formed, "expected '=' after attribute name");
          return i;
        }
        lex_ = lex::attr_before_value;
        break;

      case lex::attr_before_value:
        if (is_xml_space(c)) break;
        if (c != '\'' && c != '"') {
          fail(cond::not_well_formed, "attribute value not quoted");
          return i;
        }
        quote_ = static_cast<char>(c);
        attr_len_ = 0;
        lex_ = lex::attr_value;
        break;

      case lex::attr_value: {
        if (c < 0x80 && tables.attr[c]) {
          std::size_t end =
              std::min({n, limit_at_, i + (limits_.max_attribute_value_bytes - attr_len_)});
          std::size_t j = i;
          while (j < end && tables.attr[p[j]])
            ++j;
          if (j > i) {
            attr_len_ += j - i;
            i = j - 1;
            break;
          }
        }
        if (c == static_cast<unsigned char>(quote_)) {
          lex_ = lex::after_attr_value;
          break;
        }
        if (c == '<') {
          fail(cond::not_well_formed, "'<' in attribute value");
          return i;
        }
        entity_return_ = lex::attr_value;
        if (!add_content_bytes(1)) return i;
        if (c == '&') begin_entity(lex::attr_value);
        break;
      }

      case lex::empty_close:
        if (c != '>') {
          fail(cond::not_well_formed, "expected '>' after '/'");
          return i;
        }
        if (depth_ == 0) {
          if (!finish_header(finish_capture(bytes, i), true)) return i;
          return i + 1;
        }
        if (depth_ == 1) {
          if (!finish_element(finish_capture(bytes, i))) return i;
          if (leave_after_event()) return i + 1;
          break;
        }
        lex_ = lex::text;
        brackets_ = 0;
        text_len_ = 0;
        break;

      case lex::end_name:
        if (name_len_ == 0 ? is_name_start_byte(c) : is_name_byte(c)) {
          if (depth_ == 1) {
            if (match_ < header_qname_.size() && header_qname_[match_] == static_cast<char>(c)) {
              ++match_;
            } else {
              close_mismatch_ = true;
            }
          }
          if (++name_len_ > limits_.max_name_bytes) {
            fail(cond::policy_violation, "name too long");
            return i;
          }
          break;
        }
        if (name_len_ == 0) {
          fail(cond::not_well_formed, "malformed end tag");
          return i;
        }
        [[fallthrough]];
      case lex::end_space:
        if (is_xml_space(c)) {
          lex_ = lex::end_space;
          break;
        }
        if (c != '>') {
          fail(cond::not_well_formed, "malformed end tag");
          return i;
        }
        if (depth_ == 1) {
          if (close_mismatch_ || match_ != header_qname_.size()) {
            fail(cond::not_well_formed, "end tag does not match the stream element");
            return i;
          }
          capture_ = capture_kind::none;
          limit_at_ = SIZE_MAX;
          buf_.clear();
          depth_ = 0;
          state_ = state::closed;
          lex_ = lex::done;
          handler_.on_stream_close();
          return i + 1;
        }
        if (--depth_ == 1) {
          if (!finish_element(finish_capture(bytes, i))) return i;
          if (leave_after_event()) return i + 1;
          break;
        }
        lex_ = lex::text;
        brackets_ = 0;
        text_len_ = 0;
        break;

      case lex::text: {
        if (c < 0x80 && tables.text[c]) {
          std::size_t end = std::min({n, limit_at_, i + (limits_.max_text_bytes - text_len_)});
          std::size_t j = i;
          while (j < end && tables.text[p[j]])
            ++j;
          if (j > i) {
            text_len_ += j - i;
            brackets_ = 0;
            i = j - 1;
            break;
          }
        }
        if (c == '<') {
          lex_ = lex::lt;
          break;
        }
        entity_return_ = lex::text;
        if (!add_content_bytes(1)) return i;
        if (c == '&') {
          begin_entity(lex::text);
        } else if (c == ']') {
          ++brackets_;
        } else if (c == '>' && brackets_ >= 2) {
          fail(cond::not_well_formed, "']]>' in character data");
          return i;
        } else {
          brackets_ = 0;
        }
        break;
      }

      case lex::entity:
        if (!entity_byte(c)) return i;
        break;

      case lex::bang:
        if (c == '-') {
          fail(cond::restricted_xml, "XML comment (RFC 6120 §11.1)");
          return i;
        }
        if (c >= 'A' && c <= 'Z') {
          fail(cond::restricted_xml, "DTD or markup declaration (RFC 6120 §11.1)");
          return i;
        }
        if (c == '[' && depth_ >= 2) {
          match_ = 0;
          lex_ = lex::cdata_open;
          break;
        }
        if (c == '[' && depth_ == 1) {
          fail(cond::bad_format, "CDATA section at stream level");
          return i;
        }
        fail(cond::not_well_formed, "invalid markup after '<!'");
        return i;

      case lex::cdata_open: {
        static constexpr std::string_view open = "CDATA[";
        if (c != static_cast<unsigned char>(open[match_])) {
          fail(cond::not_well_formed, "malformed CDATA section");
          return i;
        }
        if (++match_ == open.size()) {
          lex_ = lex::cdata;
          brackets_ = 0;
        }
        break;
      }

      case lex::cdata: {
        if (c < 0x80 && tables.cdata[c]) {
          std::size_t end = std::min({n, limit_at_, i + (limits_.max_text_bytes - text_len_)});
          std::size_t j = i;
          while (j < end && tables.cdata[p[j]])
            ++j;
          if (j > i) {
            text_len_ += j - i;
            brackets_ = 0;
            i = j - 1;
            break;
          }
        }
        entity_return_ = lex::text;
        if (!add_content_bytes(1)) return i;
        if (c == ']') {
          ++brackets_;
        } else if (c == '>' && brackets_ >= 2) {
          lex_ = lex::text;
          brackets_ = 0;
        } else {
          brackets_ = 0;
        }
        break;
      }

      case lex::pi_target: {
        static constexpr std::string_view xml = "xml";
        if (match_ < xml.size() && c == static_cast<unsigned char>(xml[match_])) {
          ++match_;
          break;
        }
        if (match_ == xml.size() && is_xml_space(c)) {
          brackets_ = 0;
          lex_ = lex::decl;
          break;
        }
        fail(cond::restricted_xml, "processing instruction (RFC 6120 §11.1)");
        return i;
      }

      case lex::decl:
        if (c == '>' && brackets_ == 1) {
          if (!finish_decl(finish_capture(bytes, i))) return i;
          buf_.clear();
          lex_ = lex::prolog;
        } else {
          brackets_ = c == '?' ? 1 : 0;
        }
        break;

      case lex::done:
        return i;
    }
  }
  flush_whitespace();
  if (capture_ != capture_kind::none) buf_.append(bytes.substr(cap_begin_));
  return n;
}

}  // namespace fedgate::xmpp
