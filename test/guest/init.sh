#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# /init of the guest initramfs (scripts/guest-image.sh).  Busybox only.
# Loads the modules listed in /etc/vcd-modules (dependency order; virtio_crypto
# last, with a time limit: its registration runs the kernel's self-test through
# the device, i.e. through vcryptd), then runs vcd-guest-afalg, then powers off.
# Every line meant for the host starts with "VCRYPTD-GUEST: ".
#
# Kernel command line parameters:
#   vcd.mode=full|quick|load|selftest|sizes|shell|dpdk|openssl   (default full; shell: busybox sh;
#     dpdk: no virtio_crypto; the host's root over virtio-9p (mount tag hostroot)
#     at /host, the device bound to uio_pci_generic, hugepages, then
#     `chroot /host sh /tmp/vcd/dpdk_guest.sh PCI` -- see test/guest/run-dpdk-guest.sh)
#   vcd.dir=HOSTDIR  (mode dpdk: a host directory with dpdk_guest.sh and its files,
#     copied to /tmp/vcd inside the chroot)  vcd.hugepages=N (mode dpdk, 2 MiB pages)
#   vcd.seed=N vcd.threads=N vcd.ops=N vcd.tput=SECONDS vcd.maxlen=BYTES
#   vcd.sizes=N,N,...  (one line per size; with mode sizes, only that)
#   vcd.modtimeout=SECONDS  (virtio_crypto registration; default 120)
export PATH=/bin:/sbin
T="VCRYPTD-GUEST:"
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t tmpfs tmpfs /tmp
# AF_ALG allocates its scatterlists from the socket's option memory: requests of
# 1 MiB need more than the default 20 KiB.
echo 1048576 >/proc/sys/net/core/optmem_max

off() {
	sync
	poweroff -f
	sleep 5
	echo o >/proc/sysrq-trigger
}
fail() {
	echo "$T RESULT FAIL $*"
	off
}

mode=full seed="" threads=8 ops=40 tput=0.5 modtimeout=120 maxlen=262144 sizes="" dir="" hugepages=256
for a in $(cat /proc/cmdline); do
	case $a in
	vcd.mode=*) mode=${a#*=} ;;
	vcd.seed=*) seed=${a#*=} ;;
	vcd.threads=*) threads=${a#*=} ;;
	vcd.ops=*) ops=${a#*=} ;;
	vcd.tput=*) tput=${a#*=} ;;
	vcd.modtimeout=*) modtimeout=${a#*=} ;;
	vcd.maxlen=*) maxlen=${a#*=} ;;
	vcd.sizes=*) sizes=${a#*=} ;;
	vcd.dir=*) dir=${a#*=} ;;
	vcd.hugepages=*) hugepages=${a#*=} ;;
	esac
done
[ -n "$seed" ] || seed=$(date +%s)
echo "$T boot kernel=$(uname -r) package=\"$(cat /etc/vcd-kernel)\" cpus=$(grep -c ^processor /proc/cpuinfo) mode=$mode uptime=$(cut -d' ' -f1 /proc/uptime)"

crypto_mod=""
while read -r m; do
	case $m in
	*/virtio_crypto.ko*)
		crypto_mod=$m
		continue
		;;
	esac
	# mode openssl: cbc(aes) must resolve to the device, not to AES-NI (priority 400).
	case $mode:$m in openssl:*/aesni-intel.ko* | openssl:*/aesni_intel.ko*) continue ;; esac
	insmod "$m" || fail "insmod $m"
done </etc/vcd-modules
[ -n "$crypto_mod" ] || fail "virtio_crypto not in /etc/vcd-modules"

if [ "$mode" = shell ]; then
	setsid cttyhack sh
	off
fi

# The device: QEMU's virtio-crypto-pci is 1af4:1054.
found=""
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1054 ] && found=${d##*/}
done
[ -n "$found" ] || fail "no virtio-crypto PCI device (1af4:1054)"
echo "$T device pci=$found"

# DPDK's crypto_virtio PMD in Debian's own dpdk-test-crypto-perf, run from the
# host's root file system (9p, read-only) in a chroot.
if [ "$mode" = dpdk ]; then
	[ -n "$dir" ] || fail "mode dpdk needs vcd.dir=HOSTDIR"
	mkdir -p /host
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /host ||
		fail "mount 9p hostroot /host"
	[ -f "/host$dir/dpdk_guest.sh" ] || fail "no $dir/dpdk_guest.sh on the host root"
	cp -r "/host$dir" /tmp/vcd || fail "copy $dir"
	# virtio_pci owns the device: hand it to uio_pci_generic.
	[ -e "/sys/bus/pci/devices/$found/driver" ] &&
		echo "$found" >"/sys/bus/pci/devices/$found/driver/unbind"
	echo uio_pci_generic >"/sys/bus/pci/devices/$found/driver_override"
	echo "$found" >/sys/bus/pci/drivers_probe
	drv=$(basename "$(readlink "/sys/bus/pci/devices/$found/driver" 2>/dev/null)" 2>/dev/null)
	[ "$drv" = uio_pci_generic ] || fail "device $found not bound to uio_pci_generic (driver: ${drv:-none})"
	echo "$hugepages" >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	hp=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)
	mkdir -p /dev/hugepages
	mount -t hugetlbfs -o pagesize=2M none /dev/hugepages || fail "mount hugetlbfs"
	mount -t proc proc /host/proc
	mount --rbind /sys /host/sys
	mount --rbind /dev /host/dev
	mount -t tmpfs tmpfs /host/run
	mount -t tmpfs tmpfs /host/tmp
	cp -r /tmp/vcd /host/tmp/vcd
	echo "$T dpdk setup pci=$found driver=$drv hugepages=$hp uio=$(ls /sys/bus/pci/devices/$found/uio 2>/dev/null) uptime=$(cut -d' ' -f1 /proc/uptime)"
	chroot /host /bin/sh /tmp/vcd/dpdk_guest.sh "$found"
	rc=$?
	echo "$T exit rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
	off
