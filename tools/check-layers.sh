#!/bin/sh
# check-layers.sh - fails when a layer reaches past its neighbours (design.md §1):
#   views/   no curses, curl, cJSON, sqlite3, pcre2 or OpenSSL headers
#   curses   only in src/draw.c
#   curl, OpenSSL, cJSON   only in aws/
#   sqlite3  only in cache/
#   aws/     never includes model, cache, app or UI headers
#   cache/   never includes the aws client or UI headers
set -u
cd "$(dirname "$0")/.." || exit 2
violations=0

rule() {
	# rule DESCRIPTION REGEX FILES...: an #include matching REGEX in FILES is a violation
	desc=$1
	pattern=$2
	shift 2
	for f in "$@"; do
		[ -f "$f" ] || continue
		hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$f")
		[ -n "$hits" ] || continue
		printf '%s\n' "$hits" | sed "s|^|layer violation: $f:|; s|\$| ($desc)|"
		violations=$((violations + 1))
	done
}

libs='curses\.h|ncurses|curl/|cjson/|cJSON\.h|sqlite3\.h|pcre2\.h|openssl/'
curses='curses\.h|ncurses'
rule "views draw through draw.h and read models only" "$libs" views/*.c views/*.h include/fleetdeck/view.h
rule "only src/draw.c may use curses" "$curses" $(ls src/*.c aws/*.c cache/*.c include/fleetdeck/*.h 2>/dev/null | grep -v '^src/draw\.c$')
rule "libcurl, OpenSSL and cJSON belong to aws/" 'curl/|openssl/|cjson/|cJSON\.h' src/*.c cache/*.c include/fleetdeck/*.h
rule "sqlite3 belongs to cache/" 'sqlite3\.h' src/*.c aws/*.c views/*.c include/fleetdeck/*.h
rule "aws/ is below the model, cache and UI" 'fleetdeck/(model|cache|view|draw|tui|keymap|app|output)\.h' aws/*.c
rule "cache/ is below the model and UI, beside aws/" 'fleetdeck/(aws|http|sigv4|creds|model|view|draw|tui|keymap|app)\.h|curl/' cache/*.c cache/*.h

if [ "$violations" -gt 0 ]; then
	echo "check-layers: $violations file(s) break the layering"
	exit 1
fi
echo "check-layers: layers respected"
