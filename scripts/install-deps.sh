#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# Install what vcryptd needs to build, test and benchmark, from Debian 12's
# archive only.  Idempotent: installs only what is missing.  Needs root (or sudo).
set -eu

PKGS="build-essential pkg-config meson ninja-build libdpdk-dev dpdk dpdk-dev dpdk-doc \
libbsd-dev check libssl-dev clang-format python3 procps \
qemu-system-x86 cpio kmod systemd openssl xz-utils util-linux debootstrap"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
