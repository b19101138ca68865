#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""Routing between two real backends, through a real vhost-user socket.

Run by with_daemon.sh with test/func/two_backends.conf appended: crypto_aesni_mb
is the cpu backend, crypto_openssl stands in for the accelerator (no QAT here).
Every request's result is checked by vcryptd-bench --verify against OpenSSL;
where requests went is read from the daemon's telemetry.

test_routing.py CASE BENCH VCRYPTCTL
CASE: split | auto | spill | errors | stall | reject
"""
import json
import os
import subprocess
import sys
import time

from daemon_util import PREFIX, fail, tel as tel_via

CASE, BENCH, CTL = sys.argv[1:4]
SOCK = os.environ["VCD_SOCK0"]


def tel(cmd):
    return tel_via(CTL, cmd)


def vm():
    return tel("/vcryptd/vm,vm0")


def backends():
    return tel("/vcryptd/backends")


def verify(algos, sizes, ops=4, extra=()):
    """Run vcryptd-bench --verify; every result must match OpenSSL's."""
    cmd = [BENCH, "--socket", SOCK, "--verify", "--algo", algos, "--sizes", sizes,
           "--ops", str(ops), "--timeout", "60000", *extra]
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    print(r.stdout.strip())
    if r.returncode != 0:
        fail(f"verify {algos} {sizes}: {r.stderr.strip()}")


def routed(before, after):
    """Requests and their routes between two /vcryptd/vm snapshots."""
    keys = ("requests", "routed_cpu_ops", "routed_accel_ops", "spills", "failovers")
    return {k: after[k] - before[k] for k in keys}


def expect_route(algos, sizes, role, ops=4):
    """All requests of @algos at @sizes go to @role (cpu or accel)."""
    b = vm()
    verify(algos, sizes, ops)
    d = routed(b, vm())
    print(f"{algos} @ {sizes}: {d}")
    other = "accel" if role == "cpu" else "cpu"
    if d["requests"] == 0 or d[f"routed_{role}_ops"] != d["requests"] or \
            d[f"routed_{other}_ops"] != 0:
        fail(f"{algos} at {sizes} should all go to {role}: {d}")


def fault(backend, mode):
    r = subprocess.run([CTL, "-f", PREFIX, "raw", f"/vcryptd/fault,{backend},{mode}"],
                       capture_output=True, text=True, check=False)
    out = json.loads(r.stdout or "{}").get("/vcryptd/fault") if r.returncode == 0 else None
    if not out:
        print("SKIP: this vcryptd has no fault injection (build with -Dfault_inject=true)")
        sys.exit(77)


def wait_for(pred, what, secs=10.0):
    t = time.time() + secs
    while time.time() < t:
        if pred():
            return
        time.sleep(0.1)
    fail(f"timed out waiting for {what}: {backends()['ossl0']}")


def case_split():
    # [routing] threshold_cipher = 4096, threshold_chain = 8192 (VCD_DAEMON_ARGS).
    expect_route("aes-cbc-128", "16,64,4080", "cpu")
    expect_route("aes-cbc-128", "4096,16384,65504", "accel")
    expect_route("aes-cbc-128-hmac-sha1", "64,8176", "cpu")
    expect_route("aes-cbc-128-hmac-sha1", "8192,32768", "accel")
    # 3DES-CBC: both have it, so it follows the size; unless crypto_aesni_mb failed
    # its start-up check (intel-ipsec-mb 2.0, Debian 13): then only crypto_openssl has it.
    des_cpu = "3des-cbc" not in backends()["aesni0"]["failed_check"]
    expect_route("3des-cbc", "8,4088", "cpu" if des_cpu else "accel")
    expect_route("3des-cbc", "4096,65520", "accel")
    # Capability: only crypto_openssl has 3DES-CTR, only crypto_aesni_mb AES-ECB.
    expect_route("3des-ctr", "8,64,1000", "accel")
    expect_route("aes-ecb-128", "16,16384,65504", "cpu")
    # Over 64 KiB crypto_openssl runs AES-CBC in place on scatter-gather mbufs.
    expect_route("aes-cbc-128", "131072,1048576", "accel", ops=2)


def crossover(sizes, cpu, acc):
    """route.h's rule, written again: smallest size from which accel stays cheaper."""
    t = "never"
    for i in reversed(range(len(sizes))):
        if cpu[i] <= 0 or acc[i] <= 0 or acc[i] >= cpu[i]:
            break
        t = "0" if i == 0 else str(sizes[i])
    return t


def check_auto(r):
    for op in ("cipher", "chain"):
        o = r[op]
        if o["configured"] != "auto" or not o["calibrated"]:
            fail(f"{op}: not calibrated: {r}")
        want = crossover(r["sizes"], o["cpu_ps"], o["accel_ps"])
        if o["crossover"] != want or o["threshold"] != want:
            fail(f"{op}: threshold {o['threshold']} but the costs give {want}: {o}")
        print(f"{op}: threshold {o['threshold']} from cpu {o['cpu_ps']} accel {o['accel_ps']} ps")
    return r


