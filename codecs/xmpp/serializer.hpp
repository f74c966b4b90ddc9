#pragma once
// Writes stanzas (pugixml element trees) and stream framing back to the wire, RFC 6120 §4 / §11:
// UTF-8, no XML declaration inside the stream, no comments/PIs/DTDs, every character escaped where
// XML needs it, and namespace declarations kept minimal: a declaration that repeats a binding
// already in scope (from the stream header or an ancestor) is left out, so an element inheriting
// the stream's default namespace does not repeat xmlns.
//
// Parse -> serialize -> parse gives an equivalent tree (names::equivalent()). Refuses (returns an
// error, writes nothing) trees that cannot be written as restricted XML: invalid UTF-8, characters
// that are not XML Chars (control characters), bad names, undeclared prefixes, comments or PIs.

#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/stream_error.hpp"
#include "codecs/xmpp/stream_framer.hpp"

namespace fedgate::xmpp {

struct serialize_result {
  bool ok = true;
  std::string reason;  // why not, when !ok
  explicit operator bool() const noexcept { return ok; }
};

// Appends `element` and its subtree to `out`. `in_scope` are the bindings in force where it is
// written: the stream header's declarations (stream_header::declarations) for a top-level element.
// On failure `out` is left as it was.
serialize_result write_element(std::string& out, pugi::xml_node element,
                               const namespace_bindings& in_scope);

// A header to send, RFC 6120 §4.7: content namespace default, the "stream" prefix, and (when
// `dialback`) xmlns:db (XEP-0220 §2.1). Empty from/to/id/lang are omitted when written.
stream_header make_stream_header(std::string_view content_namespace, std::string_view from,
                                 std::string_view to, std::string_view id, bool dialback = true,
                                 std::string_view version = "1.0", std::string_view lang = "en");

// Appends the header: "<?xml version='1.0'?>" first if header.xml_declaration, then the open
// <stream:stream ...> tag. Declarations come from header.declarations (which must bind "stream"
// to the streams namespace and "" to header.content_namespace; make_stream_header() does).
serialize_result write_stream_header(std::string& out, const stream_header& header);

// Appends <stream:error><condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>[<text
// xml:lang=...>text</text>]</stream:error> (RFC 6120 §4.9.2). `text` may be empty.
serialize_result write_stream_error(std::string& out, stream_error_condition condition,
                                    std::string_view text = {}, std::string_view lang = "en");

// The stream close tag, RFC 6120 §4.4.
inline constexpr std::string_view stream_close_tag = "</stream:stream>";

// Escapes character data / an attribute value (for a single-quoted attribute) and appends it.
// False (and nothing appended) if `s` is not valid UTF-8 made of XML Chars.
bool append_escaped_text(std::string& out, std::string_view s);
bool append_escaped_attribute(std::string& out, std::string_view s);

}  // namespace fedgate::xmpp
