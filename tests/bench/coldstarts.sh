#!/bin/sh
# Cold-start benchmarks (issue 6), through tests/bench/coldstart_bench.c:
#   statistics over 1,000,000 cached REPORT records: goal <= 1 s and <= 100 MB peak RSS
#   parsing 1,000,000 REPORT lines (text and JSON half and half): goal >= 1,000,000/s
# COLDSTART_RECORDS / COLDSTART_LINES change the sizes. Exit status 1 when a goal is
# missed. Needs build/libfleetdeck.a (make).
. tests/bench/lib.sh
N=${COLDSTART_RECORDS:-1000000}
L=${COLDSTART_LINES:-1000000}
LIB=$(dirname "$FD_BIN")/libfleetdeck.a
[ -f "$LIB" ] || { echo "no $LIB (run make)"; exit 1; }

${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -O2 \
	-Iinclude tests/bench/coldstart_bench.c "$LIB" \
	$(pkg-config --libs ncursesw libcurl libcrypto libcjson sqlite3 libpcre2-8) -lm \
	-o "$B/coldstart_bench" || { echo "could not build tests/bench/coldstart_bench.c"; exit 1; }

get() { sed -n "s/^$1 //p" "$2" | head -1; }
status=0

"$B/coldstart_bench" populate "$B/bench.db" "$N" >"$B/populate" || { cat "$B/populate"; exit 1; }
echo "cache: $N REPORT records written in $(get seconds "$B/populate") s" \
	"($(($(wc -c <"$B/bench.db") / 1048576)) MB file)"

best=999
for i in 1 2 3; do
	"$B/coldstart_bench" stats "$B/bench.db" >"$B/stats" || { cat "$B/stats"; exit 1; }
	best=$(python3 -c "print(min(float('$best'), float('$(get seconds "$B/stats")')))")
done
rss_kb=$(get rss_kb "$B/stats")
echo "cold-start statistics: $(get records "$B/stats") records, $(get cold "$B/stats") cold" \
	"starts, $(get rows "$B/stats") groups; best of 3 $best s, peak RSS $((rss_kb / 1024)) MB"
echo "  $(get top "$B/stats")"
if python3 -c "import sys; sys.exit(0 if float('$best') <= 1.0 else 1)"; then
	echo "GOAL statistics <= 1 s: met"
else
	echo "GOAL statistics <= 1 s: MISSED"
	status=1
fi
if [ "$rss_kb" -le 102400 ]; then
	echo "GOAL statistics <= 100 MB: met"
else
	echo "GOAL statistics <= 100 MB: MISSED"
	status=1
fi

best=0
for i in 1 2 3; do
	"$B/coldstart_bench" parse "$L" >"$B/parse" || { cat "$B/parse"; exit 1; }
	best=$(python3 -c "print(max(float('$best'), float('$(get lines_per_s "$B/parse")')))")
done
echo "REPORT parsing: $L lines ($(($(get bytes "$B/parse") / 1048576)) MB, text and JSON)," \
	"best of 3 $(printf '%.0f' "$best") lines/s"
if python3 -c "import sys; sys.exit(0 if float('$best') >= 1e6 else 1)"; then
	echo "GOAL parse >= 1,000,000 lines/s: met"
else
	echo "GOAL parse >= 1,000,000 lines/s: MISSED"
	status=1
fi
exit $status
