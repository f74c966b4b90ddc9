#pragma once
// Small grammar pieces shared by the header parsers, and the typed parsers of the scalar headers.
// Each function parses one header *value* as stored in a parsed message: folding already replaced
// by a single SP (RFC 3261 §7.3.1), so the only whitespace left is SP and HTAB. Results are
// std::string_view into the argument; nothing is copied except where a value must be decoded
// (unquote()).
//
// RFC references: grammar RFC 3261 §25.1; CSeq §20.16; Max-Forwards §20.22; Content-Length §20.14;
// Content-Type §20.15; Call-ID §20.8; Expires §20.19; Event and Subscription-State RFC 6665 §8.4.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/sip/error.hpp"

namespace fedgate::sip {

// ---- quoted strings ------------------------------------------------------------------------

/// Index just past the closing DQUOTE of the quoted-string starting at text[pos] == '"'
/// (quoted-pair escapes honoured), or std::string_view::npos if it is not terminated.
std::size_t scan_quoted_string(std::string_view text, std::size_t pos);

/// Removes the surrounding quotes and resolves quoted-pairs: "\"J \\\"R\\\"\"" -> J "R".
/// A value without quotes is returned unchanged.
std::string unquote(std::string_view quoted);

/// Quotes `text` as a quoted-string, escaping '"' and '\'.
std::string quote(std::string_view text);

// ---- comma-separated lists (RFC 3261 §7.3.1) -------------------------------------------------

/// Reads the elements of a comma-separated header value one at a time, without allocating.
/// Commas inside quoted strings and inside <...> do not split. Elements come back trimmed; an
/// empty element ("a,,b") or an unterminated quote or '<' makes the reader fail.
/// Only for headers whose grammar is a list (Via, Contact, Route, Allow, ...): not for
/// Authorization (commas separate auth-params) or Date.
class list_reader {
 public:
  explicit list_reader(std::string_view value) : text_(value) {}
  /// Next element into `out`; false at the end or on error (then failed() is true).
  bool next(std::string_view& out);
  bool failed() const { return failed_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  bool done_ = false;
  bool failed_ = false;
};

/// All elements of a list, or an error naming `header_name`.
result<std::vector<std::string_view>> split_list(std::string_view value,
                                                 std::string_view header_name = "header");

// ---- header parameters: *( SEMI generic-param ) ---------------------------------------------

struct generic_param {
  std::string_view name;
  std::string_view value;  // as sent: a quoted value keeps its quotes; empty if none
  bool has_value = false;
};

/// Reads ";name[=value]" parameters (SEMI = SWS ";" SWS, EQUAL = SWS "=" SWS; gen-value = token /
/// host / quoted-string). `text` starts at the first ';' (leading whitespace allowed).
class param_reader {
 public:
  explicit param_reader(std::string_view text) : text_(text) {}
  bool next(generic_param& out);
  bool failed() const { return failed_; }
  /// Index in `text` where reading stopped (the end of a well-formed list).
  std::size_t position() const { return pos_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

/// True if `text` is a well-formed parameter list (possibly empty).
bool valid_params(std::string_view text);

/// The value of parameter `name` (case-insensitive) in a well-formed list; empty view for a
/// parameter without value; nullopt if absent.
std::optional<std::string_view> find_param(std::string_view params, std::string_view name);

// ---- scalar headers -------------------------------------------------------------------------

struct cseq_value {
  std::uint32_t number = 0;  // RFC 3261 §8.1.1.5: a 32-bit unsigned integer
  std::string_view method;
};
/// CSeq = 1*DIGIT LWS Method (§20.16).
result<cseq_value> parse_cseq(std::string_view value);

/// Max-Forwards = 1*DIGIT, 0-255 (§20.22).
result<std::uint8_t> parse_max_forwards(std::string_view value);

/// Content-Length = 1*DIGIT (§20.14); values above `max` are rejected with 513.
result<std::size_t> parse_content_length(std::string_view value, std::size_t max);

/// delta-seconds for Expires (§20.19) and the expires parameters: 0 to 2**32-1.
result<std::uint32_t> parse_delta_seconds(std::string_view value);

/// callid = word [ "@" word ] (§25.1).
bool valid_call_id(std::string_view value);

struct media_type {
  std::string_view type;
  std::string_view subtype;
  std::string_view params;                                // ";charset=utf-8" as sent, or empty
  bool is(std::string_view t, std::string_view s) const;  // case-insensitive (§7.3.1)
  std::optional<std::string_view> param(std::string_view name) const {
    return find_param(params, name);
  }
};
/// media-type = m-type SLASH m-subtype *( SEMI m-parameter ) (§20.15).
result<media_type> parse_media_type(std::string_view value);

/// Event = event-type *( SEMI event-param ) (RFC 6665 §8.4).
struct event_value {
  std::string_view package;  // "presence", "presence.winfo", ...
  std::string_view params;
  std::optional<std::string_view> id() const { return find_param(params, "id"); }
};
result<event_value> parse_event(std::string_view value);

/// Subscription-State = substate-value *( SEMI subexp-params ) (RFC 6665 §8.4).
struct subscription_state_value {
  std::string_view state;  // "active", "pending", "terminated" or an extension token
  std::string_view params;
  std::optional<std::uint32_t> expires;
  std::optional<std::uint32_t> retry_after;
  std::string_view reason;  // empty if absent
};
result<subscription_state_value> parse_subscription_state(std::string_view value);

}  // namespace fedgate::sip
