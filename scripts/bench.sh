#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# scripts/bench.sh: vcryptd side by side with the limit (the raw PMD) and the peer
# (DPDK's vhost_crypto sample backend), in the same run, on crypto_aesni_mb:
#
#   raw           dpdk-test-crypto-perf --ptest throughput, one test lcore (the worker CPU)
#   vcryptd       vcryptd, one worker lcore, driven by vcryptd-bench pinned to the other CPU
#   dpdk_example  /usr/share/dpdk/examples/vhost_crypto (dpdk-doc), built at bench time in
#                 the build directory, driven by the same vcryptd-bench (qemu70 session
#                 layout, crypto_virtio request layout); sizes ascending until it fails
#
# Mixes: cipher (AES-128-CBC encrypt) and chain (AES-128-CBC + HMAC-SHA1, cipher then
# hash).  Every figure is the best of --reps runs, the three backends interleaved in
# each repetition so that they see the same machine.
#
# Routed: the same mixes and sizes through vcryptd in three configurations, interleaved
# in each repetition too: cpu_only (crypto_aesni_mb, role cpu: the vcryptd column's
# configuration), accel_only (crypto_openssl, role accel: the stand-in for an
# accelerator, there is no QAT here) and routed (both, thresholds "auto": calibrated at
# start).  For routed, the thresholds in effect (/vcryptd/routing) and, per run, which
# backend completed the requests (per-backend ops in /vcryptd/backends).
#
# Then latency (AES-128-CBC): at queue depth 1 and at 50 % of the measured peak,
# p50/p99/p99.9 for vcryptd and the example, against dpdk-test-crypto-perf --ptest
# latency (burst 1) for the raw PMD.
#
# Output: a table, or with --json one object per line: "type":"throughput" per (mix,
# size), "type":"routed" per (mix, size) and "type":"latency" per (size, load), then one
# "type":"run" summary.
set -eu

usage() {
	cat <<'EOF'
usage: scripts/bench.sh [options]
  --quick             sizes 64,1024,4096,16384, at most 200000 requests or 256 MiB per
                      throughput run (routed: 50000 or 64 MiB), 5000 per latency run
                      (< 3 minutes on 2 CPUs)
  --json              one JSON object per line instead of the tables
  --build DIR         meson build directory with src/vcryptd and tools/bench/vcryptd-bench
                      (default: build in the source tree)
  --sizes LIST        bytes (default 64,256,1024,2048,4096,16384,65536)
  --mixes LIST        cipher,chain (default both)
  --reps N            repetitions, best kept (default 3)
  --ops N             most requests per throughput run (default 1000000)
  --bytes N           data per throughput run: N / size requests, at most --ops, at least
                      1000 (default 1073741824)
  --routed-ops N      most requests per routed-phase run (default: --ops)
  --routed-bytes N    data per routed-phase run (default: --bytes)
  --routed-reps N     repetitions of the routed phase, the first N of --reps (default all)
  --routed-threshold T  [routing] threshold_cipher and threshold_chain of the routed
                      configuration: auto (default: calibrated at start), never, or bytes
  --lat-ops N         requests per latency measurement (default 20000)
  --lat-sizes LIST    latency sizes, a subset of --sizes (default 64,1024,4096,16384)
  --burst N           requests per kick / cryptodev burst (default 32)
  --queue-depth N     requests in flight, vcryptd-bench (default 64)
  --style S           vcryptd's frontend request layout: dpdk (default, the same as the
                      example gets) or linux (Linux virtio_crypto driver)
  --out-of-place      the frontend's destination is a separate buffer (default: in place,
                      destination = source, as dpdk-test-crypto-perf runs the raw PMD and
                      as the guest profiles run crypto_virtio); the raw column stays in place
  --cpus MAIN,WORKER  CPUs: control lcore + client, worker lcore (default 0,1)
  --stall S           seconds without an answer that count as a stall (default 5)
  --no-raw, --no-vcryptd, --no-example, --no-routed, --no-latency   skip a part
  --sharing           the sharing phase only (scripts/bench_sharing.py): aggregate
                      throughput with 1, 8 and 64 VMs on one worker, Jain's index over 8
                      VMs of different sizes, a victim's latency beside a noisy neighbour
  --keep DIR          keep raw outputs and logs in DIR (default: a temporary directory)
  --report DIR        print the report of a run kept with --keep DIR again (same options)
EOF
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
QUICK=0
JSON=0
SIZES=""
MIXES="cipher,chain"
REPS=""
OPS=""
BYTES=""
LAT_OPS=""
LAT_SIZES=""
RT_OPS=""
RT_BYTES=""
RT_REPS=""
RT_THRESHOLD=auto
BURST=32
QDEPTH=64
STYLE=dpdk
PLACE=in
CPUS=0,1
STALL=5
RUN_RAW=1
RUN_VC=1
RUN_EX=1
RUN_RT=1
RUN_LAT=1
KEEP=""
REPORT=""
SHARING=0

die() {
	echo "bench.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--json) JSON=1 ;;
	--no-raw) RUN_RAW=0 ;;
	--no-vcryptd) RUN_VC=0 ;;
	--no-example) RUN_EX=0 ;;
	--no-routed) RUN_RT=0 ;;
	--no-latency) RUN_LAT=0 ;;
	--out-of-place) PLACE=out ;;
	--sharing) SHARING=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	--build | --sizes | --mixes | --reps | --ops | --bytes | --lat-ops | --lat-sizes | --burst | \
		--queue-depth | --style | --cpus | --stall | --keep | --report | --routed-ops | \
		--routed-bytes | --routed-reps | --routed-threshold)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in
		--build) BUILD=$2 ;;
		--sizes) SIZES=$2 ;;
		--mixes) MIXES=$2 ;;
		--reps) REPS=$2 ;;
		--ops) OPS=$2 ;;
		--bytes) BYTES=$2 ;;
		--lat-ops) LAT_OPS=$2 ;;
		--lat-sizes) LAT_SIZES=$2 ;;
		--routed-ops) RT_OPS=$2 ;;
		--routed-bytes) RT_BYTES=$2 ;;
		--routed-reps) RT_REPS=$2 ;;
		--routed-threshold) RT_THRESHOLD=$2 ;;
		--burst) BURST=$2 ;;
		--queue-depth) QDEPTH=$2 ;;
		--style) STYLE=$2 ;;
		--cpus) CPUS=$2 ;;
		--stall) STALL=$2 ;;
		--keep) KEEP=$2 ;;
		--report) REPORT=$2 ;;
		esac
		shift
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
	shift
done
if [ "$SHARING" = 1 ]; then
	# shellcheck disable=SC2046
	exec python3 "$ROOT/scripts/bench_sharing.py" --build "$BUILD" $([ "$JSON" = 1 ] && echo --json) \
		$([ "$QUICK" = 1 ] && echo --seconds 2)
fi

