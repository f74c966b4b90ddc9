#include "metrics/registry.hpp"

#include <sstream>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "metrics/process_collector.hpp"

namespace fedgate::metrics {

std::shared_ptr<prometheus::Registry> registry() {
  static const auto instance = std::make_shared<prometheus::Registry>();
  return instance;
}

std::vector<std::shared_ptr<prometheus::Collectable>> default_collectables() {
  static const auto process = std::make_shared<process_collector>();
  return {registry(), process};
}

std::string serialize(const std::vector<std::shared_ptr<prometheus::Collectable>>& collectables) {
  std::vector<prometheus::MetricFamily> all;
  for (const auto& c : collectables) {
    if (!c) continue;
    auto families = c->Collect();
    all.insert(all.end(), std::make_move_iterator(families.begin()),
               std::make_move_iterator(families.end()));
  }
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, all);
  return out.str();
}

}  // namespace fedgate::metrics
