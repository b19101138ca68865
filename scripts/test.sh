#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# The whole test suite: installs what is missing, builds with warnings as
# errors, runs every test (unit, functional through real vhost-user sockets,
# style), and ends with "N passed, N failed".  Extra arguments go to
# `meson test` (e.g. a test name or --suite unit).
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
python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
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
