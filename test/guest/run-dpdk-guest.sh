#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# run-dpdk-guest.sh IMAGE_DIR SOCKET LOG [KERNEL_ARGS...]
#
# Boots the guest of scripts/guest-image.sh in DPDK mode (test/guest/init.sh
# vcd.mode=dpdk) against a vcryptd socket: the host's root file system is
# exported read-only over virtio-9p (mount tag hostroot), the guest chroots
# into it and runs Debian's own dpdk-test-crypto-perf over DPDK's
# crypto_virtio PMD (test/guest/dpdk_guest.sh).  Serial console to LOG.
# Before the boot it makes a work directory (next to LOG) with
# dpdk_guest.sh and AES-128-CBC / HMAC-SHA1 test vectors in
# dpdk-test-crypto-perf's format, computed here with openssl and Python's
# hmac (one per size of $VCD_DPDK_SIZES, default 64,2048).
#
# Exit status: 0 when QEMU exited 0 and the guest printed
# "VCRYPTD-GUEST: RESULT PASS"; 1 otherwise (the time limit kills QEMU).
#
# Environment:
#   VCD_GUEST_TIMEOUT  seconds before QEMU is killed (default 170)
#   VCD_GUEST_ACCEL    tcg | kvm | auto (as in run-guest.sh)
#   VCD_GUEST_MEM      guest RAM (default 1G; 256 x 2 MiB hugepages of it for DPDK)
#   VCD_DPDK_SIZES     verify buffer sizes (default 64,2048; at most 2176)
#   VCD_DPDK_BADVEC=1  one ciphertext bit of each vector flipped: every verify
#                      run must fail (shows the test can fail)
#
# Test mode (meson, suite 'guest'):
#   run-dpdk-guest.sh --test GUEST_IMAGE_SH IMAGE_DIR WITH_DAEMON VCRYPTD
# builds (or finds up to date) the image, starts a private vcryptd
# (test/func/with_daemon.sh), boots the guest on it (log in
# $VCD_GUEST_LOGDIR, default IMAGE_DIR/../logs, dpdk-1.log) and checks: every
# verify run passed (no failed operation, all enqueued and dequeued), the
# throughput table came out, and vcryptd's own counters (telemetry
# /vcryptd/vm,vm0) show at least the guest's operations, all answered OK,
# sessions created, and nothing left once the guest is gone.
set -u
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
T="VCRYPTD-GUEST:"
if [ "${1:-}" = --test ]; then
	[ $# -eq 5 ] || {
		echo "usage: $0 --test GUEST_IMAGE_SH IMAGE_DIR WITH_DAEMON VCRYPTD" >&2
		exit 2
	}
	t0=$(date +%s)
	"$2" "$3" || {
		echo "dpdk_guest: FAIL: scripts/guest-image.sh $3 failed" >&2
		exit 1
	}
	echo "dpdk_guest: image ready in $(($(date +%s) - t0)) s" >&2
	exec "$4" "$5" 1 "$self" --check "$3"
