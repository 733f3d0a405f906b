#!/bin/sh
# run.sh BIN - runs every benchmark script (tests/bench/*.sh but this one) and
# prints their reports. Benchmarks measure real work against the simulator and
# report ratios against a peer (the aws CLI) measured in the same run.
set -u
cd "$(dirname "$0")/../.." || exit 2
FD_BIN=${1:-$(pwd)/build/fleetdeck}
export FD_BIN
status=0
for b in tests/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	[ "$(basename "$b")" = lib.sh ] && continue
	echo "== $b"
	sh "$b" || { echo "bench $b failed"; status=1; }
done
exit $status
