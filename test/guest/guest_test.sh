#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# guest_test.sh CASE GUEST_IMAGE_SH IMAGE_DIR WITH_DAEMON VCRYPTD NVMS
#   builds (or finds up to date) the guest image, then runs
#   WITH_DAEMON VCRYPTD NVMS guest_test.sh --run CASE IMAGE_DIR
#   (test/func/with_daemon.sh: a private vcryptd; VCD_SOCK0.., VCD_DIR and
#   VCD_DAEMON_PID come from there).
#
# Linux guest tests: QEMU (TCG unless KVM works) boots Debian's kernel with the
# initramfs of scripts/guest-image.sh; the stock virtio_crypto driver reaches
# vcryptd through QEMU's cryptodev-vhost-user.  Each case checks the guest's
# result lines and vcryptd's own counters (DPDK telemetry, /vcryptd/vm,<name>).
#
#   selftest_afalg  one guest, mode full: kernel self-test, AF_ALG KATs, sizes
#                   16 B..256 KiB x 3 key sizes, 8 parallel sockets, throughput
#   two_guests      two guests on one daemon at the same time (vm0, vm1)
#   reboot          a guest powers off; a second boot on the same socket works
#   kill            a guest under load is killed with SIGKILL; the daemon stays
#                   up, drops that VM's sessions and requests, serves the next
#   openssl_afalg   OpenSSL's afalg engine (the host's openssl over 9p) encrypts
#                   and decrypts 1 MiB AES-128-CBC through the device; checked
#                   against OpenSSL's software AES; AES-NI not loaded
#
# Each guest's console is kept in $VCD_GUEST_LOGDIR (default: logs/ next to
# IMAGE_DIR, i.e. <builddir>/test/guest/logs) as <case>-<n>.log.
set -u
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
if [ "${1:-}" != --run ]; then
	[ $# -eq 6 ] || {
		echo "usage: $0 CASE GUEST_IMAGE_SH IMAGE_DIR WITH_DAEMON VCRYPTD NVMS" >&2
		exit 2
	}
	# Before the daemon starts: the first build downloads the kernel package.
	t0=$(date +%s)
	"$2" "$3" || {
		echo "guest_test[$1]: FAIL: scripts/guest-image.sh $3 failed" >&2
		exit 1
	}
	echo "guest_test[$1]: image ready in $(($(date +%s) - t0)) s" >&2
	exec "$4" "$5" "$6" "$self" --run "$1" "$3"
fi
case_=$2
img=$3
run="$here/run-guest.sh"
: "${VCD_SOCK0:?run me through with_daemon.sh}"
logdir=${VCD_GUEST_LOGDIR:-$(dirname "$img")/logs}
mkdir -p "$logdir" 2>/dev/null || logdir=$VCD_DIR
export VCD_GUEST_TIMEOUT=${VCD_GUEST_TIMEOUT:-240}
prefix=$(sed -n 's/.*--file-prefix=\([^ ]*\).*/\1/p' "$VCD_DIR/vcryptd.conf")
seed=${VCD_GUEST_SEED:-$(date +%s)}
# Largest request of the sweep and of the random sizes in selftest_afalg
# (debugging knob: the test is meant to run with the default).  The lifecycle
# cases (two_guests, reboot, kill) keep to 64 KiB: large requests are
# selftest_afalg's job, and one defect should fail one test.
maxlen=${VCD_GUEST_MAXLEN:-262144}
quick="vcd.mode=quick vcd.maxlen=65536"
T="VCRYPTD-GUEST:"

say() { echo "guest_test[$case_]: $*" >&2; }
fail() {
	say "FAIL: $*"
	exit 1
}

# One VM's counters as "key value" lines (nothing, and the reason on stderr, when
# vcryptd does not answer).
vm_counters() {
	out=$(echo "/vcryptd/vm,$1" | timeout 20 dpdk-telemetry.py -f "$prefix" 2>&1)
	echo "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{") and "/vcryptd/vm" in line:
        for k, v in json.loads(line)["/vcryptd/vm"].items():
            print(k, v)
        sys.exit(0)
