#pragma once
// A token bucket per partner domain, shared by every presence actor: the per-partner cap on
// presence stanzas and NOTIFYs (docs/presence.md, "Storms"). Thread-safe; one short critical
// section per call. A refused take is not an error: the caller keeps its update pending (the
// coalescer merges it with later ones) and tries again at its next flush.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fedgate::presence {

class partner_rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  // `per_second` tokens a second, bursts up to one second's worth. 0: no limit.
  explicit partner_rate_limiter(unsigned per_second) : rate_(per_second) {}

  // Takes `n` tokens of `partner`'s bucket if it has them.
  bool try_take(std::string_view partner, unsigned n = 1, clock::time_point now = clock::now());

  // Updates refused so far (for logs and tests).
  std::uint64_t refused() const;

 private:
  struct bucket {
    double tokens = 0;
    clock::time_point last{};
  };
  unsigned rate_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, bucket> buckets_;
  std::uint64_t refused_ = 0;
};

}  // namespace fedgate::presence
