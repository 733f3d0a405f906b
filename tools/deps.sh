#!/bin/sh
# deps.sh - installs what fleetdeck needs to build, demo and test.
#   tools/deps.sh          install (apt on Debian/Ubuntu, dnf on Fedora, brew on macOS)
#   tools/deps.sh --check  exit 0 when everything is present, else list what is missing
#   tools/deps.sh --dev    also the test/fuzz tools (clang, mandoc, tmux, valgrind)
set -u
mode=${1:-install}
libs="ncursesw libcurl libcrypto libcjson sqlite3 libpcre2-8"

missing() {
	m=""
	command -v pkg-config >/dev/null 2>&1 || { echo "pkg-config"; return; }
	for p in $libs; do pkg-config --exists "$p" || m="$m $p"; done
	command -v python3 >/dev/null 2>&1 || m="$m python3"
	command -v cc >/dev/null 2>&1 || m="$m cc"
	command -v openssl >/dev/null 2>&1 || m="$m openssl"
	if [ "$mode" = --dev ] || [ "$mode" = --check-dev ]; then
		for t in clang mandoc tmux; do command -v $t >/dev/null 2>&1 || m="$m $t"; done
	fi
	echo "$m"
}

if [ "$mode" = --check ] || [ "$mode" = --check-dev ]; then
	m=$(missing)
	if [ -n "$(echo "$m" | tr -d ' ')" ]; then
		echo "fleetdeck needs:$m (run tools/deps.sh)" >&2
		exit 1
	fi
	exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if command -v apt-get >/dev/null 2>&1; then
	pkgs="build-essential pkg-config libncurses-dev libcurl4-openssl-dev libssl-dev libcjson-dev
	      libsqlite3-dev libpcre2-dev python3 openssl ca-certificates"
	[ "$mode" = --dev ] && pkgs="$pkgs clang libclang-rt-dev mandoc tmux valgrind sqlite3"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# libclang-rt-dev is versioned on older releases: fall back to the default clang's.
	if [ "$mode" = --dev ] && ! apt-cache show libclang-rt-dev >/dev/null 2>&1; then
		v=$(apt-cache depends clang 2>/dev/null | sed -n 's/.*Depends: clang-\([0-9]*\).*/\1/p' | head -1)
		pkgs=$(echo "$pkgs" | sed "s/libclang-rt-dev/libclang-rt-${v:-14}-dev/")
	fi
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs
elif command -v dnf >/dev/null 2>&1; then
	pkgs="gcc make pkgconf-pkg-config ncurses-devel libcurl-devel openssl-devel cjson-devel
	      sqlite-devel pcre2-devel python3 openssl"
	[ "$mode" = --dev ] && pkgs="$pkgs clang compiler-rt mandoc tmux valgrind"
	# shellcheck disable=SC2086
	$sudo dnf install -y $pkgs
elif command -v brew >/dev/null 2>&1; then
	pkgs="pkg-config ncurses curl openssl@3 cjson sqlite pcre2 python3"
	[ "$mode" = --dev ] && pkgs="$pkgs llvm mandoc tmux"
	# shellcheck disable=SC2086
	brew install $pkgs
	echo "note: export PKG_CONFIG_PATH=\"\$(brew --prefix)/opt/ncurses/lib/pkgconfig:\$(brew --prefix)/opt/openssl@3/lib/pkgconfig:\$PKG_CONFIG_PATH\""
else
	echo "deps.sh: no apt-get, dnf or brew found; install:$(missing)" >&2
	exit 1
fi
m=$(missing)
if [ -n "$(echo "$m" | tr -d ' ')" ]; then
	echo "deps.sh: still missing:$m" >&2
	exit 1
fi
echo "deps.sh: all dependencies present"