if [ "$QUICK" = 1 ]; then
	: "${SIZES:=64,1024,4096,16384}" "${REPS:=3}" "${OPS:=200000}" "${BYTES:=268435456}"
	: "${LAT_OPS:=5000}"
	: "${LAT_SIZES:=64,1024,4096}"
	: "${RT_OPS:=50000}" "${RT_BYTES:=67108864}"
else
	: "${SIZES:=64,256,1024,2048,4096,16384,65536}" "${REPS:=3}" "${OPS:=1000000}"
	: "${BYTES:=1073741824}"
	: "${LAT_OPS:=20000}" "${LAT_SIZES:=64,1024,4096,16384}"
fi
: "${RT_OPS:=$OPS}" "${RT_BYTES:=$BYTES}" "${RT_REPS:=$REPS}"
for v in "$REPS" "$OPS" "$BYTES" "$LAT_OPS" "$BURST" "$QDEPTH" "$STALL" "$RT_OPS" "$RT_BYTES" \
	"$RT_REPS"; do
	case $v in '' | *[!0-9]*) die "not a positive number: '$v'" ;; esac
	[ "$v" -gt 0 ] || die "not a positive number: '$v'"
done
[ "$RT_REPS" -le "$REPS" ] || RT_REPS=$REPS
case $STYLE in dpdk | linux) ;; *) die "--style: dpdk or linux" ;; esac
PLACE_ARG=""
[ "$PLACE" = in ] && PLACE_ARG=--in-place
case $RT_THRESHOLD in
auto | never) ;;
'' | *[!0-9KM]* | [KM]* | *[KM]?*) die "--routed-threshold: auto, never or bytes (16384, 16K, 1M)" ;;
esac
case $CPUS in *[!0-9,]* | *,*,* | ,* | *,) die "--cpus MAIN,WORKER" ;; *,*) ;; *) die "--cpus MAIN,WORKER" ;; esac
MAIN_CPU=${CPUS%,*}
WORKER_CPU=${CPUS#*,}
SIZES_SP=$(echo "$SIZES" | tr ',' ' ')
MIXES_SP=$(echo "$MIXES" | tr ',' ' ')
for s in $SIZES_SP; do
	case $s in '' | *[!0-9]*) die "bad size '$s'" ;; esac
	if [ "$s" -eq 0 ] || [ $((s % 16)) -ne 0 ]; then
		die "size $s: AES-CBC needs a multiple of 16"
	fi
done
for m in $MIXES_SP; do
	case $m in cipher | chain) ;; *) die "unknown mix '$m' (cipher, chain)" ;; esac
done
# latency sizes: those of --lat-sizes that are also measured for throughput
LAT_SP=""
for s in $(echo "$LAT_SIZES" | tr ',' ' '); do
	case " $SIZES_SP " in *" $s "*) LAT_SP="$LAT_SP $s" ;; esac
done
LAT_SP=${LAT_SP# }

VCRYPTD="$BUILD/src/vcryptd"
BENCH="$BUILD/tools/bench/vcryptd-bench"
if [ ! -x "$VCRYPTD" ] || [ ! -x "$BENCH" ]; then
	die "no $VCRYPTD or $BENCH: build first (meson setup build && ninja -C build)"
fi
BUILD=$(cd "$BUILD" && pwd)
VCRYPTD="$BUILD/src/vcryptd"
BENCH="$BUILD/tools/bench/vcryptd-bench"
VCTL="$BUILD/tools/vcryptctl/vcryptctl"
# Python without a version-manager shim in front (each telemetry query starts one).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v "$PY" >/dev/null || die "python3 is needed"
TELEMETRY=$(command -v dpdk-telemetry.py || true)
CRYPTO_PERF=$(command -v dpdk-test-crypto-perf || true)
EXAMPLE_SRC=/usr/share/dpdk/examples/vhost_crypto/main.c

if [ -n "$REPORT" ]; then
	[ -f "$REPORT/options.env" ] || die "$REPORT: not a run kept with --keep"
	KEEP=$REPORT
	W=$(cd "$KEEP" && pwd)
elif [ -n "$KEEP" ]; then
	mkdir -p "$KEEP"
	W=$(cd "$KEEP" && pwd)
else
	W=$(mktemp -d /tmp/vcryptd-bench.XXXXXX)
fi
TAG="vcdbench$$"
if [ "$(id -u)" -eq 0 ]; then
	RUNDIR=/var/run/dpdk
else
	RUNDIR="${XDG_RUNTIME_DIR:-/tmp}/dpdk"
fi
VPID=""
EPID=""

stop_pid() { # PID: SIGTERM, then SIGKILL after 10 s
	kill -TERM "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	[ -z "$VPID" ] || stop_pid "$VPID"
	[ -z "$EPID" ] || stop_pid "$EPID"
	rm -rf "$RUNDIR/$TAG-raw" "$RUNDIR/$TAG-vc" "$RUNDIR/$TAG-ex"
	[ -n "$KEEP" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() {
	[ "$JSON" = 1 ] || echo "bench: $*" >&2
}

now_ns() { date +%s%N; }

cpu_pressure_us() { # total µs some task waited for a CPU (PSI), or nothing
	sed -n 's/^some .*total=\([0-9]*\).*/\1/p' /proc/pressure/cpu 2>/dev/null || true
}

# Thread CPU time (ns) of a DPDK worker lcore thread of process $1.
worker_run_ns() {
	for t in /proc/"$1"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in
		rte-worker-* | lcore-worker-*)
			cut -d' ' -f1 "$t/schedstat"
			return 0
			;;
		esac
	done
	echo 0
}

mix_algo() {
	case $1 in
	cipher) echo aes-cbc-128 ;;
	chain) echo aes-cbc-128-hmac-sha1 ;;
	esac
}

mix_perf_opts() {
	echo "--cipher-algo aes-cbc --cipher-op encrypt --cipher-key-sz 16 --cipher-iv-sz 16"
	if [ "$1" = chain ]; then
		echo "--optype cipher-then-auth --auth-algo sha1-hmac --auth-op generate"
		echo "--auth-key-sz 20 --digest-sz 20"
	else
		echo "--optype cipher-only"
	fi
}

# ---------------------------------------------------------------- raw PMD
# Requests per throughput run at a size: --bytes worth, at most --ops, at least 1000.
ops_for() { # SIZE [MAX-OPS MAX-BYTES]
	n=$((${3:-$BYTES} / $1))
	[ "$n" -le "${2:-$OPS}" ] || n=${2:-$OPS}
	[ "$n" -ge 1000 ] || n=1000
	echo "$n"
}

