#include "tests/e2e/im_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace fedgate::e2e {

// True once something listens on 127.0.0.1:port (TCP LISTEN state, or a bound UDP socket), read
// from /proc/net: no connection is made, so the peer never sees a probe. Bounded: 200 x 25 ms.
namespace {

// Something listens on 127.0.0.1:port now (TCP in LISTEN state, or a bound UDP socket).
bool is_bound(std::uint16_t port, bool tcp) {
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  std::ifstream in(tcp ? "/proc/net/tcp" : "/proc/net/udp");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string slot, local, remote, state;
    f >> slot >> local >> remote >> state;
    if (local.size() > 5 && local.substr(local.size() - 5) == hex && (!tcp || state == "0A")) {
      return true;
    }
  }
  return false;
}

// Polls /proc until is_bound() == want: there is no event to wait on. Bounded: 200 x 25 ms.
bool wait_until_bound_is(std::uint16_t port, bool tcp, bool want) {
  for (int i = 0; i < 200; ++i) {
    if (is_bound(port, tcp) == want) return true;
    std::this_thread::sleep_for(25ms);
  }
  return false;
}

}  // namespace

bool wait_bound(std::uint16_t port, bool tcp) {
  return wait_until_bound_is(port, tcp, true);
}

bool wait_unbound(std::uint16_t port, bool tcp) {
  return wait_until_bound_is(port, tcp, false);
}

// The requests SIPp received, in order, from its -message_file.
std::vector<logged_sip> received_requests(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::vector<logged_sip> out;
  const std::string marker = " message received [";
  for (auto pos = text.find(marker); pos != std::string::npos; pos = text.find(marker, pos + 1)) {
    auto size_end = text.find(']', pos);
    std::size_t size = std::stoul(text.substr(pos + marker.size(), size_end - pos - marker.size()));
    auto start = text.find("\n\n", size_end);
    if (start == std::string::npos) break;
    std::string raw = text.substr(start + 2, size);
    if (raw.rfind("SIP/2.0", 0) == 0) continue;  // a response (ACKs to our answers, etc.)
    logged_sip m;
    auto head_end = raw.find("\r\n\r\n");
    std::string head = raw.substr(0, head_end);
    m.body = head_end == std::string::npos ? "" : raw.substr(head_end + 4);
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, m.start_line);
    if (!m.start_line.empty() && m.start_line.back() == '\r') m.start_line.pop_back();
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      m.headers.emplace(name, value);
    }
    out.push_back(std::move(m));
  }
  return out;
}

// The message stanzas the client printed ("GOT {json}").
std::vector<nlohmann::json> received_stanzas(const std::string& output) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("GOT ", 0) == 0) out.push_back(nlohmann::json::parse(line.substr(4)));
  }
  return out;
}

// The body of a received stanza in its only (or default) language.
std::string body_of(const nlohmann::json& stanza) {
  const auto& bodies = stanza["bodies"];
  if (bodies.contains("")) return bodies[""];
  return bodies.size() == 1 ? bodies.begin()->get<std::string>() : std::string("<several>");
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace fedgate::e2e
