#include "metrics/process_collector.hpp"

#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace fedgate::metrics {
namespace {

// /proc/self/stat (proc(5)): the command name (field 2) is in parentheses and may hold spaces,
// so fields are counted from the last ')'. Field 3 (state) is the first after it.
struct stat_fields {
  unsigned long utime = 0;       // 14, clock ticks
  unsigned long stime = 0;       // 15
  unsigned long long start = 0;  // 22, clock ticks after boot
  unsigned long vsize = 0;       // 23, bytes
  long rss_pages = 0;            // 24
};

std::optional<stat_fields> read_stat() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::string skip;
  stat_fields f;
  // fields 3..13
  for (int i = 3; i <= 13; ++i)
    rest >> skip;
  rest >> f.utime >> f.stime;
  for (int i = 16; i <= 21; ++i)
    rest >> skip;
  rest >> f.start >> f.vsize >> f.rss_pages;
  if (!rest) return std::nullopt;
  return f;
}

std::optional<double> boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      if (in >> v) return v;
      return std::nullopt;
    }
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

std::optional<double> count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return std::nullopt;
  double n = 0;
  while (auto* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the descriptor opendir() itself holds
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

}  // namespace

process_sample read_process_sample() {
  process_sample s;
  if (auto st = read_stat()) {
    double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    if (ticks > 0) {
      s.cpu_seconds = static_cast<double>(st->utime + st->stime) / ticks;
      if (auto boot = boot_time_seconds()) {
        s.start_time_seconds = *boot + static_cast<double>(st->start) / ticks;
      }
    }
    s.virtual_bytes = static_cast<double>(st->vsize);
    if (page > 0) s.resident_bytes = static_cast<double>(st->rss_pages) * page;
  }
  s.open_fds = count_open_fds();
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    s.max_fds = static_cast<double>(lim.rlim_cur);  // RLIM_INFINITY reads as 2^64-1
  }
  return s;
}

std::vector<prometheus::MetricFamily> process_collector::Collect() const {
  using prometheus::MetricType;
  auto s = read_process_sample();
  std::vector<prometheus::MetricFamily> out;
  if (s.cpu_seconds)
    out.push_back(family("process_cpu_seconds_total",
                         "Total user and system CPU time spent in seconds.", MetricType::Counter,
                         *s.cpu_seconds));
  if (s.resident_bytes)
    out.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes.",
                         MetricType::Gauge, *s.resident_bytes));
  if (s.virtual_bytes)
    out.push_back(family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                         MetricType::Gauge, *s.virtual_bytes));
  if (s.open_fds)
    out.push_back(family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
                         *s.open_fds));
  if (s.max_fds)
    out.push_back(family("process_max_fds", "Maximum number of open file descriptors.",
                         MetricType::Gauge, *s.max_fds));
  if (s.start_time_seconds)
    out.push_back(family("process_start_time_seconds",
                         "Start time of the process since unix epoch in seconds.",
                         MetricType::Gauge, *s.start_time_seconds));
  return out;
}

}  // namespace fedgate::metrics
