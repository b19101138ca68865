#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# with_daemon.sh VCRYPTD NVMS CMD [ARGS...]
# (extra vcryptd options, e.g. "--set qp_depth=16", may come in $VCD_DAEMON_ARGS;
# a file of extra configuration sections, e.g. a second backend, in $VCD_CONF_APPEND)
# Start a real vcryptd (crypto_aesni_mb, no hugepages) serving NVMS sockets in a
# private directory, run CMD with VCD_SOCK0..VCD_SOCK{NVMS-1} and VCD_DIR set,
# then stop the daemon with SIGTERM.  Fails if CMD fails, if the daemon dies
# early, does not exit 0 within 20 s of SIGTERM, logs an ERR line, or leaves
# its sockets or DPDK runtime directory behind.
set -u
VCRYPTD=$1
NVMS=$2
shift 2

dir=$(mktemp -d /tmp/vcd-test.XXXXXX)
prefix="vcdtest$$"
cat >"$dir/vcryptd.conf" <<CONF
[daemon]
lcores = 0-1
hugepages = no
memory_mb = 512
eal_args = --file-prefix=$prefix
log_level = info
socket_dir = $dir
[backend aesni0]
driver = crypto_aesni_mb
CONF
[ -z "${VCD_CONF_APPEND:-}" ] || cat "$VCD_CONF_APPEND" >>"$dir/vcryptd.conf"
args=""
i=0
while [ "$i" -lt "$NVMS" ]; do
	args="$args --socket $dir/vm$i.sock"
	export "VCD_SOCK$i=$dir/vm$i.sock"
	i=$((i + 1))
done
export VCD_DIR="$dir"
# Arguments may name the sockets as @SOCK0@, @SOCK1@...
for a; do
	shift
	i=0
	while [ "$i" -lt "$NVMS" ]; do
		a=$(printf '%s' "$a" | sed "s#@SOCK$i@#$dir/vm$i.sock#g")
		i=$((i + 1))
	done
	set -- "$@" "$a"
done
# shellcheck disable=SC2086
"$VCRYPTD" -c "$dir/vcryptd.conf" $args ${VCD_DAEMON_ARGS:-} >"$dir/daemon.log" 2>&1 &
dpid=$!
export VCD_DAEMON_PID=$dpid

fail() {
	echo "with_daemon: $*" >&2
	echo "---- daemon log ----" >&2
	cat "$dir/daemon.log" >&2
	kill -9 "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
	rm -rf "$dir" "/var/run/dpdk/$prefix"
	exit 1
}

t=0
until grep -q "ready:" "$dir/daemon.log" 2>/dev/null; do
	kill -0 "$dpid" 2>/dev/null || fail "vcryptd exited during start-up"
	t=$((t + 1))
	[ "$t" -lt 300 ] || fail "vcryptd not ready after 30 s"
	sleep 0.1
done

"$@"
rc=$?

kill -0 "$dpid" 2>/dev/null || fail "vcryptd died during the test (command rc $rc)"
kill -TERM "$dpid"
t=0
while kill -0 "$dpid" 2>/dev/null; do
	t=$((t + 1))
	[ "$t" -lt 200 ] || fail "vcryptd still running 20 s after SIGTERM"
	sleep 0.1
done
wait "$dpid"
drc=$?
[ "$drc" -eq 0 ] || fail "vcryptd exited with $drc after SIGTERM"
grep -E "^vcryptd: (.*[^_])?(ERR|cannot|did not)" "$dir/daemon.log" >&2 && fail "vcryptd logged errors"
ls "$dir"/*.sock >/dev/null 2>&1 && fail "sockets left behind"
[ -e "/var/run/dpdk/$prefix" ] && fail "DPDK runtime directory /var/run/dpdk/$prefix left behind"
if [ "${VCD_SHOW_LOG:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
	echo "---- daemon log ----" >&2
	cat "$dir/daemon.log" >&2
fi
rm -rf "$dir"
exit "$rc"
