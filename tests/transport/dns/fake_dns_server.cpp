#include "tests/transport/dns/fake_dns_server.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fedgate::testing {
namespace {

constexpr std::uint16_t type_a = 1, type_aaaa = 28, type_srv = 33;

std::uint16_t type_number(const std::string& t) {
  return t == "A" ? type_a : t == "AAAA" ? type_aaaa : type_srv;
}

std::string key_of(std::string name) {
  while (!name.empty() && name.back() == '.')
    name.pop_back();
  for (auto& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

std::string encode_name(const std::string& name) {
  std::string out;
  std::string n = key_of(name);
  std::size_t pos = 0;
  while (pos < n.size()) {
    auto dot = n.find('.', pos);
    if (dot == std::string::npos) dot = n.size();
    out.push_back(static_cast<char>(dot - pos));
    out.append(n, pos, dot - pos);
    pos = dot + 1;
  }
  out.push_back('\0');
  return out;
}

}  // namespace

fake_dns_server::fake_dns_server() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return;
  }
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { serve(); });
}

fake_dns_server::~fake_dns_server() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void fake_dns_server::add_srv(const std::string& name, std::uint16_t priority, std::uint16_t weight,
                              std::uint16_t port, const std::string& target) {
  std::string rdata;
  put16(rdata, priority);
  put16(rdata, weight);
  put16(rdata, port);
  rdata += target == "." ? std::string(1, '\0') : encode_name(target);
  std::lock_guard<std::mutex> lock(mu_);
  records_[key_of(name)].push_back(rr{type_srv, rdata});
}

void fake_dns_server::add_a(const std::string& name, const std::string& address) {
  in_addr v4{};
  ::inet_pton(AF_INET, address.c_str(), &v4);
  std::lock_guard<std::mutex> lock(mu_);
  records_[key_of(name)].push_back(rr{type_a, std::string(reinterpret_cast<char*>(&v4), 4)});
}

void fake_dns_server::add_aaaa(const std::string& name, const std::string& address) {
  in6_addr v6{};
  ::inet_pton(AF_INET6, address.c_str(), &v6);
  std::lock_guard<std::mutex> lock(mu_);
  records_[key_of(name)].push_back(rr{type_aaaa, std::string(reinterpret_cast<char*>(&v6), 16)});
}

void fake_dns_server::set_behaviour(const std::string& name, const std::string& type, behaviour b) {
  std::lock_guard<std::mutex> lock(mu_);
  behaviours_[key_of(name) + "/" + std::to_string(type_number(type))] = b;
}

int fake_dns_server::queries(const std::string& name, const std::string& type) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(key_of(name) + "/" + std::to_string(type_number(type)));
  return it == counts_.end() ? 0 : it->second;
}

bool fake_dns_server::wait_for_queries(const std::string& name, const std::string& type, int n,
                                       std::chrono::milliseconds timeout) const {
  std::string key = key_of(name) + "/" + std::to_string(type_number(type));
  std::unique_lock<std::mutex> lock(mu_);
  return seen_.wait_for(lock, timeout, [&] {
    auto it = counts_.find(key);
    return it != counts_.end() && it->second >= n;
  });
}

// Returns the response bytes, or an empty string for "stay silent".
std::string fake_dns_server::answer(const std::string& q) {
  if (q.size() < 12) return {};
  // Question name (no compression in queries from c-ares).
  std::size_t pos = 12;
  std::string name;
  for (int labels = 0; labels < 128 && pos < q.size(); ++labels) {
    auto len = static_cast<unsigned char>(q[pos]);
    ++pos;
    if (len == 0) break;
    if (len > 63 || pos + len > q.size()) return {};
    if (!name.empty()) name += '.';
    name.append(q, pos, len);
    pos += len;
  }
  if (pos + 4 > q.size()) return {};
  std::uint16_t qtype = static_cast<std::uint16_t>((static_cast<unsigned char>(q[pos]) << 8) |
                                                   static_cast<unsigned char>(q[pos + 1]));
  std::size_t question_end = pos + 4;
  std::string key = key_of(name);
  std::vector<rr> answers;
  int rcode = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string bkey = key + "/" + std::to_string(qtype);
    ++counts_[bkey];
    seen_.notify_all();
    auto b = behaviours_.find(bkey);
    if (b != behaviours_.end() && b->second == behaviour::drop) return {};
    if (b != behaviours_.end() && b->second == behaviour::servfail) {
      rcode = 2;
    } else {
      auto it = records_.find(key);
      if (it == records_.end()) {
        rcode = 3;  // NXDOMAIN
      } else {
        for (const auto& r : it->second)
          if (r.type == qtype) answers.push_back(r);  // none: NODATA (rcode 0, no answers)
      }
    }
  }
  std::string out;
  out.append(q, 0, 2);                                     // id
  put16(out, static_cast<std::uint16_t>(0x8580 | rcode));  // QR AA RD RA + rcode
  put16(out, 1);
  put16(out, static_cast<std::uint16_t>(answers.size()));
  put16(out, 0);
  put16(out, 0);
  out.append(q, 12, question_end - 12);
  for (const auto& a : answers) {
    put16(out, 0xc00c);  // pointer to the question name
    put16(out, a.type);
    put16(out, 1);  // IN
    put16(out, 0);
    put16(out, 60);  // TTL
    put16(out, static_cast<std::uint16_t>(a.rdata.size()));
    out += a.rdata;
  }
  return out;
}

void fake_dns_server::serve() {
  while (!stop_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[1500];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    auto n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    std::string reply = answer(std::string(buf, static_cast<std::size_t>(n)));
    if (!reply.empty()) {
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
}

}  // namespace fedgate::testing
