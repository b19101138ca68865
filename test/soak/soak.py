#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""Churn and soak: one real vcryptd, everything a busy or hostile host does to it at
once, for DURATION seconds, while two VMs verify every result against OpenSSL.

  verify    vm_a, vm_b: vcryptd-bench --verify in a loop (cipher, chain, CTR; 64 B to
            64 KiB; a new seed each run); every run must pass
  churn     vm_c: connect, handshake, one session, one verified request, disconnect,
            as fast as it goes (--churn N: at least N connections, default 1000 for the
            long run)
  kill      vm_k: a throughput frontend killed with SIGKILL mid-traffic, again and again
  reload    SIGHUP every 100 ms, vm_x added and removed in turn
  telemetry vcryptctl in a loop (a new telemetry client each time)
  stall     vm_s: a frontend that sends requests needing replies and never reads them

At the end, with every frontend gone: the daemon never died; for each VM, requests
taken == answered (sum of statuses + no_status) and nothing in flight; every worker's
free ops and mbufs back to their totals; the backends' session pools back to where
they started; the daemon's file descriptors no more than before the load, and
its RSS within RSS_SLACK of it (taken after a warm-up; not on a sanitizer build,
VCD_SOAK_SANITIZED=1, where LeakSanitizer judges leaks at exit); SIGTERM exits 0.  Prints one
line per check and a summary; exit 1 if any check failed.

usage: soak.py VCRYPTD VCRYPTD_BENCH VCRYPTCTL DURATION_S [--churn N]"""
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

VCRYPTD, BENCH, VCTL = sys.argv[1], sys.argv[2], sys.argv[3]
DURATION = float(sys.argv[4])
CHURN_MIN = int(sys.argv[sys.argv.index("--churn") + 1]) if "--churn" in sys.argv else 0
RSS_SLACK_KB = 16 * 1024
STATUSES = ("ok", "err", "badmsg", "notsupp", "invsess", "nospc", "key_rejected", "other")

tmp = tempfile.mkdtemp(prefix="vcd-soak.")
prefix = "vcdsoak%d" % os.getpid()
conf = os.path.join(tmp, "vcryptd.conf")
failures = []
counts = {k: 0 for k in ("verify", "churn", "kill", "reload", "telemetry", "stall_msgs")}
errors = []
lock = threading.Lock()
stop = threading.Event()
STATIC_VMS = ("vm_a", "vm_b", "vm_c", "vm_k", "vm_s")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def write_conf(with_x):
    vms = STATIC_VMS + (("vm_x",) if with_x else ())
    text = ("[daemon]\nlcores = 0-1\nhugepages = no\nmemory_mb = 512\n"
            "eal_args = --file-prefix=%s\nlog_level = info\nsocket_dir = %s\n"
            "[backend aesni0]\ndriver = crypto_aesni_mb\n" % (prefix, tmp))
    text += "".join("[vm %s]\nsocket = %s.sock\n" % (v, v) for v in vms)
    new = conf + ".new"
    with open(new, "w") as f:
        f.write(text)
    os.replace(new, conf)


def sock(vm):
    return os.path.join(tmp, vm + ".sock")


def tel(cmd):
    r = subprocess.run([VCTL, "-f", prefix, "raw", cmd], capture_output=True, text=True,
                       timeout=30)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1])[cmd.split(",")[0]] if lines else None


def note_error(what):
    with lock:
        if len(errors) < 20:
            errors.append(what)


def bench(args, timeout=120):
    return subprocess.run([BENCH, "--timeout", "30000", "--connect-timeout", "10000"] + args,
                          capture_output=True, text=True, timeout=timeout)


def verifier(vm):
    seed = 1
    while not stop.is_set():
        r = bench(["--socket", sock(vm), "--verify", "--algo",
                   "aes-cbc-128,aes-cbc-128-hmac-sha1,aes-ctr-128",
                   "--sizes", "64,4096,65536", "--ops", "4", "--seed", str(seed)])
        seed += 1
        if r.returncode != 0:
            note_error("verify %s seed %d: rc %d %s" % (vm, seed, r.returncode,
                                                        (r.stderr or r.stdout)[-300:]))
        with lock:
            counts["verify"] += 1


def churner():
    while not stop.is_set() or counts["churn"] < CHURN_MIN:
        r = bench(["--socket", sock("vm_c"), "--verify", "--algo", "aes-cbc-128",
                   "--sizes", "64", "--ops", "1"])
        if r.returncode != 0:
            note_error("churn: rc %d %s" % (r.returncode, (r.stderr or r.stdout)[-300:]))
        with lock:
            counts["churn"] += 1
        if stop.is_set() and time.time() > deadline + 600:
            break


def killer():
    rnd = random.Random(7)
    while not stop.is_set():
        p = subprocess.Popen([BENCH, "--socket", sock("vm_k"), "--throughput", "--ops",
                              "1000000000", "--sizes", "64,4096", "--connect-timeout", "10000"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.2, 1.0))
        p.send_signal(signal.SIGKILL)
        p.wait()
        with lock:
            counts["kill"] += 1


def reloader(pid):
    with_x = False
    while not stop.is_set():
        with_x = not with_x
        write_conf(with_x)
        os.kill(pid, signal.SIGHUP)
        with lock:
            counts["reload"] += 1
        time.sleep(0.1)
    write_conf(False)
    os.kill(pid, signal.SIGHUP)


def telemetry_loop():
    cmds = ("/vcryptd/vms", "/vcryptd/workers", "/vcryptd/backends", "/vcryptd/vm,vm_a",
            "/vcryptd/info", "/vcryptd/routing")
    i = 0
    while not stop.is_set():
        try:
            tel(cmds[i % len(cmds)])
        except Exception as e:  # a timeout is an error of the daemon's, not ours
            note_error("telemetry %s: %s" % (cmds[i % len(cmds)], e))
        i += 1
        with lock:
            counts["telemetry"] += 1


def staller():
    """vhost-user GET_FEATURES (1) with the version flag, replies never read."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            s.connect(sock("vm_s"))
            break
        except OSError:
            time.sleep(0.1)
    s.setblocking(False)
    msg = struct.pack("<III", 1, 1, 0)
    while not stop.is_set():
        try:
            s.send(msg)
            with lock:
                counts["stall_msgs"] += 1
        except (BlockingIOError, InterruptedError):
            time.sleep(0.05)
        except OSError:
            break  # the daemon hung up on it: allowed
    s.close()


