#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# Run under with_daemon.sh with 64 VMs (VCD_MAX_VMS) on one worker: every VM's
# frontend verifies AES-CBC and AES-CBC + HMAC-SHA1 results against OpenSSL, 16
# frontends at a time; then the daemon's own counters must show every VM's
# requests all answered OK (/vcryptd/vm: requests == ok) and a share served.
# check_64_vms.sh BENCH VCRYPTCTL N
set -u
BENCH=$1 CTL=$2 N=$3
prefix=$(sed -n 's/.*--file-prefix=\([^ ]*\).*/\1/p' "$VCD_DIR/vcryptd.conf")
i=0 fails=0
while [ "$i" -lt "$N" ]; do
	j=0 pids=""
	while [ "$j" -lt 16 ] && [ "$i" -lt "$N" ]; do
		eval sock=\$VCD_SOCK$i
		"$BENCH" --socket "$sock" --verify --algo aes-cbc-128,aes-cbc-128-hmac-sha1 \
			--sizes 64,4096,70000 --ops 4 --seed "$i" >"$VCD_DIR/bench$i.log" 2>&1 &
		pids="$pids $!"
		i=$((i + 1)) j=$((j + 1))
	done
	for p in $pids; do
		wait "$p" || fails=$((fails + 1))
	done
done
[ "$fails" -eq 0 ] || { cat "$VCD_DIR"/bench*.log >&2; echo "FAIL: $fails of $N frontends failed" >&2; exit 1; }
i=0
while [ "$i" -lt "$N" ]; do
	"$CTL" -f "$prefix" raw "/vcryptd/vm,vm$i" | python3 -c '
import json, sys
v = json.load(sys.stdin)["/vcryptd/vm"]
if v["requests"] == 0 or v["requests"] != v["ok"] or v["inflight"] != 0 or v["cost"] == 0:
    sys.exit("vm%s: requests %d ok %d inflight %d cost %d" %
             (sys.argv[1], v["requests"], v["ok"], v["inflight"], v["cost"]))
' "$i" || exit 1
	i=$((i + 1))
done
echo "64 VMs: $N frontends verified every result; every VM's requests all answered OK"