sys.exit(1)
' || {
		echo "guest_test: no answer from dpdk-telemetry.py -f $prefix: $out" >&2
		ls -la "/var/run/dpdk/$prefix/" >&2
	}
}
counter() { # VM KEY (-1 when vcryptd does not answer)
	vm_counters "$1" | awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print -1 }'
}
show_counters() {
	say "vcryptd $1: $(vm_counters "$1" | grep -vE '^(socket|chain_[a-z_]+ 0$)' | tr '\n' ' ')"
}

daemon_alive() {
	kill -0 "$VCD_DAEMON_PID" 2>/dev/null || fail "vcryptd (pid $VCD_DAEMON_PID) is gone"
}

# Every request answered OK, nothing malformed, nothing left over.
check_clean() { # VM
	daemon_alive
	c=$(vm_counters "$1")
	[ -n "$c" ] || fail "no telemetry from vcryptd (dpdk-telemetry.py -f $prefix)"
	get() { echo "$c" | awk -v k="$1" '$1 == k { print $2 }'; }
	req=$(get requests)
	[ "$(get ok)" = "$req" ] || fail "$1: requests $req but ok $(get ok): $(echo "$c" | tr '\n' ' ')"
	for k in err badmsg notsupp invsess nospc other no_status; do
		[ "$(get $k)" = 0 ] || fail "$1: $k = $(get $k)"
	done
	bad=$(echo "$c" | awk '$1 ~ /^chain_/ && $2 != 0')
	[ -z "$bad" ] || fail "$1: malformed chains: $bad"
}

# After the guest is gone: no connection, session or request left in vcryptd.
wait_released() { # VM
	n=0
	while :; do
		daemon_alive
		c=$(vm_counters "$1")
		st=$(echo "$c" | awk '$1 == "connected" || $1 == "sessions" || $1 == "inflight" { printf "%s=%s ", $1, $2 }')
		[ "$st" = "connected=0 sessions=0 inflight=0 " ] && return 0
		n=$((n + 1))
		[ "$n" -lt 50 ] || fail "$1: ${st:-no counters} 10 s after the guest went"
		sleep 0.2
	done
}

# The guest's lines that must be there.
expect() { # LOG PATTERN...
	l=$1
	shift
	for p; do
		grep -q "^$T $p" "$l" || fail "no \"$T $p\" in $l"
	done
}

# "sweep ok N/M": N must be M.
all_of() { # LOG WORD
	l=$(grep "^$T $2 ok " "$1" | head -n 1)
	echo "$l" | awk -v w="$2" '{ split($4, a, "/"); exit !(a[1] == a[2] && a[2] > 0) }' ||
		fail "$2: not all passed: $l"
}

# Device requests the guest itself counted (KAT, sweep, parallel, throughput).
guest_ops() { # LOG
	awk '
	/^VCRYPTD-GUEST: afalg kat ok/ { split($5, a, "/"); n += a[2] }
	/^VCRYPTD-GUEST: (sweep|parallel|sizes) ok/ { for (i = 1; i <= NF; i++) if ($i ~ /^ops=/) n += substr($i, 5) }
	/^VCRYPTD-GUEST: throughput driver=virtio_crypto_aes_cbc/ { for (i = 1; i <= NF; i++) if ($i ~ /^ops=/) n += substr($i, 5) }
	END { print n + 0 }' "$1"
}

boot() { # NAME SOCK KERNEL_ARGS... -> log in $logdir/$case_-NAME.log
	name=$1
	sock=$2
	shift 2
	log="$logdir/$case_-$name.log"
	rm -f "$log"
	say "boot $name on $(basename "$sock") ($*) -> $log"
	"$run" "$img" "$sock" "$log" vcd.seed=$((seed + name - 1)) "$@"
}

show_results() { # LOG
	grep "^$T" "$1" | grep -vE 'dmesg|^VCRYPTD-GUEST: load ops=' | sed "s/^/    /" >&2
}

