#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# Run under with_daemon.sh.  Cipher-only requests over 64 KiB, and chains
# crypto_aesni_mb runs as two sessions (decryption + HMAC at any size, everything
# over 64 KiB), run on its synchronous path several at a time (worker.c big_run():
# piece k of every request in one call, each with the IV its request has reached;
# the hashes in one call).  Verify CBC and CTR both ways, with and without HMAC,
# with many in flight, then check through telemetry that batches of more than one
# request really ran.
set -eu
BENCH=$1
"$BENCH" --socket "$VCD_SOCK0" --verify \
	--algo aes-cbc-128,aes-cbc-256,aes-ctr-128,3des-cbc,aes-cbc-128-hmac-sha1,aes-cbc-256-hmac-sha256,aes-ctr-128-hmac-sha1 \
	--sizes 64,1024,65536,65552,131088,200000 --ops 32 --queue-depth 32 --burst 32 --style dpdk \
	--timeout 60000
prefix=$(sed -n 's/.*--file-prefix=\([^ ]*\).*/\1/p' "$VCD_DIR/vcryptd.conf")
out=$(echo /vcryptd/workers | dpdk-telemetry.py -f "$prefix" 2>/dev/null | tail -n 1)
echo "telemetry: $out"
printf '%s' "$out" | python3 -c '
import json, sys
w = json.load(sys.stdin)["/vcryptd/workers"]["worker0"]
b, n = w["sync_batches"], w["sync_batched"]
print(f"{n} requests in {b} synchronous batches")
sys.exit(0 if b > 0 and n > b else "no batch of more than one request ran: the test tested nothing")'
