#!/usr/bin/env python3
"""report_words_check.py - the report's "most telling words" table against
an independent computation from the model's own counts.

usage: report_words_check.py REPORT.md MODEL_DUMP.json MODE

MODEL_DUMP.json is `candor model dump MODEL` (labels, params.alpha, and the
counts of every feature).  For every row of the Markdown table the
log-likelihood ratio

    ln (n_wc + a) / (N_c + a V)  -  ln (n_w,not c + a) / (N_not c + a V)

(N: the sum of a label's counts over the vocabulary, V: the vocabulary
size) is recomputed here and must match the page to its three decimals,
with the model counts shown.  Within a category the rows must be in
decreasing order.  MODE "all" (the report read no comment text): the rows
must be exactly the 8 highest of the whole vocabulary, ties in text order
(byte order, as the model sorts).  MODE "crisis": every word shown must
have a positive "comments here" count.  Exits 1 with the reasons.
"""
import json
import math
import sys

TOP = 8


def md_rows(md, first_head):
    """The rows of the Markdown table whose first header cell is first_head."""
    lines = md.split("\n")
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells and cells[0] == first_head and \
                i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip().replace("\\", "")
                             for c in row.strip().strip("|").split("|")])
            return cells, rows
    return None, []


def main():
    md_path, dump_path, mode = sys.argv[1:4]
    md = open(md_path, encoding="utf-8").read()
    model = json.load(open(dump_path, encoding="utf-8"))
    labels = model["labels"]
    a = model["params"]["alpha"]
    feats = model["features"]
    V = len(feats)
    K = len(labels)
    tot = [0] * K
    for c in feats.values():
        for l in range(K):
            tot[l] += c[l]
    alltot = sum(tot)

    def llr(w, c):
        n = feats[w]
        own, rest = n[c], sum(n) - n[c]
        return (math.log((own + a) / (tot[c] + a * V)) -
                math.log((rest + a) / (alltot - tot[c] + a * V)))

    bad = []
    heads, rows = md_rows(md, "category")
    rows = [r for r in rows if len(r) == 7]
    if not rows:
        print("no words table with 7 columns in %s" % md_path)
        return 1
    per = {}
    cat = None
    for r in rows:
        cat = r[0] or cat
        per.setdefault(cat, []).append(r)
    for cat, rs in per.items():
        if cat not in labels:
            bad.append("category %r is not a label of the model" % cat)
            continue
        c = labels.index(cat)
        prev = None
        for r in rs:
            w = r[1]
            if w not in feats:
                bad.append("%s: %r is not a feature of the model" % (cat, w))
                continue
            want = llr(w, c)
            if abs(float(r[2]) - want) > 0.0005 + 1e-9:
                bad.append("%s %r: ln ratio %s, computed %.6f" %
                           (cat, w, r[2], want))
            if abs(float(r[3]) - math.exp(want)) > 0.05 + 1e-6 * math.exp(want):
                bad.append("%s %r: factor %s, computed %.3f" %
                           (cat, w, r[3], math.exp(want)))
            n = feats[w]
            if int(r[4]) != n[c] or int(r[5]) != sum(n) - n[c]:
                bad.append("%s %r: counts %s/%s, model %d/%d" %
                           (cat, w, r[4], r[5], n[c], sum(n) - n[c]))
            if prev is not None and want > prev + 1e-12:
                bad.append("%s: %r out of order" % (cat, w))
            prev = want
            if mode == "crisis" and int(r[6]) <= 0:
                bad.append("%s %r: not in this crisis's comments" % (cat, w))
        if mode == "all":
            # the 8 highest of the whole vocabulary, ties in byte order
            ranked = sorted(feats, key=lambda w: (-llr(w, c),
                                                  w.encode("utf-8")))
            want = ranked[:TOP]
            got = [r[1] for r in rs]
            if got != want:
                bad.append("%s: words %r, want %r" % (cat, got, want))
    if mode == "all" and sorted(per) != sorted(labels):
        bad.append("categories %r, model labels %r" % (sorted(per), labels))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
