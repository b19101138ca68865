#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""The sharing phase of scripts/bench.sh (bench.sh --sharing): one worker shared by many VMs.

  aggregate  N VMs (1, 8, 64) of AES-128-CBC at --size (default 4096) on crypto_aesni_mb,
             each a vcryptd-bench throughput frontend at queue depth 32: requests per
             second the worker serves over --seconds, all VMs together, and each N's
             ratio to the 1-VM figure (goal: >= 0.9 at 64 VMs)
  fairness   8 VMs of 64 B .. 65520 B 3DES-CBC on crypto_openssl (in-flight budget 32,
             so that requests wait on the rings): Jain's index over the served costs
  victim     a VM at 64 B, queue depth 1, alone and beside a neighbour sending 1 MiB
             3DES-CBC and AES-CBC requests at queue depth 32 (crypto_aesni_mb, the
             synchronous path in slices): p50 / p99 / max, and the worker's slices.
             The neighbour's frontend runs at nice 19 so that, sharing CPU 0, it does
             not take the victim frontend's CPU: what is measured is the daemon

Frontends are pinned to CPU 0, the worker to CPU 1 (lcores 0-1): on 2 CPUs the
frontends share one CPU, which limits what many small-request frontends can offer.

bench_sharing.py [--build DIR] [--seconds S] [--size N] [--vms LIST] [--json]
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Daemon:
    """vcryptd with N VM sockets and a private config, like test/func/with_daemon.sh."""

    def __init__(self, build, nvms, extra_conf="", args=()):
        self.build = build
        self.dir = tempfile.mkdtemp(prefix="vcd-bench-sharing.")
        self.prefix = f"vcdbs{os.getpid()}"
        with open(os.path.join(self.dir, "vcryptd.conf"), "w") as f:
            f.write(f"""[daemon]
lcores = 0-1
hugepages = no
memory_mb = 1024
eal_args = --file-prefix={self.prefix}
log_level = notice
socket_dir = {self.dir}
[backend aesni0]
driver = crypto_aesni_mb
{extra_conf}""")
        self.socks = [os.path.join(self.dir, f"vm{i}.sock") for i in range(nvms)]
        cmd = [os.path.join(build, "src", "vcryptd"), "-c", os.path.join(self.dir, "vcryptd.conf")]
        for s in self.socks:
            cmd += ["--socket", s]
        self.log = open(os.path.join(self.dir, "daemon.log"), "w")
        self.proc = subprocess.Popen([*cmd, *args], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            if "ready:" in open(os.path.join(self.dir, "daemon.log")).read():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        sys.exit("bench_sharing: vcryptd did not start:\n" +
                 open(os.path.join(self.dir, "daemon.log")).read()[-2000:])

    def tel(self, cmd):
        out = subprocess.run([os.path.join(self.build, "tools", "vcryptctl", "vcryptctl"), "-f",
                              self.prefix, "raw", cmd], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)[cmd.split(",")[0]]

    def frontend(self, i, args, nice=0):
        cmd = ["nice", "-n", str(nice), "taskset", "-c", "0",
               os.path.join(self.build, "tools", "bench", "vcryptd-bench"),
               "--socket", self.socks[i], "--timeout", "30000", *args]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def served(d, nvms, seconds, warm=2.0):
    """Cost and requests served per second, all VMs together, over @seconds."""
    time.sleep(warm)
    s0, v0, t0 = d.tel("/vcryptd/sharing"), d.tel("/vcryptd/vms"), time.monotonic()
    time.sleep(seconds)
    s1, v1, t1 = d.tel("/vcryptd/sharing"), d.tel("/vcryptd/vms"), time.monotonic()
    costs = [(s1[f"vm{i}"]["cost"] - s0[f"vm{i}"]["cost"]) / (t1 - t0) for i in range(nvms)]
    reqs = sum(v1[f"vm{i}"] - v0[f"vm{i}"] for i in range(nvms)) / (t1 - t0)
    return costs, reqs


def kill(procs):
    for p in procs:
        p.kill()
    for p in procs:
        p.wait()


def aggregate(a, out):
    base = None
    for n in a.vms:
        d = Daemon(a.build, n)
        procs = [d.frontend(i, ["--throughput", "--algo", "aes-cbc-128", "--sizes", str(a.size),
                                "--ops", "1000000000", "--queue-depth", "32", "--burst", "32",
                                "--style", "dpdk"]) for i in range(n)]
        try:
            costs, reqs = served(d, n, a.seconds, warm=2.0 + n / 16)
            stopped = [p for p in procs if p.poll() is not None]
            w = d.tel("/vcryptd/workers")["worker0"]
        finally:
            kill(procs)
            d.stop()
        base = base or reqs
        out({"type": "sharing_aggregate", "vms": n, "size": a.size, "mops": reqs / 1e6,
             "ratio_to_1vm": reqs / base, "busy_percent": w["busy_percent"],
             "frontends_stopped": len(stopped)})


def jain(x):
    return sum(x) ** 2 / (len(x) * sum(v * v for v in x)) if any(x) else 0.0


def fairness(a, out):
    sizes = [64, 256, 1024, 2048, 4096, 8192, 16384, 65520]
    d = Daemon(a.build, len(sizes), "[backend ossl0]\ndriver = crypto_openssl\nrole = accel\n",
               ["--set", "routing.threshold_cipher=0", "--set", "routing.threshold_chain=0",
                "--set", "routing.accel_budget=32"])
    procs = [d.frontend(i, ["--throughput", "--algo", "3des-cbc", "--sizes", str(s), "--ops",
                            "1000000000", "--ring-size", "1024", "--queue-depth",
                            "512" if s <= 4096 else "64", "--burst", "32"])
             for i, s in enumerate(sizes)]
    try:
        costs, _ = served(d, len(sizes), a.seconds)
    finally:
        kill(procs)
        d.stop()
    total = sum(costs)
    out({"type": "sharing_fairness", "vms": len(sizes), "sizes": sizes,
         "shares": [round(c / total, 4) for c in costs], "jain": jain(costs)})


def latency(d, extra=()):
    p = d.frontend(0, ["--latency", "--algo", "aes-cbc-128", "--sizes", "64", "--ops", "20000",
                       "--queue-depth", "1", "--json", *extra])
    o, e = p.communicate(timeout=300)
    if p.returncode != 0:
        sys.exit(f"bench_sharing: victim failed: {e[-400:]}")
    return json.loads([ln for ln in o.splitlines() if ln.startswith("{")][-1])


def victim(a, out):
    d = Daemon(a.build, 2)
    try:
        alone = latency(d)
        hog = d.frontend(1, ["--throughput", "--algo", "3des-cbc,aes-cbc-128", "--sizes",
                             "1048576", "--ops", "100000", "--queue-depth", "32", "--burst",
                             "32"], nice=19)
        time.sleep(1.0)
        w0 = d.tel("/vcryptd/workers")["worker0"]
        beside = latency(d)
        w1 = d.tel("/vcryptd/workers")["worker0"]
        kill([hog])
    finally:
        d.stop()
    for what, lat in (("alone", alone), ("noisy_neighbour", beside)):
        out({"type": "sharing_victim", "case": what, "p50_us": lat["p50_us"],
             "p99_us": lat["p99_us"], "max_us": lat["max_us"]})
    out({"type": "sharing_slices", "slices": w1["sync_slices"] - w0["sync_slices"],
         "over_twice_slice": w1["slices_long"] - w0["slices_long"],
         "longest_us": w1["slice_max_us"]})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--vms", default="1,8,64")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    a.vms = [int(v) for v in a.vms.split(",")]
    if a.vms[0] != 1 or max(a.vms) > 64:
        sys.exit("bench_sharing: --vms starts with 1 (the reference) and goes up to 64")

    def out(o):
        if a.json:
            print(json.dumps(o), flush=True)
        elif o["type"] == "sharing_aggregate":
            print(f"aggregate  {o['vms']:3d} VMs x {o['size']} B AES-CBC: {o['mops']:.3f} Mops "
                  f"({o['ratio_to_1vm']:.2f} of 1 VM), worker busy {o['busy_percent']} %",
                  flush=True)
        elif o["type"] == "sharing_fairness":
            print(f"fairness   8 VMs 64 B..65520 B 3DES: Jain's index {o['jain']:.4f}, shares "
                  f"{o['shares']}", flush=True)
        elif o["type"] == "sharing_victim":
            print(f"victim     64 B qd 1 {o['case']:15s}: p50 {o['p50_us']:.1f} us, p99 "
                  f"{o['p99_us']:.1f} us, max {o['max_us']:.1f} us", flush=True)
        else:
            print(f"slices     {o['slices']} slices of large-request work, "
                  f"{o['over_twice_slice']} over twice slice_us, longest {o['longest_us']} us",
                  flush=True)

    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True, check=False).stdout.strip()
    if not a.json:
        print(f"bench_sharing: build {a.build} ({git or 'no git'}), {a.seconds} s per figure")
    aggregate(a, out)
    fairness(a, out)
    victim(a, out)
    out({"type": "sharing_run", "commit": git, "seconds": a.seconds}) if a.json else None


if __name__ == "__main__":
    main()
