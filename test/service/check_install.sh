#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# check_install.sh BUILDDIR: `meson install` into a staging directory lays out
# the daemon, vcryptctl, the unit, the configuration, the man pages and the
# telemetry endpoints; a second install keeps an edited configuration.
set -eu
build=$1
stage=$(mktemp -d /tmp/vcd-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT
DESTDIR=$stage meson install -C "$build" --no-rebuild --quiet >/dev/null
fail=0
for want in sbin/vcryptd bin/vcryptctl bin/vcryptd-bench vcryptd/vcryptd.conf default/vcryptd \
	system/vcryptd.service man8/vcryptd.8 man5/vcryptd.conf.5 man8/vcryptctl.8 \
	telemetry-endpoints/vcryptd.py perf/aesni_mb-aes-cbc.conf perf/virtio-aes-cbc-sha1.conf; do
	if find "$stage" -path "*/$want" -type f | grep -q .; then
		echo "ok   $want"
	else
		echo "FAIL $want not installed"
		fail=1
	fi
done
conf=$(find "$stage" -path '*/etc/vcryptd/vcryptd.conf' | head -n 1)
echo "# edited by the operator" >>"$conf"
DESTDIR=$stage meson install -C "$build" --no-rebuild --quiet >/dev/null
if grep -q "edited by the operator" "$conf"; then
	echo "ok   a second install keeps the edited $conf"
else
	echo "FAIL a second install overwrote $conf"
	fail=1
fi
exit $fail
