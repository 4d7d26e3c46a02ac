#!/usr/bin/python3
"""Rebuild candor's real-comment training and held-out sets from fetched data.

usage: build.py --src DIR --out DIR [--check]

DIR (--src) holds the public datasets listed in config/corpus/SOURCES.md,
each in its own folder, exactly as fetched (no editing):

  tubespam/Youtube0?-*.csv            YouTube Spam Collection (CC-BY 4.0)
  pheme/*-all-rnr-threads.rumours.json  PHEME rumour source tweets (CC-BY 4.0)
  kotzias/amazon_cells_labelled.txt   Sentiment Labelled Sentences (CC-BY 4.0)
  kotzias/imdb_labelled.txt           (same collection, another site)
  cedr/cedr-main-{train,test}.csv     CEDR emotions, Russian (Apache-2.0)

Writes into --out:

  train.csv     text,label,lang,source   real rows for training (local only)
  heldout.csv   text,label,lang,source   real rows from OTHER datasets
  sets/NAME.csv text,label              each source with its own labels, for
                                        in-domain comparisons (train/test split
                                        of the same set: bench/realdata/indomain.sh)
  summary.txt   rows per (file, label, lang, source)

The data stays outside the repository: the workplace's rules keep data from
fetched repositories out of commits.  A build that finds ../shared/real-corpus/
beside the checkout trains on the *.csv there too (see docs/classifier.md), so
copying train.csv there is how a team trains the default model on real rows.

Label mapping rules (the same in SOURCES.md; every rule is a pure function of
the source's own label and text, no hand edits):

  tubespam  CLASS 1 -> spam; CLASS 0 -> other                     (en)
  pheme     every source tweet of a rumour thread -> fake_news    (en)
  kotzias   0 (negative sentence) -> complaint; 1 -> other        (en)
  cedr      source twitter or lj, labels [] (no emotion), [0] joy,
            [1] sadness or [2] surprise -> other; anger/fear and
            lenta (news text, not comments) are left out            (ru)

  'other' rows that contain '?' are left out: the source annotators judged
  sentiment or spam, not whether a text asks something, so such a row may
  be a question and its label is unknown.

Split by dataset (never by rows of one dataset):

  train    kotzias/amazon
  heldout  tubespam, pheme, kotzias/imdb, cedr

At most 1000 rows per (source, label) are kept (those with the smallest
SHA-1 of their text), so one large source does not make up a whole class.

Only the Python standard library is used.
"""
import argparse
import collections
import csv
import glob
import hashlib
import html
import json
import os
import re
import sys

TRAIN = {"kotzias-amazon"}
HELDOUT = {"tubespam", "pheme", "kotzias-imdb", "cedr"}
MAX_LEN = 2000   # characters; longer rows are cut at a word boundary
CAP = 1000       # rows per (source, label) at most, a deterministic sample,
                 # so one big source does not make up a whole class


def clean(text):
    # TubeSpam keeps HTML entities (&#39;, &quot;) and a trailing U+FEFF
    text = html.unescape(text).replace("\ufeff", "")
    text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = re.sub(r" {2,}", " ", text).strip()
    if len(text) > MAX_LEN:
        text = text[:MAX_LEN].rsplit(" ", 1)[0]
    return text


def rows_tubespam(src):
    files = sorted(glob.glob(os.path.join(src, "tubespam", "Youtube0*.csv")))
    for path in files:
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                cls = (r.get("CLASS") or r.get("TAG") or "").strip()
                if cls == "1":
                    yield r["CONTENT"], "spam", "en", r["CONTENT"], cls
                elif cls == "0":
                    yield r["CONTENT"], "other", "en", r["CONTENT"], cls


def rows_pheme(src):
    for path in sorted(glob.glob(os.path.join(src, "pheme",
                                              "*-all-rnr-threads.rumours.json"))):
        with open(path, encoding="utf-8") as fh:
            for t in json.load(fh):
                if t.get("lang", "en") != "en":
                    continue
                yield t["text"], "fake_news", "en", t["text"], "rumour"


def rows_kotzias(src, site):
    path = os.path.join(src, "kotzias", "%s_labelled.txt" % site)
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if "\t" not in line:
                continue
            text, score = line.rsplit("\t", 1)
            score = score.strip()
            if score == "0":
                yield text, "complaint", "en", text, score
            elif score == "1":
                yield text, "other", "en", text, score


