#!/usr/bin/python3
"""scikit-learn peers and scoring for bench/run.sh and bench/heldout.sh.

Run with Debian's /usr/bin/python3 (python3-sklearn), not a pyenv python.

usage:
  peers.py sklearn TRAIN.csv TEST.csv [--seed N]
      trains and tests MultinomialNB and ComplementNB on word 1-2 gram
      counts (CountVectorizer, lowercase), each with the default alpha=1.0
      and with alpha picked by 5-fold CV on TRAIN only (grid below), and
      TF-IDF (word 1-2 grams, sublinear tf) + LinearSVC (C=1) as a
      stronger reference.  Prints one JSON object per model:
      {"name","macro_f1","accuracy","train_s","tune_s","params","classes"}.
      train_s is the vectorizer + model fit on TRAIN (in process, no
      interpreter start-up); tune_s is the CV search, reported apart.
  peers.py score NAME TEST.csv PRED
      scores a predictions file (one label per line, an optional
      "__label__" prefix, or candor classify's JSON lines) against the
      labels of TEST.csv; prints the same JSON object (no timings).
"""
import csv
import json
import sys
import time

ALPHAS = [0.03, 0.1, 0.3, 0.5, 1.0, 2.0]


def read_csv(path):
    texts, labels = [], []
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            texts.append(r["text"])
            labels.append(r["label"])
    return texts, labels


def report(name, y_true, y_pred, **extra):
    from sklearn.metrics import accuracy_score, f1_score, \
        precision_recall_fscore_support
    labels = sorted(set(y_true))
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    out = {"name": name,
           "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels,
                                             average="macro",
                                             zero_division=0)), 6),
           "accuracy": round(float(accuracy_score(y_true, y_pred)), 6)}
    out.update(extra)
    out["classes"] = {l: {"precision": round(float(p[i]), 6),
                          "recall": round(float(r[i]), 6),
                          "f1": round(float(f[i]), 6),
                          "support": int(s[i])}
                      for i, l in enumerate(labels)}
    return out


def cmd_sklearn(train_path, test_path, seed):
    from sklearn.feature_extraction.text import CountVectorizer, \
        TfidfVectorizer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.naive_bayes import ComplementNB, MultinomialNB
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    Xtr, ytr = read_csv(train_path)
    Xte, yte = read_csv(test_path)

    def counts():
        return CountVectorizer(lowercase=True, ngram_range=(1, 2))

    def fit_eval(name, make, params, tune_s=None):
        pipe = make()
        t0 = time.perf_counter()
        pipe.fit(Xtr, ytr)
        train_s = time.perf_counter() - t0
        pred = pipe.predict(Xte)
        extra = {"train_s": round(train_s, 3), "params": params}
        if tune_s is not None:
            extra["tune_s"] = round(tune_s, 3)
        print(json.dumps(report(name, yte, list(pred), **extra)), flush=True)

    for cls, tag in ((MultinomialNB, "MultinomialNB"),
                     (ComplementNB, "ComplementNB")):
        fit_eval("sklearn %s a=1.0" % tag,
                 lambda: Pipeline([("v", counts()), ("nb", cls(alpha=1.0))]),
                 {"alpha": 1.0})
        t0 = time.perf_counter()
        gs = GridSearchCV(Pipeline([("v", counts()), ("nb", cls())]),
                          {"nb__alpha": ALPHAS}, scoring="f1_macro",
                          cv=StratifiedKFold(5, shuffle=True,
                                             random_state=seed), n_jobs=1)
        gs.fit(Xtr, ytr)
        tune_s = time.perf_counter() - t0
        alpha = gs.best_params_["nb__alpha"]
        fit_eval("sklearn %s a=%g (CV)" % (tag, alpha),
                 lambda: Pipeline([("v", counts()), ("nb", cls(alpha=alpha))]),
                 {"alpha": alpha, "grid": ALPHAS}, tune_s)

    fit_eval("sklearn TF-IDF+LinearSVC",
             lambda: Pipeline([("v", TfidfVectorizer(lowercase=True,
                                                     ngram_range=(1, 2),
                                                     sublinear_tf=True)),
                               ("svm", LinearSVC(C=1.0))]),
             {"C": 1.0, "ngram": [1, 2], "sublinear_tf": True})


def read_pred(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("{"):
                out.append(json.loads(line)["category"])
            else:
                lab = line.split()[0] if line else ""
                out.append(lab[len("__label__"):]
                           if lab.startswith("__label__") else lab)
    return out


def cmd_score(name, test_path, pred_path):
    _, yte = read_csv(test_path)
    pred = read_pred(pred_path)
    if len(pred) != len(yte):
        sys.exit("peers.py: %s has %d predictions for %d test rows"
                 % (pred_path, len(pred), len(yte)))
    print(json.dumps(report(name, yte, pred)))


def main(argv):
    if len(argv) >= 3 and argv[0] == "sklearn":
        seed = 42
        if "--seed" in argv:
            seed = int(argv[argv.index("--seed") + 1])
        cmd_sklearn(argv[1], argv[2], seed)
    elif len(argv) == 4 and argv[0] == "score":
        cmd_score(argv[1], argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
