#include "bench/fedgate_bench/component_listener.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "codecs/xmpp/serializer.hpp"
#include "codecs/xmpp/stream_framer.hpp"

namespace fedgate::bench {

namespace {

constexpr std::string_view component_ns = "jabber:component:accept";

std::string random_id() {
  std::random_device rd;
  std::string out;
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < 16; ++i)
    out += digits[rd() % 16];
  return out;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string sha1_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
  std::string out;
  const char* digits = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 15];
  }
  return out;
}

struct component_listener::connection : xmpp::stream_handler,
                                        std::enable_shared_from_this<connection> {
  component_listener* owner = nullptr;
  int fd = -1;
  std::mutex write_mutex;  // the connection thread (header, handshake) and send() both write
  std::string id = random_id();
  bool authenticated = false;
  bool done = false;
  std::string why;  // why the stream ended
  std::unique_ptr<xmpp::stream_framer> framer;

  bool write(std::string_view bytes) {
    std::lock_guard<std::mutex> lock(write_mutex);
    return fd >= 0 && write_all(fd, bytes);
  }

  void fail(xmpp::stream_error_condition condition, const std::string& text) {
    std::string out;
    xmpp::write_stream_error(out, condition, text);
    out += xmpp::stream_close_tag;
    write(out);
    why = text;
    done = true;
  }

  void on_stream_open(const xmpp::stream_header& header) override {
    if (header.content_namespace != component_ns) {
      fail(xmpp::stream_error_condition::invalid_namespace,
           "expected " + std::string(component_ns));
      return;
    }
    // XEP-0114 §3: the answer carries the component's name (the 'to' it asked for) and the id
    // its handshake digest is made from; no version, no features.
    auto h = xmpp::make_stream_header(component_ns, header.to, "", id, false, "", "");
    std::string out;
    xmpp::write_stream_header(out, h);
    if (!write(out)) done = true;
  }

  void on_element(pugi::xml_document& doc) override {
    pugi::xml_node e = doc.document_element();
    if (!authenticated) {
      if (std::string_view(e.name()) != "handshake") {
        fail(xmpp::stream_error_condition::not_authorized, "handshake expected");
        return;
      }
      std::string got = e.text().get();
      for (auto& ch : got)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (got != sha1_hex(id + owner->secret_)) {
        {
          std::lock_guard<std::mutex> lock(owner->mutex_);
          ++owner->counters_.auth_failed;
        }
        fail(xmpp::stream_error_condition::not_authorized, "handshake digest mismatch");
        return;
      }
      if (!write("<handshake/>")) {
        done = true;
        return;
      }
      authenticated = true;
      std::lock_guard<std::mutex> lock(owner->mutex_);
      ++owner->counters_.authenticated;
      owner->counters_.connected = true;
      owner->active_ = shared_from_this();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(owner->mutex_);
      ++owner->counters_.stanzas;
    }
    if (owner->on_stanza_) owner->on_stanza_(e);
  }

  void on_whitespace(std::size_t) override {}

  void on_stream_close() override {
    write(xmpp::stream_close_tag);
    why = "stream closed by the component";
    done = true;
  }

  void on_error(const xmpp::stream_error& error) override {
    fail(error.condition, "stream error from the framer: " + error.text);
  }
};

component_listener::component_listener(std::string secret, stanza_callback on_stanza)
    : secret_(std::move(secret)), on_stanza_(std::move(on_stanza)) {}

component_listener::~component_listener() {
  stop();
}

bool component_listener::start(const std::string& host, std::uint16_t port, std::string& error) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    error = "not an IPv4 address: " + host;
    return false;
  }
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    error = "bind/listen " + host + ":" + std::to_string(port) + ": " + std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
  return true;
}

void component_listener::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    // Bounded wait: stop() is noticed within 200 ms.
    if (::poll(&p, 1, 200) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_shared<connection>();
    c->owner = this;
    c->fd = fd;
    c->framer = std::make_unique<xmpp::stream_framer>(*c);
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.accepted;
    connections_.push_back(c);
    threads_.emplace_back([this, c] { serve(c); });
  }
}

void component_listener::serve(std::shared_ptr<connection> c) {
  std::string buf(64 * 1024, '\0');
  while (!stopping_ && !c->done) {
    pollfd p{c->fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    ssize_t n = ::recv(c->fd, buf.data(), buf.size(), 0);
    if (n == 0) {
      c->why = "connection closed by the component";
      break;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      c->why = std::string("recv: ") + std::strerror(errno);
      break;
    }
    c->framer->consume(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
  if (stopping_ && c->why.empty()) c->why = "bench stopping";
  {
    std::lock_guard<std::mutex> wl(c->write_mutex);
    ::close(c->fd);
    c->fd = -1;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++counters_.closed;
  counters_.last_close = c->why;
  if (active_ == c) {
    active_.reset();
    counters_.connected = false;
  }
}

void component_listener::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& t : threads)
    t.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

bool component_listener::send(std::string_view bytes) {
  std::shared_ptr<connection> c;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    c = active_;
  }
  return c && c->write(bytes);
}

component_listener::counters component_listener::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counters_;
}

}  // namespace fedgate::bench
