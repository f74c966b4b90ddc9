#pragma once
// Test data loading for the SIP codec tests: files under tests/codecs/sip/data, found through
// FEDGATE_SOURCE_DIR.

#include <fstream>
#include <sstream>
#include <string>

namespace fedgate::sip::test {

inline std::string read_file(const std::string& relative) {
  std::ifstream in(std::string(FEDGATE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Turns every LF not already preceded by CR into CRLF, in the first `limit` bytes only.
inline std::string lf_to_crlf(const std::string& in, std::size_t limit = std::string::npos) {
  std::string out;
  out.reserve(in.size() + in.size() / 16);
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' && i < limit && (i == 0 || in[i - 1] != '\r')) out.push_back('\r');
    out.push_back(in[i]);
  }
  return out;
}

/// An RFC 4475 message as it goes on the wire (see data/rfc4475/README.md).
inline std::string rfc4475(const std::string& name) {
  std::string raw = read_file("tests/codecs/sip/data/rfc4475/" + name + ".dat");
  if (name == "mpart01") {
    std::size_t end = raw.find("\r\n\r\n");
    if (end == std::string::npos) end = raw.find("\n\n");
    return lf_to_crlf(raw, end + 2);  // header part only: the body is binary
  }
  return lf_to_crlf(raw);
}

}  // namespace fedgate::sip::test
