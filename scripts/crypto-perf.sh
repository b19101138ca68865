#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# scripts/crypto-perf.sh PROFILE [extra application options]
#
# Runs dpdk-test-crypto-perf with one of the bundled profiles (config/perf/NAME.conf, or a
# path) and prints the tool's table.  A profile holds `eal = ...` and `app = ...` lines (each
# may repeat; they are joined in order) and `#` comments.  @NAME@ in a profile is replaced by
# the environment variable NAME (e.g. QAT_PCI, VIRTIO_CRYPTO_PCI): the script stops with the
# profile's own explanation when one is not set.
#
# Extra arguments go after the profile's application options (the tool keeps the last value
# of an option: `--buffer-sz 4096 --total-ops 10000` overrides the profile's).  Extra EAL
# options come from $CRYPTO_PERF_EAL.  Unless the profile or $CRYPTO_PERF_EAL names one, a
# private --file-prefix is added, with --no-shconf; its runtime directory is removed after.
#
#   scripts/crypto-perf.sh --list            the profiles and their first comment line
#   scripts/crypto-perf.sh -n PROFILE ...    print the command line, run nothing
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PERF_DIR="$ROOT/config/perf"

usage() {
	sed -n '5,21s/^# \{0,1\}//p' "$0"
}

if [ $# -eq 0 ]; then
	usage >&2
	exit 2
fi
DRY=0
case $1 in
-h | --help)
	usage
	exit 0
	;;
--list)
	for f in "$PERF_DIR"/*.conf; do
		printf '%-22s %s\n' "$(basename "$f" .conf)" "$(sed -n 's/^# //p' "$f" | head -n 1)"
	done
	exit 0
	;;
-n)
	DRY=1
	shift
	[ $# -gt 0 ] || {
		usage >&2
		exit 2
	}
	;;
esac

PROFILE=$1
shift
if [ -f "$PROFILE" ]; then
	FILE=$PROFILE
elif [ -f "$PERF_DIR/$PROFILE.conf" ]; then
	FILE="$PERF_DIR/$PROFILE.conf"
else
	echo "crypto-perf.sh: no profile '$PROFILE' (scripts/crypto-perf.sh --list)" >&2
	exit 2
fi

# The joined values of the `KEY = ...` lines.
field() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$FILE" | tr '\n' ' ' | tr -s ' ' | sed 's/ $//'
}

# Replace each @NAME@ by $NAME, or stop with the profile's note about it.
subst() {
	out=$1
	for name in $(printf '%s\n' "$1" | grep -o '@[A-Za-z_][A-Za-z0-9_]*@' | sort -u | tr -d '@'); do
		eval "val=\${$name:-}"
		if [ -z "$val" ]; then
			echo "crypto-perf.sh: profile $(basename "$FILE") needs \$$name:" >&2
			grep -i "$name" "$FILE" | grep '^#' >&2 || true
			exit 2
		fi
		out=$(printf '%s\n' "$out" | sed "s|@$name@|$val|g")
	done
	printf '%s\n' "$out"
}

EAL=$(subst "$(field eal) ${CRYPTO_PERF_EAL:-}")
EAL=${EAL% }
APP=$(subst "$(field app)")
[ -n "$APP" ] || {
	echo "crypto-perf.sh: $FILE has no 'app =' line" >&2
	exit 2
}

PREFIX=""
case " $EAL " in
*" --file-prefix"*) ;;
*)
	PREFIX="cryptoperf$$"
	EAL="$EAL --file-prefix $PREFIX"
	case " $EAL " in *" --no-shconf "* | *" --in-memory "*) ;; *) EAL="$EAL --no-shconf" ;; esac
	;;
esac

if [ "$DRY" = 1 ]; then
	echo "dpdk-test-crypto-perf $EAL -- $APP $*"
	exit 0
fi
command -v dpdk-test-crypto-perf >/dev/null || {
	echo "crypto-perf.sh: dpdk-test-crypto-perf not found (Debian package dpdk-dev)" >&2
	exit 2
}
if [ -n "$PREFIX" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		RUNDIR=/var/run/dpdk/$PREFIX
	else
		RUNDIR=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$PREFIX
	fi
	trap 'rm -rf "$RUNDIR"' EXIT
	trap 'exit 130' INT TERM
fi
echo "# profile $(basename "$FILE" .conf): dpdk-test-crypto-perf $EAL -- $APP $*"
rc=0
# shellcheck disable=SC2086 # the profile's options are split on purpose
dpdk-test-crypto-perf $EAL -- $APP "$@" || rc=$?
exit "$rc"
