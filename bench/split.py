#!/usr/bin/python3
"""Seeded stratified train/test split of labelled CSV files for bench/run.sh.

usage: split.py [--seed N] [--test-frac F] OUTDIR DATA.csv...

Reads CSV files with a header and the columns text,label[,lang] (several
files add up) and writes into OUTDIR:

  train.csv, test.csv   text,label,lang (the split; candor and sklearn read these)
  test.jsonl            {"text": ...} per test row, for `candor classify`
  test.txt              the raw test texts, one per line (the speed-test seed)
  train.ft, test.ft     fastText format: "__label__LABEL normalised text"
  test.ft.txt           the normalised test texts without labels

The split is stratified by (label, lang): each stratum is shuffled with
random.Random(seed) and its first round(F * size) rows go to the test set,
so every class and language keeps its share.  Exact duplicate texts are
kept together (a text never lands in both train and test).

fastText normalisation (the usual one from its tutorials): lowercase and
put spaces around punctuation, since fastText itself only splits on
whitespace.  candor and scikit-learn get the raw text and tokenise it
themselves.

Only the Python standard library is used, so it runs on any python3.
"""
import argparse
import csv
import json
import os
import random
import re
import sys
from collections import OrderedDict

PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~«»“”„…—])")


def ft_norm(text):
    text = text.replace("\n", " ").replace("\r", " ").lower()
    text = PUNCT.sub(r" \1 ", text)
    return " ".join(text.split())


def one_line(text):
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def read_rows(paths):
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "text" not in reader.fieldnames \
                    or "label" not in reader.fieldnames:
                sys.exit("split.py: %s: need a header with text,label[,lang]"
                         % path)
            for r in reader:
                text = one_line(r.get("text") or "")
                label = (r.get("label") or "").strip()
                if not text or not label:
                    continue
                rows.append({"text": text, "label": label,
                             "lang": (r.get("lang") or "").strip()})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--test-frac", type=float, default=0.2)
    ap.add_argument("outdir")
    ap.add_argument("data", nargs="+")
    a = ap.parse_args()

    rows = read_rows(a.data)
    if not rows:
        sys.exit("split.py: no labelled rows")

    # group identical texts so that duplicates stay on one side
    groups = OrderedDict()
    for r in rows:
        groups.setdefault((r["label"], r["lang"], r["text"]), []).append(r)
    strata = OrderedDict()
    for key, g in groups.items():
        strata.setdefault(key[:2], []).append(g)

    rng = random.Random(a.seed)
    train, test = [], []
    for key in sorted(strata):
        gs = strata[key]
        rng.shuffle(gs)
        k = int(round(a.test_frac * len(gs)))
        for g in gs[:k]:
            test.extend(g)
        for g in gs[k:]:
            train.extend(g)
    test_texts = set(r["text"] for r in test)
    train = [r for r in train if r["text"] not in test_texts]
    rng.shuffle(train)
    rng.shuffle(test)

    os.makedirs(a.outdir, exist_ok=True)

    def write_csv(name, rs):
        with open(os.path.join(a.outdir, name), "w", newline="",
                  encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["text", "label", "lang"])
            for r in rs:
                w.writerow([r["text"], r["label"], r["lang"]])

    write_csv("train.csv", train)
    write_csv("test.csv", test)
    with open(os.path.join(a.outdir, "test.jsonl"), "w", encoding="utf-8") as fh:
        for r in test:
            fh.write(json.dumps({"text": r["text"]}, ensure_ascii=False) + "\n")
    with open(os.path.join(a.outdir, "test.txt"), "w", encoding="utf-8") as fh:
        for r in test:
            fh.write(r["text"] + "\n")
    for name, rs in (("train.ft", train), ("test.ft", test)):
        with open(os.path.join(a.outdir, name), "w", encoding="utf-8") as fh:
            for r in rs:
                fh.write("__label__%s %s\n" % (r["label"], ft_norm(r["text"])))
    with open(os.path.join(a.outdir, "test.ft.txt"), "w", encoding="utf-8") as fh:
        for r in test:
            fh.write(ft_norm(r["text"]) + "\n")

    labels = sorted(set(r["label"] for r in rows))
    print("split: %d rows -> train %d, test %d; %d labels, seed %d"
          % (len(rows), len(train), len(test), len(labels), a.seed),
          file=sys.stderr)


if __name__ == "__main__":
    main()
