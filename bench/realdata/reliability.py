#!/usr/bin/python3
"""Reliability of candor's confidences: confidence bins against accuracy.

usage: reliability.py TEST.csv PRED.jsonl [--bins N]

TEST.csv has a header with text,label (as bench/realdata/build.py writes);
PRED.jsonl is `candor classify` of the same rows in the same order (one
JSON object per line, "category" and "confidence").  Only labels the model
knows are scored.  Prints a Markdown table: per bin of confidence, the
number of comments, the mean confidence and the share that was right, then
the expected calibration error (ECE: the support-weighted mean gap) and
how many answers fall below 0.60 (the default min_confidence).

A calibrated model has accuracy close to its mean confidence in every
bin.  Only the Python standard library is used.
"""
import csv
import json
import sys


def main(argv):
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        sys.exit(__doc__)
    bins = 5
    if "--bins" in argv:
        bins = int(argv[argv.index("--bins") + 1])
    with open(argv[0], newline="", encoding="utf-8") as fh:
        labels = [r["label"] for r in csv.DictReader(fh)]
    with open(argv[1], encoding="utf-8") as fh:
        preds = [json.loads(line) for line in fh if line.strip()]
    if len(preds) != len(labels):
        sys.exit("reliability.py: %d predictions for %d rows"
                 % (len(preds), len(labels)))
    known = set(p["category"] for p in preds) | set(preds[0]["scores"])
    rows = [(p["confidence"], p["category"] == y)
            for p, y in zip(preds, labels) if y in known]
    lo = 1.0 / len(known)       # a confidence is never below 1/K
    edges = [lo + (1 - lo) * i / bins for i in range(bins + 1)]
    print("| confidence | comments | mean confidence | accuracy | gap |")
    print("|---|---:|---:|---:|---:|")
    ece = 0.0
    for i in range(bins):
        a, b = edges[i], edges[i + 1]
        sel = [r for r in rows if a <= r[0] < b or (i == bins - 1 and r[0] >= b)]
        if not sel:
            print("| %.2f-%.2f | 0 | - | - | - |" % (a, b))
            continue
        conf = sum(r[0] for r in sel) / len(sel)
        acc = sum(r[1] for r in sel) / len(sel)
        ece += len(sel) / len(rows) * abs(conf - acc)
        print("| %.2f-%.2f | %d | %.3f | %.3f | %+.3f |"
              % (a, b, len(sel), conf, acc, acc - conf))
    below = sum(1 for r in rows if r[0] < 0.6)
    print()
    print("%d comments; accuracy %.3f, mean confidence %.3f; ECE %.3f; "
          "%d (%.0f%%) below 0.60 (uncertain), of which %.0f%% wrong."
          % (len(rows), sum(r[1] for r in rows) / len(rows),
             sum(r[0] for r in rows) / len(rows), ece, below,
             100.0 * below / len(rows),
             100.0 * sum(1 for r in rows if r[0] < 0.6 and not r[1])
             / max(1, below)))


if __name__ == "__main__":
    main(sys.argv[1:])
