#!/usr/bin/python3
"""Markdown summary of bench/realtext.sh's results.jsonl (argument 1).

Ratios are comments/s of candor over comments/s of the peer, from the same
run: once comparing each tool's fastest run (noise only ever adds time) and
once comparing medians.  Targets (issue 16): classify >= 3x fasttext
predict, batch >= 1.5x, suggest >= 1x, --jobs 2 >= 1.8x --jobs 1, batch
--jobs 2 peak RSS <= 64 MB, memory flat from 1M to 10M lines.
"""
import json
import statistics
import sys

FT1 = "fasttext predict (-epoch 25 -thread 1)"
FT2 = "fasttext predict (-epoch 25 -wordNgrams 2 -thread 1)"
TARGETS = {"candor classify": 3.0, "candor batch": 1.5, "candor suggest": 1.0}


def load(path):
    rows = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    meta = next((r for r in rows if r["kind"] == "meta"), {})
    return meta, rows


def walls(rows, kind, name, input_, jobs=None):
    return [r["wall_s"] for r in rows if r["kind"] == kind and r["name"] == name
            and r["input"] == input_ and (jobs is None or r.get("jobs") == jobs)]


def rss_max(rows, kind, name, input_, jobs=None):
    v = [r["rss_kb"] for r in rows if r["kind"] == kind and r["name"] == name
         and r["input"] == input_ and (jobs is None or r.get("jobs") == jobs)]
    return max(v) if v else None


def mb(kb):
    return "%.1f MB" % (kb / 1024.0) if kb is not None else "-"


def cpus(rows, kind, name, input_):
    return [r["user_s"] + r["sys_s"] for r in rows if r["kind"] == kind
            and r["name"] == name and r["input"] == input_]


def speed_table(p, rows, n, input_, names):
    base = {ft: walls(rows, "speed", ft, input_) for ft in (FT1, FT2)}
    cbase = {ft: cpus(rows, "speed", ft, input_) for ft in (FT1, FT2)}
    p("| tool | median s | fastest s | least CPU s | comments/s (fastest) "
      "| vs fastText -wordNgrams 1: fastest / median / CPU "
      "| vs fastText -wordNgrams 2: fastest / median / CPU | peak RSS |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|")
    out = {}
    for name in names:
        w = walls(rows, "speed", name, input_)
        if not w:
            continue
        c = cpus(rows, "speed", name, input_)
        med, best, cbest = statistics.median(w), min(w), min(c)
        cells = []
        for ft in (FT1, FT2):
            b, cb = base[ft], cbase[ft]
            if b and name not in (FT1, FT2):
                rb, rm = min(b) / best, statistics.median(b) / med
                rc = min(cb) / cbest if cbest > 0 else float("nan")
                cells.append("**%.2fx** / %.2fx / %.2fx" % (rb, rm, rc))
                out[(name, ft)] = (rb, rm, rc)
            else:
                cells.append("")
        p("| `%s` | %.2f | %.2f | %.2f | %s | %s | %s | %s |" % (
            name, med, best, cbest, "{:,.0f}".format(n / best), cells[0],
            cells[1], mb(rss_max(rows, "speed", name, input_))))
    return out


