#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fedgate::testing {

child_process::child_process(std::vector<std::string> argv, bool with_stdin) {
  ::signal(SIGPIPE, SIG_IGN);  // a child that exits must not kill the test with SIGPIPE
  int fds[2];
  int in[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (with_stdin && ::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    if (with_stdin) {
      ::dup2(in[0], STDIN_FILENO);
    } else {
      int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, STDIN_FILENO);
    }
    // The test runner may block signals; the child starts with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
  if (with_stdin) {
    ::close(in[0]);
    in_fd_ = in[1];
  }
  pid_fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pid_fd_ < 0) throw std::runtime_error("pidfd_open failed");
}

child_process::~child_process() {
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  if (pid_fd_ >= 0) ::close(pid_fd_);
  if (in_fd_ >= 0) ::close(in_fd_);
}

bool child_process::write_stdin(const std::string& bytes) {
  std::size_t done = 0;
  while (in_fd_ >= 0 && done < bytes.size()) {
    ssize_t n = ::write(in_fd_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return in_fd_ >= 0;
}

void child_process::close_stdin() {
  if (in_fd_ >= 0) ::close(in_fd_);
  in_fd_ = -1;
}

bool child_process::read_some(std::chrono::steady_clock::time_point deadline) {
  if (out_fd_ < 0) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() < 0) return false;
  pollfd p{out_fd_, POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(left.count()));
  if (n <= 0) return false;
  char buf[4096];
  ssize_t got = ::read(out_fd_, buf, sizeof buf);
  if (got <= 0) {
    ::close(out_fd_);
    out_fd_ = -1;
    return false;
  }
  output_.append(buf, static_cast<std::size_t>(got));
  return true;
}

std::optional<std::string> child_process::wait_for_line(const std::string& needle,
                                                        std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t eol;
    while ((eol = output_.find('\n', scanned_)) != std::string::npos) {
      std::string line = output_.substr(scanned_, eol - scanned_);
      scanned_ = eol + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    if (!read_some(deadline)) return std::nullopt;
  }
}

void child_process::signal(int sig) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      while (read_some(std::chrono::steady_clock::now())) {
      }
      return exit_code_;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    // Wake on either output or the child's exit (its pidfd becomes readable).
    pollfd fds[2] = {{pid_fd_, POLLIN, 0}, {out_fd_, POLLIN, 0}};
    ::poll(fds, out_fd_ >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (out_fd_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) read_some(deadline);
  }
}

}  // namespace fedgate::testing
