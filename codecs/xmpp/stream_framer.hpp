#pragma once
// Incremental XMPP stream framer (RFC 6120 §4, §11). Fed arbitrary byte chunks, it reports the
// stream header, each complete top-level element as a self-contained pugixml document, whitespace
// keepalives between elements (RFC 6120 §4.6.1) and the stream close. It enforces the restricted
// XML profile of RFC 6120 §11, strict UTF-8 and the size limits below, and reports the first
// violation as the stream error the local side must send.
//
// Feeding the same bytes in any chunking gives the same header, elements, close and error
// (whitespace runs may be reported in pieces; their total between two other events is the same).
//
// What it does not do: I/O, TLS, deciding what an element means (the caller checks stanza types,
// the version attribute, from/to, ...). It never throws on bad input.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "codecs/xmpp/internal/namespace_check.hpp"
#include "codecs/xmpp/internal/utf8.hpp"
#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/stream_error.hpp"

namespace fedgate::xmpp {

// Exceeding any limit ends the stream with policy-violation (RFC 6120 §4.9.3.14, §13.12 item 4).
struct limits {
  // One top-level element, from its '<' to its final '>'. RFC 6120 §13.12: at least 10000.
  std::size_t max_stanza_bytes = 256 * 1024;
  // The XML declaration, and the stream header start tag, each.
  std::size_t max_header_bytes = 4096;
  // Element nesting inside a top-level element; the top-level element itself is depth 1.
  std::size_t max_depth = 32;
  // Attributes (including namespace declarations) of one element.
  std::size_t max_attributes = 64;
  // Raw (still escaped) bytes of one attribute value.
  std::size_t max_attribute_value_bytes = 16 * 1024;
  // Raw bytes of one run of character data (text, references and CDATA between two tags).
  std::size_t max_text_bytes = 128 * 1024;
  // Element, attribute and entity names.
  std::size_t max_name_bytes = 256;
};

// What the stream header (<stream:stream ...>) said. RFC 6120 §4.7.
struct stream_header {
  std::string from;
  std::string to;
  std::string id;
  std::string version;  // empty if absent: the caller decides about unsupported-version
  std::string lang;     // xml:lang
  // The default namespace: jabber:server, jabber:client or jabber:component:accept.
  std::string content_namespace;
  // Every namespace declaration on the header, in document order (the stream prefix, db, ...).
  // Top-level elements inherit these; the serializer omits them again.
  namespace_bindings declarations;
  // Attributes other than the five above and the declarations, as (qname, value).
  std::vector<std::pair<std::string, std::string>> other_attributes;
  bool xml_declaration = false;  // an <?xml ...?> preceded the header
};

// Receives the framer's events. Callbacks may call stream_framer::stop() (to take over the bytes
// that follow, e.g. after <proceed/>) but must not call consume() or reset() re-entrantly.
class stream_handler {
 public:
  virtual ~stream_handler() = default;
  virtual void on_stream_open(const stream_header& header) = 0;
  // `element.document_element()` is the top-level element; its top node declares every namespace
  // it uses. The handler may std::move() the document away.
  virtual void on_element(pugi::xml_document& element) = 0;
  // `bytes` of whitespace at stream level (a keepalive).
  virtual void on_whitespace(std::size_t bytes) = 0;
  // </stream:stream> (or a self-closing header) was received.
  virtual void on_stream_close() = 0;
  // The stream is broken; send <stream:error/> with this condition and close. No more events.
  virtual void on_error(const stream_error& error) = 0;
};

class stream_framer {
 public:
  enum class state { expect_header, open, closed, failed };

  explicit stream_framer(stream_handler& handler, limits lim = {});

  // Processes bytes, emitting events. Returns how many bytes were consumed: all of them, unless
  // the stream closed, failed or stop() was called from a callback, in which case the count ends
  // right after the byte that completed the event (the rest belongs to the caller, e.g. a TLS
  // handshake). After a close or failure, consume() returns 0 until reset().
  std::size_t consume(std::string_view bytes);

  // Expect a new stream header, as after STARTTLS or SASL success (RFC 6120 §5.4.3.3, §6.4.6).
  void reset();

  // From inside a callback: make consume() return after the current event.
  void stop() noexcept { stop_requested_ = true; }

  state current_state() const noexcept { return state_; }
  const std::optional<stream_error>& error() const noexcept { return error_; }
  // The last header received (valid once on_stream_open was called).
  const stream_header& header() const noexcept { return header_; }
  const struct limits& stream_limits() const noexcept { return limits_; }
  // True while part of an element (or header) has been received but not yet completed.
  bool mid_element() const noexcept;

 private:
  enum class lex : std::uint8_t {
    prolog,
    top,
    text,
    lt,
    start_name,
    tag_space,
    attr_name,
    attr_after_name,
    attr_before_value,
    attr_value,
    after_attr_value,
    empty_close,
    end_name,
    end_space,
    bang,
    cdata_open,
    cdata,
    pi_target,
    decl,
    entity,
    done,
  };
  enum class capture_kind : std::uint8_t { none, decl, header, element };

  bool fail(stream_error_condition c, std::string text);
  void begin_capture(capture_kind kind, std::size_t i, std::size_t budget);
  std::string_view finish_capture(std::string_view chunk, std::size_t i);
  bool finish_decl(std::string_view bytes);
  bool finish_header(std::string_view bytes, bool self_closing);
  bool finish_element(std::string_view bytes);
  void flush_whitespace();
  void begin_entity(lex return_to);
  bool add_content_bytes(std::size_t k);
  bool entity_byte(unsigned char c);
  bool finish_entity();

  stream_handler& handler_;
  struct limits limits_;
  state state_ = state::expect_header;
  lex lex_ = lex::prolog;
  // Where an entity reference returns to; also which length add_content_bytes() counts
  // (attr_value: the attribute value, otherwise the text run).
  lex entity_return_ = lex::text;
  std::optional<stream_error> error_;
  stream_header header_;
  std::string header_qname_;
  pugi::xml_document doc_;
  internal::namespace_checker namespaces_;
  internal::utf8_decoder utf8_;

  // Captured bytes of the current declaration/header/element, when it spans chunks.
  capture_kind capture_ = capture_kind::none;
  std::string buf_;
  std::size_t cap_begin_ = 0;  // index in the current chunk where capturing (re)started
  std::size_t cap_budget_ = 0;
  std::size_t limit_at_ = SIZE_MAX;  // first index in the current chunk beyond the budget

  std::size_t depth_ = 0;  // open elements, the stream element included
  std::size_t prolog_pos_ = 0;
  bool decl_allowed_ = true;
  char quote_ = 0;
  std::size_t name_len_ = 0;
  std::size_t attr_count_ = 0;
  std::size_t attr_len_ = 0;
  std::size_t text_len_ = 0;
  std::size_t match_ = 0;     // progress through a fixed string (CDATA[, xml, close tag)
  std::size_t brackets_ = 0;  // consecutive ']' (for "]]>")
  bool close_mismatch_ = false;
  std::size_t ws_run_ = 0;
  // Entity reference being read.
  char entity_name_[8] = {};
  std::size_t entity_len_ = 0;
  std::uint32_t entity_value_ = 0;
  std::uint8_t entity_kind_ = 0;  // 0 name, 1 decimal, 2 hex
  bool entity_digits_ = false;
  bool stop_requested_ = false;
};

}  // namespace fedgate::xmpp
