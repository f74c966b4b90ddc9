#pragma once
// Test helper: a stream_handler that records every event as one line of text, so tests can
// compare whole event sequences, and drivers that feed bytes whole, in chunks or byte by byte.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/stream_framer.hpp"

namespace fedgate::xmpp::test {

// "{ns}local a=1 b=2 text='...' [child; child]" with attributes sorted by resolved name and
// namespace declarations left out; children described the same way, recursively.
inline std::string describe(pugi::xml_node e) {
  auto n = resolve_name(e);
  std::string s = n ? n->clark() : std::string{"?"} + e.name();
  std::vector<std::pair<std::string, std::string>> attrs;
  for (auto a : e.attributes()) {
    if (is_namespace_declaration(a)) continue;
    auto an = resolve_attribute_name(e, a);
    attrs.emplace_back(an ? an->clark() : std::string{"?"} + a.name(), a.value());
  }
  std::sort(attrs.begin(), attrs.end());
  for (auto& [k, v] : attrs)
    s += " " + k + "=" + v;
  std::string kids, text;
  for (auto c : e.children()) {
    if (c.type() == pugi::node_element) {
      kids += (kids.empty() ? "" : "; ") + describe(c);
    } else {
      text += c.value();
    }
  }
  if (!text.empty()) s += " text='" + text + "'";
  if (!kids.empty()) s += " [" + kids + "]";
  return s;
}

class event_recorder : public stream_handler {
 public:
  std::vector<std::string> events;
  stream_framer* framer = nullptr;
  std::string stop_after;  // stop() after an element whose describe() starts with this

  void on_stream_open(const stream_header& h) override {
    std::string s = "open";
    s += " from=" + h.from + " to=" + h.to + " id=" + h.id + " version=" + h.version +
         " lang=" + h.lang + " ns=" + h.content_namespace;
    for (auto& d : h.declarations)
      s += " xmlns" + (d.prefix.empty() ? "" : ":" + d.prefix) + "=" + d.uri;
    for (auto& [k, v] : h.other_attributes)
      s += " " + k + "=" + v;
    if (h.xml_declaration) s += " decl";
    events.push_back(std::move(s));
  }
  void on_element(pugi::xml_document& doc) override {
    auto d = describe(doc.document_element());
    if (!stop_after.empty() && framer && d.compare(0, stop_after.size(), stop_after) == 0)
      framer->stop();
    events.push_back("elem " + d);
  }
  void on_whitespace(std::size_t n) override {
    // Whitespace may arrive in pieces depending on chunking: merge adjacent reports.
    if (!events.empty() && events.back().compare(0, 3, "ws ") == 0) {
      n += std::stoul(events.back().substr(3));
      events.pop_back();
    }
    events.push_back("ws " + std::to_string(n));
  }
  void on_stream_close() override { events.push_back("close"); }
  void on_error(const stream_error& e) override {
    events.push_back("error " + std::string{to_string(e.condition)});
  }
};

// Feeds `input` in chunks of `chunk` bytes (0 = whole); returns the events.
inline std::vector<std::string> frame(std::string_view input, std::size_t chunk = 0,
                                      limits lim = {}) {
  event_recorder rec;
  stream_framer f{rec, lim};
  rec.framer = &f;
  if (chunk == 0) chunk = input.size() ? input.size() : 1;
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    auto part = input.substr(i, chunk);
    std::size_t used = f.consume(part);
    if (used != part.size()) break;
  }
  return rec.events;
}

// The last event (usually the one a test is about).
inline std::string last_event(std::string_view input, std::size_t chunk = 0, limits lim = {}) {
  auto ev = frame(input, chunk, lim);
  return ev.empty() ? std::string{} : ev.back();
}

}  // namespace fedgate::xmpp::test
