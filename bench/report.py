#!/usr/bin/python3
"""Markdown summary of bench/run.sh's results.jsonl (argument 1)."""
import json
import statistics
import sys


def load(path):
    rows = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    meta = next((r for r in rows if r["kind"] == "meta"), {})
    return (meta, [r for r in rows if r["kind"] == "quality"],
            [r for r in rows if r["kind"] == "check"],
            [r for r in rows if r["kind"] == "speed"])


def fmt_n(n):
    return "{:,}".format(int(n))


def main():
    meta, qual, checks, speed = load(sys.argv[1])
    by = {q["name"]: q for q in qual}
    out = []
    p = out.append

    p("## candor benchmark")
    p("")
    p("Split: %s train / %s test comments (seeded stratified 80/20 by label "
      "and language, seed %s). CPU: %s. Speed: one core (`taskset -c 0`), "
      "median of %s runs." % (fmt_n(meta.get("train", 0)),
                              fmt_n(meta.get("test", 0)), meta.get("seed"),
                              meta.get("cpu", "?"), meta.get("reps")))
    p("")

    # quality
    p("### Quality on the held-back 20%")
    p("")
    p("| model | macro-F1 | accuracy | train time (s) | notes |")
    p("|---|---:|---:|---:|---|")
    for q in qual:
        notes = []
        if "params" in q:
            prm = q["params"]
            notes.append(prm if isinstance(prm, str) else
                         ", ".join("%s=%s" % kv for kv in prm.items()))
        if q.get("tune_s") is not None:
            notes.append("CV search %.1f s" % q["tune_s"])
        if q["name"].startswith("candor"):
            notes.append("wall time of `candor train`, process start "
                         "included; peak RSS %.1f MB" % (q["train_rss_kb"] / 1024))
        elif q["name"].startswith("sklearn"):
            notes.append("fit in process")
        else:
            notes.append("wall time; peak RSS %.0f MB" % (q["train_rss_kb"] / 1024))
        p("| %s | %.4f | %.4f | %.3f | %s |" % (q["name"], q["macro_f1"],
                                              q["accuracy"], q["train_s"],
                                              "; ".join(notes)))
    p("")
    for c in checks:
        ref = by.get(c["name"][len("check "):])
        if ref:
            ok = abs(ref["macro_f1"] - c["macro_f1"]) < 1e-4
            p("Cross-check: `%s` macro-F1 from `candor eval` %.4f, from "
              "`candor classify` scored by scikit-learn %.4f (%s)."
              % (ref["name"], ref["macro_f1"], c["macro_f1"],
                 "agree" if ok else "DISAGREE"))
    p("")

    labels = sorted(qual[0]["classes"]) if qual else []
    p("### Per-class F1")
    p("")
    p("| class | " + " | ".join(q["name"] for q in qual) + " |")
    p("|---|" + "---:|" * len(qual))
    for l in labels:
        p("| %s | " % l + " | ".join("%.3f" % q["classes"].get(l, {}).get("f1", 0)
                                      for q in qual) + " |")
    p("")

    # speed
    def runs(name, inp, n):
        return [s for s in speed if s["name"] == name and s["input"] == inp
                and s["n"] == n]

    def med(name, inp, n, key="wall_s"):
        r = runs(name, inp, n)
        return statistics.median(x[key] for x in r) if r else None

    def peak(name, inp, n):
        r = runs(name, inp, n)
        return max(x["rss_kb"] for x in r) if r else None

    big, small = meta.get("big"), meta.get("small")
    tools = []
    for s in speed:
        if (s["name"], s["input"]) not in tools:
            tools.append((s["name"], s["input"]))
    p("### Speed and memory, one core")
    p("")
    p("| tool | input | comments | wall (s, median) | comments/s | user (s) "
      "| peak RSS (MB) |")
    p("|---|---|---:|---:|---:|---:|---:|")
    for n in (1, small, big):
        for name, inp in tools:
            w = med(name, inp, n)
            if w is None:
                continue
            p("| %s | %s | %s | %.3f | %s | %.2f | %.1f |"
              % (name, inp, fmt_n(n), w,
                 fmt_n(n / w) if n > 1 else "(start-up)",
                 med(name, inp, n, "user_s"), peak(name, inp, n) / 1024))
    p("")

    def rate(name, inp):
        w = med(name, inp, big)
        return big / w if w else None

    def steady(name, inp):
        a, b = med(name, inp, small), med(name, inp, big)
        return (big - small) / (b - a) if a and b and b > a else None

    p("Steady-state rate = (N - N/10) / (wall(N) - wall(N/10)): the per-comment "
      "speed with the fixed start-up (model load) taken out.")
    p("")
    p("### Ratios")
    p("")
    p("| ratio | value |")
    p("|---|---:|")
    cr, fr = rate("candor classify", "raw"), rate("fasttext predict", "raw")
    fn = rate("fasttext predict", "normalised")
    cs, fs = steady("candor classify", "raw"), steady("fasttext predict", "raw")
    if cr and fr:
        p("| speed: candor classify / fasttext predict, %s comments, same file "
          "| **%.2fx** (%s vs %s comments/s) |" % (fmt_n(big), cr / fr,
                                                 fmt_n(cr), fmt_n(fr)))
    if cr and fn:
        p("| speed: candor (raw) / fasttext predict (fastText-normalised copy) "
          "| %.2fx |" % (cr / fn))
    if cs and fs:
        p("| speed, steady state (start-up taken out): candor / fastText "
          "| %.2fx (%s vs %s comments/s) |" % (cs / fs, fmt_n(cs), fmt_n(fs)))
    for name, inp in (("candor batch", "csv"), ("candor suggest", "raw")):
        r = rate(name, inp)
        if r and fr:
            p("| speed: %s (classify + draft + tone + output) / fasttext "
              "predict | **%.2fx** (%s vs %s comments/s) |"
              % (name, r / fr, fmt_n(r), fmt_n(fr)))

    def best(name, inp):
        r = runs(name, inp, big)
        return big / min(x["wall_s"] for x in r) if r else None

    fb = best("fasttext predict", "raw")
    for name, inp in (("candor classify", "raw"), ("candor batch", "csv"),
                      ("candor suggest", "raw")):
        b = best(name, inp)
        if b and fb:
            p("| speed, fastest run of each (noise only adds time): %s / "
              "fasttext predict | %.2fx (%s vs %s comments/s) |"
              % (name, b / fb, fmt_n(b), fmt_n(fb)))
    c0 = by.get("candor")
    cnbs = [q for q in qual if "ComplementNB" in q["name"]]
    for q in cnbs:
        if c0:
            p("| macro-F1: candor / %s | **%.3f** (%.4f vs %.4f) |"
              % (q["name"], c0["macro_f1"] / q["macro_f1"], c0["macro_f1"],
                 q["macro_f1"]))
    peers = [q for q in qual if not q["name"].startswith("candor")]
    if c0 and peers:
        best = max(peers, key=lambda q: q["macro_f1"])
        p("| macro-F1: candor / best peer (%s) | %.3f (%.4f vs %.4f) |"
          % (best["name"], c0["macro_f1"] / best["macro_f1"], c0["macro_f1"],
             best["macro_f1"]))
    for name, inp in (("candor classify", "raw"), ("candor batch", "csv"),
                      ("fasttext predict", "raw")):
        a, b = peak(name, inp, small), peak(name, inp, big)
        if a and b:
            p("| peak RSS %s: %s vs %s comments | %.1f MB vs %.1f MB (x%.2f: %s) |"
              % (name, fmt_n(big), fmt_n(small), b / 1024, a / 1024, b / a,
                 "grows with input" if b > 1.2 * a else "flat, does not grow "
                 "with input"))
    if meta.get("candor_model_bytes"):
        p("| model file: candor / fastText (%s) | %.1f MB / %.1f MB |"
          % (meta.get("fasttext_opts", ""), meta["candor_model_bytes"] / 2**20,
             meta["fasttext_model_bytes"] / 2**20))
    p("")

    # verdicts, stated plainly
    v = []
    if cr and fr:
        if cr >= 5 * fr:
            v.append("candor classify is at least 5x fastText predict's speed "
                     "(%.2fx)." % (cr / fr))
        elif cr >= fr:
            v.append("candor classify is faster than fastText predict, but only "
                     "%.2fx: NOT 5x faster." % (cr / fr))
        else:
            v.append("candor classify is SLOWER than fastText predict (%.2fx)."
                     % (cr / fr))
    if c0:
        for q in cnbs:
            v.append("candor's macro-F1 is %s %s's (%.4f vs %.4f)."
                     % ("above" if c0["macro_f1"] > q["macro_f1"] else
                        "NOT above", q["name"], c0["macro_f1"], q["macro_f1"]))
    if v:
        p("Verdict: " + " ".join(v))
    print("\n".join(out))


if __name__ == "__main__":
    main()
