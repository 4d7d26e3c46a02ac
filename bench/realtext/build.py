#!/usr/bin/python3
"""Build the real-text speed benchmark's files from fetched public data.

usage: build.py --src DIR --out DIR [--lines N] [--ru-share F] [--seed S]

DIR (--src) holds the fetched datasets, each in its own folder, as fetched
(docs/performance.md, "Speed on real text", says how to fetch them):

  tweeteval/datasets/*/{train,val,test}_text.txt   TweetEval (English tweets)
  tweeteval/datasets/offensive/train_labels.txt    its offensive-language labels
  kotzias/{amazon_cells,imdb,yelp}_labelled.txt    Sentiment Labelled Sentences
  tubespam/, pheme/, cedr/                         as for bench/realdata/build.py

Writes into --out (outside git: the data came from fetched repositories):

  speed.txt   N lines (default 1,000,000), one real comment a line, none of
              them in train.csv; English and Russian lines drawn at random in
              the proportion --ru-share (default 0.2, about the Russian share
              of the real held-out set), each language's distinct texts
              shuffled and used once before any is used again, so repeats are
              far apart
  speed.csv   the same comments as `id,text` CSV, for `candor batch`
  train.csv   text,label,lang,source: the labelled real rows both candor and
              fastText train on (a fixed 20% of the labelled texts, by hash)
  stats.txt   counts: lines, distinct texts per language and source, bytes
              per line, the training rows per label
  README      what is where, and from what

Labels (train.csv): the rules of bench/realdata/build.py for tubespam, pheme,
kotzias and cedr, plus TweetEval's offensive set (OLID, OffensEval 2019):
offensive -> toxic, not offensive -> other.  An "other" text with '?' is left
out of training (its label is unknown: it may be a question); it still
counts as speed text.  Texts: tabs and line breaks become spaces, HTML
entities are decoded, empty texts are dropped, exact duplicates counted once.

Never used: the reserved datasets (config/corpus/SOURCES.md).  Standard
library only.
"""
import argparse
import collections
import csv
import glob
import hashlib
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "realdata"))
import build as realdata  # noqa: E402  bench/realdata/build.py

TRAIN_PERCENT = 20   # share of the labelled texts that goes to train.csv


def tweeteval_texts(src):
    """Every TweetEval text file: (text, source)."""
    base = os.path.join(src, "tweeteval", "datasets")
    paths = sorted(glob.glob(os.path.join(base, "*", "*_text.txt")) +
                   glob.glob(os.path.join(base, "*", "*", "*_text.txt")))
    if not paths:
        sys.exit("build.py: no TweetEval text under %s" % base)
    for path in paths:
        task = os.path.relpath(os.path.dirname(path), base).split(os.sep)[0]
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                yield line, "tweeteval-" + task


def tweeteval_offensive(src):
    """TweetEval offensive train split with labels: (text, label)."""
    d = os.path.join(src, "tweeteval", "datasets", "offensive")
    with open(os.path.join(d, "train_text.txt"), encoding="utf-8") as ft, \
            open(os.path.join(d, "train_labels.txt"), encoding="utf-8") as fl:
        texts, labels = ft.read().splitlines(), fl.read().splitlines()
    if len(texts) != len(labels):
        sys.exit("build.py: offensive train has %d texts and %d labels"
                 % (len(texts), len(labels)))
    for t, l in zip(texts, labels):
        yield t, {"1": "toxic", "0": "other"}.get(l.strip())


