#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# The whole test suite: installs what is missing, builds with warnings as
# errors, runs every test (unit, functional through real vhost-user sockets,
# guest, service, fuzz seeds, a 45 s churn and soak, style), then the unit,
# functional (hostile frontends included), fuzz-seed and soak tests again on
# a second build with
# AddressSanitizer, LeakSanitizer and UBSan (build-asan/; VCD_NO_SANITIZE=1
# skips it), then builds and tests again on Debian 13 (DPDK 24.11, QEMU 10.0,
# Linux 6.12 guests) in a debootstrapped root (scripts/debian13.sh, cached
# under build/debian13; VCD_NO_DEBIAN13=1 skips it), and ends with "N passed,
# N failed" over all three.  Extra arguments go to `meson test` for the first
# build (e.g. a test name or --suite unit); with any, the other runs are skipped.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
BUILD=${VCD_BUILD_DIR:-build}
# A test build: the fault-injection wrapper (meson_options.txt) is compiled in.
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" -Dwerror=true -Dtests=true -Dfault_inject=true >/dev/null
else
	meson configure "$BUILD" -Dwerror=true -Dtests=true -Dfault_inject=true >/dev/null
fi
ninja -C "$BUILD" >/dev/null
rc=0
meson test -C "$BUILD" --print-errorlogs "$@" || rc=$?
logs="$BUILD/meson-logs/testlog.json"
# The daemon and the frontends again under ASan/LSan/UBSan: any report fails the test
# (abort_on_error, halt_on_error; with_daemon.sh fails on the daemon's non-zero exit).
ASAN_BUILD=${VCD_ASAN_BUILD_DIR:-build-asan}
if [ $# -eq 0 ] && [ "${VCD_NO_SANITIZE:-0}" != 1 ]; then
	if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
		meson setup "$ASAN_BUILD" -Dwerror=true -Dtests=true -Dfault_inject=true \
			-Db_sanitize=address,undefined -Db_lto=false -Dbuildtype=debugoptimized >/dev/null
	fi
	ninja -C "$ASAN_BUILD" >/dev/null
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		VCD_SOAK_SANITIZED=1 meson test -C "$ASAN_BUILD" --print-errorlogs --suite unit --suite func --suite fuzz --suite soak || rc=$?
	logs="$logs $ASAN_BUILD/meson-logs/testlog.json"
fi
# shellcheck disable=SC2086
# Debian 13 (DPDK 24.11, QEMU 10.0, Linux 6.12 guests) in a debootstrapped root
# (scripts/debian13.sh): the whole run only, as root, unless VCD_NO_DEBIAN13=1.
if [ $# -eq 0 ] && [ "${VCD_NO_DEBIAN13:-0}" != 1 ]; then
	d13log=build/debian13/build/meson-logs/testlog.json
	rm -f "$d13log"
	sh scripts/debian13.sh || rc=$?
	if [ -f "$d13log" ]; then
		logs="$logs $d13log"
	else
		echo "test.sh: the Debian 13 run produced no test log: counted as one failure" >&2
		logs="$logs MISSING:debian13"
		rc=1
	fi
fi
python3 - $logs <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    if path.startswith("MISSING:"):
        failed += 1
        continue
    for line in open(path):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