# One process per group of sizes that share a request count; sizes over 32 KiB (an mbuf holds
# at most 64 KiB - 1) in chained 32 KiB segments.
raw_run() { # MIX PTEST BURST SIZES OUT [OPS]  (no OPS: ops_for each size)
	groups=""
	for s in $(echo "$4" | tr ',' ' '); do
		key="${6:-$(ops_for "$s")}:$([ "$s" -le 32768 ] && echo 0 || echo 32768)"
		case " $groups " in *" $key "*) ;; *) groups="$groups $key" ;; esac
	done
	: >"$5"
	: >"$5.err"
	for key in $groups; do
		list=""
		for s in $(echo "$4" | tr ',' ' '); do
			k="${6:-$(ops_for "$s")}:$([ "$s" -le 32768 ] && echo 0 || echo 32768)"
			[ "$k" != "$key" ] || list="$list,$s"
		done
		seg=""
		[ "${key#*:}" = 0 ] || seg="--segment-sz ${key#*:}"
		# shellcheck disable=SC2046,SC2086
		timeout 600 "$CRYPTO_PERF" -l "$CPUS" --no-huge -m 1024 --no-shconf --no-pci \
			--file-prefix "$TAG-raw" --vdev crypto_aesni_mb -- \
			--ptest "$2" --devtype crypto_aesni_mb $(mix_perf_opts "$1") \
			--total-ops "${key%:*}" --burst-sz "$3" --buffer-sz "${list#,}" $seg \
			--pool-sz 4096 --csv-friendly $([ "$2" = throughput ] && echo --silent) \
			>>"$5" 2>>"$5.err" || echo "rc=$?" >>"$5.err"
		rm -rf "${RUNDIR:?}/$TAG-raw"
	done
}

# ---------------------------------------------------------------- vcryptd
# vcryptd's configuration of a VARIANT: cpu_only (crypto_aesni_mb, role cpu: the vcryptd
# column), accel_only (crypto_openssl, role accel: the accelerator's stand-in) or routed
# (both; each op type's threshold --routed-threshold, by default auto: calibrated at start).
vc_conf() { # VARIANT
	cat <<EOF
[daemon]
lcores = $MAIN_CPU,$WORKER_CPU
burst = $BURST
hugepages = no
memory_mb = 512
eal_args = --file-prefix=$TAG-vc
log_level = info
socket_dir = $W
EOF
	case $1 in
	cpu_only | routed) printf '[backend aesni0]\ndriver = crypto_aesni_mb\nrole = cpu\n' ;;
	esac
	case $1 in
	accel_only | routed) printf '[backend ossl0]\ndriver = crypto_openssl\nrole = accel\n' ;;
	esac
	if [ "$1" = routed ]; then
		printf '[routing]\nthreshold_cipher = %s\nthreshold_chain = %s\n' "$RT_THRESHOLD" \
			"$RT_THRESHOLD"
	fi
}

# Wait up to 30 s for the command to succeed while PID runs: 0, 1 (too long) or 2 (PID exited).
wait_ready() { # PID COMMAND...
	wr_pid=$1
	shift
	wr_i=0
	until "$@"; do
		kill -0 "$wr_pid" 2>/dev/null || return 2
		wr_i=$((wr_i + 1))
		[ "$wr_i" -lt 300 ] || return 1
		sleep 0.1
	done
}

vc_start() { # [VARIANT] (default cpu_only)
	conf="$W/vcryptd.conf"
	[ "${1:-cpu_only}" = cpu_only ] || conf="$W/vcryptd-$1.conf"
	vc_conf "${1:-cpu_only}" >"$conf"
	rm -f "$W/vm0.sock"
	touch "$W/vcryptd.log"
	ready0=$(grep -c "ready:" "$W/vcryptd.log" || true)
	echo "bench.sh: vcryptd -c $conf" >>"$W/vcryptd.log"
	"$VCRYPTD" -c "$conf" --socket "$W/vm0.sock" >>"$W/vcryptd.log" 2>&1 &
	VPID=$!
	wait_ready "$VPID" vc_ready || {
		[ $? -ne 2 ] || VPID=""
		return 1
	}
}

vc_ready() { # this start's own "ready:" line (the log collects every start)
	[ -S "$W/vm0.sock" ] && [ "$(grep -c "ready:" "$W/vcryptd.log")" -gt "$ready0" ]
}

vc_stop() {
	[ -n "$VPID" ] || return 0
	stop_pid "$VPID"
	VPID=""
	rm -rf "${RUNDIR:?}/$TAG-vc"
}

# One telemetry reply as a JSON line, then the time: vcryptctl from the build (a few ms),
# else dpdk-telemetry.py (a Python start per query).
telemetry() { # PREFIX QUERY OUT
	if [ -x "$VCTL" ]; then
		"$VCTL" -f "$1" raw "$2" 2>/dev/null | tail -n 1 >"$3" || : >"$3"
		echo "t_ns=$(now_ns)" >>"$3"
	elif [ -n "$TELEMETRY" ]; then
		echo "$2" | "$PY" "$TELEMETRY" -f "$1" 2>/dev/null | tail -n 1 >"$3" || : >"$3"
		echo "t_ns=$(now_ns)" >>"$3"
	else
		: >"$3"
	fi
}

# One frontend run: vcryptd-bench pinned to the main CPU, its JSON in OUT.json, the
# backend worker's CPU time and the wall time around it in OUT.meta.
bench_run() { # PID SOCKET OUT ARGS...
	pid=$1
	sock=$2
	out=$3
	shift 3
	t0=$(now_ns)
	r0=$(worker_run_ns "$pid")
	p0=$(cpu_pressure_us)
	rc=0
	set -- "$@" ${PLACE_ARG:+"$PLACE_ARG"}
	timeout $((STALL * 3 + 120)) taskset -c "$MAIN_CPU" "$BENCH" --socket "$sock" \
		--timeout $((STALL * 1000)) --connect-timeout 10000 --json "$@" >"$out.json" 2>"$out.err" || rc=$?
	p1=$(cpu_pressure_us)
	r1=$(worker_run_ns "$pid")
	t1=$(now_ns)
	echo "rc=$rc wall_ns=$((t1 - t0)) run_ns=$((r1 - r0)) psi_us=$((${p1:-0} - ${p0:-0}))" >"$out.meta"
	return "$rc"
}

vc_throughput() { # REP
	for m in $MIXES_SP; do
		for s in $SIZES_SP; do
			o="$W/vc-$m-$s-$1"
			telemetry "$TAG-vc" /vcryptd/workers "$o.tel0"
			bench_run "$VPID" "$W/vm0.sock" "$o" --throughput --algo "$(mix_algo "$m")" --sizes "$s" \
				--ops "$(ops_for "$s")" --burst "$BURST" --queue-depth "$QDEPTH" --style "$STYLE" \
				--session-layout qemu70 || true
			telemetry "$TAG-vc" /vcryptd/workers "$o.tel1"
			kill -0 "$VPID" 2>/dev/null || {
				echo "vcryptd exited during the run at $m $s B" >"$W/vc.reason"
				VPID=""
				return 1
			}
		done
	done
}

