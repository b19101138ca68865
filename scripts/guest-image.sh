#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# guest-image.sh [OUTDIR]      (default: build/guest)
#
# Builds the Linux guest of the guest tests from Debian packages only (no other
# network): Debian's own kernel for this release (linux-image-amd64 resolved to
# its exact linux-image-<abi>-amd64 package, fetched with `apt-get download` and
# unpacked, never installed), the modules the tests need with their
# dependencies (from modules.dep of the unpacked tree), busybox-static, and the
# project's static guest programs (test/guest/*.c), packed with
# test/guest/init.sh as /init into a gzip'd cpio initramfs.
#
# OUTDIR gets:
#   vmlinux       the kernel, uncompressed from Debian's vmlinuz (same kernel; QEMU
#                 boots it through its PVH entry, which saves ~8 s of XZ
#                 decompression per boot under TCG)
#   vmlinuz       Debian's bzImage as shipped (VCD_GUEST_KERNEL=vmlinuz boots it)
#   initrd.img    the initramfs
#   image.env     KERNEL_PKG, KERNEL_VERSION, KVER, BUSYBOX_VERSION, MODULES, KEY
#   cache/        downloaded .debs (kept), work/ (scratch)
# Cached: nothing is rebuilt while the key (package names and versions, guest
# sources, this script, the compiler) is unchanged.  Safe to run concurrently
# (flock on OUTDIR/.lock).
#
# Needs: apt-get/apt-cache, dpkg-deb, gcc with static glibc (build-essential),
# cpio, gzip, depmod (kmod), python3 (XZ extraction), flock (util-linux).  As
# root it installs missing ones (and qemu-system-x86 for the tests) with apt-get.
#
# Environment: VCD_GUEST_KERNEL_PKG=linux-image-...   use that package instead
#              VCD_GUEST_NO_INSTALL=1                  never run apt-get install
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
guest_src="$src/test/guest"
out=${1:-build/guest}
mkdir -p "$out"
out=$(cd "$out" && pwd)

log() { echo "guest-image: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# Modules the guest loads (dependencies are added from modules.dep).  Order
# matters only among these: virtio_crypto comes last so that its self-test runs
# once everything else is there.
WANT_MODULES="virtio_pci af_alg algif_skcipher algif_hash aesni_intel 9pnet_virtio 9p \
uio_pci_generic virtio_crypto"

# ---- host tools ---------------------------------------------------------------
need_pkgs=""
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/sbin/$1" ] || [ -x "/usr/sbin/$1" ]; }
have cpio || need_pkgs="$need_pkgs cpio"
have depmod || need_pkgs="$need_pkgs kmod"
have gcc || need_pkgs="$need_pkgs build-essential"
have python3 || need_pkgs="$need_pkgs python3"
have qemu-system-x86_64 || need_pkgs="$need_pkgs qemu-system-x86"
if [ -n "$need_pkgs" ]; then
	if [ "${VCD_GUEST_NO_INSTALL:-0}" = 1 ]; then
		die "missing:$need_pkgs (VCD_GUEST_NO_INSTALL=1)"
	fi
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "missing:$need_pkgs; run as root or install them"
		SUDO="sudo"
	fi
	log "installing$need_pkgs"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $need_pkgs >/dev/null
fi
DEPMOD=$(command -v depmod || echo /sbin/depmod)

# ---- exact package versions ----------------------------------------------------
# One apt-cache call (each takes ~1 s): the candidates of the kernel metapackage
# (whose Depends names the exact image package and version) and of busybox-static.
resolve() {
	apt-cache show --no-all-versions "${VCD_GUEST_KERNEL_PKG:-linux-image-amd64}" \
		busybox-static 2>/dev/null | awk '
		/^Package: / { p = $2 }
		/^Version: / { v[p] = $2 }
		/^Depends: / && p == "linux-image-amd64" {
			if (match($0, /linux-image-[0-9][^ ,]*-amd64 \(= [^)]*\)/)) {
				split(substr($0, RSTART, RLENGTH), a, /[ ()=]+/)
				dep = a[1]; depv = a[2]
			}
		}
		END {
			if (ENVIRON["VCD_GUEST_KERNEL_PKG"] != "") {
				dep = ENVIRON["VCD_GUEST_KERNEL_PKG"]; depv = v[dep]
			}
			if (dep != "" && depv != "" && v["busybox-static"] != "")
				print dep, depv, v["busybox-static"]
		}'
}
versions=$(resolve)
if [ -z "$versions" ] && [ "$(id -u)" -eq 0 ] && [ "${VCD_GUEST_NO_INSTALL:-0}" != 1 ]; then
	# No package lists yet (bare machine): fetch them once.
	log "apt-get update (no package lists)"
	apt-get update -qq
	versions=$(resolve)
