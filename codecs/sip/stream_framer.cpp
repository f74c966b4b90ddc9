#include "codecs/sip/stream_framer.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "codecs/sip/header_values.hpp"
#include "codecs/sip/internal/chars.hpp"
#include "codecs/sip/parser.hpp"

namespace fedgate::sip {

using namespace internal;

result<std::optional<std::size_t>> find_content_length(std::string_view headers, std::size_t max) {
  std::optional<std::size_t> found;
  std::size_t pos = 0;
  while (pos < headers.size()) {
    std::size_t eol = headers.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = headers.size();
    std::string_view line = headers.substr(pos, eol - pos);
    pos = eol + 2;
    std::size_t i = 0;
    while (i < line.size() && is_token_char(line[i]))
      ++i;
    std::string_view name = line.substr(0, i);
    if (!iequals(name, "content-length") && !iequals(name, "l")) continue;
    i = skip_ws(line, i);
    if (i >= line.size() || line[i] != ':') continue;
    std::string_view value = line.substr(i + 1);
    // Continuation lines (folding, §7.3.1) belong to the value.
    std::string joined;
    while (pos < headers.size() && is_ws(headers[pos])) {
      std::size_t next = headers.find("\r\n", pos);
      if (next == std::string_view::npos) next = headers.size();
      joined.append(value).push_back(' ');
      value = headers.substr(pos, next - pos);
      pos = next + 2;
    }
    if (!joined.empty()) {
      joined.append(value);
      value = joined;
    }
    if (found) return bad_request("Multiple Content-Length headers");
    auto cl = parse_content_length(value, max);
    if (!cl) return cl.err();
    found = *cl;
  }
  return found;
}

stream_framer::stream_framer(handlers h, limits lim) : handlers_(std::move(h)), limits_(lim) {}

stream_framer::stream_framer(handlers h, limits lim, keepalive_side side)
    : handlers_(std::move(h)), limits_(lim), side_(side) {}

stream_framer::consume_result stream_framer::consume(std::string_view bytes) {
  consume_result out;
  if (fatal_) {
    out.fatal = fatal_;
    return out;
  }
  if (pending_.empty()) {
    // Common case: whole messages per read; frame straight from the caller's bytes.
    std::size_t used = frame(bytes, out);
    if (!fatal_) pending_.assign(bytes.substr(used));
  } else {
    pending_.append(bytes.data(), bytes.size());
    std::size_t used = frame(pending_, out);
    if (!fatal_) pending_.erase(0, used);
  }
  if (fatal_) pending_.clear();
  out.fatal = fatal_;
  return out;
}

std::size_t stream_framer::frame(std::string_view data, consume_result& out) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    // Keepalives and CRLFs before a start line (RFC 5626 §3.5.1, RFC 3261 §7.5).
    if (data[pos] == '\r') {
      std::size_t avail = data.size() - pos;
      if (avail >= 4 && data.compare(pos, 4, "\r\n\r\n") == 0) {
        pos += 4;
        ++out.keepalives;
        if (handlers_.on_keepalive) handlers_.on_keepalive(keepalive_kind::ping);
        continue;
      }
      // A lone trailing CRLF: a pong, or half a ping on the answering side (see the header).
      if (avail == 2 && side_ == keepalive_side::answers_pings && data[pos + 1] == '\n') break;
      if (avail >= 2 && data[pos + 1] == '\n' && (avail == 2 || data[pos + 2] != '\r')) {
        pos += 2;
        ++out.keepalives;
        if (handlers_.on_keepalive) handlers_.on_keepalive(keepalive_kind::pong);
        continue;
      }
      if (avail < 4 && data.compare(pos, avail, std::string_view("\r\n\r\n", avail)) == 0)
        break;  // a keepalive cut short: wait for the rest
    }
    std::string_view rest = data.substr(pos);
    // End of the header section; resume the search where the last call stopped.
    std::size_t from = scanned_ > 3 ? scanned_ - 3 : 0;
    std::size_t hdr_end = rest.find("\r\n\r\n", from);
    if (hdr_end == std::string_view::npos) {
      if (rest.size() > limits_.max_message_bytes) {
        fatal_ = error{513, "Message Too Large: header section exceeds the size limit"};
        out.fatal_bytes.assign(rest.substr(0, limits_.max_message_bytes));
        return pos;
      }
      scanned_ = rest.size();
      break;
    }
    std::size_t header_bytes = hdr_end + 4;
    auto cl = find_content_length(rest.substr(0, hdr_end + 2), limits_.max_message_bytes);
    if (!cl) {
      fatal_ = cl.err();
      out.fatal_bytes.assign(rest.substr(0, std::min(header_bytes, limits_.max_message_bytes)));
      return pos;
    }
    if (!cl->has_value()) {
      fatal_ = bad_request("Missing Content-Length on stream transport");  // §18.3
      out.fatal_bytes.assign(rest.substr(0, std::min(header_bytes, limits_.max_message_bytes)));
      return pos;
    }
    std::size_t total = header_bytes + **cl;
    if (total > limits_.max_message_bytes) {
      fatal_ = error{513, "Message Too Large: message exceeds the size limit"};
      out.fatal_bytes.assign(rest.substr(0, std::min(header_bytes, limits_.max_message_bytes)));
      return pos;
    }
    if (rest.size() < total) {
      scanned_ = hdr_end;  // header end known; recomputed cheaply next time
      break;
    }
    scanned_ = 0;
    auto m = parse_stream_message(rest.substr(0, total), limits_);
    ++out.messages;
    if (m) {
      if (handlers_.on_message) handlers_.on_message(std::move(*m));
    } else {
      if (handlers_.on_bad_message) handlers_.on_bad_message(m.err());
      if (handlers_.on_bad_message_bytes)
        handlers_.on_bad_message_bytes(m.err(), rest.substr(0, total));
    }
    pos += total;
  }
  return pos;
}

}  // namespace fedgate::sip
