#pragma once
// The process-wide Prometheus registry every fedgate metric family lives in
// (metrics/families.hpp), and the text exposition of a set of collectables.
//
// One registry, so one scrape sees everything and a family name can only be registered once.
// Serving it over HTTP is metrics/admin_server.hpp's job, not this file's.

#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Collectable;
class Registry;
}  // namespace prometheus

namespace fedgate::metrics {

// The process-wide registry (created on first use, never destroyed before exit).
std::shared_ptr<prometheus::Registry> registry();

// What fedgate's /metrics serves: registry() and the process collector
// (metrics/process_collector.hpp).
std::vector<std::shared_ptr<prometheus::Collectable>> default_collectables();

// The Prometheus text exposition format (version 0.0.4) of everything the collectables hold.
std::string serialize(const std::vector<std::shared_ptr<prometheus::Collectable>>& collectables);

}  // namespace fedgate::metrics
