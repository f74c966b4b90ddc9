#include "actors/presence/memory_subscription_store.hpp"

namespace fedgate::presence {

std::optional<std::string> memory_subscription_store::put(const subscription_record& r) {
  if (auto e = record_error(r)) return "memory: put refused: " + *e;
  std::lock_guard<std::mutex> lock(mutex_);
  records_.insert_or_assign(key{r.direction, r.local, r.remote}, r);
  return std::nullopt;
}

std::optional<std::string> memory_subscription_store::erase(watch_direction d,
                                                            const std::string& local,
                                                            const std::string& remote) {
  std::lock_guard<std::mutex> lock(mutex_);
  records_.erase(key{d, local, remote});
  return std::nullopt;
}

std::vector<subscription_record> memory_subscription_store::load_all() {
  std::vector<subscription_record> out;
  read_all(out);
  return out;
}

std::optional<std::string> memory_subscription_store::read_all(
    std::vector<subscription_record>& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  out.clear();
  out.reserve(records_.size());
  for (const auto& [k, r] : records_)
    out.push_back(r);
  return std::nullopt;
}

std::size_t memory_subscription_store::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return records_.size();
}

std::string memory_subscription_store::describe() const {
  return "memory";
}

std::unique_ptr<subscription_store> make_memory_store() {
  return std::make_unique<memory_subscription_store>();
}

}  // namespace fedgate::presence