say "image $img ($(sed -n 's/^KERNEL_PKG=//p' "$img/image.env") $(sed -n 's/^KERNEL_VERSION=//p' "$img/image.env")), seed $seed"
daemon_alive
case $case_ in
selftest_afalg)
	boot 1 "$VCD_SOCK0" vcd.mode=full vcd.maxlen="$maxlen"
	r=$?
	log="$logdir/$case_-1.log"
	show_results "$log"
	show_counters vm0
	[ "$r" -eq 0 ] || fail "guest failed"
	expect "$log" "selftest passed driver=virtio_crypto_aes_cbc" "afalg kat ok 30/30" \
		"reference kat ok 30/30" "sweep ok [0-9]*/[0-9]* sizes=16..$maxlen keys=128,192,256" \
		"parallel ok threads=8" \
		"throughput driver=virtio_crypto_aes_cbc op=encrypt size=4096 threads=1" "RESULT PASS"
	all_of "$log" sweep
	daemon_alive
	wait_released vm0
	show_counters vm0
	check_clean vm0
	want=$(guest_ops "$log")
	got=$(counter vm0 requests)
	[ "$got" -ge "$want" ] || fail "vcryptd answered $got requests; the guest made $want"
	[ "$(counter vm0 sessions_created)" -ge 100 ] || fail "too few sessions created"
	say "PASS: guest made $want requests (plus self-test), vcryptd answered $got"
	;;
openssl_afalg)
	# OpenSSL's afalg engine in the guest, the way a TLS server would use the device.
	VCD_GUEST_HOSTROOT=1 boot 1 "$VCD_SOCK0" vcd.mode=openssl
	r=$?
	log="$logdir/$case_-1.log"
	show_results "$log"
	[ "$r" -eq 0 ] || fail "guest failed"
	expect "$log" "engine (afalg) AFALG engine support" "openssl afalg ok bytes=1048576" \
		"cbc(aes) drivers: virtio_crypto_aes_cbc" "RESULT PASS"
	grep -q "^$T cbc(aes) drivers:.*aesni" "$log" && fail "AES-NI registered: the engine may have used it"
	daemon_alive
	wait_released vm0
	check_clean vm0
	# 1 MiB encrypted and decrypted through the device (plus the self-test).
	got=$(counter vm0 bytes)
	[ "$got" -ge 2097152 ] || fail "vcryptd ran $got bytes; the guest's OpenSSL sent 2 MiB"
	say "PASS: OpenSSL afalg in the guest: 2 MiB through vcryptd ($got bytes, $(counter vm0 requests) requests)"
	;;
two_guests)
	boot 1 "$VCD_SOCK0" $quick &
	p0=$!
	boot 2 "$VCD_SOCK1" $quick &
	p1=$!
	# While both run: both attached at once (required), and how often both
	# made requests between two samples (reported).
	attached=0 busy=0 a0=-1 a1=-1
	while kill -0 "$p0" 2>/dev/null && kill -0 "$p1" 2>/dev/null; do
		c0=$(vm_counters vm0 2>/dev/null)
		c1=$(vm_counters vm1 2>/dev/null)
		b0=$(echo "$c0" | awk '$1 == "requests" { print $2 }')
		b1=$(echo "$c1" | awk '$1 == "requests" { print $2 }')
		echo "$c0" | grep -qx 'connected 1' && echo "$c1" | grep -qx 'connected 1' &&
			attached=$((attached + 1))
		[ "$a0" -ge 0 ] && [ "${b0:-0}" -gt "$a0" ] && [ "${b1:-0}" -gt "$a1" ] && busy=$((busy + 1))
		a0=${b0:-0} a1=${b1:-0}
		sleep 0.5
	done
	wait "$p0"
	r0=$?
	wait "$p1"
	r1=$?
	show_results "$logdir/$case_-1.log"
	show_results "$logdir/$case_-2.log"
	[ "$r0" -eq 0 ] || fail "guest 1 (vm0) failed"
	[ "$r1" -eq 0 ] || fail "guest 2 (vm1) failed"
	daemon_alive
	for vm in vm0 vm1; do
		wait_released $vm
		show_counters $vm
		check_clean $vm
	done
	for i in 1 2; do
		vm=vm$((i - 1))
		want=$(guest_ops "$logdir/$case_-$i.log")
		got=$(counter $vm requests)
		[ "$got" -ge "$want" ] || fail "$vm: vcryptd answered $got requests; guest $i made $want"
	done
	[ "$attached" -gt 0 ] || fail "the two guests were never attached to vcryptd at the same time"
	say "PASS: two guests at once (both attached in $attached samples, both sending in $busy), vm0 $(counter vm0 requests) and vm1 $(counter vm1 requests) requests"
	;;
