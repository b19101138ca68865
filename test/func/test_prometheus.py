#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""config/telemetry/vcryptd.py, the Prometheus endpoint module, against a real daemon.

Run by with_daemon.sh with test/func/two_backends.conf appended and
routing.threshold_cipher=4096: requests of 64 B go to crypto_aesni_mb (cpu),
of 8192 B to crypto_openssl (accel).  The module's metrics() is called as
DPDK's exporter calls it, through a socket object whose cmd() asks the daemon
over its telemetry socket (here: vcryptctl raw); what it reports must match
the requests sent, and every metric must be one that info() declares.

test_prometheus.py MODULE BENCH VCRYPTCTL
"""
import importlib.util
import json
import os
import re
import subprocess
import sys

MODULE, BENCH, CTL = sys.argv[1:4]
SOCK = os.environ["VCD_SOCK0"]
CONF = open(os.path.join(os.environ["VCD_DIR"], "vcryptd.conf")).read()
PREFIX = re.search(r"--file-prefix=(\S+)", CONF).group(1)
OPS = 4  # requests per size


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class TelemetrySocket:
    """What the exporter hands to metrics(): cmd(uri, arg) -> the reply's value."""

    def cmd(self, uri, arg=None):
        q = uri if arg is None else f"{uri},{arg}"
        r = subprocess.run([CTL, "-f", PREFIX, "raw", q], capture_output=True, text=True,
                           check=False)
        if r.returncode != 0:
            fail(f"telemetry {q}: {r.stderr.strip()}")
        return json.loads(r.stdout).get(uri)


def scrape(mod):
    out = {}
    for name, value, labels in mod.metrics(TelemetrySocket()):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            fail(f"{name} {labels}: value {value!r} is not a number")
        if name not in mod.info():
            fail(f"{name} is reported but not declared by info()")
        key = (name, tuple(sorted((k, str(v)) for k, v in labels.items())))
        if key in out:
            fail(f"{name} {labels} reported twice")
        out[key] = value
    return out


def get(m, name, **labels):
    return m.get((name, tuple(sorted((k, str(v)) for k, v in labels.items()))))


spec = importlib.util.spec_from_file_location("vcryptd", MODULE)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
for name, (desc, kind) in mod.info().items():
    if kind not in ("gauge", "counter") or not desc:
        fail(f"info() {name}: type {kind!r}, description {desc!r}")

before = scrape(mod)
r = subprocess.run([BENCH, "--socket", SOCK, "--verify", "--algo", "aes-cbc-128",
                    "--sizes", "64,8192", "--ops", str(OPS), "--timeout", "60000"],
                   capture_output=True, text=True, check=False)
print(r.stdout.strip())
if r.returncode != 0:
    fail("verify: " + r.stderr.strip())
after = scrape(mod)


def delta(name, **labels):
    a, b = get(after, name, **labels), get(before, name, **labels)
    if a is None or b is None:
        fail(f"{name} {labels} missing")
    return a - b


checks = {
    ("vm_requests_total", "vm0"): (delta("vm_requests_total", vm="vm0"), 2 * OPS),
    ("vm_routed cpu", "vm0"): (delta("vm_routed_requests_total", vm="vm0", role="cpu"), OPS),
    ("vm_routed accel", "vm0"): (delta("vm_routed_requests_total", vm="vm0", role="accel"), OPS),
    ("vm_routed_bytes cpu", "vm0"): (delta("vm_routed_bytes_total", vm="vm0", role="cpu"),
                                     64 * OPS),
    ("vm_routed_bytes accel", "vm0"): (delta("vm_routed_bytes_total", vm="vm0", role="accel"),
                                       8192 * OPS),
    ("ok responses", "vm0"): (delta("vm_responses_total", vm="vm0", status="ok"), 2 * OPS),
    ("backend ops", "aesni0"): (delta("backend_ops_total", backend="aesni0"), OPS),
    ("backend ops", "ossl0"): (delta("backend_ops_total", backend="ossl0"), OPS),
    ("backend up", "aesni0"): (get(after, "backend_up", backend="aesni0"), 1),
    ("backend up", "ossl0"): (get(after, "backend_up", backend="ossl0"), 1),
    ("threshold", "cipher"): (get(after, "routing_threshold_bytes", op="cipher"), 4096),
    ("inflight", "aesni0"): (get(after, "backend_inflight_ops", backend="aesni0"), 0),
}
bad = {k: v for k, v in checks.items() if v[0] != v[1]}
for k, (got, want) in checks.items():
    print(f"{k[0]:24} {k[1]:7} {got} (want {want})")
if bad:
    fail(f"metrics disagree with the requests sent: {bad}")
if get(after, "routing_threshold_bytes", op="chain") is not None:
    fail("chain threshold is never here, yet reported as a number of bytes")
print(f"OK: {len(after)} metrics, all declared; routed counters match {2 * OPS} requests")
