#!/bin/sh
# man-keys.sh BIN - prints the man page's KEYS list from the binary's key table
# (`fleetdeck help keys`), so keys are documented from the one list they come from.
# `make update-docs` splices it into man/fleetdeck.1; check-docs.sh fails when stale.
set -u
"$1" help keys | awk -F '\t' '
BEGIN { print ".Bl -tag -width Ds" }
{
	n = split($1, k, " ")
	keys = ""
	for (i = 1; i <= n; i++)
		keys = keys (i > 1 ? " " : "") "\\&" k[i]
	printf ".It Li %s\n", keys
	printf "%s", toupper(substr($3, 1, 1)) substr($3, 2)
	printf " (%s).\n", $2
}
END { print ".El" }'
