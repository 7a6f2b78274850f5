#!/usr/bin/env bash
# build/fuzz-one.sh PKG TARGET FUZZTIME: one fuzz target for a fixed time (make fuzz).
#
# Go 1.26's fuzz coordinator can report "context deadline exceeded" as a failure
# when -fuzztime ends while a worker is mid-input (golang/go#75804, fixed in Go
# 1.27). Such a run writes no failing input, so it is retried once; any run that
# writes a failing input, panics or fails otherwise fails at once.
set -uo pipefail
pkg=$1 target=$2 fuzztime=$3
for attempt in 1 2; do
  out=$(${GO:-go} test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" 2>&1)
  code=$?
  printf '%s\n' "$out"
  [ $code -eq 0 ] && exit 0
  if [ $attempt -eq 1 ] && grep -q 'context deadline exceeded' <<<"$out" &&
     ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' <<<"$out"; then
    echo "fuzz: $target hit Go's fuzztime deadline race (golang/go#75804) without a failing input; running it again"
    continue
  fi
  exit $code
done
