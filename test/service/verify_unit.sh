#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# Check config/vcryptd.service with `systemd-analyze verify`, without a running
# systemd (CI runs this as root in a container).
#
#   test/service/verify_unit.sh VCRYPTD_BINARY [UNIT_FILE]
#
# systemd-analyze verify insists that ExecStart's binary exists, so the unit is
# checked as a temporary copy whose ExecStart points at VCRYPTD_BINARY (e.g.
# the build tree's src/vcryptd); every other line is the shipped one.  The
# Documentation= man pages are looked up in the source tree's man/ when `man`
# is installed, and skipped otherwise.  Any warning systemd-analyze prints
# (an unknown or misspelt key, a value it cannot parse, a missing binary)
# fails the test: it reports those on stderr but still exits 0.
#
# Exit status: 0 passed, 1 failed, 77 skipped (no systemd-analyze; meson
# reports 77 as SKIP).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
bin=${1:-}
unit=${2:-$srcdir/config/vcryptd.service}

fail() {
	echo "verify_unit: FAIL: $*" >&2
	exit 1
}

[ -n "$bin" ] || fail "usage: $0 VCRYPTD_BINARY [UNIT_FILE]"
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
[ -x "$bin" ] || fail "$bin: not an executable file"
[ -r "$unit" ] || fail "$unit: cannot read"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "verify_unit: SKIP: systemd-analyze not installed (Debian package systemd)"
	exit 77
fi

# What the daemon and the documentation rely on.  A line missing here is a
# change to review, not a typo systemd would catch.
# shellcheck disable=SC2016 # $VCRYPTD_OPTS and $MAINPID are systemd's, not ours
for want in \
	'Type=notify' \
	'NotifyAccess=main' \
	'EnvironmentFile=-/etc/default/vcryptd' \
	'ExecStart=/usr/sbin/vcryptd -c /etc/vcryptd/vcryptd.conf $VCRYPTD_OPTS' \
	'ExecReload=/bin/kill -HUP $MAINPID' \
	'RuntimeDirectory=vcryptd' \
	'RuntimeDirectoryMode=0755' \
	'Restart=on-failure' \
	'LimitMEMLOCK=infinity' \
	'TimeoutStopSec=30' \
	'WantedBy=multi-user.target'; do
	grep -qxF "$want" "$unit" || fail "$unit: no line '$want'"
done
grep -q '^Before=.*libvirtd\.service' "$unit" || fail "$unit: not ordered before libvirtd.service"
grep -q '^Documentation=.*man:vcryptd(8)' "$unit" || fail "$unit: no Documentation=man:vcryptd(8)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# The copy keeps the unit's name: systemd-analyze derives the unit name from it.
sed "s#^ExecStart=/usr/sbin/vcryptd #ExecStart=$bin #" "$unit" >"$tmp/vcryptd.service"
grep -qF "ExecStart=$bin " "$tmp/vcryptd.service" || fail "could not point ExecStart at $bin"
# /bin/kill is procps's; a machine without it could not reload the service
# either, so say so rather than hide it.
[ -x /bin/kill ] || fail "/bin/kill missing (Debian package procps): ExecReload= would fail"

man_opt=--man=no
if command -v man >/dev/null 2>&1 && [ -d "$srcdir/man" ]; then
	# man finds pages under MANPATH/manN/; the source tree keeps them flat.
	mkdir -p "$tmp/man/man5" "$tmp/man/man8"
	for page in "$srcdir"/man/*.[58]; do
		[ -e "$page" ] || continue
		ln -s "$page" "$tmp/man/man${page##*.}/"
	done
	man_opt=--man=yes
	MANPATH=$tmp/man
	export MANPATH
fi

# No bus, no running manager needed: verify loads the unit in a private
# manager instance.  notice and above only: info/debug chatter is not a finding.
SYSTEMD_LOG_LEVEL=notice SYSTEMD_LOG_COLOR=0 SYSTEMD_PAGER=cat \
	systemd-analyze verify "$man_opt" "$tmp/vcryptd.service" >"$tmp/out" 2>&1 && rc=0 || rc=$?
if [ "$rc" -ne 0 ] || [ -s "$tmp/out" ]; then
	sed "s#$tmp/vcryptd.service#$unit (checked as a copy)#g" "$tmp/out" >&2
	fail "systemd-analyze verify $man_opt: exit $rc, output above"
fi
echo "verify_unit: PASS: $unit ($(systemd-analyze --version | head -1), $man_opt)"