CEDR_OTHER = {"[]", "[0]", "[1]", "[2]"}


def rows_cedr(src):
    for part in ("train", "test"):
        path = os.path.join(src, "cedr", "cedr-main-%s.csv" % part)
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["source"] not in ("twitter", "lj"):
                    continue
                if r["labels"] in CEDR_OTHER:
                    yield r["text"], "other", "ru", r["text"], r["labels"]


SOURCES = collections.OrderedDict([
    ("tubespam", rows_tubespam),
    ("pheme", rows_pheme),
    ("kotzias-amazon", lambda s: rows_kotzias(s, "amazon_cells")),
    ("kotzias-imdb", lambda s: rows_kotzias(s, "imdb")),
    ("cedr", rows_cedr),
])

# each source's own labels, for in-domain comparisons
NATIVE = {
    "tubespam": lambda lab, native: lab,
    "kotzias-amazon": lambda lab, native: lab,
    "kotzias-imdb": lambda lab, native: lab,
}


def cedr_native(src):
    """CEDR with its own single-emotion labels (rows with one label or none)."""
    names = {"[]": "none", "[0]": "joy", "[1]": "sadness", "[2]": "surprise",
             "[3]": "fear", "[4]": "anger"}
    for part in ("train", "test"):
        path = os.path.join(src, "cedr", "cedr-main-%s.csv" % part)
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["labels"] in names:
                    yield clean(r["text"]), names[r["labels"]]


def cap(rows):
    """At most CAP rows per (source, label): those with the smallest hash of
    their text (stable across runs and machines), in their original order."""
    by = collections.defaultdict(list)
    for r in rows:
        by[(r[3], r[1])].append(r)
    keep = set()
    for group in by.values():
        ranked = sorted(group, key=lambda r: hashlib.sha1(
            r[0].encode("utf-8")).hexdigest())
        keep.update(id(r) for r in ranked[:CAP])
    return [r for r in rows if id(r) in keep]


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", required=True, help="folder of fetched datasets")
    ap.add_argument("--out", required=True, help="output folder")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "sets"), exist_ok=True)

    split = {"train": [], "heldout": []}
    seen = {}
    native = collections.defaultdict(list)
    dropped = collections.Counter()
    for name, fn in SOURCES.items():
        group = "train" if name in TRAIN else "heldout"
        for text, label, lang, _raw, nat in fn(a.src):
            text = clean(text)
            if not text:
                dropped[(name, "empty")] += 1
                continue
            if name in NATIVE:
                native[name].append((text, NATIVE[name](label, nat)))
            if label == "other" and "?" in text:
                dropped[(name, "other with ?")] += 1
                continue
            key = text.lower()
            if key in seen:
                # a text in two places would leak between train and held-out
                dropped[(name, "duplicate of " + seen[key])] += 1
                continue
            seen[key] = name
            split[group].append((text, label, lang, name))
    native["cedr"] = list(cedr_native(a.src))

    for group in split:
        split[group] = cap(split[group])
    for group, rows in split.items():
        write_csv(os.path.join(a.out, group + ".csv"),
                  ["text", "label", "lang", "source"], rows)
    for name, rows in native.items():
        # exact duplicates inside a set are dropped so a split cannot leak
        uniq, keys = [], set()
        for t, l in rows:
            if t.lower() not in keys:
                keys.add(t.lower())
                uniq.append((t, l))
        write_csv(os.path.join(a.out, "sets", name + ".csv"),
                  ["text", "label"], uniq)

    with open(os.path.join(a.out, "summary.txt"), "w", encoding="utf-8") as fh:
        for group, rows in split.items():
            c = collections.Counter((r[3], r[1], r[2]) for r in rows)
            for (src, lab, lang), n in sorted(c.items()):
                fh.write("%s\t%s\t%s\t%s\t%d\n" % (group, src, lang, lab, n))
        for (src, why), n in sorted(dropped.items()):
            fh.write("dropped\t%s\t%s\t%d\n" % (src, why, n))
    sys.stdout.write(open(os.path.join(a.out, "summary.txt"),
                          encoding="utf-8").read())


if __name__ == "__main__":
    main()
