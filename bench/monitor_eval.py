#!/usr/bin/env python3
"""monitor_eval.py - score `candor monitor --replay` alerts against what
bench/monitor_gen.py injected (bench/monitor_bench.sh runs it).

  monitor_eval.py ALERTS.jsonl --after UNIX [--series CAT --from UNIX]

Prints one JSON object: `false` = alert lines (level watch, alert or
crisis; not the all-clear) at or after --after that are not on the
injected series after its start; `delay` = seconds from --from to the
first alert line on --series at or after --from (null when none);
`first_level` and `max_level` of that series' episode.
"""
import argparse
import calendar
import json
import time


def unix(ts):
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("alerts")
    ap.add_argument("--after", type=int, default=0)
    ap.add_argument("--series")
    ap.add_argument("--from", dest="start", type=int, default=0)
    a = ap.parse_args()
    order = {"watch": 1, "alert": 2, "crisis": 3}
    false = 0
    delay = None
    first = None
    top = 0
    with open(a.alerts) as f:
        for line in f:
            ev = json.loads(line)
            if ev["level"] == "clear":
                continue
            t = unix(ev["ts"])
            name = ev.get("category", ev.get("flag"))
            if a.series and name == a.series and t >= a.start:
                if delay is None:
                    delay = t - a.start
                    first = ev["level"]
                top = max(top, order[ev["level"]])
                continue
            if t >= a.after:
                false += 1
    names = {v: k for k, v in order.items()}
    print(json.dumps({"false": false, "delay": delay, "first_level": first,
                      "max_level": names.get(top)}))


if __name__ == "__main__":
    main()
