#pragma once
// The subscription store in memory: what the SQLite store does, with nothing kept past the
// process. For tests (the presence actors' and the store's own typed tests run against both) and
// for a gateway that is told to keep no state file.

#include <map>
#include <mutex>
#include <tuple>

#include "actors/presence/subscription_store.hpp"

namespace fedgate::presence {

class memory_subscription_store final : public subscription_store {
 public:
  std::optional<std::string> put(const subscription_record& r) override;
  std::optional<std::string> erase(watch_direction d, const std::string& local,
                                   const std::string& remote) override;
  std::vector<subscription_record> load_all() override;
  std::optional<std::string> read_all(std::vector<subscription_record>& out) override;
  std::size_t size() override;
  std::string describe() const override;

 private:
  // (direction, local, remote): std::string compares bytes as unsigned char, as SQLite's BINARY
  // collation does, so both stores give load_all() in the same order.
  using key = std::tuple<watch_direction, std::string, std::string>;
  std::mutex mutex_;
  std::map<key, subscription_record> records_;
};

}  // namespace fedgate::presence