# ---------------------------------------------------------------- routed
# The three configurations one after the other, each over every (mix, size), vcryptd-bench
# run as for the vcryptd column with --routed-ops/--routed-bytes requests; for routed,
# /vcryptd/routing once per start and /vcryptd/backends (ops per backend) around each run.
rt_phase() { # REP
	# the order turns with the repetitions, so that no configuration always goes first
	case $(($1 % 3)) in
	1) order="cpu_only accel_only routed" ;;
	2) order="accel_only routed cpu_only" ;;
	*) order="routed cpu_only accel_only" ;;
	esac
	for v in $order; do
		[ ! -f "$W/rt-$v.nostart" ] || continue
		if ! vc_start "$v"; then
			echo "vcryptd ($v) did not start: $(tail -n 1 "$W/vcryptd.log")" >"$W/rt-$v.reason"
			touch "$W/rt-$v.nostart"
			vc_stop
			continue
		fi
		[ "$v" != routed ] || telemetry "$TAG-vc" /vcryptd/routing "$W/rt-routing-$1"
		for m in $MIXES_SP; do
			for s in $SIZES_SP; do
				o="$W/rt-$v-$m-$s-$1"
				[ "$v" != routed ] || telemetry "$TAG-vc" /vcryptd/backends "$o.be0"
				bench_run "$VPID" "$W/vm0.sock" "$o" --throughput --algo "$(mix_algo "$m")" \
					--sizes "$s" --ops "$(ops_for "$s" "$RT_OPS" "$RT_BYTES")" --burst "$BURST" \
					--queue-depth "$QDEPTH" --style "$STYLE" --session-layout qemu70 || true
				[ "$v" != routed ] || telemetry "$TAG-vc" /vcryptd/backends "$o.be1"
				kill -0 "$VPID" 2>/dev/null && continue
				echo "vcryptd ($v) exited during the run at $m $s B" >"$W/rt-$v.reason"
				VPID=""
				break 2
			done
		done
		vc_stop
	done
}

# ---------------------------------------------------------------- DPDK's sample backend
EXAMPLE="$BUILD/bench-peer/dpdk-vhost-crypto"
ex_build() {
	[ -f "$EXAMPLE_SRC" ] || {
		echo "dpdk-doc not installed (no $EXAMPLE_SRC)"
		return 1
	}
	if [ ! -x "$EXAMPLE" ] || [ -n "$(find "$EXAMPLE_SRC" -newer "$EXAMPLE")" ]; then
		mkdir -p "$BUILD/bench-peer"
		# shellcheck disable=SC2046
		cc -O2 -DALLOW_EXPERIMENTAL_API "$EXAMPLE_SRC" -o "$EXAMPLE" \
			$(pkg-config --cflags --libs libdpdk) >"$W/example-build.log" 2>&1 || {
			echo "the example did not build (cc: $(tail -n 1 "$W/example-build.log"))"
			return 1
		}
	fi
}

ex_start() {
	rm -f "$W/ex.sock"
	"$EXAMPLE" -l "$CPUS" --no-huge -m 512 --no-shconf --no-pci --file-prefix "$TAG-ex" \
		--vdev crypto_aesni_mb -- --socket-file "$WORKER_CPU,$W/ex.sock" \
		--config "($WORKER_CPU,0,0)" >>"$W/example.log" 2>&1 &
	EPID=$!
	wait_ready "$EPID" test -S "$W/ex.sock" || {
		[ $? -ne 2 ] || EPID=""
		return 1
	}
}

ex_stop() {
	[ -n "$EPID" ] || return 0
	stop_pid "$EPID" # it has no signal handler: SIGTERM ends it at once
	EPID=""
	rm -rf "${RUNDIR:?}/$TAG-ex" "$W/ex.sock"
}

# Why a bench run against the example failed, from its outputs.
ex_why() { # OUT SIZE
	if grep -q '"stuck":true' "$1.json" 2>/dev/null || grep -q "stopped answering" "$1.err"; then
		echo "stalls at $2 B: no answer within $STALL s"
	elif ! kill -0 "$EPID" 2>/dev/null; then
		echo "the example exited at $2 B"
	else
		echo "fails at $2 B: $(grep -v '^vcryptd-bench: .*layout' "$1.err" | tail -n 1)"
	fi
}

ex_size() { # MIX SIZE OUT
	bench_run "$EPID" "$W/ex.sock" "$3" --throughput --algo "$(mix_algo "$1")" --sizes "$2" \
		--ops "$(ops_for "$2")" --burst "$BURST" --queue-depth "$QDEPTH" --style dpdk \
		--session-layout qemu70
}

ex_throughput() { # REP
	for m in $MIXES_SP; do
		# sizes at or above a known failure are not tried again
		limit=$(cat "$W/ex-$m.limit" 2>/dev/null || echo 0)
		ex_start || {
			echo "the example did not start (see its log)" >"$W/ex.reason"
			return 1
		}
		for s in $SIZES_SP; do
			[ "$limit" -eq 0 ] || [ "$s" -lt "$limit" ] || continue
			o="$W/ex-$m-$s-$1"
			ex_size "$m" "$s" "$o" && continue
			# a second chance, restarted, before calling it its limit
			why=$(ex_why "$o" "$s")
			ex_stop
			ex_start || break
			if ex_size "$m" "$s" "$o"; then
				echo "$m $s B, repetition $1: $why; it served the size after a restart" \
					>>"$W/ex.flaky"
				continue
			fi
			echo "$(ex_why "$o" "$s") (twice, restarted in between)" >"$W/ex-$m.reason"
			echo "$s" >"$W/ex-$m.limit"
			break
		done
		ex_stop
	done
}

# ---------------------------------------------------------------- latency
best_mops() { # FILE-GLOB-PREFIX: best "mops" of the finished runs
	cat "$1"-*.json 2>/dev/null | sed -n 's/.*"mops":\([0-9.]*\).*"stuck":false.*/\1/p' |
		sort -g | tail -n 1
}

lat_phase() { # REP
	if [ "$RUN_RAW" = 1 ] && [ -n "$CRYPTO_PERF" ]; then
		raw_run cipher latency 1 "$(echo "$LAT_SP" | tr ' ' ',')" "$W/lat-raw-$1.csv" \
			"$LAT_OPS"
	fi
	if [ "$RUN_VC" = 1 ] && vc_start; then
		bench_run "$VPID" "$W/vm0.sock" "$W/lat-vc-qd1-$1" --latency --queue-depth 1 --ops "$LAT_OPS" \
			--sizes "$(echo "$LAT_SP" | tr ' ' ',')" --style "$STYLE" \
			--session-layout qemu70 || true
		for s in $LAT_SP; do
			peak=$(best_mops "$W/vc-cipher-$s")
			[ -n "$peak" ] || continue
			rate=$(awk -v p="$peak" 'BEGIN { printf "%.0f", p * 1e6 / 2 }')
			bench_run "$VPID" "$W/vm0.sock" "$W/lat-vc-half-$s-$1" --latency --queue-depth "$QDEPTH" \
				--rate "$rate" --ops "$LAT_OPS" --sizes "$s" --style "$STYLE" \
				--session-layout qemu70 || true
		done
		vc_stop
	fi
	if [ "$RUN_EX" = 1 ] && [ -x "$EXAMPLE" ] && ex_start; then
		limit=$(cat "$W/ex-cipher.limit" 2>/dev/null || echo 0)
		ok=""
		for s in $LAT_SP; do
			if [ "$limit" -eq 0 ] || [ "$s" -lt "$limit" ]; then ok="$ok,$s"; fi
		done
		if [ -n "$ok" ]; then
			bench_run "$EPID" "$W/ex.sock" "$W/lat-ex-qd1-$1" --latency --queue-depth 1 --ops "$LAT_OPS" \
				--sizes "${ok#,}" --style dpdk --session-layout qemu70 || true
			for s in $(echo "$ok" | tr ',' ' '); do
				peak=$(best_mops "$W/ex-cipher-$s")
				[ -n "$peak" ] || continue
				rate=$(awk -v p="$peak" 'BEGIN { printf "%.0f", p * 1e6 / 2 }')
				bench_run "$EPID" "$W/ex.sock" "$W/lat-ex-half-$s-$1" --latency --queue-depth "$QDEPTH" \
					--rate "$rate" --ops "$LAT_OPS" --sizes "$s" --style dpdk \
					--session-layout qemu70 || true
			done
		fi
		ex_stop
	fi
}

