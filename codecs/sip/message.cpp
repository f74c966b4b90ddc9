#include "codecs/sip/message.hpp"

#include "codecs/sip/internal/chars.hpp"

namespace fedgate::sip {

std::optional<std::string_view> message::header(header_id id) const {
  for (const auto& f : fields_) {
    if (f.id == id) return view(f.value);
  }
  return std::nullopt;
}

std::optional<std::string_view> message::header(std::string_view name) const {
  header_id id = lookup_header(name);
  if (id != header_id::other) return header(id);
  for (const auto& f : fields_) {
    if (f.id == header_id::other && internal::iequals(view(f.name), name)) return view(f.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> message::header_values(header_id id) const {
  std::vector<std::string_view> out;
  for (const auto& f : fields_) {
    if (f.id == id) out.push_back(view(f.value));
  }
  return out;
}

std::optional<std::uint8_t> message::max_forwards() const {
  if (max_forwards_ < 0) return std::nullopt;
  return static_cast<std::uint8_t>(max_forwards_);
}

bool message::contact_is_wildcard() const {
  auto c = header(header_id::contact);
  return c && *c == "*";
}

message::message(const message& other)
    : buffer_(other.buffer_),
      fields_(other.fields_),
      method_(other.method_),
      request_uri_(other.request_uri_),
      reason_(other.reason_),
      body_(other.body_),
      cseq_method_(other.cseq_method_),
      cseq_number_(other.cseq_number_),
      status_(other.status_),
      from_(other.from_),
      to_(other.to_),
      call_id_(other.call_id_),
      content_type_(other.content_type_),
      max_forwards_(other.max_forwards_),
      request_(other.request_) {
  derive_typed();
}

message::message(message&& other) noexcept {
  *this = std::move(other);
}

message& message::operator=(const message& other) {
  if (this != &other) *this = message(other);
  return *this;
}

message& message::operator=(message&& other) noexcept {
  if (this == &other) return *this;
  const char* old_data = other.buffer_.data();
  buffer_ = std::move(other.buffer_);
  fields_ = std::move(other.fields_);
  vias_ = std::move(other.vias_);
  from_value_ = other.from_value_;
  to_value_ = other.to_value_;
  contacts_ = std::move(other.contacts_);
  routes_ = std::move(other.routes_);
  record_routes_ = std::move(other.record_routes_);
  content_type_value_ = other.content_type_value_;
  method_ = other.method_;
  request_uri_ = other.request_uri_;
  reason_ = other.reason_;
  body_ = other.body_;
  cseq_method_ = other.cseq_method_;
  cseq_number_ = other.cseq_number_;
  status_ = other.status_;
  from_ = other.from_;
  to_ = other.to_;
  call_id_ = other.call_id_;
  content_type_ = other.content_type_;
  max_forwards_ = other.max_forwards_;
  request_ = other.request_;
  // A std::string with heap storage hands it over, so the views stay valid; one that kept its
  // characters inline (small-string optimisation) did not: parse the views again.
  if (buffer_.data() != old_data) derive_typed();
  other.buffer_.clear();  // the moved-from message is an empty one
  other.fields_.clear();
  other.clear_typed();
  other.reset_scalars();
  return *this;
}

void message::reset_scalars() {
  method_ = request_uri_ = reason_ = body_ = cseq_method_ = span{};
  cseq_number_ = 0;
  status_ = 0;
  from_ = to_ = call_id_ = content_type_ = none;
  max_forwards_ = -1;
  request_ = true;
}

void message::clear_typed() {
  vias_.clear();
  from_value_ = name_addr{};
  to_value_ = name_addr{};
  contacts_.clear();
  routes_.clear();
  record_routes_.clear();
  content_type_value_.reset();
}

void message::derive_typed() {
  clear_typed();
  auto list = [](std::string_view value, std::vector<name_addr>& out) {
    list_reader reader(value);
    std::string_view element;
    while (reader.next(element))
      out.push_back(parse_name_addr(element).value());
  };
  for (const auto& f : fields_) {
    std::string_view value = view(f.value);
    switch (f.id) {
      case header_id::via: {
        list_reader reader(value);
        std::string_view element;
        while (reader.next(element))
          vias_.push_back(parse_via(element).value());
        break;
      }
      case header_id::contact:
        if (value != "*") list(value, contacts_);
        break;
      case header_id::route:
        list(value, routes_);
        break;
      case header_id::record_route:
        list(value, record_routes_);
        break;
      default:
        break;
    }
  }
  if (from_ != none) from_value_ = parse_name_addr(view(fields_[from_].value)).value();
  if (to_ != none) to_value_ = parse_name_addr(view(fields_[to_].value)).value();
  if (content_type_ != none)
    content_type_value_ = parse_media_type(view(fields_[content_type_].value)).value();
}

}  // namespace fedgate::sip
