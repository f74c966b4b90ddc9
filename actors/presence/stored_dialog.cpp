#include "actors/presence/stored_dialog.hpp"

#include <charconv>

namespace fedgate::presence {
namespace {

void line(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(" ").append(value).append("\n");
}

}  // namespace

std::string dialog_to_text(const sip_layer::dialog& d) {
  std::string out;
  line(out, "v", "1");
  line(out, "call-id", d.call_id);
  line(out, "local-tag", d.local_tag);
  line(out, "remote-tag", d.remote_tag);
  line(out, "local-uri", d.local_uri);
  line(out, "remote-uri", d.remote_uri);
  line(out, "local-cseq", std::to_string(d.local_cseq));
  if (d.remote_cseq) line(out, "remote-cseq", std::to_string(*d.remote_cseq));
  line(out, "remote-target", d.remote_target);
  for (const auto& r : d.route_set)
    line(out, "route", r);
  line(out, "secure", d.secure ? "1" : "0");
  return out;
}

std::optional<sip_layer::dialog> dialog_from_text(std::string_view text) {
  sip_layer::dialog d;
  bool versioned = false;
  auto number = [](std::string_view v, std::uint32_t& out) {
    auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    return r.ec == std::errc{} && r.ptr == v.data() + v.size();
  };
  while (!text.empty()) {
    auto end = text.find('\n');
    auto l = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    auto sp = l.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    auto name = l.substr(0, sp);
    auto value = l.substr(sp + 1);
    std::uint32_t n = 0;
    if (name == "v") {
      if (value != "1") return std::nullopt;
      versioned = true;
    } else if (name == "call-id") {
      d.call_id = value;
    } else if (name == "local-tag") {
      d.local_tag = value;
    } else if (name == "remote-tag") {
      d.remote_tag = value;
    } else if (name == "local-uri") {
      d.local_uri = value;
    } else if (name == "remote-uri") {
      d.remote_uri = value;
    } else if (name == "local-cseq") {
      if (!number(value, n)) return std::nullopt;
      d.local_cseq = n;
    } else if (name == "remote-cseq") {
      if (!number(value, n)) return std::nullopt;
      d.remote_cseq = n;
    } else if (name == "remote-target") {
      d.remote_target = value;
    } else if (name == "route") {
      d.route_set.emplace_back(value);
    } else if (name == "secure") {
      d.secure = value == "1";
    } else {
      return std::nullopt;
    }
  }
  if (!versioned || d.call_id.empty() || d.local_tag.empty() || d.remote_target.empty())
    return std::nullopt;
  return d;
}

}  // namespace fedgate::presence
