#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time, starting from the seed corpus in the source tree
# without writing to it (new inputs go to a work folder in the build tree).
# Usage: run_fuzz.sh <fuzzer binary> <seed corpus dir> <work dir> <seconds>
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
[[ -x $fuzzer ]] || { echo "fuzz target not built: $fuzzer" >&2; exit 1; }
[[ -d $seeds ]] || { echo "seed corpus missing: $seeds" >&2; exit 1; }
mkdir -p "$work/corpus" "$work/artifacts"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds"
