#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# Run under with_daemon.sh with VCD_DAEMON_ARGS="--set qp_depth=16": verify many
# requests with 128 in flight (the queue pair takes 16), then check through DPDK
# telemetry that enqueues really were partial.
set -eu
BENCH=$1
"$BENCH" --socket "$VCD_SOCK0" --verify --algo aes-cbc-128,aes-ctr-128-hmac-sha1 \
	--sizes 64,1024,4096 --ops 256 --queue-depth 128 --burst 64 --timeout 60000
prefix=$(sed -n 's/.*--file-prefix=\([^ ]*\).*/\1/p' "$VCD_DIR/vcryptd.conf")
out=$(echo /vcryptd/workers | dpdk-telemetry.py -f "$prefix" 2>/dev/null | tail -n 1)
echo "telemetry: $out"
partial=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["/vcryptd/workers"]["worker0"]["partial_enqueues"])')
[ "$partial" -gt 0 ] || { echo "no partial enqueue happened: the test did not test anything"; exit 1; }
echo "partial enqueues: $partial, every result verified"
