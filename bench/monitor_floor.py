#!/usr/bin/env python3
"""monitor_floor.py - the statistical floor for a rare category: how often
a 5x step is found within 1, 2 and 3 windows when the baseline is known
EXACTLY (no estimation error, Poisson counts), with monitor's scan (spans
of 1, 2, 3, 6 and 12 windows, the smallest tail times 5, at least 5
records, watch below 1e-4).  No detector can do much better at the same
false-alarm level: this is the best case of the method, not a measurement
of candor (bench/monitor_bench.sh measures that).

  monitor_floor.py [--trials N] [--factor 5] [--p-watch 1e-4]

Prints a markdown table: usual count per window, then the share of trials
found by the end of window 1, 2 and 3 of the step.  Seeded, standard
library only.
"""
import argparse
import math
import random

SPANS = (1, 2, 3, 6, 12)


def tail(k, mean):
    """P(X >= k), X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    term = math.exp(-mean)
    head = 0.0
    for i in range(k):
        head += term
        term *= mean / (i + 1)
    if head < 0.999:
        return 1.0 - head
    # far tail: sum upwards
    s, t = 0.0, math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
    i = k
    while t > 1e-300 and i < k + 1000:
        s += t
        i += 1
        t *= mean / i
    return s


def poisson(rng, mean):
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20000)
    ap.add_argument("--factor", type=float, default=5)
    ap.add_argument("--p-watch", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    print("| usual per window | found by window 1 | by window 2 | by window 3 |")
    print("|---:|---:|---:|---:|")
    for lam in (0.7, 1.0, 1.3, 2.0, 2.7, 4.0):
        found = [0, 0, 0]
        cache = {}
        for _ in range(a.trials):
            # 12 usual windows before the step, then 3 of the step
            counts = [poisson(rng, lam) for _ in range(12)]
            for w in range(3):
                counts.append(poisson(rng, lam * a.factor))
                best = 1.0
                for k in SPANS:
                    c = sum(counts[-k:])
                    if c < 5:
                        continue
                    key = (c, k)
                    if key not in cache:
                        cache[key] = tail(c, lam * k)
                    best = min(best, cache[key])
                if best * len(SPANS) < a.p_watch:
                    for j in range(w, 3):
                        found[j] += 1
                    break
        print("| %.1f | %.0f%% | %.0f%% | %.0f%% |" % (
            lam, *(100.0 * f / a.trials for f in found)))


if __name__ == "__main__":
    main()
