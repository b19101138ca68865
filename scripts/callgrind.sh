#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# scripts/callgrind.sh [--build DIR] [--sizes N] [--algo A] [--seconds S]
#
# Instructions per request on the worker lcore, counted by callgrind: repeatable
# where timings on a shared machine are not (the same binary and load give the
# same count whatever else runs).  vcryptd runs under valgrind (vhost_proxy = no,
# one worker) with instrumentation off; vcryptd-bench drives it at full depth
# (--style dpdk --in-place); instrumentation is on for S seconds in the middle of
# the run.  Requests are the calls of vcd_vring_pop_head() (vring.c: one per chain
# taken off the ring), so the figure does not depend on how the data path is split
# into functions.  Prints one line:
#   callgrind: SIZE B ALGO: N instructions per request on the worker (REQ requests, ...)
# Build with symbols and a CPU target valgrind emulates, e.g.
#   meson setup /tmp/cg -Dtests=false -Dc_args='-g' -Dcpu=x86-64-v3 && ninja -C /tmp/cg
set -eu
BUILD=build
SIZE=64
ALGO=aes-cbc-128
SECS=20
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift 2 ;;
	--sizes) SIZE=$2; shift 2 ;;
	--algo) ALGO=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	*) echo "callgrind.sh: unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
	esac
done
VCRYPTD=$BUILD/src/vcryptd
BENCH=$BUILD/tools/bench/vcryptd-bench
[ -x "$VCRYPTD" ] && [ -x "$BENCH" ] || { echo "callgrind.sh: no $VCRYPTD or $BENCH: build first" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }

W=$(mktemp -d /tmp/vcd-callgrind.XXXXXX)
cat >"$W/vcryptd.conf" <<EOF
[daemon]
lcores = 0-1
hugepages = no
memory_mb = 512
eal_args = --file-prefix=vcdcg$$
log_level = info
socket_dir = $W
vhost_proxy = no
[backend aesni0]
driver = crypto_aesni_mb
EOF
valgrind --tool=callgrind --fair-sched=yes --instr-atstart=no --separate-threads=yes \
	--callgrind-out-file="$W/cg.out" "$VCRYPTD" -c "$W/vcryptd.conf" --socket "$W/vm0.sock" \
	>"$W/daemon.log" 2>&1 &
VPID=$!
cleanup() {
	kill "$BPID" 2>/dev/null || true
	kill "$VPID" 2>/dev/null || true
	wait 2>/dev/null || true
}
BPID=""
trap cleanup EXIT
i=0
until [ -S "$W/vm0.sock" ] && grep -q "ready:" "$W/daemon.log"; do
	i=$((i + 1))
	[ $i -lt 1200 ] && kill -0 "$VPID" 2>/dev/null || {
		echo "callgrind.sh: vcryptd did not start under valgrind" >&2
		cat "$W/daemon.log" >&2
		exit 1
	}
	sleep 0.1
done
"$BENCH" --socket "$W/vm0.sock" --throughput --algo "$ALGO" --sizes "$SIZE" --ops 1000000000 \
	--style dpdk --in-place --timeout 120000 --connect-timeout 60000 >"$W/bench.log" 2>&1 &
BPID=$!
sleep 10
callgrind_control -i on "$VPID" >/dev/null
sleep "$SECS"
callgrind_control -i off "$VPID" >/dev/null
callgrind_control -d "$VPID" >/dev/null
sleep 1
python3 - "$W" "$SIZE" "$ALGO" <<'PY'
import glob, re, sys
w, size, algo = sys.argv[1:4]
best = None
for path in glob.glob(w + "/cg.out*"):
    names, callee, total, pops = {}, None, 0, 0
    for line in open(path, errors="replace"):
        m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(3):
                names[m.group(2)] = m.group(3).strip()
            name = names.get(m.group(2), "")
            if m.group(1) == "cfn":
                callee = name
            continue
        m = re.match(r"calls=(\d+)", line)
        if m and callee == "vcd_vring_pop_head":
            pops += int(m.group(1))
            continue
        m = re.match(r"(?:summary|totals): (\d+)", line)
        if m:
            total = max(total, int(m.group(1)))
    if pops and (best is None or pops > best[1]):
        best = (total, pops, path)
if best is None:
    sys.exit("callgrind.sh: no thread called vcd_vring_pop_head (did the frontend run?)")
total, pops, path = best
print(f"callgrind: {size} B {algo}: {total / pops:.0f} instructions per request on the worker "
      f"({pops} requests, {total} instructions, {path})")
PY
