#include "tests/support/prosody_transcript.hpp"

#include <fstream>
#include <map>

namespace fedgate::testing {
namespace {

void put_utf8(std::string& s, unsigned cp) {
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The transcripts are flat JSON objects; only their string values matter here (RFC 8259 §7
// escapes, surrogate pairs joined).
std::map<std::string, std::string> parse_json_line(const std::string& line) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
  };
  auto read_string = [&] {
    std::string s;
    ++i;
    while (i < line.size() && line[i] != '"') {
      if (line[i] != '\\') {
        s += line[i++];
        continue;
      }
      char e = line[++i];
      ++i;
      switch (e) {
        case 'n':
          s += '\n';
          break;
        case 't':
          s += '\t';
          break;
        case 'r':
          s += '\r';
          break;
        case 'b':
          s += '\b';
          break;
        case 'f':
          s += '\f';
          break;
        case 'u': {
          unsigned cp = std::stoul(line.substr(i, 4), nullptr, 16);
          i += 4;
          if (cp >= 0xD800 && cp < 0xDC00 && line.compare(i, 2, "\\u") == 0) {
            unsigned lo = std::stoul(line.substr(i + 2, 4), nullptr, 16);
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(s, cp);
          break;
        }
        default:
          s += e;
      }
    }
    ++i;
    return s;
  };
  skip_ws();
  ++i;  // '{'
  while (i < line.size()) {
    skip_ws();
    if (line[i] == '}') break;
    std::string key = read_string();
    skip_ws();
    ++i;  // ':'
    skip_ws();
    if (line[i] == '"') {
      out[key] = read_string();
    } else {
      while (i < line.size() && line[i] != ',' && line[i] != '}')
        ++i;
    }
    skip_ws();
    if (i < line.size() && line[i] == ',') ++i;
  }
  return out;
}

}  // namespace

std::vector<transcript_chunk> load_prosody_transcript(const std::string& name) {
  std::ifstream in(std::string(FEDGATE_SOURCE_DIR) + "/tests/codecs/xmpp/data/prosody-s2s/" + name +
                   ".jsonl");
  std::vector<transcript_chunk> out;
  std::string line;
  while (std::getline(in, line)) {
    auto m = parse_json_line(line);
    if (m.count("data")) out.push_back({m["conn"], m["from"], m["layer"], m["data"]});
  }
  return out;
}

}  // namespace fedgate::testing
