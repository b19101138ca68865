#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# scripts/callgrind.sh [--build DIR] [--sizes N] [--algo A] [--seconds S] [--runs R]
#
# Instructions per request on the worker lcore, counted by callgrind: repeatable
# where timings on a shared machine are not (the same binary and load give the
# same count whatever else runs).  vcryptd runs under valgrind (vhost_proxy = no,
# one worker) with instrumentation off; vcryptd-bench drives it at full depth
# (--style dpdk --in-place); instrumentation is on for S seconds in the middle of
# the run.  Requests are the VM's "requests" counter (telemetry) read just before
# and just after the instrumented window, so the figure does not depend on how the
# data path is split into functions or inlined (LTO).  The count includes the
# worker's idle polls, which only ever add (a frontend starved of CPU leaves the
# worker polling empty rings), so with --runs R the lowest of R runs is reported.
# Prints one line per run and then:
#   callgrind: SIZE B ALGO: N instructions per request on the worker (best of R: ...)
# Build with symbols and a CPU target valgrind emulates, e.g.
#   meson setup /tmp/cg -Dtests=false -Dc_args='-g' -Dcpu=x86-64-v3 && ninja -C /tmp/cg
set -eu
BUILD=build
SIZE=64
ALGO=aes-cbc-128
SECS=20
RUNS=1
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift 2 ;;
	--sizes) SIZE=$2; shift 2 ;;
	--algo) ALGO=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	*) echo "callgrind.sh: unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
	esac
done
VCRYPTD=$BUILD/src/vcryptd
BENCH=$BUILD/tools/bench/vcryptd-bench
VCTL=$BUILD/tools/vcryptctl/vcryptctl
[ -x "$VCRYPTD" ] && [ -x "$BENCH" ] || { echo "callgrind.sh: no $VCRYPTD or $BENCH: build first" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }

one_run() {
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
i=0
until [ -S "$W/vm0.sock" ] && grep -q "ready:" "$W/daemon.log"; do
	i=$((i + 1))
	[ $i -lt 1200 ] && kill -0 "$VPID" 2>/dev/null || {
		echo "callgrind.sh: vcryptd did not start under valgrind" >&2
		cat "$W/daemon.log" >&2
		cleanup
		exit 1
	}
	sleep 0.1
done
"$BENCH" --socket "$W/vm0.sock" --throughput --algo "$ALGO" --sizes "$SIZE" --ops 1000000000 \
	--style dpdk --in-place --timeout 120000 --connect-timeout 60000 >"$W/bench.log" 2>&1 &
BPID=$!
requests() {
	"$VCTL" -f "vcdcg$$" raw /vcryptd/vms 2>/dev/null | tail -n 1 |
		python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["/vcryptd/vms"].values()))'
}
sleep 10
callgrind_control -i on "$VPID" >/dev/null
r0=$(requests)
sleep "$SECS"
r1=$(requests)
callgrind_control -i off "$VPID" >/dev/null
callgrind_control -d "$VPID" >/dev/null
sleep 1
python3 - "$W" "$SIZE" "$ALGO" "$((r1 - r0))" <<'PY'
import glob, re, sys
w, size, algo, pops = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
best = None
# The worker is the thread with the most instructions in the window.
for path in glob.glob(w + "/cg.out*"):
    total = 0
    for line in open(path, errors="replace"):
        m = re.match(r"(?:summary|totals): (\d+)", line)
        if m:
            total = max(total, int(m.group(1)))
    if best is None or total > best[0]:
        best = (total, path)
if best is None or pops <= 0:
    sys.exit("callgrind.sh: no requests in the window (did the frontend run?)")
total, path = best
print(f"callgrind: {size} B {algo}: {total / pops:.0f} instructions per request on the worker "
      f"({pops} requests, {total} instructions, {path})")
PY
	cleanup
	rm -rf "$W" "/var/run/dpdk/vcdcg$$" 2>/dev/null || true
}

best=""
r=0
while [ "$r" -lt "$RUNS" ]; do
	line=$(one_run | tail -n 1)
	echo "$line"
	n=$(echo "$line" | sed -n 's/.*: \([0-9]*\) instructions per request.*/\1/p')
	[ -n "$n" ] && { [ -z "$best" ] || [ "$n" -lt "$best" ]; } && best=$n
	r=$((r + 1))
done
[ -n "$best" ] || { echo "callgrind.sh: no run gave a figure" >&2; exit 1; }
echo "callgrind: $SIZE B $ALGO: $best instructions per request on the worker (best of $RUNS runs, build $BUILD)"
