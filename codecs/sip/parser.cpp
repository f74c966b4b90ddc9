#include "codecs/sip/parser.hpp"

#include <cstring>
#include <limits>

#include "codecs/sip/internal/chars.hpp"

namespace fedgate::sip {

namespace internal {

enum class framing { datagram, stream };

class message_parser {
 public:
  message_parser(message& m, const limits& lim, framing f) : m_(m), lim_(lim), framing_(f) {}

  std::optional<error> load_and_run(std::string_view bytes) {
    m_.buffer_.assign(bytes.data(), bytes.size());
    return run();
  }

 private:
  std::optional<error> run() {
    std::string& buf = m_.buffer_;
    const char* d = buf.data();
    std::size_t n = buf.size();
    if (n > lim_.max_message_bytes) return too_large("message exceeds the size limit");
    if (n > std::numeric_limits<std::uint32_t>::max()) return too_large("message too large");

    // ---- start line ----
    const void* nl = std::memchr(d, '\n', n);
    if (nl == nullptr) return bad_request("Malformed start line: not terminated by CRLF");
    std::size_t eol = static_cast<std::size_t>(static_cast<const char*>(nl) - d);
    if (eol == 0 || d[eol - 1] != '\r') return bad_request("Malformed start line: bare LF");
    if (eol - 1 > lim_.max_start_line_bytes) return too_large("start line too long");
    if (auto e = start_line(std::string_view(d, eol - 1))) return e;

    // ---- header fields (RFC 3261 §7.3) ----
    std::size_t pos = eol + 1;
    std::size_t body_start = std::string_view::npos;
    m_.fields_.reserve(24);
    bool have_field = false;
    std::size_t field_start = 0;
    std::size_t value_start = 0;
    std::size_t value_end = 0;
    std::size_t name_len = 0;
    bool folded = false;
    while (true) {
      if (pos >= n) {
        // Headers not closed by an empty line. On UDP the datagram ends the message (see
        // parser.hpp); on a stream the framer never hands over such a message.
        if (framing_ == framing::stream)
          return bad_request("Malformed message: header section not terminated");
        body_start = n;
        break;
      }
      nl = std::memchr(d + pos, '\n', n - pos);
      if (nl == nullptr) return bad_request("Malformed header: line not terminated by CRLF");
      std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(nl) - d);
      if (lf == pos || d[lf - 1] != '\r') return bad_request("Malformed header: bare LF");
      std::size_t line_end = lf - 1;
      if (line_end == pos) {  // the empty line
        body_start = lf + 1;
        break;
      }
      if (std::memchr(d + pos, '\r', line_end - pos) != nullptr)
        return bad_request("Malformed header: bare CR");
      if (internal::is_ws(d[pos])) {
        // Continuation line (LWS folding, §7.3.1).
        if (!have_field) return bad_request("Malformed header: continuation of no header");
        value_end = line_end;
        folded = true;
      } else {
        if (have_field) {
          if (auto e = finish_field(field_start, name_len, value_start, value_end, folded))
            return e;
        }
        // field-name HCOLON: HCOLON = *( SP / HTAB ) ":" SWS
        std::size_t i = pos;
        while (i < line_end && internal::is_token_char(d[i]))
          ++i;
        if (i == pos) return bad_request("Malformed header: missing header name");
        name_len = i - pos;
        while (i < line_end && internal::is_ws(d[i]))
          ++i;
        if (i >= line_end || d[i] != ':') {
          return bad_request("Malformed header: missing ':' after " +
                             std::string(d + pos, std::min<std::size_t>(name_len, 64)));
        }
        field_start = pos;
        value_start = i + 1;
        value_end = line_end;
        folded = false;
        have_field = true;
      }
      if (line_end - field_start > lim_.max_header_line_bytes)
        return too_large("header field too long");
      pos = lf + 1;
    }
    if (have_field) {
      if (auto e = finish_field(field_start, name_len, value_start, value_end, folded)) return e;
    }

    if (auto e = typed_headers()) return e;
    return body(body_start);
  }

  static error too_large(const char* what) {
    return error{513, std::string("Message Too Large: ") + what};
  }
  message::span span_of(std::string_view s) const {
    return {static_cast<std::uint32_t>(s.data() - m_.buffer_.data()),
            static_cast<std::uint32_t>(s.size())};
  }
  std::string_view view(message::span s) const { return m_.view(s); }

  static std::optional<error> check_version(std::string_view v, const char* line) {
    // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive (§7.1, §25.1).
    if (iequals(v, "SIP/2.0")) return std::nullopt;
    std::size_t dot = v.find('.');
    bool shaped = v.size() > 4 && iequals(v.substr(0, 4), "SIP/") &&
                  dot != std::string_view::npos && dot > 4 && dot + 1 < v.size() &&
                  v.substr(4).find_first_not_of("0123456789.") == std::string_view::npos &&
                  v.find('.', dot + 1) == std::string_view::npos;
    if (shaped) return error{505, "Version Not Supported"};  // §21.5.7, RFC 4475 §3.1.2.16
    return bad_request(std::string("Malformed ") + line + ": bad SIP version");
  }