fi
if [ "${1:-}" = --check ]; then
	img=$2
	: "${VCD_SOCK0:?run me through with_daemon.sh}"
	say() { echo "dpdk_guest: $*" >&2; }
	fail() {
		say "FAIL: $*"
		exit 1
	}
	logdir=${VCD_GUEST_LOGDIR:-$(dirname "$img")/logs}
	mkdir -p "$logdir" 2>/dev/null || logdir=$VCD_DIR
	log="$logdir/dpdk-1.log"
	prefix=$(sed -n 's/.*--file-prefix=\([^ ]*\).*/\1/p' "$VCD_DIR/vcryptd.conf")
	counters() { # "key value" lines of /vcryptd/vm,vm0
		echo "/vcryptd/vm,vm0" | timeout 20 dpdk-telemetry.py -f "$prefix" 2>&1 | python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{") and "/vcryptd/vm" in line:
        for k, v in json.loads(line)["/vcryptd/vm"].items():
            print(k, v)
        sys.exit(0)
sys.exit(1)
' || say "no answer from dpdk-telemetry.py -f $prefix"
	}
	get() { echo "$c" | awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print -1 }'; }
	t0=$(date +%s)
	say "boot on $(basename "$VCD_SOCK0") -> $log"
	"$self" "$img" "$VCD_SOCK0" "$log"
	r=$?
	grep "^$T" "$log" | grep -v "==== BEGIN verify" | sed 's/^/    /' >&2
	sed -n "/^$T ==== BEGIN throughput/,/^$T ==== END throughput/p" "$log" |
		grep -E '^ +(lcore|[0-9])' | sed 's/^/    /' >&2
	kill -0 "$VCD_DAEMON_PID" 2>/dev/null || fail "vcryptd (pid $VCD_DAEMON_PID) is gone"
	[ "$r" -eq 0 ] || fail "guest failed"
	nv=$(grep -c "^$T verify ok " "$log")
	[ "$nv" -ge 2 ] || fail "only $nv verify runs passed"
	grep -q "^$T verify FAIL" "$log" && fail "a verify run failed"
	grep -q "^$T throughput ok " "$log" || fail "no throughput result"
	rows=$(sed -n "/^$T ==== BEGIN throughput/,/^$T ==== END throughput/p" "$log" |
		awk 'NF == 10 && $1 ~ /^[0-9]+$/ && $4 == $5 && $4 > 0 { n++ } END { print n + 0 }')
	[ "$rows" -ge 1 ] || fail "no throughput table rows in $log"
	# Operations the guest made (each one request to vcryptd).
	want=$(awk -v T="$T" '
		$1 == T && $3 == "ok" { for (i = 4; i <= NF; i++) if ($i ~ /^ops=/) o = substr($i, 5)
			if ($2 == "verify") n += o
			if ($2 == "throughput") { for (i = 4; i <= NF; i++) if ($i ~ /^rows=/) n += o * substr($i, 6) } }
		END { print n + 0 }' "$log")
	n=0
	while :; do
		c=$(counters)
		st="connected=$(get connected) sessions=$(get sessions) inflight=$(get inflight)"
		[ "$st" = "connected=0 sessions=0 inflight=0" ] && break
		n=$((n + 1))
		[ "$n" -lt 50 ] || fail "vm0: $st 10 s after the guest went"
		sleep 0.2
	done
	say "vcryptd vm0: $(echo "$c" | grep -vE '^(socket|chain_[a-z_]+ 0$)' | tr '\n' ' ')"
	req=$(get requests)
	[ "$req" -ge "$want" ] || fail "vcryptd answered $req requests; the guest made $want"
	[ "$(get ok)" = "$req" ] || fail "requests $req but ok $(get ok)"
	for k in err badmsg notsupp invsess nospc other no_status; do
		[ "$(get $k)" = 0 ] || fail "vm0: $k = $(get $k)"
	done
	bad=$(echo "$c" | awk '$1 ~ /^chain_/ && $2 != 0')
	[ -z "$bad" ] || fail "malformed chains: $bad"
	[ "$(get sessions_created)" -ge 2 ] || fail "sessions_created $(get sessions_created)"
	say "PASS: $nv verify runs, throughput table ($rows sizes); guest made $want operations, vcryptd answered $req, in $(($(date +%s) - t0)) s"
	exit 0
fi
img=$1
sock=$2
log=$3
shift 3

timeout_s=${VCD_GUEST_TIMEOUT:-170}
mem=${VCD_GUEST_MEM:-1G}
sizes=${VCD_DPDK_SIZES:-64,2048}
accel=${VCD_GUEST_ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=kvm
	fi
fi
[ -f "$img/vmlinux" ] && [ -f "$img/initrd.img" ] || {
	echo "run-dpdk-guest: no $img/vmlinux or $img/initrd.img (scripts/guest-image.sh $img)" >&2
	exit 1
}
[ -S "$sock" ] || {
	echo "run-dpdk-guest: $sock is not a socket (is vcryptd serving it?)" >&2
	exit 1
}
command -v dpdk-test-crypto-perf >/dev/null || {
	echo "run-dpdk-guest: no dpdk-test-crypto-perf on this host (Debian package dpdk-dev)" >&2
	exit 1
}

# The work directory the guest copies into its chroot (/tmp/vcd).  An absolute
# path without spaces: it goes on the kernel command line.
work="$(cd "$(dirname "$log")" && pwd)/$(basename "$log" .log).dpdk"
rm -rf "$work"
mkdir -p "$work"
cp "$here/dpdk_guest.sh" "$work/dpdk_guest.sh"
for n in $(echo "$sizes" | tr ',' ' '); do
	python3 - "$n" "$work/v$n.data" <<'PY' || exit 1
import hashlib, hmac, os, subprocess, sys
n = int(sys.argv[1])
assert n % 16 == 0 and 0 < n <= 2176, "size must be a multiple of 16, at most 2176"
pt = bytes((i * 7 + 3) & 0xff for i in range(n))
key = bytes(range(0x10, 0x20))
iv = bytes(range(0xa0, 0xb0))
akey = bytes((0x5c ^ (i * 3)) & 0xff for i in range(64))
ct = subprocess.run(["openssl", "enc", "-aes-128-cbc", "-nopad", "-K", key.hex(), "-iv", iv.hex()],
                    input=pt, capture_output=True, check=True).stdout
assert len(ct) == n
dg = hmac.new(akey, ct, hashlib.sha1).digest()
if os.environ.get("VCD_DPDK_BADVEC") == "1":  # shows that verify fails
    ct = bytes([ct[0] ^ 1]) + ct[1:]
def arr(b):
    return ",\n".join(", ".join("0x%02x" % x for x in b[i:i + 16]) for i in range(0, len(b), 16))
with open(sys.argv[2], "w") as f:
    f.write("# vcryptd DPDK guest test: AES-128-CBC encrypt, HMAC-SHA1 over the ciphertext\n")
    for k, v in (("plaintext", pt), ("ciphertext", ct), ("cipher_key", key),
                 ("auth_key", akey), ("cipher_iv", iv)):
        f.write("%s =\n%s\n" % (k, arr(v)))
    f.write("[sha1_hmac_buff_%d]\ndigest =\n%s\n" % (n, arr(dg)))
PY
done

# As run-guest.sh, plus the host's root over virtio-9p (read-only; QEMU runs
# as the user who runs the test, security_model=none: no ownership mapping).
set -- -machine q35,accel="$accel" -cpu max -m "$mem" -smp 2 \
	-nographic -no-reboot -nic none \
	-kernel "$img/vmlinux" -initrd "$img/initrd.img" \
	-append "console=ttyS0 quiet panic=-1 vcd.mode=dpdk vcd.dir=$work $*" \
	-object memory-backend-memfd,id=mem,size="$mem",share=on -numa node,memdev=mem \
	-chardev socket,id=vc0,path="$sock" \
	-object cryptodev-vhost-user,id=cdev0,chardev=vc0 \
	-device virtio-crypto-pci,id=crypto0,cryptodev=cdev0,vectors=0 \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot

start=$(date +%s)
echo "run-dpdk-guest: qemu-system-x86_64 $*" >"$log"
timeout -s KILL "$timeout_s" qemu-system-x86_64 "$@" </dev/null >>"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
tr -d '\r' <"$log" >"$log.tmp" && mv -f "$log.tmp" "$log"
echo "run-dpdk-guest: qemu exit $rc after ${secs} s (accel $accel)" >>"$log"
if [ "$rc" -eq 0 ] && grep -q '^VCRYPTD-GUEST: RESULT PASS' "$log"; then
	echo "run-dpdk-guest: PASS in ${secs} s ($accel)" >&2
	exit 0
fi
if [ "$rc" -eq 137 ] && [ "$secs" -ge "$timeout_s" ]; then
	echo "run-dpdk-guest: FAIL: guest killed after the ${timeout_s} s limit" >&2
else
	echo "run-dpdk-guest: FAIL: qemu exit $rc after ${secs} s" >&2
fi
[ "${VCD_GUEST_QUIET:-0}" = 1 ] || { echo "---- guest console ($log) ----" >&2; tail -n 80 "$log" >&2; }
exit 1
