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
numbers: it is what this tree builds.  Latency rows ("type": "latency") need p50/p99/p99.9
per column the same way; one "type": "run" summary ends the output.
"""
import json
import math
import subprocess
import sys

QUICK_SIZES = [64, 1024, 4096, 16384]
MIXES = ["cipher", "chain"]
COLUMNS = ["raw", "vcryptd", "dpdk_example"]
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
    return len(tput), len(lat)


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
    n_tput, n_lat = check(out.splitlines(), QUICK_SIZES)
    for e in errors:
        print("FAIL: " + e, file=sys.stderr)
    if errors:
        return 1
    print("bench output well formed: %d throughput rows, %d latency rows" % (n_tput, n_lat),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