  std::optional<error> start_line(std::string_view line) {
    if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) {
      // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2)
      m_.request_ = false;
      std::size_t sp = line.find(' ');
      if (sp == std::string_view::npos) return bad_request("Malformed Status-Line");
      if (auto e = check_version(line.substr(0, sp), "Status-Line")) return e;
      std::string_view rest = line.substr(sp + 1);
      if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]) ||
          (rest.size() > 3 && rest[3] != ' '))
        return bad_request("Malformed Status-Line: bad status code");
      int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
      if (code < 100 || code > 699) return bad_request("Malformed Status-Line: bad status code");
      m_.status_ = static_cast<std::uint16_t>(code);
      // Reason-Phrase may be empty (RFC 4475 §3.1.1.13) and hold UTF-8 (§3.1.1.12).
      m_.reason_ = span_of(rest.size() > 4 ? rest.substr(4) : rest.substr(rest.size()));
      return std::nullopt;
    }
    // Request-Line = Method SP Request-URI SP SIP-Version (§7.1): exactly one SP each, no
    // leading or trailing whitespace (RFC 4475 §3.1.2.9, §3.1.2.10).
    m_.request_ = true;
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == sp2)
      return bad_request("Malformed Request-Line: expected Method SP Request-URI SP SIP-Version");
    std::string_view method = line.substr(0, sp1);
    if (!is_token(method)) return bad_request("Malformed Request-Line: bad method");
    if (auto e = check_version(line.substr(sp2 + 1), "Request-Line")) return e;
    std::string_view ruri = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (ruri.empty() || find_any(ruri, " \t") != std::string_view::npos)
      return bad_request("Malformed Request-Line: whitespace in Request-URI");
    auto u = parse_uri(ruri);
    if (!u) return bad_request("Malformed Request-URI: " + u.err().reason.substr(15));
    // Table 1 of §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    if (u->has_headers) return bad_request("Malformed Request-URI: headers not allowed");
    m_.method_ = span_of(method);
    m_.request_uri_ = span_of(ruri);
    return std::nullopt;
  }

  // Unfolds (if needed), trims and records one header field.
  std::optional<error> finish_field(std::size_t field_start, std::size_t name_len,
                                    std::size_t value_start, std::size_t value_end, bool folded) {
    if (m_.fields_.size() >= lim_.max_headers) return too_large("too many header fields");
    char* d = m_.buffer_.data();
    if (folded) {
      // Each fold (optional WSP, CRLF, WSP) becomes one SP (§7.3.1); freed bytes become SP.
      std::size_t w = value_start;
      for (std::size_t r = value_start; r < value_end; ++r) {
        if (d[r] == '\r' && r + 1 < value_end && d[r + 1] == '\n') {
          while (w > value_start && is_ws(d[w - 1]))
            --w;
          r += 2;
          while (r < value_end && is_ws(d[r]))
            ++r;
          d[w++] = ' ';
          --r;
          continue;
        }
        d[w++] = d[r];
      }
      std::memset(d + w, ' ', value_end - w);
      value_end = w;
    }
    while (value_start < value_end && is_ws(d[value_start]))
      ++value_start;
    while (value_end > value_start && is_ws(d[value_end - 1]))
      --value_end;
    std::string_view name(d + field_start, name_len);
    message::field f;
    f.name = span_of(name);
    f.value = {static_cast<std::uint32_t>(value_start),
               static_cast<std::uint32_t>(value_end - value_start)};
    f.id = lookup_header(name);
    m_.fields_.push_back(f);
    return std::nullopt;
  }

  static error duplicate(header_id id) {
    return bad_request("Multiple " + std::string(canonical_name(id)) + " headers");
  }

  std::optional<error> address_list(std::string_view value, header_id id,
                                    std::vector<name_addr>& out) {
    std::string_view name = canonical_name(id);
    list_reader reader(value);
    std::string_view element;
    while (reader.next(element)) {
      auto na = parse_name_addr(element, name);
      if (!na) return na.err();
      if (out.empty() && id != header_id::contact) out.reserve(4);  // route sets: one allocation
      out.push_back(std::move(*na));
    }
    if (reader.failed()) return bad_request("Malformed " + std::string(name) + " header: bad list");
    return std::nullopt;
  }

  std::optional<error> typed_headers() {
    std::uint16_t cseq = message::none;
    std::uint16_t content_length = message::none;
    bool have_via = false;
    for (std::size_t i = 0; i < m_.fields_.size(); ++i) {
      const auto& f = m_.fields_[i];
      std::string_view value = view(f.value);
      auto index = static_cast<std::uint16_t>(i);
      auto once = [&](std::uint16_t& slot) -> std::optional<error> {
        if (slot != message::none) return duplicate(f.id);
        slot = index;
        return std::nullopt;
      };
      switch (f.id) {
        case header_id::via: {
          list_reader reader(value);
          std::string_view element;
          while (reader.next(element)) {
            auto v = parse_via(element);
            if (!v) return v.err();
            if (m_.vias_.empty()) m_.vias_.reserve(4);  // one allocation for typical paths
            m_.vias_.push_back(*v);
            have_via = true;
          }
          if (reader.failed()) return bad_request("Malformed Via header: bad list");
          break;
        }
        case header_id::from:
        case header_id::to: {
          if (auto e = once(f.id == header_id::from ? m_.from_ : m_.to_)) return e;
          auto na = parse_name_addr(value, canonical_name(f.id));
          if (!na) return na.err();
          (f.id == header_id::from ? m_.from_value_ : m_.to_value_) = *na;
          break;
        }
        case header_id::call_id:
          if (auto e = once(m_.call_id_)) return e;
          if (!valid_call_id(value)) return bad_request("Malformed Call-ID header");
          break;
        case header_id::cseq: {
          if (auto e = once(cseq)) return e;
          auto c = parse_cseq(value);
          if (!c) return c.err();
          m_.cseq_number_ = c->number;
          m_.cseq_method_ = span_of(c->method);
          break;
        }
        case header_id::max_forwards: {
          if (m_.max_forwards_ >= 0) return duplicate(f.id);
          auto mf = parse_max_forwards(value);
          if (!mf) return mf.err();
          m_.max_forwards_ = *mf;
          break;
        }
        case header_id::content_length: {
          if (auto e = once(content_length)) return e;
          auto cl = parse_content_length(value, lim_.max_message_bytes);
          if (!cl) return cl.err();
          content_length_ = *cl;
          break;
        }
        case header_id::content_type: {
          if (auto e = once(m_.content_type_)) return e;
          auto mt = parse_media_type(value);
          if (!mt) return mt.err();
          m_.content_type_value_ = *mt;
          break;
        }
        case header_id::contact:
          if (value == "*") break;  // §10.2.2: REGISTER removing all bindings
          if (auto e = address_list(value, f.id, m_.contacts_)) return e;
          break;
        case header_id::route:
          if (auto e = address_list(value, f.id, m_.routes_)) return e;
          break;
        case header_id::record_route:
          if (auto e = address_list(value, f.id, m_.record_routes_)) return e;
          break;
        default:
          break;
      }
    }
    has_content_length_ = content_length != message::none;
    // §8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are mandatory in requests;
    // Max-Forwards is not enforced (RFC 2543 elements omit it, RFC 4475 §3.4.1).
    std::string missing;
    auto need = [&missing](bool present, const char* name) {
      if (present) return;
      missing += missing.empty() ? "" : ", ";
      missing += name;
    };
    need(m_.to_ != message::none, "To");
    need(m_.from_ != message::none, "From");
    need(m_.call_id_ != message::none, "Call-ID");
    need(cseq != message::none, "CSeq");
    need(have_via, "Via");
    if (!missing.empty()) return bad_request("Missing required header: " + missing);
    if (m_.request_ && view(m_.cseq_method_) != view(m_.method_))
      return bad_request("CSeq method does not match request method");
    return std::nullopt;
  }

  std::optional<error> body(std::size_t body_start) {
    std::size_t available = m_.buffer_.size() - body_start;
    std::size_t length = available;
    if (framing_ == framing::stream) {
      // §18.3: Content-Length MUST be used with stream-oriented transports.
      if (!has_content_length_) return bad_request("Missing Content-Length on stream transport");
      if (content_length_ != available)
        return bad_request("Content-Length does not match message size");
    } else if (has_content_length_) {
      if (content_length_ > available) return bad_request("Content-Length larger than datagram");
      length = content_length_;  // §18.3: extra octets are discarded
      m_.buffer_.resize(body_start + length);
    }
    m_.body_ = {static_cast<std::uint32_t>(body_start), static_cast<std::uint32_t>(length)};
    return std::nullopt;
  }

  message& m_;
  const limits& lim_;
  framing framing_;
  std::size_t content_length_ = 0;
  bool has_content_length_ = false;
};

}  // namespace internal

