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

name_addr message::from() const {
  return parse_name_addr(view(fields_[from_].value), "From").value();
}

name_addr message::to() const {
  return parse_name_addr(view(fields_[to_].value), "To").value();
}

std::optional<std::uint8_t> message::max_forwards() const {
  if (max_forwards_ < 0) return std::nullopt;
  return static_cast<std::uint8_t>(max_forwards_);
}

std::vector<via> message::vias() const {
  std::vector<via> out;
  for (const auto& f : fields_) {
    if (f.id != header_id::via) continue;
    list_reader reader(view(f.value));
    std::string_view element;
    while (reader.next(element))
      out.push_back(parse_via(element).value());
  }
  return out;
}

via message::top_via() const {
  for (const auto& f : fields_) {
    if (f.id != header_id::via) continue;
    list_reader reader(view(f.value));
    std::string_view element;
    reader.next(element);
    return parse_via(element).value();
  }
  return via{};  // unreachable for a parsed message: Via is mandatory
}

bool message::contact_is_wildcard() const {
  auto c = header(header_id::contact);
  return c && *c == "*";
}

std::vector<name_addr> message::address_list(header_id id) const {
  std::vector<name_addr> out;
  for (const auto& f : fields_) {
    if (f.id != id || view(f.value) == "*") continue;
    list_reader reader(view(f.value));
    std::string_view element;
    while (reader.next(element))
      out.push_back(parse_name_addr(element, "Contact").value());
  }
  return out;
}

std::optional<media_type> message::content_type() const {
  if (content_type_ == none) return std::nullopt;
  return parse_media_type(view(fields_[content_type_].value)).value();
}

}  // namespace fedgate::sip
