#!/usr/bin/env python3
"""report_data.py - synthetic inputs for `candor report`: tests and the bench.

Writes into OUTDIR:
  suggestions.jsonl  records shaped like `candor suggest` output, with
                     created_at (texts: lines of the shipped corpus)
  journal.jsonl      a review journal: most comments decided, some edited,
                     some categories changed, a few undos
  ledger.jsonl       a publish ledger: an intent and an outcome per
                     approved or hidden comment (a few failed, a few
                     without an outcome)
  truth.json         what a correct report must say (counts, medians)

The data are SYNTHETIC (made up by this script from a seed): they exercise
the report's reading, joining and counting and time it; they say nothing
about how well candor classifies.  The volume follows a steady hourly
rhythm, with one burst of complaints (the spike the timeline must mark).

usage: report_data.py N OUTDIR [--seed S] [--corpus DIR]
"""
import argparse
import csv
import glob
import json
import math
import os
import random
import time

CATS = ["competitor_attack", "complaint", "fake_news", "other", "question",
        "spam", "toxic"]
RULES = [("exclaim", "warning"), ("caps", "warning"), ("length", "error"),
         ("blame", "error"), ("required", "error")]
FACTS = ["safety-checks", "factory-open", "no-recall"]
T0 = 1795651200          # 2026-11-26T00:00:00Z


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def texts(corpus):
    out = []
    for path in sorted(glob.glob(os.path.join(corpus, "*.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                out.append(row["text"])
    return out or ["a comment"]


def nearest_rank(v, p):
    """The nearest-rank percentile: the ceil(p/100 * n)-th smallest."""
    v = sorted(v)
    k = max(1, math.ceil(p / 100.0 * len(v)))
    return v[k - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "config", "corpus"))
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    pool = texts(a.corpus)
    os.makedirs(a.outdir, exist_ok=True)
    span = 3 * 86400
    burst_at = T0 + span // 2
    sug = open(os.path.join(a.outdir, "suggestions.jsonl"), "w")
    jou = open(os.path.join(a.outdir, "journal.jsonl"), "w")
    led = open(os.path.join(a.outdir, "ledger.jsonl"), "w")
    truth = {"comments": a.n, "approved": 0, "edited": 0, "hidden": 0,
             "skipped": 0, "undecided": 0, "corrected": 0, "published": 0,
             "publish_failed": 0, "publish_unknown": 0}
    decide, publish = [], []
    per_cat = {c: 0 for c in CATS}
    nburst = max(20, a.n // 20)
    for i in range(a.n):
        cid = str(7000000000000000000 + i)
        if i < nburst:                      # the burst: 1 hour of complaints
            t = burst_at + rnd.randrange(3600)
            cat = "complaint"
        else:
            t = T0 + rnd.randrange(span)
            cat = rnd.choice(CATS)
        per_cat[cat] += 1
        conf = round(rnd.uniform(0.35, 1.0), 4)
        tpl = "en/%s/v-%d" % (cat, rnd.randrange(3))
        issues = []
        if rnd.random() < 0.2:
            r, s = rnd.choice(RULES)
            issues.append({"rule": r, "severity": s, "message": "m",
                           "start": 0, "end": 1})
        rec = {"id": cid, "text": rnd.choice(pool), "author": "u%d" % i,
               "lang": "en", "category": cat, "confidence": conf,
               "uncertain": conf < 0.6, "scores": {cat: conf},
               "why": rnd.sample(["refund", "late", "recall", "fizzco",
                                  "idiot", "free", "когда", "подделка"], 2),
               "action": "reply", "template": tpl,
               "reply": "@u%d thanks, we are on it: example.com/help" % i,
               "created_at": iso(t)}
        if cat == "fake_news":
            rec["fact"] = rnd.choice(FACTS)
        rec["tone"] = {"score": 100 - 10 * len(issues), "issues": issues}
        sug.write(json.dumps(rec, ensure_ascii=False) + "\n")
        # the journal
        u = rnd.random()
        if u < 0.1:
            truth["undecided"] += 1
            continue
        dt = rnd.randrange(60, 4 * 3600)
        person = cat
        ent = {"id": cid, "template": tpl, "approver": "maria",
               "ts": iso(t + dt)}
        if u < 0.7:
            ent["decision"] = "approve"
            ent["reply"] = rec["reply"]
            if rnd.random() < 0.25:
                ent["edited"] = True
                ent["reply"] += " (edited)"
                truth["edited"] += 1
            truth["approved"] += 1
        elif u < 0.85:
            ent["decision"] = "hide"
            truth["hidden"] += 1
        else:
            ent["decision"] = "skip"
            truth["skipped"] += 1
        if rnd.random() < 0.08:
            person = rnd.choice([c for c in CATS if c != cat])
            ent["original_category"] = cat
            truth["corrected"] += 1
        ent["category"] = person
        if rnd.random() < 0.02:             # a decision undone and redone
            wrong = dict(ent, decision="reject", ts=iso(t + dt - 30))
            jou.write(json.dumps(wrong) + "\n")
            jou.write(json.dumps({"id": cid, "decision": "undo",
                                  "approver": "maria",
                                  "ts": iso(t + dt - 20)}) + "\n")
        jou.write(json.dumps(ent, ensure_ascii=False) + "\n")
        decide.append(dt)
        if ent["decision"] in ("approve", "hide"):
            led.write(json.dumps({"id": cid, "phase": "intent",
                                  "ts": iso(t + dt + 5)}) + "\n")
            w = rnd.random()
            if w < 0.03:
                truth["publish_unknown"] += 1
                continue
            ok = w >= 0.06
            pt = dt + 5 + rnd.randrange(1, 120)
            led.write(json.dumps({"id": cid, "phase": "outcome", "ok": ok,
                                  "ts": iso(t + pt)}) + "\n")
            if ok:
                truth["published"] += 1
                publish.append(pt)
            else:
                truth["publish_failed"] += 1
    truth["decided"] = a.n - truth["undecided"]
    truth["decide_median"] = nearest_rank(decide, 50) if decide else -1
    truth["decide_p90"] = nearest_rank(decide, 90) if decide else -1
    truth["publish_median"] = nearest_rank(publish, 50) if publish else -1
    truth["publish_p90"] = nearest_rank(publish, 90) if publish else -1
    truth["per_category"] = per_cat
    truth["burst_start"] = burst_at
    with open(os.path.join(a.outdir, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
