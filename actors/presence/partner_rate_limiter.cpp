#include "actors/presence/partner_rate_limiter.hpp"

#include <algorithm>

namespace fedgate::presence {

bool partner_rate_limiter::try_take(std::string_view partner, unsigned n, clock::time_point now) {
  if (rate_ == 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(std::string(partner));
  auto& b = it->second;
  if (fresh) {
    b.tokens = rate_;
    b.last = now;
  } else if (now > b.last) {
    double add = std::chrono::duration<double>(now - b.last).count() * rate_;
    b.tokens = std::min<double>(rate_, b.tokens + add);
    b.last = now;
  }
  if (b.tokens < n) {
    ++refused_;
    return false;
  }
  b.tokens -= n;
  return true;
}

std::uint64_t partner_rate_limiter::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

}  // namespace fedgate::presence
