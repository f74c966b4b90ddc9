#pragma once
// Process metrics under the names every Prometheus client library uses (process_cpu_seconds_total,
// process_resident_memory_bytes, ...), read from /proc/self at each scrape. prometheus-cpp has no
// process collector; this is it.
//
// Linux only (procfs). A value that cannot be read is left out of the scrape rather than reported
// as 0, so a dashboard shows a gap instead of a lie.

#include <optional>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace fedgate::metrics {

struct process_sample {
  std::optional<double> cpu_seconds;  // user + system
  std::optional<double> resident_bytes;
  std::optional<double> virtual_bytes;
  std::optional<double> open_fds;
  std::optional<double> max_fds;             // soft RLIMIT_NOFILE
  std::optional<double> start_time_seconds;  // since the Unix epoch
};

// Reads the current values from /proc/self (and /proc/stat for the boot time).
process_sample read_process_sample();

class process_collector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace fedgate::metrics
