#include "metrics/mailbox_sampler.hpp"

#include <array>

#include <prometheus/gauge.h>

#include "metrics/families.hpp"

namespace fedgate::metrics {
namespace {

struct window {
  std::atomic<std::int64_t> start_ms{-1};
  std::atomic<std::size_t> peak{0};
};

std::array<window, actor_type_labels.size()>& windows() {
  static std::array<window, actor_type_labels.size()> w;
  return w;
}

}  // namespace

void record_mailbox_sample(actor_type t, std::size_t messages,
                           std::chrono::steady_clock::time_point now) noexcept {
  auto& w = windows()[static_cast<std::size_t>(t)];
  auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  auto start = w.start_ms.load(std::memory_order_relaxed);
  if (start < 0 || now_ms - start >= mailbox_window.count()) {
    // A new window: this sample is its first; another thread may have started it already.
    if (w.start_ms.compare_exchange_strong(start, now_ms, std::memory_order_relaxed)) {
      w.peak.store(messages, std::memory_order_relaxed);
      mailbox_messages().set(t, static_cast<double>(messages));
      return;
    }
  }
  auto peak = w.peak.load(std::memory_order_relaxed);
  while (messages > peak &&
         !w.peak.compare_exchange_weak(peak, messages, std::memory_order_relaxed)) {
  }
  if (messages > peak) mailbox_messages().set(t, static_cast<double>(messages));
}

}  // namespace fedgate::metrics
