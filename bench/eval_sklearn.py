#!/usr/bin/python3
"""`candor eval`'s figures against scikit-learn's metrics on a real split.

usage: eval_sklearn.py [--candor BIN] [--seed N] [--work DIR] [DATA.csv...]

DATA: labelled CSV files (text,label[,lang]); default the real comments
rebuilt by bench/realdata/build.py into /work/data/built (train.csv and
heldout.csv: Amazon and IMDb reviews, TubeSpam, PHEME, CEDR - none of them
written for candor).

 1. bench/split.py makes a seeded stratified 80/20 split of DATA;
 2. `candor train` learns a model from the 80%;
 3. `candor -m MODEL eval --test test.csv --json` scores it on the 20%;
 4. `candor -m MODEL classify` labels the same 20% (JSONL with text and
    lang), and scikit-learn's sklearn.metrics (accuracy_score,
    precision_recall_fscore_support, f1_score, confusion_matrix) computes
    every figure again from the true labels and classify's predictions;
 5. each of eval's numbers is compared: the confusion matrix and supports
    exactly, the ratios to 1e-6 (eval prints 6 decimals).

It prints a markdown summary and exits 1 when any figure disagrees, 0 when
all agree.  Needs Debian's python3-sklearn (.ci/deps python3-sklearn).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILT = "/work/data/built"
TOL = 1e-6


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit("eval_sklearn: %s failed (%d): %s"
                 % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--candor", default=os.path.join(ROOT, "build", "candor"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--work", help="keep the work files in DIR")
    ap.add_argument("data", nargs="*")
    a = ap.parse_args()
    data = a.data or [os.path.join(BUILT, "train.csv"),
                      os.path.join(BUILT, "heldout.csv")]
    for f in data:
        if not os.access(f, os.R_OK):
            sys.exit("eval_sklearn: cannot read %s (rebuild it with "
                     "bench/realdata/build.py)" % f)
    try:
        from sklearn import metrics
        import sklearn
    except ImportError:
        sys.exit("eval_sklearn: needs python3-sklearn (bash .ci/deps "
                 "python3-sklearn)")

    w = a.work or tempfile.mkdtemp(prefix="candor-evalsk.")
    os.makedirs(w, exist_ok=True)
    run([sys.executable, os.path.join(ROOT, "bench", "split.py"), "--seed",
         str(a.seed), "--test-frac", "0.2", w] + data)
    model = os.path.join(w, "model")
    run([a.candor, "-q", "train", "-o", model, os.path.join(w, "train.csv")])
    ev = json.loads(run([a.candor, "-q", "-m", model, "eval", "--test",
                         os.path.join(w, "test.csv"), "--json"]))

    # the test rows, and the same rows as classify's JSONL input
    with open(os.path.join(w, "test.csv"), newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    jl = "".join(json.dumps({"id": str(i), "text": r["text"],
                             "lang": r["lang"]}, ensure_ascii=False) + "\n"
                 for i, r in enumerate(rows))
    out = run([a.candor, "-q", "-m", model, "classify"], input=jl)
    pred = {}
    for line in out.splitlines():
        o = json.loads(line)
        pred[o["id"]] = o["category"]
    if len(pred) != len(rows):
        sys.exit("eval_sklearn: classify labelled %d of %d test rows"
                 % (len(pred), len(rows)))
    y_true = [r["label"] for r in rows]
    y_pred = [pred[str(i)] for i in range(len(rows))]

    labels = ev["labels"]
    present = [l for l in labels if l in set(y_true)]
    p, r, f, s = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    sk = {
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "macro_f1": metrics.f1_score(y_true, y_pred, labels=present,
                                     average="macro", zero_division=0),
        "confusion": metrics.confusion_matrix(y_true, y_pred,
                                              labels=labels).tolist(),
    }

    bad = []
    lines = []

    def cmp(what, mine, theirs, exact=False):
        ok = mine == theirs if exact else abs(mine - theirs) <= TOL
        if not ok:
            bad.append(what)
        return ok

    cmp("accuracy", ev["accuracy"], sk["accuracy"])
    cmp("macro-F1", ev["macro_f1"], sk["macro_f1"])
    cmp("confusion matrix", ev["confusion"], sk["confusion"], exact=True)
    cmp("examples", sum(map(sum, ev["confusion"])), len(rows), exact=True)
    worst = 0.0
    for i, l in enumerate(labels):
        c = ev["classes"][l]
        for name, mine, theirs in (("precision", c["precision"], p[i]),
                                   ("recall", c["recall"], r[i]),
                                   ("f1", c["f1"], f[i])):
            cmp("%s %s" % (l, name), mine, float(theirs))
            worst = max(worst, abs(mine - float(theirs)))
        cmp("%s support" % l, c["support"], int(s[i]), exact=True)
        lines.append("| %s | %d | %.6f / %.6f | %.6f / %.6f | %.6f / %.6f |"
                     % (l, c["support"], c["precision"], p[i], c["recall"],
                        r[i], c["f1"], f[i]))

    pr = print
    pr("`candor eval --test` against scikit-learn %s (`sklearn.metrics` on "
       "`candor classify`'s predictions), seed %d: %d train, %d test rows "
       "from %s." % (sklearn.__version__, a.seed,
                     sum(1 for _ in open(os.path.join(w, "train.csv"))) - 1,
                     len(rows), ", ".join(os.path.basename(d) for d in data)))
    pr("")
    pr("| | candor eval | scikit-learn |")
    pr("|---|---:|---:|")
    pr("| accuracy | %.6f | %.6f |" % (ev["accuracy"], sk["accuracy"]))
    pr("| macro-F1 | %.6f | %.6f |" % (ev["macro_f1"], sk["macro_f1"]))
    pr("| confusion matrix | %s | %s |" % (json.dumps(ev["confusion"]),
                                         json.dumps(sk["confusion"])))
    pr("")
    pr("| label | support | precision (eval / sklearn) | recall | F1 |")
    pr("|---|---:|---:|---:|---:|")
    for line in lines:
        pr(line)
    pr("")
    if bad:
        pr("DISAGREE: " + ", ".join(bad))
    else:
        pr("All %d figures agree (largest per-class difference %.1e; "
           "tolerance %.0e, eval prints 6 decimals)."
           % (3 + 4 * len(labels), worst, TOL))
    if not a.work:
        for name in os.listdir(w):
            os.unlink(os.path.join(w, name))
        os.rmdir(w)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