fi
[ -n "$versions" ] ||
	die "cannot resolve ${VCD_GUEST_KERNEL_PKG:-linux-image-amd64} and busybox-static (apt-cache show; apt-get update?)"
set -- $versions
kpkg=$1
kver_pkg=$2
bbver=$3

guest_files=$(cd "$guest_src" && ls ./*.c ./*.h init.sh 2>/dev/null | sort)
key=$( (
	echo "$kpkg=$kver_pkg busybox-static=$bbver modules=$WANT_MODULES"
	gcc --version | head -n 1
	cat "$here/$(basename "$0")"
	for f in $guest_files; do
		echo "== $f"
		cat "$guest_src/$f"
	done
) | sha256sum | cut -c1-16)

# ---- cache check (under a lock: tests may build concurrently) --------------------
exec 9>"$out/.lock"
flock 9
if [ -f "$out/image.env" ] && grep -qx "KEY=$key" "$out/image.env" &&
	[ -s "$out/vmlinux" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ]; then
	log "up to date ($kpkg $kver_pkg, key $key): $out"
	exit 0
fi
log "building ($kpkg $kver_pkg, busybox-static $bbver, key $key) in $out"

# ---- download (kept in cache/ by exact version) -----------------------------------
cache="$out/cache"
mkdir -p "$cache"
fetch() { # package version -> path of the .deb
	fv=$(printf '%s' "$2" | sed 's/:/%3a/')
	f=$(ls "$cache/$1_${fv}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$f" ]; then
		log "apt-get download $1=$2"
		(cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$1=$2" >&2) ||
			die "apt-get download $1=$2 failed"
		f=$(ls "$cache/$1_${fv}_"*.deb 2>/dev/null | head -n 1 || true)
		[ -n "$f" ] || die "downloaded $1=$2 but no .deb in $cache"
	fi
	echo "$f"
}
kdeb=$(fetch "$kpkg" "$kver_pkg")
bbdeb=$(fetch busybox-static "$bbver")

work="$out/work"
rm -rf "$work"
mkdir -p "$work/kernel" "$work/busybox" "$work/root"
dpkg-deb -x "$kdeb" "$work/kernel"
dpkg-deb -x "$bbdeb" "$work/busybox"

# Debian 13 ships the modules under usr/lib/modules (merged /usr), Debian 12
# under lib/modules: keep them at lib/modules, reachable from both (kmod's
# depmod looks in one or the other, by how it was built).
if [ ! -d "$work/kernel/lib/modules" ] && [ -d "$work/kernel/usr/lib/modules" ]; then
	mkdir -p "$work/kernel/lib"
	mv "$work/kernel/usr/lib/modules" "$work/kernel/lib/modules"
	ln -s ../../lib/modules "$work/kernel/usr/lib/modules"
fi
kver=$(ls "$work/kernel/lib/modules" | head -n 1)
[ -n "$kver" ] || die "no lib/modules in $kdeb"
vmlinuz="$work/kernel/boot/vmlinuz-$kver"
[ -f "$vmlinuz" ] || die "no boot/vmlinuz-$kver in $kdeb"

# ---- modules and their dependencies ------------------------------------------------
# The package ships no modules.dep (depmod runs at install time): make one for
# the unpacked tree.
"$DEPMOD" -b "$work/kernel" "$kver"
moddir="$work/kernel/lib/modules/$kver"
ordered="$work/modules.order"
: >"$ordered"
modpath() { # module name -> path relative to moddir (- and _ are the same)
	awk -F: -v m="$1" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); gsub(/-/, "_", n);
		w = m; gsub(/-/, "_", w); if (n == w) { print $1; exit } }' "$moddir/modules.dep"
}
visit() { # path: its dependencies first, then itself (once)
	grep -qxF "$1" "$ordered" && return 0
	for d in $(awk -F: -v m="$1" '$1 == m { print $2; exit }' "$moddir/modules.dep"); do
		visit "$d"
	done
	grep -qxF "$1" "$ordered" || echo "$1" >>"$ordered"
}
builtin() { # module name -> true if built into the kernel (Debian 13: virtio_pci)
	[ -f "$moddir/modules.builtin" ] || return 1
	awk -v m="$1" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); gsub(/-/, "_", n);
		w = m; gsub(/-/, "_", w); if (n == w) { f = 1; exit } } END { exit !f }' \
		"$moddir/modules.builtin"
}
for m in $WANT_MODULES; do
	p=$(modpath "$m")
	if [ -z "$p" ] && builtin "$m"; then
		continue
	fi
	[ -n "$p" ] || die "module $m not in $kpkg"
	visit "$p"
done

# ---- the initramfs tree --------------------------------------------------------------
root="$work/root"
mkdir -p "$root/bin" "$root/sbin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp" "$root/mnt" "$root/lib/modules/$kver"
# Debian 12 ships it as bin/busybox, Debian 13 as usr/bin/busybox.
bb="$work/busybox/bin/busybox"
[ -f "$bb" ] || bb="$work/busybox/usr/bin/busybox"
[ -f "$bb" ] || die "no busybox in $bbdeb"
cp "$bb" "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
while read -r p; do
	mkdir -p "$root/lib/modules/$kver/$(dirname "$p")"
	cp "$moddir/$p" "$root/lib/modules/$kver/$p"
	echo "/lib/modules/$kver/$p"
done <"$ordered" >"$root/etc/vcd-modules"
cp "$moddir/modules.dep" "$moddir/modules.alias" "$root/lib/modules/$kver/" 2>/dev/null || true
for f in $guest_files; do
	case $f in
	./*.c)
		b=$(basename "$f" .c | tr _ -)
		gcc -static -O2 -pthread -Wall -Wextra -Werror -o "$root/bin/$b" "$guest_src/$f"
		strip "$root/bin/$b"
		;;
	esac
done
cp "$guest_src/init.sh" "$root/init"
chmod 755 "$root/init"
echo "$kpkg $kver_pkg" >"$root/etc/vcd-kernel"

# ---- pack -----------------------------------------------------------------------------
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet) |
	gzip -n -6 >"$work/initrd.img"

# Debian 12's vmlinuz is an XZ bzImage; its payload is the ELF vmlinux with a
# PVH entry note (CONFIG_PVH=y), which QEMU boots directly.  Debian 13's is
# ZSTD (CONFIG_KERNEL_ZSTD), which Python 3.13 cannot unpack: the bzImage is
# then booted as it is (ZSTD decompresses fast even under TCG).
rc=0
python3 - "$vmlinuz" "$work/vmlinux" <<'PY' || rc=$?
import lzma, sys
data = open(sys.argv[1], "rb").read()
i = data.find(b"\xfd7zXZ\x00")
if i < 0:
    sys.exit(3)
elf = lzma.LZMADecompressor().decompress(data[i:])
if elf[:4] != b"\x7fELF":
    sys.exit("XZ payload is not an ELF image")
open(sys.argv[2], "wb").write(elf)
PY
if [ "$rc" -eq 3 ]; then
	log "no XZ payload in $(basename "$vmlinuz"): vmlinux is the bzImage itself"
	cp "$vmlinuz" "$work/vmlinux"
elif [ "$rc" -ne 0 ]; then
	die "cannot unpack $vmlinuz"
fi

cp "$vmlinuz" "$work/vmlinuz"
mv -f "$work/vmlinux" "$out/vmlinux"
mv -f "$work/vmlinuz" "$out/vmlinuz"
mv -f "$work/initrd.img" "$out/initrd.img"
{
	echo "KERNEL_PKG=$kpkg"
	echo "KERNEL_VERSION=$kver_pkg"
	echo "KVER=$kver"
	echo "BUSYBOX_VERSION=$bbver"
	echo "MODULES=\"$(sed "s#.*/##; s#\.ko.*##" "$ordered" | tr '\n' ' ' | sed 's/ $//')\""
	echo "KEY=$key"
} >"$out/image.env.tmp"
mv -f "$out/image.env.tmp" "$out/image.env"
rm -rf "$work"
log "done: $out/vmlinux $out/initrd.img ($(du -k "$out/initrd.img" | cut -f1) KiB, $(wc -l <"$out/image.env" >/dev/null; sed -n 's/^MODULES=//p' "$out/image.env" | wc -w) modules)"
