#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# Run under with_daemon.sh with 2 VMs, 2 workers and crypto_openssl (RSA on a cpu
# backend, so through the RSA lane: akcipher.h).  vm0 on worker 0, vm1 on worker 1;
# both frontends verify RSA results against OpenSSL at the same time, so the lane
# serves both workers' rings in turn.  Then: every request answered OK (or
# KEY_REJECTED: the frontends send corrupted signatures too), the VMs on
# two workers, and the lane ran at least as many ops as the VMs made requests.
# check_rsa_lane.sh BENCH VCRYPTCTL
set -u
BENCH=$1 CTL=$2
prefix=$(sed -n 's/.*--file-prefix=\([^ ]*\).*/\1/p' "$VCD_DIR/vcryptd.conf")
for i in 0 1; do
	"$CTL" -f "$prefix" move "vm$i" "$i" >/dev/null || { echo "FAIL: move vm$i $i" >&2; exit 1; }
done
pids=""
for i in 0 1; do
	sock=$(eval echo "\$VCD_SOCK$i")
	"$BENCH" --socket "$sock" --session-layout qemu81 --verify --timeout 60000 \
		--algo rsa-2048-pkcs1-sha256,rsa-1024-raw,rsa-2048-raw --ops 8 --queue-depth 8 \
		--seed "$i" >"$VCD_DIR/bench$i.log" 2>&1 &
	pids="$pids $!"
done
fails=0
for p in $pids; do
	wait "$p" || fails=$((fails + 1))
done
[ "$fails" -eq 0 ] || { cat "$VCD_DIR"/bench*.log >&2; echo "FAIL: $fails frontend(s) failed" >&2; exit 1; }
{
	"$CTL" -f "$prefix" raw /vcryptd/vm,vm0
	"$CTL" -f "$prefix" raw /vcryptd/vm,vm1
	"$CTL" -f "$prefix" raw /vcryptd/rsa_lane
} | python3 -c '
import json, sys
docs = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
vms = [d["/vcryptd/vm"] for d in docs if "/vcryptd/vm" in d]
lane = [d["/vcryptd/rsa_lane"] for d in docs if "/vcryptd/rsa_lane" in d][0]
print("rsa lane:", lane, "; vms (name, worker, requests, ok, key_rejected):",
      [(v["name"], v["worker"], v["requests"], v["ok"], v["key_rejected"]) for v in vms])
if len(vms) != 2 or {v["worker"] for v in vms} != {0, 1}:
    sys.exit("FAIL: the two VMs are not on two workers")
# The frontends check that a corrupted signature is refused: KEY_REJECTED.
if any(v["requests"] == 0 or v["requests"] != v["ok"] + v["key_rejected"] for v in vms):
    sys.exit("FAIL: requests not all answered OK (or KEY_REJECTED for a corrupted signature)")
if not lane["running"] or lane["ops"] < sum(v["requests"] for v in vms):
    sys.exit("FAIL: the RSA lane ran fewer ops than the VMs made requests")
'
