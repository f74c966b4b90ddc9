#include "app/control_server.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace fedgate::app {
namespace {

constexpr std::size_t max_line = 4096;
constexpr int io_timeout_ms = 5000;

bool fill_address(const std::filesystem::path& path, sockaddr_un& addr, std::string& error) {
  addr = sockaddr_un{};
  addr.sun_family = AF_UNIX;
  std::string p = path.string();
  if (p.size() >= sizeof addr.sun_path) {
    error = "socket path too long: " + p;
    return false;
  }
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  return true;
}

// Reads until `\n` (not included) or EOF, bounded in size and time.
bool read_line(int fd, std::string& line) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(io_timeout_ms);
  char buf[512];
  while (line.size() < max_line) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return !line.empty();
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') return true;
      line += buf[i];
    }
  }
  return false;
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

control_server::~control_server() {
  stop();
}

bool control_server::start(const std::filesystem::path& path, handler h, std::string& error) {
  if (thread_.joinable()) {
    error = "already started";
    return false;
  }
  sockaddr_un addr;
  if (!fill_address(path, addr, error)) return false;
  // A socket that answers belongs to a running gateway with the same state directory: refuse
  // rather than steal it. One that does not is stale (a crash) and is replaced.
  int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool alive = ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(probe);
  if (alive) {
    error = "another fedgate is running with this state directory (" + path.string() + ")";
    return false;
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  // Created owner-only: no window in which another user could connect.
  mode_t old = ::umask(0177);
  int rc = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0 || ::listen(listen_fd_, 16) != 0 || ::pipe2(wake_, O_CLOEXEC) != 0) {
    error = "cannot listen on " + path.string() + ": " + std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }
  ::chmod(path.c_str(), 0600);
  path_ = path;
  handler_ = std::move(h);
  thread_ = std::thread([this] { serve(); });
  return true;
}

void control_server::serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::string line;
    if (read_line(fd, line)) write_all(fd, handler_(line) + "\n");
    ::close(fd);
  }
}

void control_server::stop() {
  if (!thread_.joinable()) return;
  char c = 'x';
  if (::write(wake_[1], &c, 1) != 1) {
    // The pipe cannot be full (one byte per stop); nothing else to do.
  }
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
  listen_fd_ = wake_[0] = wake_[1] = -1;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

std::string control_request(const std::filesystem::path& path, const std::string& command,
                            std::string& error) {
  sockaddr_un addr;
  if (!fill_address(path, addr, error)) return "";
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = "cannot connect to " + path.string() + ": " + std::strerror(errno) +
            " (is fedgate running with this config?)";
    ::close(fd);
    return "";
  }
  write_all(fd, command + "\n");
  std::string answer;
  if (!read_line(fd, answer)) error = "no answer from " + path.string();
  ::close(fd);
  return answer;
}

}  // namespace fedgate::app
