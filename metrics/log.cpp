#include "metrics/log.hpp"

#include <memory>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace fedgate::log {
namespace {

spdlog::level::level_enum to_spdlog(level l) {
  switch (l) {
    case level::trace:
      return spdlog::level::trace;
    case level::debug:
      return spdlog::level::debug;
    case level::info:
      return spdlog::level::info;
    case level::warn:
      return spdlog::level::warn;
    case level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

format current_format = format::logfmt;
std::shared_ptr<spdlog::logger> logger;

// A double-quoted string with \" \\ \n \r \t escapes and \u00XX for the other control bytes:
// RFC 8259 §7 for JSON, and the common reading of logfmt (go-logfmt), which also escapes DEL.
void append_quoted(std::string& out, std::string_view v, bool escape_del) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || (escape_del && c == 0x7f)) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// logfmt values are bare unless they hold a space, quote, '=', backslash or control byte.
void append_logfmt_value(std::string& out, std::string_view v) {
  bool quote = v.empty();
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
      quote = true;
      break;
    }
  }
  if (quote) {
    append_quoted(out, v, true);
  } else {
    out += v;
  }
}

void append_json_string(std::string& out, std::string_view v) {
  append_quoted(out, v, false);
}

std::shared_ptr<spdlog::logger> make_logger(level min_level, format fmt) {
  auto l = std::make_shared<spdlog::logger>("fedgate",
                                            std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (fmt == format::json) {
    l->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                   spdlog::pattern_time_type::utc);
  } else {
    l->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l %v", spdlog::pattern_time_type::utc);
  }
  l->set_level(to_spdlog(min_level));
  l->flush_on(spdlog::level::trace);  // operators tail logs; a line must not sit in a buffer
  return l;
}

}  // namespace

std::string render(format fmt, std::string_view message, fields f) {
  std::string out;
  out.reserve(64 + message.size());
  if (fmt == format::json) {
    out += "\"msg\":";
    append_json_string(out, message);
    for (const auto& kv : f) {
      out += ',';
      append_json_string(out, kv.key);
      out += ':';
      append_json_string(out, kv.value);
    }
  } else {
    out += "msg=";
    append_logfmt_value(out, message);
    for (const auto& kv : f) {
      out += ' ';
      out += kv.key;
      out += '=';
      append_logfmt_value(out, kv.value);
    }
  }
  return out;
}

void init(level min_level, format fmt) {
  current_format = fmt;
  logger = make_logger(min_level, fmt);
}

void set_level(level min_level) {
  if (!logger) logger = make_logger(min_level, current_format);
  logger->set_level(to_spdlog(min_level));
}

void write(level lvl, std::string_view message, fields f) {
  if (!logger) logger = make_logger(level::info, format::logfmt);
  if (!logger->should_log(to_spdlog(lvl))) return;
  logger->log(to_spdlog(lvl), "{}", render(current_format, message, f));
}

}  // namespace fedgate::log
