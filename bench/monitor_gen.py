#!/usr/bin/env python3
"""monitor_gen.py - synthetic comment streams with known spikes, for
`candor monitor --replay` (bench/monitor_bench.sh).

Each category has a base rate (records per hour at the daily mean).  The
rate follows a daily cycle, rate(t) = base * (1 + A sin(2 pi (h - 9) / 24)),
peak at 15:00 UTC, and each minute's count is Poisson with that mean.  A
spike multiplies one category's rate:

  --spike CAT:START_H:FACTOR:LEN_MIN    a step of FACTOR for LEN_MIN minutes
  --rise  CAT:START_H:DOUBLING_MIN:MAX  from START_H, doubling every
                                        DOUBLING_MIN minutes, capped at MAX x

START_H is hours from the stream's start.  Records are suggestion records
(`candor suggest` output) taken in turn from --pool FILE (JSONL, one per
line, grouped by "category"); id and created_at are replaced.  Without
--pool the records are small: id, category, flags, created_at.  Every
--safety-every N-th record of --safety-cat carries "flags":["safety"] (0 =
never).  The stream goes to stdout; what was injected is described on
stderr.  Seeded: the same arguments give the same bytes.
"""
import argparse
import json
import math
import random
import sys
import time

BASE = {                         # per hour at the daily mean
    "complaint": 120, "fake_news": 30, "competitor_attack": 20,
    "question": 150, "toxic": 40, "spam": 60, "other": 400,
}
T0 = 1767225600                  # 2026-01-01T00:00:00Z


def poisson(rng, mean):
    """Knuth for small means, a sum of smaller draws for larger ones."""
    if mean <= 0:
        return 0
    total = 0
    while mean > 30:
        total += poisson(rng, 30)
        mean -= 30
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return total + k


def rfc3339(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--amplitude", type=float, default=0.6)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every base rate")
    ap.add_argument("--rate", action="append", default=[],
                    help="CAT:PER_HOUR overrides a base rate")
    ap.add_argument("--spike", action="append", default=[])
    ap.add_argument("--rise", action="append", default=[])
    ap.add_argument("--pool")
    ap.add_argument("--safety-every", type=int, default=0)
    ap.add_argument("--safety-cat", default="complaint")
    a = ap.parse_args()

    base = dict(BASE)
    for r in a.rate:
        cat, v = r.split(":")
        base[cat] = float(v)
    for cat in base:
        base[cat] *= a.scale
    spikes = []
    for s in a.spike:
        cat, start, factor, length = s.split(":")
        spikes.append(("step", cat, float(start) * 3600, float(factor),
                       float(length) * 60))
    for s in a.rise:
        cat, start, dbl, mx = s.split(":")
        spikes.append(("rise", cat, float(start) * 3600, float(dbl) * 60,
                       float(mx)))
    for s in spikes:
        print("injected: %s %s from %s" % (s[0], s[1],
              rfc3339(T0 + int(s[2]))), file=sys.stderr)

    # each pool record pre-serialised without id, flags and created_at
    pool = {}
    if a.pool:
        with open(a.pool, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                for k in ("id", "flags", "created_at"):
                    rec.pop(k, None)
                rest = json.dumps(rec, ensure_ascii=False,
                                  separators=(",", ":"))[1:-1]
                pool.setdefault(rec["category"], []).append(rest)
    turn = {c: 0 for c in base}

    rng = random.Random(a.seed)
    out = sys.stdout
    nid = 0
    cats = sorted(base)
    for minute in range(int(a.days * 1440)):
        t = minute * 60
        hour = (t % 86400) / 3600.0
        cycle = 1 + a.amplitude * math.sin(2 * math.pi * (hour - 9) / 24)
        batch = []
        for cat in cats:
            mult = 1.0
            for kind, scat, start, x, y in spikes:
                if scat != cat or t < start:
                    continue
                if kind == "step" and t < start + y:
                    mult *= x
                elif kind == "rise":
                    mult *= min(y, 2 ** ((t - start) / x))
            n = poisson(rng, base[cat] * cycle * mult / 60.0)
            for _ in range(n):
                batch.append((T0 + t + rng.randrange(60), cat))
        batch.sort()
        for ts, cat in batch:
            nid += 1
            flags = []
            if (a.safety_every and cat == a.safety_cat and
                    nid % a.safety_every == 0):
                flags = ["safety"]
            if cat in pool:
                rest = pool[cat][turn[cat] % len(pool[cat])]
                turn[cat] += 1
                out.write('{"id":"%d",%s,"flags":%s,"created_at":"%s"}\n'
                          % (nid, rest, json.dumps(flags), rfc3339(ts)))
            else:
                out.write('{"id":"%d","category":"%s","flags":%s,'
                          '"created_at":"%s"}\n'
                          % (nid, cat, json.dumps(flags), rfc3339(ts)))


if __name__ == "__main__":
    main()
