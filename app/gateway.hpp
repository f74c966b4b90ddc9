#pragma once
// Runs the gateway: prepares the state directory and certificates, starts the CAF actor system
// with its scheduler sized from the config, and stops cleanly on SIGTERM/SIGINT.
//
// Signals are blocked in every thread before CAF starts its threads and taken synchronously with
// sigwait() on the main thread, so no signal handler ever runs inside actor code.

#include <cstddef>

#include "app/config.hpp"

namespace fedgate::app {

// Returns the process exit code: 0 after a clean stop, 1 when start-up failed (logged).
int run_gateway(config cfg);

// Scheduler threads for a config value: 0 means one per core.
unsigned scheduler_threads(unsigned configured);

// Messages an actor handles per scheduling turn (CAF scheduler.max-throughput); why it is bounded
// is in gateway.cpp where it is set.
inline constexpr std::size_t scheduler_max_throughput = 100;

}  // namespace fedgate::app
