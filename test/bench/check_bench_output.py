#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""Check that scripts/bench.sh --json output is well formed (never how fast anything is).

  check_bench_output.py --run BENCH_SH BUILD_DIR   run `BENCH_SH --quick --json --build DIR`
  check_bench_output.py FILE                       check saved output (- for stdin)

Every line must be a JSON object.  Throughput rows ("type": "throughput") need one per
(mix, size) of the run, each with raw, vcryptd and dpdk_example objects holding gbps and
mops (numbers, or null with a reason string), the ratios vcryptd_vs_raw and
vcryptd_vs_example and vcryptd_cycles_per_op (numbers or null).  vcryptd itself must have
numbers: it is what this tree builds.  Routed rows ("type": "routed") need one per (mix,
size) too, with cpu_only, accel_only and routed columns the same way (cpu_only must have
numbers; routed must have them whenever accel_only has), the ratios routed_vs_cpu and
routed_vs_accel, served_by ("cpu", "accel" or "mixed"; set whenever routed has numbers),
accel_share (0..1) and the threshold in effect (a string) or null.  Latency rows ("type":
"latency") need p50/p99/p99.9 per column the same way; one "type": "run" summary ends the
output, with the routed phase's thresholds per op type and repetition.
"""
import json
import math
import subprocess
import sys

QUICK_SIZES = [64, 1024, 4096, 16384]
MIXES = ["cipher", "chain"]
COLUMNS = ["raw", "vcryptd", "dpdk_example"]
RT_COLUMNS = ["cpu_only", "accel_only", "routed"]
SERVED_BY = ("cpu", "accel", "mixed")
errors = []


def err(msg):
    errors.append(msg)


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def num_or_null(row, key, where):
    if key not in row:
        err("%s: no %r" % (where, key))
    elif row[key] is not None and not is_num(row[key]):
        err("%s: %r is %r, not a number or null" % (where, key, row[key]))


def check_column(col, keys, where, must_have_numbers):
    if not isinstance(col, dict):
        err("%s: not an object: %r" % (where, col))
        return
    for k in keys:
        num_or_null(col, k, where)
    missing = [k for k in keys if col.get(k) is None]
    if missing:
        if must_have_numbers:
            err("%s: no figures (%s): %s" % (where, ", ".join(missing), col.get("reason")))
        elif not isinstance(col.get("reason"), str) or not col["reason"]:
            err("%s: %s null without a reason" % (where, ", ".join(missing)))
    for k in keys:
        if is_num(col.get(k)) and col[k] < 0:
            err("%s: %s negative" % (where, k))


def check(lines, sizes):
    rows = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            err("line %d: not JSON (%s): %s" % (i, e, line[:120]))
            continue
        if not isinstance(obj, dict) or "type" not in obj:
            err("line %d: not an object with a type" % i)
            continue
        rows.append(obj)
    tput = [r for r in rows if r["type"] == "throughput"]
    lat = [r for r in rows if r["type"] == "latency"]
    routed = [r for r in rows if r["type"] == "routed"]
    runs = [r for r in rows if r["type"] == "run"]
    seen = set()
    for r in tput:
        where = "throughput %s/%s" % (r.get("mix"), r.get("size"))
        seen.add((r.get("mix"), r.get("size")))
        for c in COLUMNS:
            check_column(r.get(c), ["gbps", "mops"], where + " " + c, c == "vcryptd")
        for k in ("vcryptd_vs_raw", "vcryptd_vs_example", "vcryptd_cycles_per_op"):
            num_or_null(r, k, where)
        v, raw = r.get("vcryptd") or {}, r.get("raw") or {}
        if is_num(raw.get("mops")) and is_num(v.get("mops")) and r.get("vcryptd_vs_raw") is None:
            err(where + ": raw and vcryptd measured but no vcryptd_vs_raw")
        if is_num(v.get("mops")) and r.get("vcryptd_cycles_per_op") is None:
            err(where + ": no vcryptd_cycles_per_op")
    for m in MIXES:
        for s in sizes:
            if (m, s) not in seen:
                err("no throughput row for %s %d B" % (m, s))
    n_routed = check_routed(routed, sizes)
    if not lat:
        err("no latency rows")
    for r in lat:
        where = "latency %s %s" % (r.get("size"), r.get("load"))
        if r.get("load") not in ("qd1", "50%"):
            err(where + ": load is neither qd1 nor 50%")
        for c in COLUMNS:
            check_column(r.get(c), ["p50_us", "p99_us", "p999_us"], where + " " + c,
                         c == "vcryptd")
        num_or_null(r, "vcryptd_added_p99_us", where)
    if len(runs) != 1 or rows[-1].get("type") != "run":
        err("the output does not end with exactly one run summary")
    else:
        check_run_routed(runs[0])
    return len(tput), n_routed, len(lat)


def check_routed(routed, sizes):
    seen = set()
    for r in routed:
        where = "routed %s/%s" % (r.get("mix"), r.get("size"))
        seen.add((r.get("mix"), r.get("size")))
        for c in RT_COLUMNS:
            check_column(r.get(c), ["gbps", "mops"], where + " " + c, c == "cpu_only")
        cols = {c: r.get(c) if isinstance(r.get(c), dict) else {} for c in RT_COLUMNS}
        if is_num(cols["accel_only"].get("mops")) and not is_num(cols["routed"].get("mops")):
            err(where + ": accel_only measured but routed not: %s" % cols["routed"].get("reason"))
        for k in ("routed_vs_cpu", "routed_vs_accel", "accel_share"):
            num_or_null(r, k, where)
            if is_num(r.get(k)) and r[k] < 0:
                err("%s: %s negative" % (where, k))
        for k, c in (("routed_vs_cpu", "cpu_only"), ("routed_vs_accel", "accel_only")):
            if is_num(cols["routed"].get("mops")) and is_num(cols[c].get("mops")) \
                    and r.get(k) is None:
                err("%s: routed and %s measured but no %s" % (where, c, k))
        if "served_by" not in r:
            err(where + ": no 'served_by'")
        elif r["served_by"] is not None and r["served_by"] not in SERVED_BY:
            err("%s: served_by is %r, not one of %s" % (where, r["served_by"], SERVED_BY))
        elif r["served_by"] is None and is_num(cols["routed"].get("mops")):
            err(where + ": routed measured but no served_by")
        if is_num(r.get("accel_share")) and r["accel_share"] > 1:
            err(where + ": accel_share above 1")
        if "threshold" not in r:
            err(where + ": no 'threshold'")
        elif r["threshold"] is not None and not isinstance(r["threshold"], str):
            err("%s: threshold is %r, not a string or null" % (where, r["threshold"]))
    for m in MIXES:
        for s in sizes:
            if (m, s) not in seen:
                err("no routed row for %s %d B" % (m, s))
    return len(routed)


def check_run_routed(run):
    th = run.get("routed_thresholds")
    if not isinstance(th, dict):
        err("run summary: no routed_thresholds object")
        return
    for op in ("cipher", "chain"):
        v = th.get(op)
        if not isinstance(v, list) or len(v) != run.get("routed_reps"):
            err("run summary: routed_thresholds.%s is %r, not one per routed repetition (%r)"
                % (op, v, run.get("routed_reps")))
        elif any(t is not None and not isinstance(t, str) for t in v):
            err("run summary: routed_thresholds.%s: %r, not strings or null" % (op, v))


def main(argv):
    if len(argv) == 4 and argv[1] == "--run":
        p = subprocess.run([argv[2], "--quick", "--json", "--build", argv[3]],
                           stdout=subprocess.PIPE, universal_newlines=True)
        out = p.stdout
        sys.stdout.write(out)
        if p.returncode != 0:
            err("bench.sh exited with %d" % p.returncode)
    elif len(argv) == 2:
        out = sys.stdin.read() if argv[1] == "-" else open(argv[1]).read()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    n_tput, n_routed, n_lat = check(out.splitlines(), QUICK_SIZES)
    for e in errors:
        print("FAIL: " + e, file=sys.stderr)
    if errors:
        return 1
    print("bench output well formed: %d throughput rows, %d routed rows, %d latency rows"
          % (n_tput, n_routed, n_lat), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