namespace {

result<message> parse(std::string_view bytes, const limits& lim, internal::framing f) {
  if (bytes.size() > lim.max_message_bytes)
    return error{513, "Message Too Large: message exceeds the size limit"};
  message m;
  internal::message_parser parser(m, lim, f);
  // The parser reaches the buffer through its friend access; assign it first.
  if (auto e = parser.load_and_run(bytes)) return *e;
  return m;
}

}  // namespace

result<message> parse_datagram(std::string_view datagram, const limits& lim) {
  return parse(datagram, lim, internal::framing::datagram);
}

result<message> parse_stream_message(std::string_view bytes, const limits& lim) {
  return parse(bytes, lim, internal::framing::stream);
}

bool is_keepalive(std::string_view datagram) {
  if (datagram.empty() || datagram.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < datagram.size(); i += 2) {
    if (datagram[i] != '\r' || datagram[i + 1] != '\n') return false;
  }
  return true;
}

std::optional<error> unsupported_scheme(const message& request) {
  if (!request.is_request()) return std::nullopt;
  uri u = request.request_uri_parsed();
  if (u.is_sip() || internal::iequals(u.scheme_text, "tel")) return std::nullopt;
  return error{416, "Unsupported URI Scheme"};
}

}  // namespace fedgate::sip
