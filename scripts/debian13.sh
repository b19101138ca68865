#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# debian13.sh [MESON TEST ARGS...]
# debian13.sh --run COMMAND...     run COMMAND in the root (in /src, built)
#
# Builds vcryptd and runs its tests on Debian 13 (trixie: DPDK 24.11, QEMU
# 10.0, OpenSSL 3.5; its guest tests boot Debian 13's Linux 6.12) from a
# Debian 12 host, in a root made by debootstrap from Debian's archive:
#
#   build/debian13/root   the trixie root (minbase + the packages below);
#                         rebuilt only when its key (suite, mirror, package
#                         list) changes: root.key beside it
#   build/debian13/build  vcryptd's meson build inside it (/src/... there)
#   build/debian13/build/meson-logs/testlog.json  what scripts/test.sh counts
#
# The source tree is bind-mounted at /src in the root, with /proc, /sys and
# /dev, in a private mount namespace (unshare): nothing stays mounted when
# the script ends, however it ends.  Default test suites: unit, func, fuzz
# (corpus replay) and guest (Linux 6.12 under QEMU 10.0; the DPDK guest with
# 24.11's crypto_virtio PMD).  Not run there: style (the host's
# clang-format checks the same files), service (needs the host's systemd),
# bench and soak (the Debian 12 run has them).
#
# crypto_aesni_mb there (intel-ipsec-mb 2.0) gets 3DES-CBC wrong in bursts;
# vcryptd's start-up check (backend.h, vcd_backend_selftest()) then refuses
# DES/3DES on it: the tests run with VCDB_OPTIONAL=3des-cbc, so that
# vcryptd-bench takes a refused 3DES session for a skip, not a failure (a
# wrong 3DES result is still a failure).
#
# Needs root (debootstrap, chroot, mounts).  Environment:
#   VCD_DEBIAN_MIRROR   default: the host's deb.debian.org URI
#   VCD_D13_DIR         default: build/debian13
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
dir=${VCD_D13_DIR:-$src/build/debian13}
root="$dir/root"
mirror=${VCD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=trixie

log() { echo "debian13: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts): run it as root or with sudo"
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] ||
	die "debootstrap is missing: apt-get install debootstrap (scripts/install-deps.sh does)"
case "$dir" in
/*) ;;
*) die "VCD_D13_DIR must be absolute" ;;
esac
case "$dir" in
"$src"/*) ;;
*) die "VCD_D13_DIR must be inside the source tree ($src): the root sees it at /src" ;;
esac

# What the root holds: build tools, DPDK 24.11 with its crypto PMDs and
# dpdk-test-crypto-perf (package dpdk-dev), QEMU 10.0, and what the tests and
# guest-image.sh use.
PKGS="build-essential pkg-config meson ninja-build libdpdk-dev dpdk dpdk-dev libbsd-dev check \
libssl-dev openssl python3 procps qemu-system-x86 cpio kmod xz-utils util-linux"
key=$(printf '%s\n' "$suite" "$mirror" "$PKGS" | sha256sum | cut -c1-16)

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ ! -f "$dir/root.key" ] || [ "$(cat "$dir/root.key")" != "$key" ] || [ ! -x "$root/usr/bin/meson" ]; then
	log "making the $suite root in $root (debootstrap from $mirror)"
	rm -rf "$root" "$dir/root.key"
	t0=$(date +%s)
	if ! debootstrap --variant=minbase --include="$(echo $PKGS | tr ' ' ',')" \
		"$suite" "$root" "$mirror" >"$dir/debootstrap.log" 2>&1; then
		tail -20 "$dir/debootstrap.log" >&2
		die "debootstrap failed (full log: $dir/debootstrap.log)"
	fi
	echo "$key" >"$dir/root.key"
	log "root made in $(($(date +%s) - t0)) s"
else
	log "using the cached root ($root)"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$root/src"

# The versions this run tests, for the log and docs/COMPAT.md.
chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' libdpdk-dev qemu-system-x86 \
	openssl meson gcc 2>/dev/null | sed 's/^/debian13: /' >&2 || true

inner=$(mktemp "$dir/inner.XXXXXX.sh")
trap 'rm -f "$inner"' EXIT
rel=${dir#"$src"/}
cat >"$inner" <<EOF
set -eu
cd /src
b=/src/$rel/build
if [ ! -f "\$b/build.ninja" ]; then
	meson setup "\$b" -Dwerror=true -Dtests=true -Dfault_inject=true >/dev/null
fi
if ! ninja -C "\$b" >"\$b/ninja.log" 2>&1; then
	tail -40 "\$b/ninja.log" >&2
	echo "debian13: the build failed (\$b/ninja.log)" >&2
	exit 1
fi
if [ "\${1:-}" = --run ]; then
	shift
	exec "\$@"
fi
exec meson test -C "\$b" --print-errorlogs "\$@"
EOF

[ $# -gt 0 ] || set -- --suite unit --suite func --suite fuzz --suite guest
# A private mount namespace: the mounts go with it.
rc=0
# shellcheck disable=SC2016
unshare --mount --propagation private sh -c '
	set -eu
	root=$1 src=$2 inner=$3
	shift 3
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	mount --bind "$src" "$root/src"
	mount -t tmpfs -o size=4g tmpfs "$root/tmp"
	exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 TERM=dumb VCDB_OPTIONAL=3des-cbc sh "/src/${inner#"$src"/}" "$@"
' sh "$root" "$src" "$inner" "$@" || rc=$?
exit $rc