def in_train(text):
    h = hashlib.sha1(text.encode("utf-8")).digest()
    return int.from_bytes(h[:4], "big") % 100 < TRAIN_PERCENT


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--lines", type=int, default=1000000)
    ap.add_argument("--ru-share", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=16)
    a = ap.parse_args()
    if a.lines < 1 or not 0.0 <= a.ru_share <= 1.0:
        sys.exit("build.py: --lines must be >= 1 and --ru-share in [0, 1]")

    # text -> (lang, source, label or None); the first source seen wins
    texts = collections.OrderedDict()

    def add(raw, lang, source, label):
        t = realdata.clean(raw)
        if not t:
            return
        if t not in texts:
            texts[t] = [lang, source, None]
        if label and texts[t][2] is None and \
                not (label == "other" and "?" in t):
            texts[t][2] = label

    for name, fn in realdata.SOURCES.items():
        for text, label, lang, _raw, _nat in fn(a.src):
            add(text, lang, name, label)
    for text, label in tweeteval_offensive(a.src):
        add(text, "en", "tweeteval-offensive", label)
    for text, source in tweeteval_texts(a.src):
        add(text, "en", source, None)
    # unlabelled sentences of the same collections (speed text only)
    for site in ("yelp",):
        path = os.path.join(a.src, "kotzias", "%s_labelled.txt" % site)
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    add(line.rsplit("\t", 1)[0], "en", "kotzias-" + site, None)

    train, pool = [], {"en": [], "ru": []}
    for t, (lang, source, label) in texts.items():
        if label and in_train(t):
            train.append((t, label, lang, source))
        else:
            pool[lang].append(t)

    os.makedirs(a.out, exist_ok=True)
    realdata.write_csv(os.path.join(a.out, "train.csv"),
                       ["text", "label", "lang", "source"], train)

    rng = random.Random(a.seed)
    decks = {lang: [] for lang in pool}

    def draw(lang):
        if not decks[lang]:
            decks[lang] = pool[lang][:]
            rng.shuffle(decks[lang])
        return decks[lang].pop()

    langs = [l for l in ("en", "ru") if pool[l]]
    used = collections.Counter()
    seen = {lang: set() for lang in pool}
    nbytes = 0
    sp = os.path.join(a.out, "speed.txt")
    with open(sp + ".part", "w", encoding="utf-8") as ft, \
            open(os.path.join(a.out, "speed.csv.part"), "w", encoding="utf-8",
                 newline="") as fc:
        w = csv.writer(fc, lineterminator="\n")
        w.writerow(["id", "text"])
        n = 0
        while n < a.lines:
            lang = "ru" if ("ru" in langs and rng.random() < a.ru_share) \
                else langs[0]
            t = draw(lang)
            # candor reads a file as JSONL when its first byte is '{'
            if n == 0 and t.lstrip().startswith("{"):
                continue
            n += 1
            used[lang] += 1
            seen[lang].add(t)
            nbytes += len(t.encode("utf-8")) + 1
            ft.write(t + "\n")
            w.writerow([n, t])
    os.replace(sp + ".part", sp)
    os.replace(os.path.join(a.out, "speed.csv.part"),
               os.path.join(a.out, "speed.csv"))

    by_source = collections.Counter(texts[t][1] for l in pool for t in pool[l])
    by_label = collections.Counter((r[2], r[1]) for r in train)
    with open(os.path.join(a.out, "stats.txt"), "w", encoding="utf-8") as fh:
        fh.write("speed.txt lines\t%d\n" % a.lines)
        fh.write("speed.txt bytes\t%d (%.1f a line)\n" % (nbytes, nbytes / a.lines))
        for l in langs:
            fh.write("lines %s\t%d\n" % (l, used[l]))
            fh.write("distinct texts %s\t%d\n" % (l, len(seen[l])))
        fh.write("distinct texts\t%d\n" % sum(len(s) for s in seen.values()))
        for s, c in sorted(by_source.items()):
            fh.write("distinct speed texts from %s\t%d\n" % (s, c))
        fh.write("train.csv rows\t%d\n" % len(train))
        for (l, lab), c in sorted(by_label.items()):
            fh.write("train %s %s\t%d\n" % (l, lab, c))
    sys.stdout.write(open(os.path.join(a.out, "stats.txt"), encoding="utf-8").read())


if __name__ == "__main__":
    main()
