#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# fault-daemon.sh [VCRYPTD ARGS...]
#
# Stands in for vcryptd (as the VCRYPTD argument of test/func/with_daemon.sh or
# test/guest/guest_test.sh) to show that the guest tests fail when the daemon
# misbehaves.  Runs $VCD_FAULT_DAEMON (the real vcryptd) with the same
# arguments and, per $VCD_FAULT:
#   kill:S   SIGKILL it S seconds after start (a daemon that dies mid-boot or
#            mid-traffic)
#   stop:S   SIGSTOP it S seconds after start (alive, socket open, serving
#            nothing)
#   none     nothing (control)
# Not used by the test suite; see docs/GUEST.md for the runs.
set -eu
: "${VCD_FAULT_DAEMON:?path of the real vcryptd}"
fault=${VCD_FAULT:-none}
case $fault in
kill:* | stop:*)
	sig=$(echo "${fault%%:*}" | tr a-z A-Z)
	secs=${fault#*:}
	pid=$$
	(
		sleep "$secs"
		# only if that pid is still the daemon this script became
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$(basename "$VCD_FAULT_DAEMON" | cut -c1-15)" ] ||
			exit 0
		echo "fault-daemon: SIG$sig to vcryptd (pid $pid) after $secs s" >&2
		kill -"$sig" "$pid"
	) </dev/null >&2 &
	;;
none) ;;
*)
	echo "fault-daemon: VCD_FAULT=kill:S|stop:S|none" >&2
	exit 2
	;;
esac
exec "$VCD_FAULT_DAEMON" "$@"
