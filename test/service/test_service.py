#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""vcryptd as a systemd notify service, for real: a NOTIFY_SOCKET this test
owns, READY only once the sockets exist with their mode, a SIGHUP reload that
adds and removes VMs while a guest on another VM keeps being verified, a
refused reload, every telemetry command through dpdk-telemetry.py, and SIGTERM
with requests in flight: every request taken answered, nothing left behind.

usage: test_service.py VCRYPTD VCRYPTD_BENCH"""
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

VCRYPTD, BENCH = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="vcd-svc.")
prefix = "vcdsvc%d" % os.getpid()
conf = os.path.join(tmp, "vcryptd.conf")
log_path = os.path.join(tmp, "daemon.log")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def write_conf(vms, burst=32):
    with open(conf, "w") as f:
        f.write("[daemon]\nlcores = 0-1\nburst = %d\nsocket_mode = 0660\n" % burst)
        f.write("eal_args = --file-prefix=%s\nsocket_dir = %s\n" % (prefix, tmp))
        f.write("[backend aesni0]\ndriver = crypto_aesni_mb\n")
        for vm in vms:
            f.write("[vm %s]\nsocket = %s.sock\n" % (vm, vm))


def sock(vm):
    return os.path.join(tmp, vm + ".sock")


notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(os.path.join(tmp, "notify"))
notify.settimeout(0.2)
messages = []


def wait_notify(text, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            m = notify.recv(4096).decode()
        except socket.timeout:
            continue
        messages.append(m)
        if text in m.split("\n"):
            return True
    return False


def telemetry(cmd):
    out = subprocess.run(["dpdk-telemetry.py", "-f", prefix], input=cmd + "\n", text=True,
                         capture_output=True, timeout=30).stdout
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


write_conf(["vmA", "vmB"])
env = dict(os.environ, NOTIFY_SOCKET=os.path.join(tmp, "notify"))
daemon = subprocess.Popen([VCRYPTD, "-c", conf], env=env, stdout=open(log_path, "w"),
                          stderr=subprocess.STDOUT)
try:
    check(wait_notify("READY=1"), "READY=1 received")
    for vm in ("vmA", "vmB"):
        st = os.stat(sock(vm))
        check(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660,
              "%s socket existed with mode 0660 at READY" % vm)
    check(any(m.startswith("STATUS=") for m in messages) or wait_notify("", 3) or
          any(m.startswith("STATUS=") for m in messages), "STATUS= line sent")

    # A guest on vmA verifying results for the whole reload.
    guest = subprocess.Popen([BENCH, "--socket", sock("vmA"), "--verify", "--algo",
                              "aes-cbc-128,aes-cbc-128-hmac-sha1", "--sizes", "64,4096",
                              "--ops", "3000", "--timeout", "60000"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)
    write_conf(["vmA", "vmC"])
    daemon.send_signal(signal.SIGHUP)
    check(wait_notify("RELOADING=1"), "RELOADING=1 on SIGHUP")
    check(wait_notify("READY=1"), "READY=1 after the reload")
    time.sleep(0.5)
    check(not os.path.exists(sock("vmB")), "vmB removed: its socket is gone")
    check(os.path.exists(sock("vmC")), "vmC added: its socket exists")
    out, _ = guest.communicate(timeout=300)
    check(guest.returncode == 0, "the guest on vmA verified every result across the reload")
    vmc = subprocess.run([BENCH, "--socket", sock("vmC"), "--verify", "--algo", "aes-cbc-128",
                          "--sizes", "64", "--timeout", "60000"], capture_output=True, text=True)
    check(vmc.returncode == 0, "the added vmC serves a guest")

    write_conf(["vmA", "vmC"], burst=0)
    daemon.send_signal(signal.SIGHUP)
    check(wait_notify("READY=1"), "READY=1 after a refused reload")
    time.sleep(0.3)
    with open(log_path) as f:
        log = f.read()
    check("reload refused" in log and "burst" in log, "bad reload refused naming the option")
    check(os.path.exists(sock("vmC")), "the running configuration stayed")

    for cmd, key in (("/vcryptd/info", "version"), ("/vcryptd/vms", "vmA"),
                     ("/vcryptd/vm,vmA", "requests"), ("/vcryptd/workers", "worker0"),
                     ("/vcryptd/backends", "aesni0"), ("/vcryptd/config", "daemon/burst")):
        r = telemetry(cmd)
        name = cmd.split(",")[0]
        check(r is not None and key in r.get(name, {}), "telemetry %s has %s" % (cmd, key))

    # SIGTERM with requests in flight.
    load = subprocess.Popen([BENCH, "--socket", sock("vmA"), "--throughput", "--sizes", "16384",
                             "--ops", "100000000", "--queue-depth", "128"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    daemon.send_signal(signal.SIGTERM)
    check(wait_notify("STOPPING=1"), "STOPPING=1 on SIGTERM")
    rc = daemon.wait(timeout=30)
    load.kill()
    load.wait()
    check(rc == 0, "vcryptd exited 0 after SIGTERM")
    with open(log_path) as f:
        log = f.read()
    line = [l for l in log.splitlines() if "vmA: requests" in l]
    fields = line[-1].split() if line else []
    taken = int(fields[fields.index("requests") + 1]) if line else -1
    answered = sum(int(fields[fields.index(k) + 1]) for k in
                   ("ok", "err", "badmsg", "notsupp", "invsess", "no_status")) if line else -2
    check(taken > 0 and taken == answered,
          "every request taken was answered (%d taken, %d answered)" % (taken, answered))
    left = [p for p in os.listdir(tmp) if p.endswith(".sock")]
    check(not left, "no socket left behind (%s)" % left)
    check(not os.path.exists("/var/run/dpdk/" + prefix), "no DPDK runtime directory left")
finally:
    if daemon.poll() is None:
        daemon.kill()
        daemon.wait()
    if failures:
        with open(log_path) as f:
            sys.stderr.write("---- daemon log ----\n" + f.read())
    subprocess.run(["rm", "-rf", tmp, "/var/run/dpdk/" + prefix])
print("notifications: %s" % [m.replace("\n", " | ") for m in messages])
sys.exit(1 if failures else 0)
