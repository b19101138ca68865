#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# scripts/soak.sh DURATION_S [BUILD_DIR]
#
# The churn and soak test (test/soak/soak.py) for DURATION_S seconds on a built tree
# (default build/; scripts/test.sh or meson setup build && ninja -C build first): two
# VMs verifying every result while others connect and disconnect (at least 1,000
# times when DURATION_S >= 600), are SIGKILLed mid-traffic, stall, and the
# configuration is reloaded every 100 ms; then requests taken == answered, pools,
# sessions, file descriptors and RSS back where they were.  Exit 0 only if all hold.
set -eu
cd "$(dirname "$0")/.."
DURATION=${1:?usage: scripts/soak.sh DURATION_S [BUILD_DIR]}
BUILD=${2:-build}
case $DURATION in
'' | *[!0-9]*) echo "soak.sh: DURATION_S must be whole seconds, not '$DURATION'" >&2; exit 2 ;;
esac
for p in src/vcryptd tools/bench/vcryptd-bench tools/vcryptctl/vcryptctl; do
	[ -x "$BUILD/$p" ] || { echo "soak.sh: no $BUILD/$p: build first (ninja -C $BUILD)" >&2; exit 2; }
done
churn=""
[ "$DURATION" -ge 600 ] && churn="--churn 1000"
# shellcheck disable=SC2086
exec python3 test/soak/soak.py "$BUILD/src/vcryptd" "$BUILD/tools/bench/vcryptd-bench" \
	"$BUILD/tools/vcryptctl/vcryptctl" "$DURATION" $churn
