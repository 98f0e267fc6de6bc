#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Validate nvfio-perf's JSON report: it parses, and has fio's documented keys.

usage: check-json.py FILE [--expect-read] [--expect-write] [--only] [--jobs=N] [--compare] [--plot]
--expect-read/--expect-write: that direction must have I/O; --only: the other must have none.
Exit 0 when valid; 1 with the reason otherwise.
"""
import json
import sys


def fail(msg):
    print("check-json: " + msg, file=sys.stderr)
    sys.exit(1)


def need(obj, path):
    cur = obj
    for key in path.split("."):
        if isinstance(cur, list):
            cur = cur[int(key)]
        elif key not in cur:
            fail("missing key %s" % path)
        else:
            cur = cur[key]
    return cur


def check_report(d, expect_read, expect_write, njobs, only):
    for key in ("fio version", "timestamp", "timestamp_ms", "time", "jobs", "disk_util"):
        need(d, key)
    jobs = d["jobs"]
    if njobs is not None and len(jobs) != njobs:
        fail("%d jobs, expected %d" % (len(jobs), njobs))
    if not jobs:
        fail("no jobs")
    for j in jobs:
        for key in ("jobname", "groupid", "error", "job options", "read", "write", "trim",
                    "job_runtime", "usr_cpu", "sys_cpu", "ctx", "majf", "minf", "latency_ns",
                    "latency_us", "latency_ms"):
            need(j, key)
        for ddir, expect in (("read", expect_read), ("write", expect_write)):
            x = j[ddir]
            for key in ("io_bytes", "io_kbytes", "bw_bytes", "bw", "iops", "runtime",
                        "total_ios", "short_ios", "drop_ios", "slat_ns", "clat_ns", "lat_ns"):
                need(x, key)
            for key in ("min", "max", "mean", "stddev", "N"):
                need(x["clat_ns"], key)
            if expect and x["total_ios"] <= 0:
                fail("%s: no I/O counted" % ddir)
            if only and not expect and x["total_ios"] != 0:
                fail("%s: %d I/Os where none were expected" % (ddir, x["total_ios"]))
            if x["total_ios"] > 0:
                if x["iops"] <= 0 or x["runtime"] <= 0:
                    fail("%s: no I/O counted: %s" % (ddir, json.dumps(x)[:200]))
                pct = need(x, "clat_ns.percentile")
                for p in ("1.000000", "50.000000", "99.000000", "99.900000", "99.990000"):
                    if p not in pct:
                        fail("%s: percentile %s missing" % (ddir, p))
                values = [pct[k] for k in sorted(pct, key=float)]
                if values != sorted(values):
                    fail("%s: percentiles not increasing: %s" % (ddir, values))
                c = x["clat_ns"]
                if not (c["min"] <= c["mean"] <= c["max"]):
                    fail("%s: min/mean/max out of order: %s" % (ddir, c))
                if c["N"] != x["total_ios"]:
                    fail("%s: clat_ns.N %d != total_ios %d" % (ddir, c["N"], x["total_ios"]))
                sizes = j["nvfio"].get("bs_issued", {}).get(ddir)
                if j["nvfio"]["bs"]:
                    if x["io_bytes"] != x["total_ios"] * j["nvfio"]["bs"]:
                        fail("%s: io_bytes is not total_ios * bs" % ddir)
                elif sizes is None:
                    fail("%s: bs 0 (mixed sizes) without bs_issued" % ddir)
                elif "other" not in sizes and sum(sizes.values()) == x["total_ios"]:
                    # Mixed sizes, all issued I/Os counted by size: the bytes are theirs.
                    if x["io_bytes"] != sum(int(k) * n for k, n in sizes.items()):
                        fail("%s: io_bytes is not the sum of bs_issued" % ddir)
        if not (0 <= j["usr_cpu"] <= 100.5 and 0 <= j["sys_cpu"] <= 100.5):
            fail("cpu figures out of range: usr %s sys %s" % (j["usr_cpu"], j["sys_cpu"]))
        for key in ("ioengine", "filename", "cpu_ns_per_io", "verify_errors",
                    "thread_cpu_ns_per_io", "process_cpu_ns_per_io", "busy_cpu_ns_per_io",
                    "idle_polls", "idle_polls_timed", "idle_ns", "clocksource"):
            need(j, "nvfio." + key)
        n = j["nvfio"]
        # Idle spinning is a part of the job thread's time, and timed idle polls of the polls.
        if n["idle_polls_timed"] > n["idle_polls"]:
            fail("idle_polls_timed %d > idle_polls %d" % (n["idle_polls_timed"], n["idle_polls"]))
        if n["busy_cpu_ns_per_io"] > n["thread_cpu_ns_per_io"] + 1e-6:
            fail("busy_cpu_ns_per_io %s > thread_cpu_ns_per_io %s" % (n["busy_cpu_ns_per_io"],
                                                                      n["thread_cpu_ns_per_io"]))


def main():
    args = sys.argv[1:]
    if not args:
        fail("usage: check-json.py FILE [options]")
    path = args[0]
    opts = args[1:]
    with open(path) as f:
        text = f.read()
    try:
        d = json.loads(text)
    except ValueError as e:
        fail("%s is not JSON: %s" % (path, e))
    njobs = None
    for o in opts:
        if o.startswith("--jobs="):
            njobs = int(o.split("=", 1)[1])
    if "--compare" in opts:
        cmp = need(d, "compare")
        for side in ("a", "b"):
            need(cmp, side + ".filename")
        for fig in ("iops", "lat_p99_us", "cpu_ns_per_io"):
            for part in ("a", "b", "ratio"):
                for stat in ("min", "median", "max", "values"):
                    need(cmp, "figures.%s.%s.%s" % (fig, part, stat))
        if len(cmp["figures"]["iops"]["a"]["values"]) != cmp["rounds"]:
            fail("compare: not one value per round")
        runs = need(d, "runs")
        if len(runs) != 2 * cmp["rounds"]:
            fail("compare: %d runs for %d rounds" % (len(runs), cmp["rounds"]))
        for r in runs:
            check_report(r, "--expect-read" in opts, "--expect-write" in opts, njobs,
                         "--only" in opts)
    elif "--plot" in opts:
        for s in need(d, "series"):
            if not s["sweep"] or any(p["iops"] <= 0 for p in s["sweep"]):
                fail("plot: empty sweep point")
            need(s, "clat_ns_percentile")
    else:
        check_report(d, "--expect-read" in opts, "--expect-write" in opts, njobs,
                     "--only" in opts)
    print("check-json: %s is valid" % path)


main()