# ---------------------------------------------------------------- the run
measure() {
	T_START=$(now_ns)
	PSI0=$(cpu_pressure_us)
	{
		echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "nproc=$(nproc)"
		echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
		# the figures depend on how vcryptd was built: a test build (scripts/test.sh)
		# has the fault-injection wrapper between workers and backends
		echo "build=$("$PY" -c 'import json, sys
o = {x["name"]: x["value"] for x in json.load(open(sys.argv[1]))}
print("buildtype %s, fault_inject %s" % (o.get("buildtype"), "on" if o.get("fault_inject") else "off"))' \
			"$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null || echo unknown)"
	} >"$W/machine.txt"
	if [ "$RUN_RAW" = 1 ] && [ -z "$CRYPTO_PERF" ]; then
		echo "dpdk-test-crypto-perf not installed (Debian package dpdk-dev)" >"$W/raw.reason"
		RUN_RAW=0
	fi
	if [ "$RUN_EX" = 1 ]; then
		if ! ex_build >"$W/ex.reason"; then
			RUN_EX=0
		else
			rm -f "$W/ex.reason"
		fi
	fi
	[ "$RUN_RAW" = 1 ] || [ -f "$W/raw.reason" ] || echo "not run (--no-raw)" >"$W/raw.reason"
	[ "$RUN_VC" = 1 ] || echo "not run (--no-vcryptd)" >"$W/vc.reason"
	[ "$RUN_EX" = 1 ] || [ -f "$W/ex.reason" ] || echo "not run (--no-example)" >"$W/ex.reason"

	rep=1
	while [ "$rep" -le "$REPS" ]; do
		log "repetition $rep/$REPS: raw PMD"
		if [ "$RUN_RAW" = 1 ]; then
			for m in $MIXES_SP; do
				raw_run "$m" throughput "$BURST" "$SIZES" "$W/raw-$m-$rep.csv"
			done
		fi
		log "repetition $rep/$REPS: vcryptd"
		if [ "$RUN_VC" = 1 ]; then
			if vc_start; then
				vc_throughput "$rep" || true
				vc_stop
			else
				echo "vcryptd did not start: $(tail -n 1 "$W/vcryptd.log")" >"$W/vc.reason"
				vc_stop
				RUN_VC=0
			fi
		fi
		log "repetition $rep/$REPS: DPDK vhost_crypto example"
		if [ "$RUN_EX" = 1 ]; then
			ex_throughput "$rep" || {
				ex_stop
				RUN_EX=0
			}
		fi
		if [ "$RUN_RT" = 1 ] && [ "$rep" -le "$RT_REPS" ]; then
			log "repetition $rep/$REPS: routed (cpu_only, accel_only, routed)"
			rt_phase "$rep"
		fi
		if [ "$RUN_LAT" = 1 ] && [ -n "$LAT_SP" ]; then
			log "repetition $rep/$REPS: latency"
			lat_phase "$rep"
		fi
		rep=$((rep + 1))
	done
	PSI1=$(cpu_pressure_us)
	T_END=$(now_ns)
	{
		echo "wall_ns=$((T_END - T_START))"
		echo "psi_us=$((${PSI1:-0} - ${PSI0:-0}))"
	} >>"$W/machine.txt"
	[ "$RUN_RT" = 1 ] || RT_REPS=0
	for v in MIXES SIZES LAT_SP REPS OPS BYTES LAT_OPS BURST QDEPTH STYLE PLACE CPUS RT_REPS \
		RT_OPS RT_BYTES RT_THRESHOLD; do
		eval "echo \"$v='\$$v'\""
	done >"$W/options.env"
}

if [ -z "$REPORT" ]; then
	measure
else
	RT_REPS=0 # a run kept before the routed phase existed has none
	PLACE=out # nor one kept before frontends ran in place
	# shellcheck disable=SC1091
	. "$W/options.env"
fi

export W MIXES SIZES LAT_SP REPS OPS BYTES LAT_OPS BURST QDEPTH STYLE PLACE JSON CPUS STALL \
	RT_REPS RT_OPS RT_BYTES RT_THRESHOLD
"$PY" - <<'PYEOF'
# The report: best of the repetitions, ratios, cycles per op, latency percentiles.
import glob
import json
import os
import re

E = os.environ
W = E["W"]
MIXES = E["MIXES"].split(",")
SIZES = [int(x) for x in E["SIZES"].split(",")]
LAT = [int(x) for x in E["LAT_SP"].split()]
REPS = int(E["REPS"])
RT_REPS = int(E.get("RT_REPS") or 0)  # 0: the routed phase did not run
ALGO = {"cipher": "aes-cbc-128", "chain": "aes-cbc-128-hmac-sha1"}
RT_VARIANTS = ("cpu_only", "accel_only", "routed")


def text(name):
    try:
        with open(os.path.join(W, name)) as f:
            return f.read().strip()
    except OSError:
        return ""