def proc_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def proc_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pools():
    w = tel("/vcryptd/workers") or {}
    b = tel("/vcryptd/backends") or {}
    return ({k: (v["ops_free"], v["ops"], v["mbufs_free"], v["mbufs"], v["bounce_free"])
             for k, v in w.items()},
            {k: v["sessions_in_use"] for k, v in b.items()})


write_conf(False)
log = open(os.path.join(tmp, "daemon.log"), "w")
daemon = subprocess.Popen([VCRYPTD, "-c", conf], stdout=log, stderr=subprocess.STDOUT)
ready = False
for _ in range(300):
    if all(os.path.exists(sock(v)) for v in STATIC_VMS) and tel("/vcryptd/info") is not None:
        ready = True
        break
    time.sleep(0.1)
check(ready, "vcryptd ready with %d VM sockets" % len(STATIC_VMS))
if not ready:
    daemon.kill()
    print(open(os.path.join(tmp, "daemon.log")).read())
    sys.exit(1)

pool0, sess0 = pools()


def settled_fds(pid):
    """The daemon's fd count with no client mid-close: the least of a few samples (the
    telemetry server closes a client's socket after the client has gone, so one sample
    taken just after a query may count it)."""
    n = proc_fds(pid)
    for _ in range(5):
        time.sleep(0.05)
        n = min(n, proc_fds(pid))
    return n


fds0 = settled_fds(daemon.pid)
deadline = time.time() + DURATION
threads = [threading.Thread(target=verifier, args=(v,)) for v in ("vm_a", "vm_b")]
threads += [threading.Thread(target=f) for f in (churner, killer, telemetry_loop, staller)]
threads.append(threading.Thread(target=reloader, args=(daemon.pid,)))
for t in threads:
    t.start()
warm = min(30.0, DURATION / 5)
time.sleep(warm)
rss0 = proc_rss_kb(daemon.pid)
alive = True
while time.time() < deadline:
    time.sleep(1)
    if daemon.poll() is not None:
        alive = False
        break
stop.set()
for t in threads:
    t.join(timeout=900)
check(alive and daemon.poll() is None, "the daemon ran through the whole soak")
check(not errors, "every frontend run passed (%d errors%s)" % (
    len(errors), ": " + " | ".join(errors[:3]) if errors else ""))
if CHURN_MIN:
    check(counts["churn"] >= CHURN_MIN, "at least %d churn connections (%d)" % (
        CHURN_MIN, counts["churn"]))

# Everything disconnected: give the daemon a moment to drain and close what it holds.
time.sleep(2)
if daemon.poll() is None:
    vms = tel("/vcryptd/vms") or {}
    for vm in STATIC_VMS:
        c = tel("/vcryptd/vm," + vm) or {}
        answered = sum(c.get(k, 0) for k in STATUSES) + c.get("no_status", 0)
        check(c.get("requests", -1) == answered and c.get("inflight", -1) == 0,
              "%s: requests taken %s == answered %d, in flight %s" % (
                  vm, c.get("requests"), answered, c.get("inflight")))
    pool1, sess1 = pools()
    check(pool1 == pool0 and all(v[0] == v[1] and v[2] == v[3] for v in pool1.values()),
          "worker free stacks back to their totals: %s" % pool1)
    check(sess1 == sess0, "session pools back to their start: %s -> %s" % (sess0, sess1))
    fds1 = settled_fds(daemon.pid)
    # A leak is a rise; one fewer is a client fd that was closing when fds0 was taken.
    check(fds1 <= fds0, "daemon file descriptors %d -> %d" % (fds0, fds1))
    rss1 = proc_rss_kb(daemon.pid)
    if os.environ.get("VCD_SOAK_SANITIZED") == "1":
        # ASan keeps freed memory in quarantine: RSS grows by design; LSan judges leaks.
        print("skip daemon RSS %d -> %d KiB (sanitizer build)" % (rss0, rss1))
    else:
        check(rss1 - rss0 <= RSS_SLACK_KB, "daemon RSS %d -> %d KiB after warm-up (slack %d)"
              % (rss0, rss1, RSS_SLACK_KB))
    daemon.send_signal(signal.SIGTERM)
    try:
        rc = daemon.wait(timeout=30)
    except subprocess.TimeoutExpired:
        daemon.kill()
        rc = -9
    check(rc == 0, "SIGTERM: exit status %s" % rc)
log.close()
text = open(os.path.join(tmp, "daemon.log")).read()
check("SIGBUS" not in text and "ERROR: AddressSanitizer" not in text, "no fault in the log")
print("soak: %.0f s: %d verify runs, %d churn connections, %d frontends killed, %d reloads, "
      "%d telemetry queries, %d unread requests from the stalling frontend; %s" % (
          DURATION, counts["verify"], counts["churn"], counts["kill"], counts["reload"],
          counts["telemetry"], counts["stall_msgs"],
          "%d failed" % len(failures) if failures else "all checks passed"), flush=True)
if failures:
    print("---- daemon log (tail) ----\n" + "\n".join(text.splitlines()[-60:]))
sys.exit(1 if failures else 0)
