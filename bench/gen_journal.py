#!/usr/bin/env python3
"""Write a synthetic review journal for the resume benchmark (docs/performance.md).

    python3 bench/gen_journal.py N OUT.jsonl [SEED]

N decisions in the format core/journal.c writes: YouTube-style 26-character
ids, about 88% first decisions on a new comment, 7% a later decision on a
recent one, 5% undo of the latest; a tone object, a reply and the comment's
text on each line (about 200 bytes a line).  The texts are generated, not
real comments: the file measures the journal's reader, not the classifier.
"""
import random
import sys

ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
REPLIES = ["Thanks for asking! We open at 9.", "Sorry about the delay, please DM us your order number.",
           "We hear you. Our team is looking into it.", "Glad you liked it!"]
TEXTS = ["when do you open on sunday", "my parcel is two weeks late", "this is a scam",
         "love the new flavour", "where can I buy it in Leeds", "you people never answer"]


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    ids = []
    with open(out, "w") as f:
        for i in range(n):
            r = rng.random()
            if ids and r < 0.05:
                cid, dec = ids[-1], "undo"
            elif ids and r < 0.12:
                cid, dec = ids[-1 - rng.randrange(min(len(ids), 1000))], rng.choice(["approve", "hide"])
            else:
                cid = "Ugx" + "".join(rng.choice(ALPHA) for _ in range(23))
                ids.append(cid)
                dec = rng.choice(["approve"] * 5 + ["skip"] * 2 + ["hide"] * 2 + ["reject"])
            ts = "2026-11-%02dT%02d:%02d:%02dZ" % (1 + i % 28, i % 24, i % 60, (i * 7) % 60)
            if dec == "undo":
                f.write('{"id":"%s","decision":"undo","approver":"ana","ts":"%s"}\n' % (cid, ts))
                continue
            f.write('{"id":"%s","decision":"%s","category":"question","template":"en/question/hours",'
                    '"reply":"%s","tone":{"score":%d,"issues":[]},"approver":"ana","ts":"%s",'
                    '"text":"%s #%d"}\n' % (cid, dec, rng.choice(REPLIES), 90 + i % 10, ts,
                                            rng.choice(TEXTS), i))


if __name__ == "__main__":
    main()
