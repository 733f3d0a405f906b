# Inventory benchmarks (issue 3): cold refresh of 10,000 functions (API calls, wall
# time, share of each quota), warm offline listing vs the aws CLI listing the same
# functions, time to first row, peak RSS, and the cache's size. Wall times on a busy
# machine wander: the listing's CPU time is printed beside them.
. tests/bench/lib.sh
N=${BENCH_FUNCTIONS:-10000}
sim_start --functions "$N" || { echo "simulator did not start"; exit 1; }

measure "$B/cold.json" "$FD_BIN" functions --output json --window 1h
cold_secs=$SECS cold_rss=$RSS_KB
[ "$RC" -eq 0 ] || { echo "cold refresh failed (exit $RC)"; exit 1; }
rows=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$B/cold.json")
sim_get stats >"$B/stats.json"
python3 - "$B/stats.json" "$cold_secs" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); secs = float(sys.argv[2])
quota = {"lambda:ListFunctions": 15, "monitoring:GetMetricData": 50, "logs:DescribeLogGroups": 5,
         "lambda:GetAccountSettings": 15, "sts:GetCallerIdentity": 50}
total = sum(s["requests"].values())
print("cold refresh: %d API calls in %.1f s" % (total, secs))
for op, n in sorted(s["requests"].items()):
    peak = s.get("max_per_second", {}).get(op, 0)
    q = quota.get(op)
    share = " (%.0f%% of %d/s quota)" % (100.0 * peak / q, q) if q else ""
    print("  %-32s %6d calls, peak %3d/s%s" % (op, n, peak, share))
PY
echo "cold refresh: $rows functions, $cold_secs s wall, peak RSS $((cold_rss / 1024)) MB"

# cpu_secs CMD...: user + system CPU seconds of CMD (stdout discarded).
cpu_secs() {
	python3 - "$@" <<'PY'
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, _, ru = os.wait4(p.pid, 0)
print("%.3f" % (ru.ru_utime + ru.ru_stime))
PY
}

best=999 best_cpu=999 best_fb=999
for i in 1 2 3 4 5; do
	measure "$B/warm.json" "$FD_BIN" --offline functions --output json 2>/dev/null
	best=$(python3 -c "print(min(float('$best'), float('$SECS')))")
	cpu=$(cpu_secs "$FD_BIN" --offline functions --output json)
	best_cpu=$(python3 -c "print(min(float('$best_cpu'), float('$cpu')))")
	fb=$(first_byte "$FD_BIN" --offline functions --output ndjson 2>/dev/null)
	best_fb=$(python3 -c "print(min(float('$best_fb'), float('$fb')))")
done
warm_rss=$RSS_KB
echo "warm offline listing: best of 5 $best s wall ($best_cpu s CPU), first row after $best_fb s (goal <= 0.050 s), peak RSS $((warm_rss / 1024)) MB (goal <= 40 MB)"
db="$XDG_CACHE_HOME/fleetdeck/cache.db"
[ -f "$db" ] && echo "cache file: $(($(wc -c <"$db") / 1048576)) MB for $rows functions"

if command -v aws >/dev/null 2>&1; then
	measure "$B/aws.json" aws --endpoint-url "$SIM_URL" lambda list-functions --output json
	aws_secs=$SECS
	aws_rows=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['Functions']))" "$B/aws.json")
	echo "aws lambda list-functions: $aws_rows functions in $aws_secs s"
	echo "RATIO functions --offline vs aws lambda list-functions: $(ratio "$aws_secs" "$best")x faster (goal >= 20x)"
else
	echo "aws CLI not installed: no ratio (absolute times above)"
fi
