#!/bin/sh
# run.sh - screen tests. Each tests/ui/NAME.keys is a key script (see src/tui_script.c)
# run by the console headlessly (FD_TUI_HEADLESS=1, no terminal needed) against a
# cache prepared by tests/ui/mkcache.c, with the clock fixed. Every "@save FILE" in
# the script is compared with tests/ui/FILE. Header comments of a script:
#   # size: COLSxROWS     screen size (default 120x40)
#   # env: K=V ...        extra environment (e.g. NO_COLOR=1 LC_ALL=C)
#   # args: ...           fleetdeck arguments (default --offline)
# tests/ui/NAME.config and NAME.theme, when present, become the user's config file
# ($XDG_CONFIG_HOME/fleetdeck/config) and theme for that script.
# UPDATE=1 tests/ui/run.sh rewrites the expected files instead (see README.md).
# Runs from anywhere; FD_BIN names the binary (default build/fleetdeck).
set -u
cd "$(dirname "$0")/../.." || exit 2
FD_BIN=${FD_BIN:-$(pwd)/build/fleetdeck}
LIB=$(dirname "$FD_BIN")/libfleetdeck.a
NOW=2026-12-04T12:00:00Z
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

die() {
	echo "ui: $*" >&2
	exit 1
}

[ -x "$FD_BIN" ] || die "no binary at $FD_BIN (run make)"
[ -f "$LIB" ] || die "no $LIB next to the binary (run make)"

# The fleet fixture, built through the cache API.
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -O1 \
	-Iinclude tests/ui/mkcache.c "$LIB" ${FD_LINK_FLAGS:-} \
	$(pkg-config --libs ncursesw libcurl libcrypto libcjson sqlite3 libpcre2-8) -lm \
	-o "$tmp/mkcache" || die "could not build tests/ui/mkcache.c"
mkdir -p "$tmp/fixture/fleetdeck"
FLEETDECK_NOW=$NOW "$tmp/mkcache" "$tmp/fixture/fleetdeck/cache.db" || die "mkcache failed"

cat >"$tmp/awsconfig" <<'EOF'
[default]
region = us-east-1

[profile staging]
region = eu-west-1

[profile prod]
region = us-east-1
fleetdeck_prod = true
read_only = true

[profile empty]
region = us-west-2
EOF

TIMEOUT=""
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 60"

header() { # FIELD FILE: value of "# FIELD: value"
	sed -n "s/^# $1: //p" "$2" | head -1
}

# run_one KEYS: runs the script; saved screens land in $tmp/NAME/out
run_one() {
	keys=$1
	name=$(basename "$keys" .keys)
	dir="$tmp/$name"
	mkdir -p "$dir/out" "$dir/home" "$dir/config" "$dir/cache"
	cp -R "$tmp/fixture/fleetdeck" "$dir/cache/"
	mkdir -p "$dir/config/fleetdeck"
	for f in config theme; do
		[ -f "tests/ui/$name.$f" ] && cp "tests/ui/$name.$f" "$dir/config/fleetdeck/$f"
	done
	size=$(header size "$keys")
	args=$(header args "$keys")
	extra=$(header env "$keys")
	# shellcheck disable=SC2086
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
		-u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_ENDPOINT_URL -u NO_COLOR \
		HOME="$dir/home" XDG_CACHE_HOME="$dir/cache" XDG_CONFIG_HOME="$dir/config" \
		AWS_CONFIG_FILE="$tmp/awsconfig" AWS_SHARED_CREDENTIALS_FILE="$tmp/none" \
		AWS_EC2_METADATA_DISABLED=true FLEETDECK_NOW=$NOW TZ=UTC LC_ALL=C.UTF-8 \
		TERM=xterm-256color FD_TUI_HEADLESS=1 FD_TUI_SIZE="${size:-120x40}" \
		FD_TUI_SCRIPT="$keys" FD_TUI_SAVE_DIR="$dir/out" $extra \
		$TIMEOUT "$FD_BIN" ${args:---offline} >"$dir/stdout" 2>"$dir/stderr"
}

passed=0 failed=0
for keys in tests/ui/*.keys; do
	[ -f "$keys" ] || continue
	name=$(basename "$keys" .keys)
	ok=1
	if ! run_one "$keys"; then
		ok=0
		echo "FAIL $name: fleetdeck exited with an error:"
		sed 's/^/    /' "$tmp/$name/stderr" | head -10
	fi
	for f in $(sed -n 's/^@save\(-roles\)\{0,1\} //p' "$keys"); do
		got="$tmp/$name/out/$f"
		want="tests/ui/$f"
		if [ ! -f "$got" ]; then
			[ $ok -eq 0 ] || echo "FAIL $name: no screen saved as $f"
			ok=0
		elif [ "${UPDATE:-}" = 1 ]; then
			cp "$got" "$want"
		elif [ ! -f "$want" ]; then
			echo "FAIL $name: no expected $want (UPDATE=1 $0 writes it)"
			ok=0
		elif ! diff -u "$want" "$got" >"$tmp/diff"; then
			echo "FAIL $name: $f differs from the expected screen:"
			sed 's/^/    /' "$tmp/diff"
			ok=0
		fi
	done
	if [ $ok -eq 1 ]; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
