#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Whose instructions a callgrind dump counts: the one parser of bench/instructions-per-io (which
imports it) and tests/nvme/instructions-per-io.sh (which runs it).

Each instruction's self cost (Ir) goes to one of GROUPS by the object it ran in and the source
file it came from: libnvfio's functions, the inline functions of the public headers (compiled
into the program, but the driver's code), the program nvfio-perf, and the rest (libc).

usage: callgrind_ipio.py DUMP...
  prints "LIB TOTAL": the instructions of the dumps that are libnvfio's (its functions and the
  inline functions of <nvfio/*.h>) and all of them"""
import os
import sys

# A public header, in whichever tree the program was compiled against (a checkout's or an
# installed copy's include/nvfio/).
INCLUDE = "/include/nvfio/"

GROUPS = ["libnvfio: library functions", "libnvfio: inline functions of <nvfio/*.h>",
          "nvfio-perf: job loop, offsets, accounting", "other (libc)"]
LIB = GROUPS[:2]


def parse(path):
    """Self cost (Ir) per (object, file) of one callgrind output file."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    space = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl",
             "cfl": "fl", "fn": "fn", "cfn": "fn"}
    cost = {}
    ob = fl = fi = ""
    skip_next = False

    def name(kind, value):
        # --compress-strings: "(id) name" defines an id, "(id)" refers to it
        value = value.strip()
        table = names[space[kind]]
        if value.startswith("("):
            ident, _, rest = value.partition(")")
            rest = rest.strip()
            if rest:
                table[ident] = rest
            return table.get(ident, ident)
        return value

    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next:  # the inclusive cost of a call: not this function's own
                    skip_next = False
                    continue
                fields = line.split()
                if len(fields) < 2:
                    continue
                key = (ob, fi or fl)
                cost[key] = cost.get(key, 0) + int(fields[1])
                continue
            key, eq, value = line.partition("=")
            if not eq:
                continue
            if key == "ob":
                ob = name(key, value)
            elif key == "fl":
                fl = name(key, value)
                fi = ""
            elif key in ("fi", "fe"):  # inlined code from another file
                fi = name(key, value)
                if fi == fl:
                    fi = ""
            elif key == "fn":
                name(key, value)
                fi = ""
            elif key in ("cob", "cfi", "cfl", "cfn"):
                name(key, value)
            elif key == "calls":
                skip_next = True
    return cost


def groups(paths):
    """Self cost of the dumps in paths, summed, per group of GROUPS."""
    g = dict.fromkeys(GROUPS, 0)
    for path in paths:
        for (ob, fl), v in parse(path).items():
            base = os.path.basename(ob)
            if base.startswith("libnvfio.so"):
                g[GROUPS[0]] += v
            elif INCLUDE in fl:
                g[GROUPS[1]] += v
            elif base == "nvfio-perf":
                g[GROUPS[2]] += v
            else:
                g[GROUPS[3]] += v
    return g


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    g = groups(sys.argv[1:])
    print("%d %d" % (sum(g[k] for k in LIB), sum(g.values())))
