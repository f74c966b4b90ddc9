#pragma once
// Starts a program for a test and talks to it by PID: reads its output line by line with a
// deadline, signals it, and reaps it. Used for the fedgate binary and for real peers (Prosody,
// SIPp, Kamailio...), which tests always stop by PID, never by name.
//
// Every wait has a deadline, so a hung child fails the test instead of hanging ctest; the
// destructor kills (SIGKILL) and reaps a child that is still running.

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fedgate::testing {

class child_process {
 public:
  // Runs argv[0] (a path) with stdout and stderr merged into one pipe the test reads. With
  // `with_stdin`, the child's standard input is a pipe the test writes with write_stdin();
  // otherwise it is /dev/null.
  explicit child_process(std::vector<std::string> argv, bool with_stdin = false);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }

  // Reads output until a line containing `needle` arrives (returns it), the child closes its
  // output, or the deadline passes (nullopt in both cases). Lines read are kept in output().
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout);

  // Writes to the child's standard input (with_stdin only). False when the child closed it.
  bool write_stdin(const std::string& bytes);
  // Closes the child's standard input (it sees EOF).
  void close_stdin();

  // Sends `sig` to the child.
  void signal(int sig);

  // Waits for the child to exit; returns its exit code (128+N when killed by signal N), or
  // nullopt when it is still running at the deadline. Reads remaining output meanwhile.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  // Everything the child printed so far.
  const std::string& output() const { return output_; }

 private:
  bool read_some(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int pid_fd_ = -1;
  int in_fd_ = -1;  // pidfd_open(2): readable when the child exits
  std::string output_;
  std::size_t scanned_ = 0;  // output_ before this offset has been searched line by line
  std::optional<int> exit_code_;
};

}  // namespace fedgate::testing
