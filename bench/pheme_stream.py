#!/usr/bin/env python3
"""pheme_stream.py - a real, timestamped public stream for `candor monitor`:
the PHEME rumour source tweets as comment JSONL, and what the monitor made
of them.

  pheme_stream.py comments --src DIR [--events a,b,...] >comments.jsonl
  pheme_stream.py report ALERTS.jsonl --src DIR [--events a,b,...]

DIR holds the PHEME files as fetched (`<event>-all-rnr-threads.rumours.json`,
source and licence in config/corpus/SOURCES.md; the data stays outside the
repository).  `comments` writes every source tweet of the chosen events
(default: all), oldest first, as {"id", "text", "author", "lang",
"created_at"} with created_at in RFC 3339, for

  candor suggest comments.jsonl | candor monitor --replay --no-webhook

`report` reads the alert lines and prints, per event, its known start, its
tweets, and the alert lines from an hour before its first tweet to its last
one, with the delay from the known start (or from the first tweet where no
single moment is known).

What this is: breaking-news rumour traffic on Twitter, 2014-2015, as kept
by PHEME (only the source tweets of rumour threads, not their replies, and
about 2,400 of them over 8 months): real timestamps of real bursts, but
not comments addressed to a brand, and not a brand crisis.  Python 3
standard library only.
"""
import argparse
import calendar
import glob
import json
import os
import sys
import time

# Known starts (UTC) from the public record, for the events that have one
# moment; the others are slow rumours whose start is their first tweet.
KNOWN_START = {
    "ferguson": ("2014-08-09T17:02:00Z", "Michael Brown shot, 12:02 CDT"),
    "ottawashooting": ("2014-10-22T13:52:00Z",
                       "shooting at the National War Memorial, 09:52 EDT"),
    "sydneysiege": ("2014-12-14T22:44:00Z",
                    "Lindt cafe siege begins, 09:44 AEDT on 15 December"),
    "charliehebdo": ("2015-01-07T10:30:00Z",
                     "attack on Charlie Hebdo, about 11:30 CET"),
    "germanwings-crash": ("2015-03-24T09:41:00Z",
                          "Germanwings 9525 crashes, 10:41 CET"),
}


def unix(ts):
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def load(src, events):
    """{event: [(unix time, tweet), ...]} for the chosen events."""
    out = {}
    for path in sorted(glob.glob(os.path.join(
            src, "*-all-rnr-threads.rumours.json"))):
        name = os.path.basename(path).split("-all-rnr-threads")[0]
        if events and name not in events:
            continue
        with open(path, encoding="utf-8") as f:
            tweets = json.load(f)
        rows = []
        for tw in tweets:
            t = calendar.timegm(time.strptime(tw["created_at"],
                                              "%a %b %d %H:%M:%S +0000 %Y"))
            rows.append((t, tw))
        rows.sort(key=lambda r: (r[0], r[1]["id_str"]))
        out[name] = rows
    if events:
        missing = sorted(set(events) - set(out))
        if missing:
            sys.exit("pheme_stream: no file for event(s) %s in %s"
                     % (", ".join(missing), src))
    if not out:
        sys.exit("pheme_stream: no *-all-rnr-threads.rumours.json in %s" % src)
    return out


def comments(data):
    rows = sorted(((t, tw["id_str"], tw) for rs in data.values()
                   for t, tw in rs), key=lambda r: (r[0], r[1]))
    for t, _, tw in rows:
        rec = {"id": tw["id_str"], "text": tw["text"],
               "author": tw.get("user", {}).get("screen_name", ""),
               "lang": "en", "created_at": rfc3339(t)}
        print(json.dumps(rec, ensure_ascii=False))


def report(data, alerts_path):
    alerts = []
    with open(alerts_path, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            alerts.append((unix(ev["ts"]), ev))
    for name in sorted(data, key=lambda n: data[n][0][0]):
        rows = data[name]
        first, last = rows[0][0], rows[-1][0]
        known = KNOWN_START.get(name)
        start = unix(known[0]) if known else first
        print("### %s" % name)
        print()
        print("%d tweets, %s to %s. Start: %s (%s)." % (
            len(rows), rfc3339(first), rfc3339(last), rfc3339(start),
            known[1] if known else "no single moment: its first tweet"))
        # the busiest hour, for scale
        per_hour = {}
        for t, _ in rows:
            per_hour[t // 3600] = per_hour.get(t // 3600, 0) + 1
        h, n = max(per_hour.items(), key=lambda kv: kv[1])
        print("Busiest hour: %s, %d tweets." % (rfc3339(h * 3600), n))
        print()
        print("| alert at (UTC) | after start | level | series | count | "
              "baseline | p | span |")
        print("|---|---|---|---|---|---|---|---|")
        shown = 0
        for t, ev in alerts:
            if t < min(first, start) - 3600 or t > last + 3600:
                continue
            d = t - start
            name_s = ev.get("category", ev.get("flag"))
            print("| %s | %s%dh%02dm | %s | %s | %d | %.1f | %.2g | %d min |" % (
                ev["ts"][5:16].replace("T", " "), "-" if d < 0 else "",
                abs(d) // 3600, abs(d) % 3600 // 60, ev["level"], name_s,
                ev["count"], ev["baseline"], ev["p"], ev["window"] // 60))
            shown += 1
        if not shown:
            print("| (none) | | | | | | | |")
        print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["comments", "report"])
    ap.add_argument("alerts", nargs="?")
    ap.add_argument("--src", required=True)
    ap.add_argument("--events", default="",
                    help="comma-separated event names (default: all)")
    a = ap.parse_args()
    events = [e for e in a.events.split(",") if e]
    data = load(a.src, events)
    if a.what == "comments":
        comments(data)
    else:
        if not a.alerts:
            ap.error("report needs the alerts file")
        report(data, a.alerts)


if __name__ == "__main__":
    main()