def jline(name):
    for line in text(name).splitlines():
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def jlines(name):
    out = []
    for line in text(name).splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def meta(name):
    return {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", text(name))}


def ops_for(size, ops=None, nbytes=None):
    return max(1000, min(int(ops or E["OPS"]), int(nbytes or E["BYTES"]) // size))


def rt_ops_for(size):
    return ops_for(size, E.get("RT_OPS"), E.get("RT_BYTES"))


def worker_cycles(name):
    """(busy, idle, t_ns): TSC cycles of vcryptd's workers (/vcryptd/workers), query time."""
    try:
        lines = text(name).splitlines()
        d = json.loads(lines[0])["/vcryptd/workers"].values()
        t = int(lines[1].split("=")[1]) if len(lines) > 1 else None
        return sum(w["busy_cycles"] for w in d), sum(w["idle_cycles"] for w in d), t
    except (ValueError, KeyError, AttributeError, TypeError, IndexError):
        return None


def tsc_hz():
    """The TSC rate: the workers' busy + idle cycles against the query times, over each
    daemon's life (its first and last query), the longest such span."""
    best = (0, None)
    for rep in range(1, REPS + 1):
        pts = []
        for mix in MIXES:
            for size in SIZES:
                for k in ("tel0", "tel1"):
                    c = worker_cycles("vc-%s-%d-%d.%s" % (mix, size, rep, k))
                    if c and c[2]:
                        pts.append(c)
        if len(pts) >= 2:
            a, b = min(pts, key=lambda c: c[2]), max(pts, key=lambda c: c[2])
            span = b[2] - a[2]
            if span > best[0] and span > 5e8:
                best = (span, (b[0] + b[1] - a[0] - a[1]) / span * 1e9)
    return round(best[1], -6) if best[1] else None


TSC_HZ = tsc_hz()


def rnd(x, n=4):
    return None if x is None else round(x, n)


def raw_csv(name, fields):
    rows = []
    for line in text(name).splitlines():
        p = line.strip().split(",")
        if len(p) == fields and all(re.fullmatch(r"[0-9.]+", x) for x in p):
            rows.append(p)
    return rows


def err_tail(prefix):
    lines = [l for l in text(prefix + ".err").splitlines()
             if l and not re.match(r"vcryptd-bench: .*layout", l)]
    return lines[-1] if lines else "no result"


def tput_result(runs, reason):
    ok = [r for r in runs if r is not None]
    if not ok:
        return {"gbps": None, "mops": None, "median_mops": None, "runs_mops": [],
                "reason": reason or "no result"}
    best = max(ok, key=lambda r: r["mops"])
    mops = sorted(r["mops"] for r in ok)
    res = {"gbps": rnd(best["gbps"]), "mops": rnd(best["mops"]),
           "median_mops": rnd(mops[len(mops) // 2] if len(mops) % 2 else
                              (mops[len(mops) // 2 - 1] + mops[len(mops) // 2]) / 2),
           "runs_mops": [rnd(r["mops"]) for r in ok], "reason": None}
    for k in ("cycles_per_op", "worker_busy_share", "worker_cpu_share", "cpu_pressure"):
        if k in best:
            vals = [r[k] for r in ok if r.get(k) is not None]
            # cycles per op: the least inflated by preemption; shares: of the best run
            res[k] = rnd(min(vals) if k == "cycles_per_op" and vals else best.get(k), 3)
    return res


def frontend_run(prefix, with_cycles):
    j = jline(prefix + ".json")
    m = meta(prefix + ".meta")
    if j is None or j.get("stuck") or j.get("errors") or m.get("rc", 1) != 0:
        return None
    r = {"mops": j["mops"], "gbps": j["gbps"]}
    if m.get("wall_ns"):
        r["worker_cpu_share"] = min(1.0, m.get("run_ns", 0) / m["wall_ns"])
        r["cpu_pressure"] = min(1.0, m.get("psi_us", 0) * 1e3 / m["wall_ns"])
    if with_cycles:
        c0, c1 = worker_cycles(prefix + ".tel0"), worker_cycles(prefix + ".tel1")
        if c0 and c1 and j["ops"]:
            busy = c1[0] - c0[0]
            r["cycles_per_op"] = busy / j["ops"]
            # busy cycles against the measured interval (the queries bracket more than it)
            r["worker_busy_share"] = min(1.0, busy / (j["seconds"] * TSC_HZ)) \
                if TSC_HZ and j["seconds"] > 0 else None
        else:
            r["cycles_per_op"] = r["worker_busy_share"] = None
    return r


rows = []
for mix in MIXES:
    raw = {}
    for rep in range(1, REPS + 1):
        for p in raw_csv("raw-%s-%d.csv" % (mix, rep), 10):
            if int(p[3]) and p[3] == p[4]:
                raw.setdefault(int(p[1]), []).append({"mops": float(p[7]), "gbps": float(p[8])})
    raw_reason = text("raw.reason")
    if not raw_reason:
        raw_reason = text("raw-%s-1.csv.err").splitlines()[-1:] or ["no result"]
        raw_reason = "dpdk-test-crypto-perf: " + raw_reason[0]
    ex_limit = int(text("ex-%s.limit" % mix) or 0)
    ex_reason = text("ex-%s.reason" % mix)
    for size in SIZES:
        vc = [frontend_run("vc-%s-%d-%d" % (mix, size, r), True) for r in range(1, REPS + 1)]
        ex = [frontend_run("ex-%s-%d-%d" % (mix, size, r), False) for r in range(1, REPS + 1)]
        vc_reason = text("vc.reason") or err_tail("vc-%s-%d-1" % (mix, size))
        if text("ex.reason"):
            exr = text("ex.reason")
        elif ex_limit and size == ex_limit:
            exr = ex_reason
        elif ex_limit and size > ex_limit:
            exr = "not tried: " + ex_reason
        else:
            exr = err_tail("ex-%s-%d-1" % (mix, size))
        row = {"type": "throughput", "mix": mix, "algo": ALGO[mix], "size": size,
               "burst": int(E["BURST"]), "queue_depth": int(E["QDEPTH"]), "ops": ops_for(size),
               "reps": REPS, "vcryptd_style": E["STYLE"],
               "frontend_in_place": E["PLACE"] == "in",
               "raw": tput_result(raw.get(size, []), raw_reason),
               "vcryptd": tput_result(vc, vc_reason),
               "dpdk_example": tput_result(ex, exr)}
        v, r, x = row["vcryptd"]["mops"], row["raw"]["mops"], row["dpdk_example"]["mops"]
        row["vcryptd_vs_raw"] = rnd(v / r, 3) if v and r else None
        row["vcryptd_vs_example"] = rnd(v / x, 3) if v and x else None
        # the same from the medians of the repetitions (the spread shows how noisy the run was)
        v, r = row["vcryptd"].get("median_mops"), row["raw"].get("median_mops")
        row["vcryptd_vs_raw_median"] = rnd(v / r, 3) if v and r else None
        row["vcryptd_cycles_per_op"] = row["vcryptd"].get("cycles_per_op")
        rows.append(row)


def tel_reply(name, key):
    """The reply to telemetry query KEY saved in NAME (first line), or None."""
    try:
        return json.loads(text(name).splitlines()[0])[key]
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def role_ops(name):
    """Ops completed so far per backend role, from a saved /vcryptd/backends reply."""
    d = tel_reply(name, "/vcryptd/backends")
    if not isinstance(d, dict):
        return None
    ops = {"cpu": 0, "accel": 0}
    for b in d.values():
        if isinstance(b, dict) and b.get("role") in ops and isinstance(b.get("ops"), int):
            ops[b["role"]] += b["ops"]
    return ops


ROUTING = {rep: tel_reply("rt-routing-%d" % rep, "/vcryptd/routing")
           for rep in range(1, RT_REPS + 1)}


def rt_threshold(rep, mix):
    try:
        return str(ROUTING[rep][mix]["threshold"])
    except (KeyError, TypeError):
        return None


def served(prefix):
    """Which role completed a routed run's requests: cpu or accel (99 % or more), else mixed."""
    a, b = role_ops(prefix + ".be0"), role_ops(prefix + ".be1")
    if not a or not b:
        return None
    cpu, accel = b["cpu"] - a["cpu"], b["accel"] - a["accel"]
    if cpu < 0 or accel < 0 or cpu + accel == 0:
        return None
    share = accel / (cpu + accel)
    return {"served_by": "accel" if share >= 0.99 else "cpu" if share <= 0.01 else "mixed",
            "accel_share": rnd(share, 3), "served_ops": {"cpu": cpu, "accel": accel}}


rt_rows = []
for mix in MIXES if RT_REPS else []:
    for size in SIZES:
        row = {"type": "routed", "mix": mix, "algo": ALGO[mix], "size": size,
               "burst": int(E["BURST"]), "queue_depth": int(E["QDEPTH"]),
               "ops": rt_ops_for(size), "reps": RT_REPS, "vcryptd_style": E["STYLE"]}
        runs = {}
        for v in RT_VARIANTS:
            pre = "rt-%s-%s-%d-%%d" % (v, mix, size)
            runs[v] = [frontend_run(pre % r, False) for r in range(1, RT_REPS + 1)]
            row[v] = tput_result(runs[v], text("rt-%s.reason" % v) or err_tail(pre % 1))
        c, a, r = (row[v]["mops"] for v in RT_VARIANTS)
        row["routed_vs_cpu"] = rnd(r / c, 3) if r and c else None
        row["routed_vs_accel"] = rnd(r / a, 3) if r and a else None
        # what served the routed figure: the repetition it comes from
        ok = [(x["mops"], i + 1) for i, x in enumerate(runs["routed"]) if x is not None]
        best = max(ok)[1] if ok else None
        sv = served("rt-routed-%s-%d-%d" % (mix, size, best)) if best else None
        row["served_by"] = sv["served_by"] if sv else None
        row["accel_share"] = sv["accel_share"] if sv else None
        row["served_ops"] = sv["served_ops"] if sv else None
        th = [rt_threshold(x, mix) for x in range(1, RT_REPS + 1)]
        row["threshold"] = rt_threshold(best, mix) if best else \
            next((t for t in th if t is not None), None)
        row["thresholds_by_rep"] = th
        rt_rows.append(row)


def rt_calibration():
    """The first routed start's calibration: ns per op by size, cpu and accel, per op type."""
    for rep in range(1, RT_REPS + 1):
        d = ROUTING.get(rep)
        if not isinstance(d, dict) or "sizes" not in d:
            continue
        out = {"sizes": d["sizes"]}
        for op in ("cipher", "chain"):
            o = d.get(op) or {}
            out[op] = {k: o.get(k) for k in ("configured", "crossover", "cpu_backend",
                                             "accel_backend")}
            for role in ("cpu", "accel"):
                # the daemon gives picoseconds (cpu_ps), or nanoseconds (cpu_ns) before
                ps, ns = o.get(role + "_ps"), o.get(role + "_ns")
                out[op][role + "_ns"] = [rnd(x / 1000, 3) for x in ps] \
                    if isinstance(ps, list) else ns
        return out
    return None


def pct(v, q):
    if not v:
        return None
    k = max(1, min(len(v), int(q * len(v) + 0.999999)))
    return v[k - 1]


def lat_stats(samples):
    v = sorted(samples)
    return {"p50_us": rnd(pct(v, 0.5), 3), "p99_us": rnd(pct(v, 0.99), 3),
            "p999_us": rnd(pct(v, 0.999), 3), "mean_us": rnd(sum(v) / len(v), 3),
            "max_us": rnd(v[-1], 3), "samples": len(v)}


def lat_best(cands, reason):
    cands = [c for c in cands if c and c.get("samples")]
    if not cands:
        return {"p50_us": None, "p99_us": None, "p999_us": None, "reason": reason}
    best = min(cands, key=lambda c: c["p99_us"])
    best["reason"] = None
    return best


def lat_from_bench(name, size):
    for j in jlines(name):
        if j.get("mode") == "latency" and j["size"] == size and not j.get("stuck") \
                and not j.get("errors"):
            d = {k: j[k] for k in ("p50_us", "p99_us", "p999_us", "mean_us", "max_us")}
            d["samples"] = j["ops"]
            d["rate_mops"] = j["rate_mops"]
            d["achieved_mops"] = j["mops"]
            d["late"] = j["late"]
            return d
    return None


lat_rows = []
for size in LAT:
    raw_c = []
    for rep in range(1, REPS + 1):
        us = [float(p[5]) for p in raw_csv("lat-raw-%d.csv" % rep, 6) if int(p[1]) == size]
        us = us[min(1000, len(us) // 10):]  # the same warm-up as vcryptd-bench --latency
        raw_c.append(lat_stats(us) if us else None)
    ex_limit = int(text("ex-cipher.limit") or 0)
    for load in ("qd1", "50%"):
        tag = "qd1" if load == "qd1" else "half"
        vc_c, ex_c = [], []
        for rep in range(1, REPS + 1):
            name = "lat-vc-qd1-%d.json" % rep if load == "qd1" else \
                "lat-vc-half-%d-%d.json" % (size, rep)
            vc_c.append(lat_from_bench(name, size))
            name = "lat-ex-qd1-%d.json" % rep if load == "qd1" else \
                "lat-ex-half-%d-%d.json" % (size, rep)
            ex_c.append(lat_from_bench(name, size))
        if load == "qd1":
            rawl = lat_best(raw_c, text("raw.reason") or "no result")
        else:
            rawl = lat_best([], "dpdk-test-crypto-perf --ptest latency has no rate control")
        if text("ex.reason"):
            exr = text("ex.reason")
        elif ex_limit and size >= ex_limit:
            exr = "the example cannot serve %d B (%s)" % (size, text("ex-cipher.reason"))
        else:
            exr = "no result"
        row = {"type": "latency", "mix": "cipher", "algo": "aes-cbc-128", "size": size,
               "load": load, "queue_depth": 1 if load == "qd1" else int(E["QDEPTH"]),
               "raw": rawl, "vcryptd": lat_best(vc_c, text("vc.reason") or "no result"),
               "dpdk_example": lat_best(ex_c, exr)}
        a, b = row["vcryptd"]["p99_us"], row["raw"]["p99_us"]
        row["vcryptd_added_p99_us"] = rnd(a - b, 3) if a is not None and b is not None else None
        lat_rows.append(row)

mach = dict(re.findall(r"(\w+)=(.*)", text("machine.txt")))
wall = int(mach.get("wall_ns", 0)) / 1e9
psi = int(mach.get("psi_us", 0) or 0) / 1e6
summary = {"type": "run", "reps": REPS, "max_ops": int(E["OPS"]), "bytes": int(E["BYTES"]),
           "lat_ops": int(E["LAT_OPS"]), "tsc_hz": TSC_HZ,
           "burst": int(E["BURST"]), "queue_depth": int(E["QDEPTH"]), "cpus": E["CPUS"],
           "vcryptd_style": E["STYLE"], "wall_s": round(wall, 1),
           "cpu_pressure_pct": round(100 * psi / wall, 1) if wall else None,
           "dpdk_example_stalls_recovered": text("ex.flaky").splitlines(),
           "routed_reps": RT_REPS,
           "routed_max_ops": int(E.get("RT_OPS") or 0) if RT_REPS else None,
           "routed_bytes": int(E.get("RT_BYTES") or 0) if RT_REPS else None,
           "routed_threshold_configured": (E.get("RT_THRESHOLD") or "auto") if RT_REPS else None,
           "routed_thresholds": {op: [rt_threshold(x, op) for x in range(1, RT_REPS + 1)]
                                 for op in ("cipher", "chain")} if RT_REPS else None,
           "routed_calibration": rt_calibration(),
           "cpu": mach.get("cpu"), "nproc": int(mach.get("nproc", 0) or 0),
           "vcryptd_build": mach.get("build"),
           "loadavg_at_start": mach.get("loadavg")}

if E["JSON"] == "1":
    for row in rows + rt_rows + lat_rows + [summary]:
        print(json.dumps(row, separators=(",", ":")))
    raise SystemExit(0)


def f(x, fmt):
    return "-" if x is None else fmt % x


print("Throughput, best of %d (Gbps, Mops); burst %s, queue depth %s, %d MiB or at most %s "
      "requests per run; vcryptd frontend style %s, %s"
      % (REPS, E["BURST"], E["QDEPTH"], int(E["BYTES"]) >> 20, E["OPS"], E["STYLE"],
         "in place" if E["PLACE"] == "in" else "out of place"))
print("%-6s %6s | %7s %7s | %7s %7s %7s %5s %5s | %7s %7s | %6s %6s"
      % ("mix", "size", "raw", "Mops", "vcryptd", "Mops", "cyc/op", "busy%", "cpu%",
         "example", "Mops", "vc/raw", "vc/ex"))


def pc(x):
    return None if x is None else 100 * x


for r in rows:
    ra, v, x = r["raw"], r["vcryptd"], r["dpdk_example"]
    print("%-6s %6d | %7s %7s | %7s %7s %7s %5s %5s | %7s %7s | %6s %6s" % (
        r["mix"], r["size"], f(ra["gbps"], "%.3f"), f(ra["mops"], "%.3f"),
        f(v["gbps"], "%.3f"), f(v["mops"], "%.3f"), f(v.get("cycles_per_op"), "%.0f"),
        f(pc(v.get("worker_busy_share")), "%.0f"), f(pc(v.get("worker_cpu_share")), "%.0f"),
        f(x["gbps"], "%.3f"), f(x["mops"], "%.3f"),
        f(r["vcryptd_vs_raw"], "%.2f"), f(r["vcryptd_vs_example"], "%.2f")))
print("  Gbps columns: raw, vcryptd, example.  cyc/op: vcryptd worker busy TSC cycles per "
      "request (lowest of the runs);")
print("  busy%: busy cycles / (run time x TSC rate); cpu%: share of the run the worker "
      "thread was on a CPU (schedstat).")
notes = set()
for r in rows:
    for k in ("raw", "vcryptd", "dpdk_example"):
        if r[k]["reason"] and not r[k]["reason"].startswith("not tried"):
            notes.add("%s %s %d B: %s" % (k, r["mix"], r["size"], r[k]["reason"]))
for n in sorted(notes):
    print("  note: " + n)
for n in text("ex.flaky").splitlines():
    print("  note: dpdk_example stalled once at " + n)


def rt_th(op):
    th = summary["routed_thresholds"][op]
    if len(set(th)) == 1:
        return f(th[0], "%s")
    return ", ".join(f(t, "%s") for t in th) + " (by repetition)"


if rt_rows:
    print()
    print("routed (crypto_openssl as accel stand-in + crypto_aesni_mb as cpu), best of %d (Gbps); "
          "%d MiB or at most %s requests per run" % (RT_REPS, int(E["RT_BYTES"]) >> 20,
                                                      E["RT_OPS"]))
    print("  thresholds in effect (configured %s%s): cipher %s, chain %s"
          % (E.get("RT_THRESHOLD") or "auto",
             ", calibrated at each start" if (E.get("RT_THRESHOLD") or "auto") == "auto" else "",
             rt_th("cipher"), rt_th("chain")))
    print("%-6s %6s | %8s %10s %8s | %15s %17s | %s"
          % ("mix", "size", "cpu_only", "accel_only", "routed", "routed/cpu_only",
             "routed/accel_only", "served by"))
    for r in rt_rows:
        sb = r["served_by"] or "-"
        if sb == "mixed":
            sb = "mixed (%.0f%% accel)" % (100 * r["accel_share"])
        print("%-6s %6d | %8s %10s %8s | %15s %17s | %s" % (
            r["mix"], r["size"], f(r["cpu_only"]["gbps"], "%.3f"),
            f(r["accel_only"]["gbps"], "%.3f"), f(r["routed"]["gbps"], "%.3f"),
            f(r["routed_vs_cpu"], "%.2f"), f(r["routed_vs_accel"], "%.2f"), sb))
    print("  Gbps.  cpu_only: crypto_aesni_mb alone (role cpu); accel_only: crypto_openssl "
          "alone (role accel); routed: both,")
    print("  on the same worker core.  served by: the role that completed >= 99 % of the best "
          "routed run's requests, else mixed.")
    notes = set()
    for r in rt_rows:
        for k in RT_VARIANTS:
            if r[k]["reason"]:
                notes.add("%s %s %d B: %s" % (k, r["mix"], r["size"], r[k]["reason"]))
    for n in sorted(notes):
        print("  note: " + n)
if lat_rows:
    print()
    print("Latency, AES-128-CBC (us; the repetition with the lowest p99 of %d; %s requests)"
          % (REPS, E["LAT_OPS"]))
    print("%6s %5s | %8s %8s %8s | %8s %8s %8s | %8s %8s %8s | %8s"
          % ("size", "load", "raw p50", "p99", "p99.9", "vcd p50", "p99", "p99.9",
             "ex p50", "p99", "p99.9", "vcd-raw"))
    for r in lat_rows:
        c = [r[k][q] for k in ("raw", "vcryptd", "dpdk_example")
             for q in ("p50_us", "p99_us", "p999_us")]
        print("%6d %5s | %8s %8s %8s | %8s %8s %8s | %8s %8s %8s | %8s"
              % tuple([r["size"], r["load"]] + [f(x, "%.2f") for x in c]
                      + [f(r["vcryptd_added_p99_us"], "%+.2f")]))
print()
print("run: %.0f s; CPU pressure (PSI some): %s%% of the time a task waited for a CPU; "
      "load average at start %s; vcryptd build: %s"
      % (wall, summary["cpu_pressure_pct"], mach.get("loadavg"), mach.get("build", "unknown")))
PYEOF