def case_auto():
    r = check_auto(tel("/vcryptd/routing"))
    if r["calibrations"] != 1:
        fail(f"one calibration at start expected: {r}")
    # Ask for another while the workers run (on the spare queue pairs).
    r = check_auto(tel("/vcryptd/calibrate"))
    if r["calibrations"] != 2:
        fail(f"the re-calibration did not run: {r}")
    # Traffic on either side of whatever was chosen still comes back right, and
    # every request goes where the threshold says.
    t = r["cipher"]["threshold"]
    b = vm()
    verify("aes-cbc-128", "64,1024,16384,65504")
    d = routed(b, vm())
    print(f"threshold {t}: {d}")
    if t == "never" and d["routed_accel_ops"] != 0:
        fail(f"threshold never, yet requests went to accel: {d}")
    if t == "0" and d["routed_cpu_ops"] != 0:
        fail(f"threshold 0, yet requests went to cpu: {d}")
    if d["routed_cpu_ops"] + d["routed_accel_ops"] != d["requests"]:
        fail(f"requests not all routed: {d}")


def case_spill():
    # accel_budget = cpu_budget = 4, threshold_cipher = 4096: 128 requests in flight
    # saturate both sides, so small ones spill to accel and large ones to cpu.
    b0 = backends()
    v0 = vm()
    verify("aes-cbc-128,aes-cbc-128-hmac-sha256", "64,1024,8192,16384", ops=64,
           extra=["--queue-depth", "128", "--burst", "64"])
    b1 = backends()
    d = routed(v0, vm())
    spill = {k: b1[k]["spilled_in"] - b0[k]["spilled_in"] for k in ("aesni0", "ossl0")}
    print(f"routed {d}, spilled in {spill}")
    if d["spills"] == 0 or spill["aesni0"] == 0 or spill["ossl0"] == 0:
        fail("no spill in both directions under saturation")


def faulted(mode, algos, sizes, must_grow):
    """Arm @mode on ossl0, verify every result, and check that the counters named in
    @must_grow (key: what it shows) grew; returns ossl0's counters afterwards."""
    fault("ossl0", mode)
    b0 = backends()["ossl0"]
    verify(algos, sizes, ops=16)
    b1 = backends()["ossl0"]
    print(f"ossl0 after {mode}: {b1}")
    for key, what in must_grow.items():
        if b1[key] == b0[key]:
            fail(f"{mode}: {what} ({key} did not grow)")
    return b1


def recover(what):
    """Clear the fault; the probe must bring ossl0 back and requests go there again."""
    fault("ossl0", "none")
    wait_for(lambda: backends()["ossl0"]["state"] == "up" and what(backends()["ossl0"]),
             "the probe to bring ossl0 back")
    expect_route("aes-cbc-128", "64,4096", "accel")


def case_errors():
    # threshold 0: everything prefers accel.  Every 2nd op fails with a device error.
    faulted("fail,2", "aes-cbc-128,aes-cbc-128-hmac-sha1,aes-ctr-128", "64,1024,16384,65504",
            {"device_errors": "no device error seen", "failovers": "nothing run again elsewhere",
             "downs": "consecutive device errors did not take the backend down"})
    recover(lambda b: True)


def case_stall():
    # stall_ms = 200, probe_ms = 200: the device takes ops and never completes them.
    faulted("stall", "aes-cbc-128,aes-cbc-128-hmac-sha1", "64,1024,16384",
            {"abandoned": "the stall was not detected", "downs": "the backend stayed up"})
    if vm()["inflight"] != 0:
        fail("requests still in flight after the stall")
    # What the stalled device held comes back late and is recycled, not answered twice.
    recover(lambda b: b["late"] == b["abandoned"])
    v = vm()
    if v["requests"] != v["ok"] + v["err"] + v["badmsg"] + v["notsupp"] + v["invsess"]:
        fail(f"requests and answers differ: {v}")


def case_reject():
    # stall_ms = 100: refusing every enqueue for that long takes the backend down.
    fault("ossl0", "reject")
    b0 = backends()["ossl0"]
    deadline = time.time() + 20
    while backends()["ossl0"]["downs"] == b0["downs"] and time.time() < deadline:
        verify("aes-cbc-128,aes-cbc-128-hmac-sha1", "64,1024,16384", ops=16)
    b1 = backends()["ossl0"]
    print(f"ossl0 refusing: {b1}")
    if b1["moved_out"] == b0["moved_out"]:
        fail("refused ops did not move to the other backend")
    if b1["downs"] == b0["downs"]:
        fail("a backend refusing every enqueue was not taken down")
    recover(lambda b: True)


def case_rsa():
    # Both backends crypto_openssl (VCD_DAEMON_ARGS): RSA private-key operations go to the
    # accelerator, public-key ones to the CPU (akcipher.h); then results checked (verify).
    def run(op, n=100):
        b = vm()
        cmd = [BENCH, "--socket", SOCK, "--session-layout", "qemu81", "--throughput",
               "--algo", "rsa-1024-pkcs1-sha256", "--rsa-op", op, "--ops", str(n),
               "--queue-depth", "8", "--timeout", "60000"]
        r = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if r.returncode != 0:
            fail(f"rsa {op}: {r.stderr.strip()[-300:]}")
        d = routed(b, vm())
        print(f"rsa-1024 {op}: {d}")
        return d
    for op, role in (("sign", "accel"), ("decrypt", "accel"), ("verify", "cpu"),
                     ("encrypt", "cpu")):
        d = run(op)
        other = "accel" if role == "cpu" else "cpu"
        if d[f"routed_{role}_ops"] != d["requests"] or d[f"routed_{other}_ops"] != 0 or \
                d["requests"] == 0:
            fail(f"rsa {op} should all go to {role}: {d}")
    verify("rsa-2048-pkcs1-sha256", "64", extra=["--session-layout", "qemu81"])


{"split": case_split, "auto": case_auto, "spill": case_spill, "errors": case_errors,
 "stall": case_stall, "reject": case_reject, "rsa": case_rsa}[CASE]()
print(f"routing {CASE}: PASS")