fi

# Registration runs the self-test through vcryptd: a daemon that never answers
# leaves insmod blocked forever, so give it a deadline.
t0=$(cut -d' ' -f1 /proc/uptime)
insmod "$crypto_mod" &
ipid=$!
n=0
while kill -0 "$ipid" 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -le $((modtimeout * 5)) ] ||
		fail "insmod virtio_crypto still blocked after ${modtimeout} s (self-test waiting for the device)"
	sleep 0.2
done
wait "$ipid" || fail "insmod virtio_crypto failed"
t1=$(cut -d' ' -f1 /proc/uptime)
echo "$T virtio_crypto loaded t0=$t0 t1=$t1"
# The driver registers its algorithms once the device is ready; wait for them.
n=0
until grep -q '^driver *: virtio_crypto_aes_cbc$' /proc/crypto; do
	n=$((n + 1))
	if [ "$n" -gt 50 ]; then
		dmesg | grep -i virtio | tail -n 20
		break
	fi
	sleep 0.2
done
echo "$T cbc(aes) drivers: $(awk '/^name/ {n=$3} /^driver/ {if (n=="cbc(aes)") printf "%s ", $3}' /proc/crypto)"

# An application with no vcryptd software: OpenSSL's afalg engine (Debian's
# openssl package, from the host's root over 9p) runs AES-128-CBC through
# AF_ALG -> virtio_crypto -> vcryptd; its output is compared with OpenSSL's
# own software AES of the same data.
if [ "$mode" = openssl ]; then
	mkdir -p /host
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /host ||
		fail "mount 9p hostroot /host"
	mount -t proc proc /host/proc
	mount --rbind /sys /host/sys
	mount --rbind /dev /host/dev
	mount -t tmpfs tmpfs /host/tmp
	chroot /host /bin/sh -c '
		set -e
		k=000102030405060708090a0b0c0d0e0f iv=f0e0d0c0b0a090807060504030201000
		head -c 1048576 /dev/urandom >/tmp/in
		echo "VCRYPTD-GUEST: openssl $(openssl version)"
		echo "VCRYPTD-GUEST: engine $(openssl engine -t afalg 2>&1 | tr "
" " ")"
		openssl enc -e -aes-128-cbc -nopad -engine afalg -K $k -iv $iv -in /tmp/in -out /tmp/hw 2>/tmp/err ||
			{ cat /tmp/err; exit 1; }
		openssl enc -e -aes-128-cbc -nopad -K $k -iv $iv -in /tmp/in -out /tmp/sw
		cmp /tmp/hw /tmp/sw
		openssl enc -d -aes-128-cbc -nopad -engine afalg -K $k -iv $iv -in /tmp/hw -out /tmp/back 2>/tmp/err ||
			{ cat /tmp/err; exit 1; }
		cmp /tmp/back /tmp/in
		echo "VCRYPTD-GUEST: openssl afalg ok bytes=$(wc -c </tmp/in) encrypt=cmp-software decrypt=cmp-input"
	'
	rc=$?
	echo "$T cbc(aes) drivers: $(awk '/^name/ {n=$3} /^driver/ {if (n=="cbc(aes)") printf "%s ", $3}' /proc/crypto)"
	[ "$rc" -eq 0 ] && echo "$T RESULT PASS"
	echo "$T exit rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
	off
fi

set -- --mode "$mode" --seed "$seed" --threads "$threads" --ops "$ops" --tput-secs "$tput" \
	--max-len "$maxlen"
[ -z "$sizes" ] || set -- "$@" --sizes "$sizes"
vcd-guest-afalg "$@"
rc=$?
echo "$T exit rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
dmesg | grep -iE 'virtio_crypto|alg: ' | tail -n 20 | sed "s/^/$T dmesg: /"
off
