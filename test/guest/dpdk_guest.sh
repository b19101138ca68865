#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# dpdk_guest.sh PCI_ADDR
#
# Runs inside the DPDK guest (test/guest/init.sh, vcd.mode=dpdk), chroot'ed
# into the host's root file system (virtio-9p, read-only; /proc /sys /dev
# bound, tmpfs on /run and /tmp, hugetlbfs on /dev/hugepages), from
# /tmp/vcd (a copy of the host directory run-dpdk-guest.sh prepared: this
# script and the test vectors v<SIZE>.data).  Debian's own
# dpdk-test-crypto-perf drives DPDK 22.11's crypto_virtio PMD on the
# virtio-crypto device (bound to uio_pci_generic), i.e. vcryptd:
#
#   verify      AES-128-CBC encrypt, and AES-128-CBC encrypt + HMAC-SHA1
#               generate (digest over the ciphertext), for each vector size:
#               every output compared with the vector (openssl/hashlib, host)
#   throughput  cipher-then-auth at sizes 64..2048 (crypto_virtio in 22.11
#               refuses buffers over 2176 bytes)
#
# Lines for the host start with "VCRYPTD-GUEST: ".  Each tool output is
# copied between "VCRYPTD-GUEST: ==== BEGIN <name>" and "... ==== END <name>".
# (--pool-sz below 1024 makes the verify test's constructor fail, on any PMD;
# --silent: no option and vector dump, the table only.)
# Kernel command line: vcd.ops=N (verify ops per run, default 64),
# vcd.tops=N (throughput ops per size, default 256), vcd.tsizes=A,B,...
set -u
T="VCRYPTD-GUEST:"
pci=$1
cd /tmp/vcd || exit 1
ops=64 tops=256 tsizes=64,256,1024,2048
for a in $(cat /proc/cmdline); do
	case $a in
	vcd.ops=*) ops=${a#*=} ;;
	vcd.tops=*) tops=${a#*=} ;;
	vcd.tsizes=*) tsizes=${a#*=} ;;
	esac
done
up() { cut -d' ' -f1 /proc/uptime; }
echo "$T dpdk chroot $(. /etc/os-release && echo "$PRETTY_NAME") dpdk=$(dpkg-query -W -f '${Version}' dpdk 2>/dev/null) uptime=$(up)"

fails=0
eal="-l 0,1 -a $pci --file-prefix g --log-level=lib.eal:notice"
perf() { # NAME ARGS... : run dpdk-test-crypto-perf, output copied to the console
	name=$1
	shift
	t0=$(up)
	echo "$T ==== BEGIN $name"
	# shellcheck disable=SC2086
	timeout 120 dpdk-test-crypto-perf $eal -- --devtype crypto_virtio "$@" >"out.$name" 2>&1
	rc=$?
	cat "out.$name"
	echo "$T ==== END $name rc=$rc secs=$(echo "$t0 $(up)" | awk '{ printf "%.1f", $2 - $1 }')"
	return $rc
}

# The verify table: "lcore  bufsz  burst  enq  deq  failed-enq  failed-deq  failed-ops".
# Failed Enq/Deq count enqueue/dequeue calls that moved fewer operations than
# asked (polling an answer not there yet), not errors: Failed Ops is the one.
verify_ok() { # NAME WANT_OPS
	awk -v want="$2" '
	NF == 8 && $1 ~ /^[0-9]+$/ { rows++; if ($4 != want || $5 != want || $8 != 0) bad++ }
	END { exit !(rows > 0 && bad == 0) }' "out.$1"
}

cipher="--cipher-algo aes-cbc --cipher-key-sz 16 --cipher-iv-sz 16 --cipher-op encrypt"
auth="--auth-algo sha1-hmac --auth-op generate --auth-key-sz 64 --digest-sz 20"
for v in v*.data; do
	sz=${v#v}
	sz=${sz%.data}
	for opt in cipher-only cipher-then-auth; do
		name="verify-$opt-$sz"
		set -- --ptest verify --optype "$opt" --test-file "/tmp/vcd/$v" --buffer-sz "$sz" \
			--total-ops "$ops" --burst-sz 8 --pool-sz 1024 --desc-nb 128 --silent $cipher
		[ "$opt" = cipher-only ] || set -- "$@" $auth --test-name "sha1_hmac_buff_$sz"
		perf "$name" "$@"
		if [ $? -eq 0 ] && verify_ok "$name" "$ops"; then
			echo "$T verify ok optype=$opt size=$sz ops=$ops"
		else
			echo "$T verify FAIL optype=$opt size=$sz ops=$ops"
			fails=$((fails + 1))
		fi
	done
done

# Throughput: the table of each size ("lcore id  Buf Size  Burst Size  Enqueued ...").
perf throughput --ptest throughput --optype cipher-then-auth $cipher $auth \
	--buffer-sz "$tsizes" --burst-sz 32 --total-ops "$tops" --pool-sz 1024 --desc-nb 256
rc=$?
rows=$(awk 'NF >= 10 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ { n++ } END { print n + 0 }' out.throughput)
nsz=$(echo "$tsizes" | tr ',' '\n' | grep -c .)
if [ "$rc" -eq 0 ] && [ "$rows" -eq "$nsz" ]; then
	echo "$T throughput ok sizes=$tsizes ops=$tops rows=$rows"
else
	echo "$T throughput FAIL rc=$rc rows=$rows sizes=$tsizes"
	fails=$((fails + 1))
fi

if [ "$fails" -eq 0 ]; then
	echo "$T RESULT PASS"
else
	echo "$T RESULT FAIL $fails failed"
fi
exit "$fails"
