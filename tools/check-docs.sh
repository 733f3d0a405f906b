#!/bin/sh
# check-docs.sh BIN - every command and global option the binary knows has an entry
# in man/fleetdeck.1, and the man page documents nothing the binary lacks.
set -u
bin=$1
man=man/fleetdeck.1
cd "$(dirname "$0")/.." || exit 2
status=0

cmds=$("$bin" help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
opts=$("$bin" help | sed -n '/^global options:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
man_cmds=$(sed -n '/^\.Sh COMMANDS/,/^\.Sh /p' "$man" | sed -n 's/^\.It Cm \([a-z-]*\).*/\1/p' | sort -u)
man_opts=$(sed -n '/^\.Sh GLOBAL OPTIONS/,/^\.Sh /p' "$man" | sed -n 's/^\.It Fl \(-[a-z-]*\).*/-\1/p' | sort -u)

for c in $cmds; do
	echo "$man_cmds" | grep -qx "$c" || { echo "check-docs: command '$c' is missing from $man (COMMANDS)"; status=1; }
done
for c in $man_cmds; do
	echo "$cmds" | grep -qx "$c" || { echo "check-docs: $man documents command '$c' that fleetdeck does not have"; status=1; }
done
for o in $opts; do
	echo "$man_opts" | grep -qx -- "$o" || { echo "check-docs: option '$o' is missing from $man (GLOBAL OPTIONS)"; status=1; }
done
for o in $man_opts; do
	echo "$opts" | grep -qx -- "$o" || { echo "check-docs: $man documents option '$o' that fleetdeck does not have"; status=1; }
done

# Keys: the KEYS list must be what tools/man-keys.sh makes from the key table.
if "$bin" help keys >/dev/null 2>&1; then
	want=$(sh tools/man-keys.sh "$bin")
	have=$(sed -n '/^\.\\" BEGIN KEYS/,/^\.\\" END KEYS/p' "$man" | sed '1d;$d')
	if [ "$want" != "$have" ]; then
		echo "check-docs: the KEYS list in $man is stale: run make update-docs"
		status=1
	fi
fi
[ $status -eq 0 ] && echo "check-docs: commands, options and keys documented"
exit $status
