#pragma once
// Structured log lines: one event per line, as logfmt or JSON (chosen in the config), with the
// context an operator filters on (partner, stream id, reason) as fields rather than prose.
//
// spdlog does the rest (timestamps, thread-safe sinks); this layer only renders the event and its
// fields, so every component logs the same way:
//   log::warn("s2s negotiation failed", {{"partner", domain}, {"stream", id}, {"reason", why}});

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace fedgate::log {

enum class level { trace, debug, info, warn, error };
enum class format { logfmt, json };

struct field {
  std::string_view key;
  std::string value;
  field(std::string_view k, std::string_view v) : key(k), value(v) {}
  field(std::string_view k, const char* v) : key(k), value(v) {}
  field(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <class Int, class = std::enable_if_t<std::is_integral_v<Int>>>
  field(std::string_view k, Int v) : key(k), value(std::to_string(v)) {}
};

using fields = std::initializer_list<field>;

// Installs the process-wide logger (to stderr). Call once at start-up; before it, lines go to
// stderr as logfmt at info.
void init(level min_level, format fmt);

// Changes the minimum level of the installed logger (a config reload of general.log_level).
void set_level(level min_level);

void write(level lvl, std::string_view message, fields f = {});
inline void trace(std::string_view m, fields f = {}) {
  write(level::trace, m, f);
}
inline void debug(std::string_view m, fields f = {}) {
  write(level::debug, m, f);
}
inline void info(std::string_view m, fields f = {}) {
  write(level::info, m, f);
}
inline void warn(std::string_view m, fields f = {}) {
  write(level::warn, m, f);
}
inline void error(std::string_view m, fields f = {}) {
  write(level::error, m, f);
}

// The payload after the timestamp and level, exposed for tests:
//   logfmt: msg="stream closed" partner=a.example reason="policy violation"
//   json:   "msg":"stream closed","partner":"a.example","reason":"policy violation"
std::string render(format fmt, std::string_view message, fields f);

}  // namespace fedgate::log
