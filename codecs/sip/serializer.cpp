#include "codecs/sip/serializer.hpp"

#include <algorithm>

#include "codecs/sip/internal/chars.hpp"
#include "codecs/sip/parser.hpp"

namespace fedgate::sip {

using namespace internal;

namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ", value.empty() ? 1 : 2);
  out.append(value);
  out.append("\r\n");
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  std::size_t len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (len > 0)
    out.push_back(digits[--len]);
}

}  // namespace

std::string serialize(const message& m) {
  std::string out;
  out.reserve(m.raw().size() + 32);
  if (m.is_request()) {
    out.append(m.method()).push_back(' ');
    out.append(m.request_uri()).append(" SIP/2.0\r\n");
  } else {
    out.append("SIP/2.0 ");
    append_number(out, static_cast<std::size_t>(m.status_code()));
    out.push_back(' ');
    out.append(m.reason_phrase()).append("\r\n");
  }
  bool wrote_length = false;
  for (std::size_t i = 0; i < m.header_count(); ++i) {
    header_field f = m.header_at(i);
    if (f.id == header_id::content_length) {
      out.append(f.name).append(": ");
      append_number(out, m.body().size());
      out.append("\r\n");
      wrote_length = true;
      continue;
    }
    append_field(out, f.name, f.value);
  }
  if (!wrote_length) {
    out.append("Content-Length: ");
    append_number(out, m.body().size());
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(m.body());
  return out;
}

std::string_view reason_phrase(int status) {
  switch (status) {  // RFC 3261 §21 unless noted
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 181:
      return "Call Is Being Forwarded";
    case 182:
      return "Queued";
    case 183:
      return "Session Progress";
    case 199:
      return "Early Dialog Terminated";  // RFC 6228
    case 200:
      return "OK";
    case 202:
      return "Accepted";  // RFC 3265 (deprecated by RFC 6665, still sent)
    case 204:
      return "No Notification";  // RFC 5839
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Moved Temporarily";
    case 305:
      return "Use Proxy";
    case 380:
      return "Alternative Service";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 412:
      return "Conditional Request Failed";  // RFC 3903
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Unsupported URI Scheme";
    case 420:
      return "Bad Extension";
    case 421:
      return "Extension Required";
    case 423:
      return "Interval Too Brief";
    case 480:
      return "Temporarily Unavailable";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 482:
      return "Loop Detected";
    case 483:
      return "Too Many Hops";
    case 484:
      return "Address Incomplete";
    case 485:
      return "Ambiguous";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 489:
      return "Bad Event";  // RFC 6665
    case 491:
      return "Request Pending";
    case 493:
      return "Undecipherable";
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Server Time-out";
    case 505:
      return "Version Not Supported";
    case 513:
      return "Message Too Large";
    case 600:
      return "Busy Everywhere";
    case 603:
      return "Decline";
    case 604:
      return "Does Not Exist Anywhere";
    case 606:
      return "Not Acceptable";
    default:
      break;
  }
  switch (status / 100) {  // §21: unknown codes are treated as x00 of their class
    case 1:
      return "Progress";
    case 2:
      return "Success";
    case 3:
      return "Redirection";
    case 4:
      return "Client Error";
    case 5:
      return "Server Error";
    default:
      return "Global Failure";
  }
}

message_builder message_builder::request(std::string_view method, std::string_view request_uri) {
  message_builder b(std::string(method) + " " + std::string(request_uri) + " SIP/2.0");
  if (!is_token(method)) b.error_ = bad_request("Invalid method");
  if (request_uri.empty() || find_any(request_uri, " \t\r\n") != std::string_view::npos)
    b.error_ = bad_request("Invalid Request-URI");
  return b;
}

message_builder message_builder::response(int status, std::string_view reason) {
  if (reason.empty()) reason = reason_phrase(status);
  message_builder b("SIP/2.0 " + std::to_string(status) + " " + std::string(reason));
  if (status < 100 || status > 699) b.error_ = bad_request("Invalid status code");
  if (find_any(reason, "\r\n") != std::string_view::npos)
    b.error_ = bad_request("Invalid reason phrase");
  return b;
}

void message_builder::check(std::string_view name, std::string_view value) {
  if (error_) return;
  if (!is_token(name)) error_ = bad_request("Invalid header name");
  if (find_any(value, "\r\n") != std::string_view::npos)
    error_ = bad_request("CR or LF in header value");
}

message_builder& message_builder::header(std::string_view name, std::string_view value) {
  check(name, value);
  if (lookup_header(name) == header_id::content_length) return *this;
  headers_.emplace_back(std::string(name), std::string(value));
  return *this;
}

message_builder& message_builder::prepend_header(std::string_view name, std::string_view value) {
  check(name, value);
  if (lookup_header(name) == header_id::content_length) return *this;
  headers_.emplace(headers_.begin(), std::string(name), std::string(value));
  return *this;
}

message_builder& message_builder::remove_header(header_id id) {
  headers_.erase(std::remove_if(headers_.begin(), headers_.end(),
                                [id](const auto& h) { return lookup_header(h.first) == id; }),
                 headers_.end());
  return *this;
}

message_builder& message_builder::body(std::string_view content_type, std::string_view bytes) {
  remove_header(header_id::content_type);
  if (!content_type.empty()) header(header_id::content_type, content_type);
  body_.assign(bytes.data(), bytes.size());
  return *this;
}

result<std::string> message_builder::serialize() const {
  if (error_) return *error_;
  std::size_t size = start_line_.size() + body_.size() + 48;
  for (const auto& h : headers_)
    size += h.first.size() + h.second.size() + 4;
  std::string out;
  out.reserve(size);
  out.append(start_line_).append("\r\n");
  for (const auto& h : headers_)
    append_field(out, h.first, h.second);
  out.append("Content-Length: ");
  append_number(out, body_.size());
  out.append("\r\n\r\n");
  out.append(body_);
  return out;
}

result<message> message_builder::build(const limits& lim) const {
  auto bytes = serialize();
  if (!bytes) return bytes.err();
  return parse_datagram(*bytes, lim);
}

message_builder make_response(const message& request, int status, std::string_view reason,
                              std::string_view to_tag) {
  message_builder b = message_builder::response(status, reason);
  std::string_view method = request.method();
  bool dialog_creating = method == "INVITE" || method == "SUBSCRIBE" || method == "REFER";
  for (std::size_t i = 0; i < request.header_count(); ++i) {
    header_field f = request.header_at(i);
    switch (f.id) {
      case header_id::via:
      case header_id::from:
      case header_id::call_id:
      case header_id::cseq:
        b.header(f.name, f.value);
        break;
      case header_id::to:
        if (status != 100 && !to_tag.empty() && request.to().tag().empty()) {
          b.header(f.name, std::string(f.value) + ";tag=" + std::string(to_tag));
        } else {
          b.header(f.name, f.value);
        }
        break;
      case header_id::timestamp:
        if (status == 100) b.header(f.name, f.value);
        break;
      case header_id::record_route:
        if (dialog_creating && status > 100 && status < 300) b.header(f.name, f.value);
        break;
      default:
        break;
    }
  }
  return b;
}

}  // namespace fedgate::sip