def main():
    meta, rows = load(sys.argv[1])
    n = meta.get("n", 0)
    out = []
    p = out.append
    names = ["candor classify", "candor batch", "candor suggest", FT1, FT2, "wc -w"]
    loads = [r["load1"] for r in rows if r["kind"] in ("speed", "jobs")]

    p("## Speed on real text (`bench/realtext.sh`)")
    p("")
    p("CPU: %s, %s cores; candor `%s` (commit %s). %s lines, %s bytes; "
      "candor and fastText trained on the same %s real rows. One core "
      "(`taskset -c 0`), %s rounds, the tools taking turns. 1-minute load "
      "average during the timed runs: %.2f to %.2f (median %.2f)." % (
          meta.get("cpu", "?"), meta.get("nproc", "?"), meta.get("candor", "?"),
          meta.get("commit", "?"), "{:,}".format(n),
          "{:,}".format(meta.get("speed_bytes", 0)),
          "{:,}".format(meta.get("train_rows", 0)), meta.get("reps"),
          min(loads) if loads else 0, max(loads) if loads else 0,
          statistics.median(loads) if loads else 0))
    p("")
    p("Model sizes: candor %s, fastText %s (-wordNgrams 1) and %s "
      "(-wordNgrams 2)." % tuple(mb(meta.get(k, 0) / 1024.0) for k in (
          "candor_model_bytes", "ft1_model_bytes", "ft2_model_bytes")))
    p("")
    p("### Real text: %s lines of distinct real comments" % "{:,}".format(n))
    p("")
    real = speed_table(p, rows, n, "real", names)
    p("")
    p("### Cache-friendly case: %s lines repeating 960 of the same texts "
      "(%s round%s)" % ("{:,}".format(n), meta.get("cache_reps", meta.get("reps")),
                        "" if meta.get("cache_reps") == 1 else "s"))
    p("")
    speed_table(p, rows, n, "repeated", names)
    p("")

    wc = walls(rows, "speed", "wc -w", "real")
    if wc:
        p("The floor: `wc -w` reads the real file in %.2f s (fastest); "
          "`candor classify` takes %.1fx that." % (
              min(wc), min(walls(rows, "speed", "candor classify", "real")) / min(wc)))
        p("")

    p("### Targets (real text, one core; ratios: fastest runs / medians / least CPU time)")
    p("")
    p("| target | vs fastText -wordNgrams 1 | vs fastText -wordNgrams 2 | met? (fastest runs) |")
    p("|---|---:|---:|---|")
    for name, t in TARGETS.items():
        a, b = real.get((name, FT1)), real.get((name, FT2))
        if not a or not b:
            continue
        met = ("yes, against both" if min(a[0], b[0]) >= t else
               "only against -wordNgrams 2" if b[0] >= t else
               "only against -wordNgrams 1" if a[0] >= t else "**no**")
        p("| `%s` >= %.1fx | %.2fx / %.2fx / %.2fx | %.2fx / %.2fx / %.2fx | %s |" % (
            name[len("candor "):], t, a[0], a[1], a[2], b[0], b[1], b[2], met))
    p("")

    if meta.get("have_jobs"):
        p("### `--jobs` on both cores (real text)")
        p("")
        p("| command | --jobs 1 median s | --jobs 2 median s | speed-up fastest / median | --jobs 2 peak RSS | output identical |")
        p("|---|---:|---:|---:|---:|---|")
        for cmd in ("candor classify", "candor suggest", "candor batch"):
            a = walls(rows, "jobs", cmd, "real", 1)
            b = walls(rows, "jobs", cmd, "real", 2)
            if not a or not b:
                continue
            p("| `%s` | %.2f | %.2f | %.2fx / %.2fx | %s | %s |" % (
                cmd, statistics.median(a), statistics.median(b),
                min(a) / min(b), statistics.median(a) / statistics.median(b),
                mb(rss_max(rows, "jobs", cmd, "real", 2)),
                {True: "yes", False: "**NO**", None: "-"}[
                    meta.get("jobs_identical", {}).get(cmd)]))
        p("")
    else:
        p("candor has no `--jobs` option in this build: no multi-core figures.")
        p("")

    mem = [r for r in rows if r["kind"] == "mem"]
    if mem:
        p("### Peak memory: %s lines and ten times as many" % "{:,}".format(n))
        p("")
        p("The larger input is the real file cycled ten times through a "
          "pipe: a memory check only, not a speed figure.")
        p("")
        p("| command | jobs | %s lines | %s lines |" % (
            "{:,}".format(n), "{:,}".format(10 * n)))
        p("|---|---:|---:|---:|")
        for cmd in ("candor classify", "candor batch"):
            for j in sorted({r.get("jobs") for r in mem}):
                one = (rss_max(rows, "jobs", cmd, "real", j) if j != 1 or
                       not walls(rows, "speed", cmd, "real") else
                       rss_max(rows, "speed", cmd, "real"))
                ten = rss_max(rows, "mem", cmd, "real x10", j)
                if one is None and ten is None:
                    continue
                p("| `%s` | %s | %s | %s |" % (
                    cmd, j, mb(one), mb(ten)))
        p("")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
