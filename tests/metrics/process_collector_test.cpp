#include "metrics/process_collector.hpp"

#include <chrono>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/registry.hpp"

namespace fedgate::metrics {
namespace {

TEST(process_collector, values_are_sane) {
  auto s = read_process_sample();
  ASSERT_TRUE(s.cpu_seconds && s.resident_bytes && s.virtual_bytes && s.open_fds && s.max_fds &&
              s.start_time_seconds);
  EXPECT_GE(*s.cpu_seconds, 0);
  EXPECT_GT(*s.resident_bytes, 1024 * 1024);  // a gtest binary is well over 1 MiB resident
  EXPECT_GE(*s.virtual_bytes, *s.resident_bytes);
  EXPECT_GE(*s.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GE(*s.max_fds, *s.open_fds);
  double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(*s.start_time_seconds, now + 1);
  EXPECT_GT(*s.start_time_seconds, now - 3600);  // this test process started within the hour
}

TEST(process_collector, open_fds_follows_open_and_close) {
  double before = *read_process_sample().open_fds;
  std::vector<int> fds;
  for (int i = 0; i < 10; ++i)
    fds.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(*read_process_sample().open_fds, before + 10);
  for (int fd : fds)
    ::close(fd);
  EXPECT_EQ(*read_process_sample().open_fds, before);
}

TEST(process_collector, cpu_seconds_increase_after_work) {
  double before = *read_process_sample().cpu_seconds;
  // Busy work until the CPU counter moves (clock ticks are 10 ms); bounded at 5 s of wall time.
  volatile std::uint64_t sink = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  double after = before;
  while (after <= before && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 1000000; ++i)
      sink = sink + static_cast<std::uint64_t>(i) * 2654435761u;
    after = *read_process_sample().cpu_seconds;
  }
  EXPECT_GT(after, before);
}

TEST(process_collector, exposition_uses_the_standard_names) {
  auto text = serialize({std::make_shared<process_collector>()});
  for (const char* t :
       {"# TYPE process_cpu_seconds_total counter\n",
        "# TYPE process_resident_memory_bytes gauge\n",
        "# TYPE process_virtual_memory_bytes gauge\n", "# TYPE process_open_fds gauge\n",
        "# TYPE process_max_fds gauge\n", "# TYPE process_start_time_seconds gauge\n"}) {
    EXPECT_THAT(text, ::testing::HasSubstr(t));
  }
  EXPECT_THAT(text, ::testing::ContainsRegex("\nprocess_resident_memory_bytes [0-9.e+]+\n"));
}

}  // namespace
}  // namespace fedgate::metrics
