#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# scripts/bench_rsa.sh [--build DIR] [--seconds S] [--bits LIST] [--json]
#
# RSA sign and verify operations per second, in the same run on the same CPU:
#   raw      `openssl speed rsaBITS` pinned to CPU 1 (OpenSSL, what crypto_openssl
#            calls; CRT private keys)
#   vcryptd  vcryptd with crypto_openssl as its backend, its worker on CPU 1, its RSA
#            lane (the thread that runs cpu RSA ops: akcipher.h) on the main lcore's
#            CPU 0, driven by vcryptd-bench pinned to CPU 0 (on a 2-CPU host the lane
#            and the bench share that CPU) (QEMU >= 8.1 wire layout, PKCS#1 v1.5 with
#            SHA-256; the bench keeps --queue-depth requests in flight)
# and the ratio vcryptd / raw.  Private keys travel in QEMU's session message, which
# holds at most 1024 bytes: RSA-1024 goes as a full CRT key; RSA-2048 and 3072 go
# without CRT values (n, e, d), so vcryptd's sign runs without CRT (some 3 times the
# work); RSA-4096 private keys do not fit at all (sign: n/a).
set -eu
cd "$(dirname "$0")/.."
BUILD=build SECS=5 BITS=1024,2048,3072,4096 JSON=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift ;;
	--seconds) SECS=$2; shift ;;
	--bits) BITS=$2; shift ;;
	--json) JSON=1 ;;
	*) echo "bench_rsa.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
	esac
	shift
done
VCRYPTD=$BUILD/src/vcryptd BENCH=$BUILD/tools/bench/vcryptd-bench
[ -x "$VCRYPTD" ] && [ -x "$BENCH" ] || {
	echo "bench_rsa.sh: no $VCRYPTD or $BENCH: build first (meson setup $BUILD && ninja -C $BUILD)" >&2
	exit 1
}
dir=$(mktemp -d /tmp/vcd-rsa.XXXXXX)
trap 'kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; rm -rf "$dir"' EXIT
cat >"$dir/c.conf" <<CONF
[daemon]
lcores = 0-1
hugepages = no
memory_mb = 512
eal_args = --file-prefix=vcdrsa$$
socket_dir = $dir
log_level = warning
[backend ossl0]
driver = crypto_openssl
CONF
"$VCRYPTD" -c "$dir/c.conf" --socket "$dir/vm0.sock" >"$dir/daemon.log" 2>&1 &
dpid=$!
n=0
until [ -S "$dir/vm0.sock" ] || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -S "$dir/vm0.sock" ] || { cat "$dir/daemon.log" >&2; exit 1; }

# One vcryptd-bench run: ops/s of OP on rsa-BITS-pkcs1-sha256, or n/a.
vcd_rate() { # BITS OP
	ops=$(python3 -c "print(max(200, int($SECS * (60000 if '$2' == 'verify' else 3000) * (1024 / $1) ** 2)))")
	out=$(taskset -c 0 "$BENCH" --socket "$dir/vm0.sock" --session-layout qemu81 --throughput \
		--algo "rsa-$1-pkcs1-sha256" --rsa-op "$2" --ops "$ops" --queue-depth 32 --json 2>"$dir/err") || {
		echo n/a
		return 0
	}
	echo "$out" | python3 -c 'import json,sys
for l in sys.stdin:
    l = l.strip()
    if l.startswith("{") and "ops_per_s" in l:
        print(round(json.loads(l)["ops_per_s"], 1)); break
else:
    print("n/a")'
}

echo "bits sign_raw sign_vcryptd sign_ratio verify_raw verify_vcryptd verify_ratio" >"$dir/rows"
for bits in $(echo "$BITS" | tr ',' ' '); do
	raw=$(taskset -c 1 openssl speed -seconds "$SECS" "rsa$bits" 2>/dev/null |
		awk -v b="$bits" '$1 == "rsa" && $2 == b { print $6, $7 }')
	s=$(vcd_rate "$bits" sign)
	v=$(vcd_rate "$bits" verify)
	echo "$bits ${raw:-n/a n/a} $s $v" | awk '{
		sr = ($4 == "n/a" || $2 == "n/a") ? "n/a" : sprintf("%.3f", $4 / $2);
		vr = ($5 == "n/a" || $3 == "n/a") ? "n/a" : sprintf("%.3f", $5 / $3);
		print $1, $2, $4, sr, $3, $5, vr }' >>"$dir/rows"
done
if [ "$JSON" = 1 ]; then
	python3 - "$dir/rows" <<'PY'
import json, sys
rows = [l.split() for l in open(sys.argv[1])]
for r in rows[1:]:
    print(json.dumps(dict(zip(rows[0], [int(r[0])] + [None if x == "n/a" else float(x) for x in r[1:]]))))
PY
else
	echo "RSA PKCS#1 v1.5 SHA-256, ops/s: raw = openssl speed (CPU 1), vcryptd = crypto_openssl via vcryptd-bench (worker CPU 1, RSA lane and frontend CPU 0)"
	column -t "$dir/rows"
fi
