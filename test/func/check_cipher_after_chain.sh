#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
#
# Run under with_daemon.sh.  Chains of 16 KiB, then small cipher-only requests on a
# new connection: the cipher requests reuse the worker's ops.  crypto_aesni_mb 22.11
# reads an op's hash fields even for a cipher-only session (out of place it copies
# the "hashed" region from source to destination), so an op that kept its last
# chain's auth.data.length = 16384 overwrote a 16-byte result.  Found while testing
# routing; the worker now clears those fields on every op.
set -eu
BENCH=$1
for i in 1 2 3; do
	"$BENCH" --socket "$VCD_SOCK0" --verify --algo aes-cbc-128-hmac-sha1 --sizes 16384 \
		--ops 4 --timeout 60000
	"$BENCH" --socket "$VCD_SOCK0" --verify --algo aes-cbc-128,3des-cbc,aes-ctr-128 \
		--sizes 16,64 --ops 8 --timeout 60000
done
