#!/usr/bin/env python3
"""report_spikes_check.py - the spikes marked on the report's timeline are
the events `candor monitor --replay` raises on the same records.

usage: report_spikes_check.py REPORT.md MONITOR.jsonl

REPORT.md: `candor report -f md` (English).  MONITOR.jsonl: the output of
`candor monitor --replay` on the same suggestions.  Each event that is not
an all-clear belongs to the bar holding its window (the window ends at its
"ts", so the bar of ts - 1 s; a `safety` flag is raised by one record, at
its own time).  Per bar, the report must show the highest level raised
there and every series (category or flag) that raised it, and no bar may
be marked without an event.  Exits 1 with the differences.
"""
import calendar
import json
import sys
import time

LEVELS = ["clear", "watch", "alert", "crisis"]


def timeline(md):
    """(bar start times, spike cells) of the first timeline table."""
    lines = md.split("\n")
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| from |") and cells[-1] == "spike":
            starts, spikes = [], []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                c = [x.strip() for x in row.strip().strip("|").split("|")]
                starts.append(calendar.timegm(
                    time.strptime(c[0], "%d %b %Y %H:%M")))
                spikes.append(c[-1].replace("\\", ""))
            return starts, spikes
    return [], []


def main():
    md = open(sys.argv[1], encoding="utf-8").read()
    starts, spikes = timeline(md)
    if len(starts) < 2:
        print("no timeline table with a spike column of 2 bars or more")
        return 1
    t0, width = starts[0], starts[1] - starts[0]
    want = {}
    for line in open(sys.argv[2], encoding="utf-8"):
        ev = json.loads(line)
        if ev["level"] == "clear":
            continue
        ts = calendar.timegm(time.strptime(ev["ts"], "%Y-%m-%dT%H:%M:%SZ"))
        at_once = ev.get("flag") == "safety"
        b = max(0, min(len(starts) - 1,
                       ((ts if at_once else ts - 1) - t0) // width))
        series = ev.get("category") or ev.get("flag")
        lv, names = want.get(b, (0, set()))
        want[b] = (max(lv, LEVELS.index(ev["level"])), names | {series})
    bad = []
    for b, cell in enumerate(spikes):
        if b not in want:
            if cell:
                bad.append("bar %d marked %r, monitor raised nothing" %
                           (b, cell))
            continue
        lv, names = want[b]
        level, _, got = cell.partition(": ")
        if level != LEVELS[lv]:
            bad.append("bar %d: level %r, monitor %r" % (b, level, LEVELS[lv]))
        if set(got.split(", ")) != names:
            bad.append("bar %d: series %r, monitor %r" %
                       (b, got, sorted(names)))
    if not want:
        bad.append("monitor raised nothing: the check proves nothing")
    for x in bad:
        print(x)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
