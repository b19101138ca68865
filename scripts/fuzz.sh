#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# scripts/fuzz.sh [SECONDS] [HARNESS...]
#
# Fuzz everything a guest or its frontend controls, under ASan and UBSan: builds the
# libFuzzer harnesses of test/fuzz (clang, -Dfuzz=true) in build-fuzz/, runs each for
# SECONDS (default 300) from the checked-in corpus test/fuzz/corpus/NAME, then merges
# what it found into that corpus (-merge=1 keeps only inputs that add coverage), so the
# corpus the suite replays grows with every run.  HARNESS: vring session_msg vcreq
# vhost_msg (default: all).  One line per harness:
#   fuzz: NAME: N executions in S s (R/s), cov C ft F, corpus A -> B files, clean|CRASH
# A crash leaves its input in build-fuzz/crashes/NAME/ and makes the script exit 1.
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-300}
[ $# -gt 0 ] && shift
HARNESSES=${*:-vring session_msg vcreq vhost_msg}
BUILD=${VCD_FUZZ_BUILD:-build-fuzz}
case $SECS in
'' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number of seconds, not '$SECS'" >&2; exit 2 ;;
esac
command -v clang >/dev/null || {
	echo "fuzz.sh: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2
	exit 2
}
if [ ! -f "$BUILD/build.ninja" ]; then
	# No LTO: clang's needs a linker plugin; the harnesses compile their code under test.
	CC=clang meson setup "$BUILD" -Dfuzz=true -Db_lto=false >/dev/null
fi
ninja -C "$BUILD" >/dev/null

max_len() {
	case $1 in
	vring) echo 8192 ;;
	session_msg) echo 2048 ;;
	*) echo 4096 ;;
	esac
}

rc=0
for h in $HARNESSES; do
	exe="$BUILD/test/fuzz/fuzz_$h"
	seeds="test/fuzz/corpus/$h"
	[ -x "$exe" ] && [ -d "$seeds" ] || { echo "fuzz.sh: no harness '$h' ($exe, $seeds)" >&2; exit 2; }
	work="$BUILD/work/$h"
	crashes="$BUILD/crashes/$h"
	mkdir -p "$work" "$crashes"
	before=$(find "$seeds" -type f | wc -l)
	extra=""
	[ "$h" = vring ] && extra="-use_value_profile=1"
	log="$BUILD/fuzz-$h.log"
	hrc=0
	# shellcheck disable=SC2086
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$exe" -max_total_time="$SECS" -max_len="$(max_len "$h")" -print_final_stats=1 \
		-artifact_prefix="$crashes/" $extra "$work" "$seeds" >"$log" 2>&1 || hrc=$?
	"$exe" -merge=1 -max_len="$(max_len "$h")" "$seeds" "$work" >>"$log" 2>&1 || true
	after=$(find "$seeds" -type f | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
	result=clean
	if [ "$hrc" -ne 0 ]; then
		result="CRASH (see $log, input in $crashes/)"
		rc=1
	fi
	echo "fuzz: $h: ${execs:-?} executions in $SECS s ($(( ${execs:-0} / (SECS > 0 ? SECS : 1) ))/s), ${cov:-cov ?}, corpus $before -> $after files, $result"
done
exit $rc
