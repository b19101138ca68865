#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# run-guest.sh IMAGE_DIR SOCKET LOG [KERNEL_ARGS...]
#
# Boots the guest of scripts/guest-image.sh in QEMU against a vcryptd socket,
# serial console to LOG, and waits for it to power off.  Exit status: 0 when
# QEMU exited 0 and the guest printed "VCRYPTD-GUEST: RESULT PASS"; 1 otherwise
# (guest FAIL, QEMU error, or the time limit: QEMU is killed).  KERNEL_ARGS are
# added to the kernel command line (vcd.mode=..., see test/guest/init.sh).
#
# Environment:
#   VCD_GUEST_TIMEOUT  seconds before QEMU is killed (default 300)
#   VCD_GUEST_ACCEL    tcg | kvm | auto (default auto: kvm only when /dev/kvm is
#                      usable and the CPU shows vmx/svm; nested set-ups without
#                      them hang under KVM)
#   VCD_GUEST_MEM      guest RAM (default 512M), VCD_GUEST_SMP (default 2)
#   VCD_GUEST_KERNEL   vmlinux (default; PVH entry) | vmlinuz (Debian's bzImage)
#   VCD_GUEST_PIDFILE  where QEMU's pid goes (for tests that kill it)
#   VCD_GUEST_QUIET=1  do not copy the console to stderr when the guest fails
set -u
img=$1
sock=$2
log=$3
shift 3

timeout_s=${VCD_GUEST_TIMEOUT:-300}
mem=${VCD_GUEST_MEM:-512M}
smp=${VCD_GUEST_SMP:-2}
kernel="$img/${VCD_GUEST_KERNEL:-vmlinux}"
accel=${VCD_GUEST_ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=kvm
	fi
fi
[ -f "$kernel" ] && [ -f "$img/initrd.img" ] || {
	echo "run-guest: no $kernel or $img/initrd.img (scripts/guest-image.sh $img)" >&2
	exit 1
}
[ -S "$sock" ] || {
	echo "run-guest: $sock is not a socket (is vcryptd serving it?)" >&2
	exit 1
}

# -machine q35 -cpu max -smp 2: a modern PC; max gives the guest AES-NI (TCG
#   emulates it) so that cbc-aes-aesni exists next to aes-generic.
# memory-backend-memfd,share=on + -numa node,memdev=mem: guest RAM vcryptd can map.
# -chardev socket (client; vcryptd is the server) + cryptodev-vhost-user +
#   virtio-crypto-pci,vectors=0: QEMU 7.2 crashes with MSI-X on this device.
# -nic none: q35 would add an e1000e the guest does not need.
# -no-reboot + panic=-1: a panicking guest ends QEMU instead of rebooting.
set -- -machine q35,accel="$accel" -cpu max -m "$mem" -smp "$smp" \
	-nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$img/initrd.img" \
	-append "console=ttyS0 quiet panic=-1 $*" \
	-object memory-backend-memfd,id=mem,size="$mem",share=on -numa node,memdev=mem \
	-chardev socket,id=vc0,path="$sock" \
	-object cryptodev-vhost-user,id=cdev0,chardev=vc0 \
	-device virtio-crypto-pci,id=crypto0,cryptodev=cdev0,vectors=0
# VCD_GUEST_HOSTROOT=1: the host's root over virtio-9p too (read-only, mount
# tag hostroot), for guest programs from the host's packages (mode openssl).
if [ "${VCD_GUEST_HOSTROOT:-0}" = 1 ]; then
	set -- "$@" -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=root,mount_tag=hostroot
fi

start=$(date +%s)
echo "run-guest: qemu-system-x86_64 $*" >"$log"
timeout -s KILL "$timeout_s" qemu-system-x86_64 "$@" </dev/null >>"$log" 2>&1 &
tpid=$!
# timeout(1) runs QEMU as its child: record QEMU's own pid for kill tests.
if [ -n "${VCD_GUEST_PIDFILE:-}" ]; then
	n=0
	qpid=""
	while [ -z "$qpid" ] && [ "$n" -lt 50 ]; do
		qpid=$(pgrep -P "$tpid" -x qemu-system-x86 || pgrep -P "$tpid" || true)
		[ -n "$qpid" ] || sleep 0.1
		n=$((n + 1))
	done
	echo "$qpid" >"$VCD_GUEST_PIDFILE"
fi
wait "$tpid"
rc=$?
secs=$(($(date +%s) - start))
tr -d '\r' <"$log" >"$log.tmp" && mv -f "$log.tmp" "$log"
echo "run-guest: qemu exit $rc after ${secs} s (accel $accel)" >>"$log"

ok=0
if [ "$rc" -eq 0 ] && grep -q '^VCRYPTD-GUEST: RESULT PASS' "$log"; then
	ok=1
fi
if [ "$ok" -eq 1 ]; then
	echo "run-guest: PASS in ${secs} s ($accel)" >&2
	exit 0
fi
if { [ "$rc" -eq 137 ] || [ "$rc" -eq 124 ]; } && [ "$secs" -ge "$timeout_s" ]; then
	echo "run-guest: FAIL: guest killed after the ${timeout_s} s limit" >&2
elif [ "$rc" -gt 128 ]; then
	echo "run-guest: FAIL: qemu killed by signal $((rc - 128)) after ${secs} s" >&2
else
	echo "run-guest: FAIL: qemu exit $rc, $(grep -c '^VCRYPTD-GUEST: RESULT PASS' "$log") PASS lines" >&2
fi
[ "${VCD_GUEST_QUIET:-0}" = 1 ] || { echo "---- guest console ($log) ----" >&2; tail -n 60 "$log" >&2; }
exit 1