reboot)
	boot 1 "$VCD_SOCK0" $quick || fail "first boot failed"
	wait_released vm0
	r1=$(counter vm0 requests)
	check_clean vm0
	boot 2 "$VCD_SOCK0" $quick || fail "second boot on the same socket failed"
	show_results "$logdir/$case_-2.log"
	daemon_alive
	wait_released vm0
	show_counters vm0
	check_clean vm0
	r2=$(counter vm0 requests)
	[ "$(counter vm0 connections)" = 2 ] || fail "connections $(counter vm0 connections), want 2"
	want=$(guest_ops "$logdir/$case_-2.log")
	[ $((r2 - r1)) -ge "$want" ] || fail "second boot: vcryptd answered $((r2 - r1)); guest made $want"
	say "PASS: two boots, $r1 then $((r2 - r1)) requests"
	;;
kill)
	pidf="$VCD_DIR/qemu1.pid"
	log="$logdir/$case_-1.log"
	rm -f "$log"
	VCD_GUEST_PIDFILE=$pidf VCD_GUEST_QUIET=1 boot 1 "$VCD_SOCK0" vcd.mode=load vcd.maxlen=65536 &
	rpid=$!
	n=0
	# Wait until the guest has done real work and is in the middle of more.
	until [ "$(awk '/^VCRYPTD-GUEST: load ops=/ { sub("ops=", "", $3); n = $3 } END { print n + 0 }' "$log" 2>/dev/null || echo 0)" -ge 300 ]; do
		n=$((n + 1))
		kill -0 "$rpid" 2>/dev/null || {
			show_results "$log"
			fail "the load guest ended by itself"
		}
		[ "$n" -lt 900 ] || fail "the load guest made no progress in 180 s"
		sleep 0.2
	done
	# Requests are flowing right now (vcryptd's count moves), then SIGKILL.
	r0=$(counter vm0 requests)
	sleep 0.5
	r1=$(counter vm0 requests)
	i1=$(counter vm0 inflight)
	qpid=$(cat "$pidf")
	[ -n "$qpid" ] || fail "no QEMU pid"
	[ "$r1" -gt "$r0" ] || fail "no requests in flight before the kill ($r0 -> $r1)"
	kill -9 "$qpid"
	say "guest under load: vcryptd requests $r0 -> $r1 in 0.5 s, inflight $i1; killed QEMU $qpid (SIGKILL)"
	wait "$rpid"
	grep "^VCRYPTD-GUEST: load" "$log" | tail -n 2 | sed "s/^/    /" >&2
	grep -q "RESULT FAIL\|load FAIL" "$log" && fail "the guest saw failures before it was killed"
	sleep 1
	daemon_alive
	wait_released vm0
	show_counters vm0
	r2=$(counter vm0 requests)
	[ "$r2" -ge "$r1" ] || fail "requests went down"
	[ "$(counter vm0 no_status)" = 0 ] || fail "no_status $(counter vm0 no_status)"
	boot 2 "$VCD_SOCK0" $quick || fail "the next guest on the same socket failed"
	show_results "$logdir/$case_-2.log"
	daemon_alive
	wait_released vm0
	show_counters vm0
	[ "$(counter vm0 connections)" = 2 ] || fail "connections $(counter vm0 connections), want 2"
	r3=$(counter vm0 requests)
	want=$(guest_ops "$logdir/$case_-2.log")
	[ $((r3 - r2)) -ge "$want" ] || fail "next guest: vcryptd answered $((r3 - r2)); guest made $want"
	say "PASS: killed guest after $r1 requests; next guest made $want, daemon up"
	;;
*)
	fail "unknown case $case_"
	;;
esac
exit 0
