#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# vcryptd's main job end to end on the built-in default configuration
# (config/vcryptd.conf: crypto_aesni_mb on one worker lcore, no hugepages):
#  1. installs what is missing (Debian 12 packages) and builds;
#  2. starts vcryptd with two VM sockets;
#  3. boots a real Linux guest (Debian's QEMU 7.2 and 6.1 kernel, TCG) on the
#     first: the kernel's crypto self-test through virtio_crypto, AF_ALG
#     known answers and random data against the guest's software AES, and the
#     guest-side throughput;
#  4. vcryptd-bench attaches to the second as QEMU 7.2 + a Linux guest would,
#     checks every algorithm against OpenSSL at 16 B .. 1 MiB, then measures
#     throughput;
#  5. reads vcryptd's counters over DPDK telemetry;
#  6. stops vcryptd with SIGTERM and checks nothing is left behind;
#  7. runs it again with two backends (crypto_openssl standing in for an accelerator)
#     and shows requests routed by size.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
BUILD=${VCD_BUILD_DIR:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" >/dev/null

echo "== guest image (Debian kernel and busybox from the archive; cached in $BUILD/guest)"
sh scripts/guest-image.sh "$BUILD/guest"

dir=$(mktemp -d /tmp/vcryptd-demo.XXXXXX)
guest_sock="$dir/vm0.sock"
sock="$dir/vm1.sock"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

ALGOS="aes-cbc-128,aes-cbc-192,aes-cbc-256,aes-ctr-128,aes-ctr-192,aes-ctr-256,3des-cbc"
ALGOS="$ALGOS,aes-cbc-128-hmac-sha1,aes-cbc-128-hmac-sha256,aes-cbc-128-hmac-sha512"
ALGOS="$ALGOS,aes-ctr-128-hmac-sha1"

echo "== starting vcryptd (built-in default config, VM sockets $guest_sock and $sock)"
"$BUILD/src/vcryptd" --socket "$guest_sock" --socket "$sock" >"$dir/vcryptd.log" 2>&1 &
pid=$!
t=0
until grep -q "ready:" "$dir/vcryptd.log"; do
	kill -0 "$pid" 2>/dev/null || { cat "$dir/vcryptd.log"; echo "vcryptd failed to start"; exit 1; }
	t=$((t + 1)); [ "$t" -lt 300 ] || { echo "vcryptd not ready"; exit 1; }
	sleep 0.1
done
grep "^vcryptd:" "$dir/vcryptd.log"

echo
echo "== Linux guest on vm0 (QEMU 7.2, kernel 6.1, stock virtio_crypto driver)"
VCD_GUEST_QUIET=1 test/guest/run-guest.sh "$BUILD/guest" "$guest_sock" "$dir/guest.log" \
	vcd.mode=full vcd.tput=1 || guest_rc=$?
grep "VCRYPTD-GUEST" "$dir/guest.log" | sed 's/^.*VCRYPTD-GUEST: /  guest: /'
[ "${guest_rc:-0}" -eq 0 ] || { echo "the guest failed: $dir/guest.log"; exit 1; }

echo
echo "== vcryptd-bench on vm1 --verify: QEMU 7.2 session layout, Linux guest request layout, OpenSSL reference"
"$BUILD/tools/bench/vcryptd-bench" --socket "$sock" --verify --session-layout qemu72 --timeout 60000 \
	--algo "$ALGOS" --sizes 16,64,1024,4096,65536,1048576

echo
echo "== vcryptd-bench throughput: AES-128-CBC, one worker lcore, queue depth 64, burst 32"
"$BUILD/tools/bench/vcryptd-bench" --socket "$sock" --throughput --algo aes-cbc-128 \
	--sizes 64,1024,4096,16384 --ops 200000

echo
echo "== vcryptd counters (DPDK telemetry: /vcryptd/vm,vm0 and /vcryptd/vm,vm1)"
for vm in vm0 vm1; do
	echo "/vcryptd/vm,$vm" | dpdk-telemetry.py -f vcryptd 2>/dev/null | tail -n 1 |
		python3 -c 'import json,sys; d=json.load(sys.stdin)["/vcryptd/vm"]; print("  " + "  ".join(f"{k}={v}" for k,v in d.items() if v))'
done

echo
echo "== stopping vcryptd (SIGTERM: drain, close sockets, exit)"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
grep -E "signal|requests" "$dir/vcryptd.log"
[ "$rc" -eq 0 ] || { echo "vcryptd exited with $rc"; exit 1; }
[ ! -e "$sock" ] && [ ! -e "$guest_sock" ] || { echo "socket left behind"; exit 1; }
[ ! -e /var/run/dpdk/vcryptd ] || { echo "DPDK runtime directory left behind"; exit 1; }
echo
echo "== routing: crypto_aesni_mb as the cpu backend, crypto_openssl standing in for an"
echo "   accelerator (no QAT here), threshold_cipher = 4096: smaller requests to cpu, larger to accel"
cat >"$dir/routing.conf" <<EOF
[daemon]
lcores = 0-1
socket_dir = $dir
[backend aesni0]
driver = crypto_aesni_mb
role = cpu
[backend ossl0]
driver = crypto_openssl
role = accel
[routing]
threshold_cipher = 4096
threshold_chain = auto
EOF
"$BUILD/src/vcryptd" -c "$dir/routing.conf" --socket "$sock" >"$dir/routing.log" 2>&1 &
pid=$!
t=0
until grep -q "ready:" "$dir/routing.log" 2>/dev/null; do
	kill -0 "$pid" 2>/dev/null || { cat "$dir/routing.log"; echo "vcryptd failed to start"; exit 1; }
	t=$((t + 1)); [ "$t" -lt 300 ] || { echo "vcryptd not ready"; exit 1; }
	sleep 0.1
done
grep -E "^vcryptd: (backend|routing|no )" "$dir/routing.log"
"$BUILD/tools/bench/vcryptd-bench" --socket "$sock" --verify --timeout 60000 \
	--algo aes-cbc-128,aes-cbc-128-hmac-sha1 --sizes 64,1024,16384,65536
echo "/vcryptd/vm,vm1" | dpdk-telemetry.py -f vcryptd 2>/dev/null | tail -n 1 |
	python3 -c 'import json,sys; d=json.load(sys.stdin)["/vcryptd/vm"]; print("  " + "  ".join(f"{k}={d[k]}" for k in ("requests","ok","routed_cpu_ops","routed_accel_ops","routed_cpu_bytes","routed_accel_bytes")))'
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" -eq 0 ] || { echo "vcryptd (routing) exited with $rc"; exit 1; }
[ ! -e "$sock" ] && [ ! -e /var/run/dpdk/vcryptd ] || { echo "routing run left files behind"; exit 1; }
echo "demo: OK (vcryptd exited 0, no socket or DPDK runtime files left)"
