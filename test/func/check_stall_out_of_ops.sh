#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# Run under with_daemon.sh with a short stall_ms: a frontend keeps 8192 requests in
# flight, more than the worker has ops (4096), and the only backend stalls for 1.5 s
# (fault injection), so every op ends up held and the worker's intake has nothing to
# take requests with.  When the device comes back, every request the frontend sent
# must have been answered (ERR for the abandoned ones is fine): the frontend must not
# report requests stuck.  Until the intake stopped popping with no op to spare, each
# such poll took a chain off the ring that never got an answer (the frontend reported
# STUCK).
set -eu
BENCH=$1
VCTL=$2
prefix=$(sed -n 's/.*--file-prefix=\([^ ]*\).*/\1/p' "$VCD_DIR/vcryptd.conf")
out="$VCD_DIR/bench.json"
"$BENCH" --socket "$VCD_SOCK0" --timeout 10000 --throughput --json --sizes 64 --ops 4000000 \
	--queue-depth 8192 --ring-size 16384 --burst 256 >"$out" 2>"$VCD_DIR/bench.err" &
bp=$!
sleep 0.3
if ! "$VCTL" -f "$prefix" raw /vcryptd/fault,aesni0,stall | grep -q stall; then
	kill "$bp" 2>/dev/null || true
	echo "no fault injection in this build (-Dfault_inject=true): skipped"
	exit 77
fi
sleep 1.5
"$VCTL" -f "$prefix" raw /vcryptd/fault,aesni0,none >/dev/null
rc=0
wait "$bp" || rc=$?
cat "$out"
python3 - "$out" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
if r["stuck"]:
    sys.exit("requests taken during the stall were never answered (stuck)")
if r["ops"] != 4000000:
    sys.exit("only %d of 4000000 requests answered" % r["ops"])
if r["errors"] == 0:
    sys.exit("no request was answered ERR: the stall did not happen under load, nothing tested")
print("all %d answered, %d with ERR after the stall" % (r["ops"], r["errors"]))
PY
# The frontend exits 1 when any answer was an error, as some must be here.
[ "$rc" -le 1 ] || { echo "vcryptd-bench failed ($rc)"; cat "$VCD_DIR/bench.err"; exit 1; }
