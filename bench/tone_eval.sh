#!/usr/bin/env bash
# bench/tone_eval.sh - measure `candor tone` on an independent, labelled set of
# replies (bench/data/tone_heldout.tsv) written without looking at the tone
# rules, their phrase lists or their tests.
#
# Usage: bash bench/tone_eval.sh [--json] [CANDOR_BINARY] [TSV]
#   CANDOR_BINARY  default: build/candor      (relative to the current directory,
#   TSV            default: bench/data/tone_heldout.tsv   else to the repo root)
#   --json         print one JSON summary object instead of markdown
#
# TSV: UTF-8, tab-separated, header `lang category comment verdict kind reply`.
# For each row it runs
#   CANDOR tone --json --lang LANG --text REPLY [--category CAT] [--comment COMMENT]
# (--category / --comment omitted when the field is `-`). A reply is FLAGGED
# when the JSON has at least one issue, whatever its severity.
#   bad rows:  flagged = caught (recall)      good rows: no issue = passed
#
# Exit status: 0 report printed; 2 usage or unreadable/malformed TSV;
# 3 the tool failed (exit status other than 0/1, bad JSON, timeout).
# Needs only bash and python3 (standard library).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

exec python3 - "$root" "$@" <<'PY'
import json, os, subprocess, sys, time
from collections import OrderedDict

root = sys.argv[1]
args = sys.argv[2:]
USAGE = "usage: bash bench/tone_eval.sh [--json] [CANDOR_BINARY] [TSV]"
KIND_ORDER = ["blame", "defensive", "dismissive", "insult", "absolute_promise",
              "competitor", "pii", "caps", "exclaim", "length", "placeholder",
              "echo", "required"]

as_json = False
pos = []
for a in args:
    if a == "--json":
        as_json = True
    elif a in ("-h", "--help"):
        print(USAGE); sys.exit(0)
    elif a.startswith("-") and a != "-":
        print(f"tone_eval: unknown option {a}\n{USAGE}", file=sys.stderr); sys.exit(2)
    else:
        pos.append(a)
if len(pos) > 2:
    print(USAGE, file=sys.stderr); sys.exit(2)

def resolve(given, default):
    if given is not None:
        return os.path.abspath(given)
    if os.path.exists(default):
        return os.path.abspath(default)
    return os.path.join(root, default)

binary = resolve(pos[0] if len(pos) > 0 else None, "build/candor")
tsv = resolve(pos[1] if len(pos) > 1 else None, "bench/data/tone_heldout.tsv")

if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
    print(f"tone_eval: {binary}: not an executable file", file=sys.stderr); sys.exit(2)

# ---- read the TSV -------------------------------------------------------
HEADER = ["lang", "category", "comment", "verdict", "kind", "reply"]
rows = []
try:
    with open(tsv, encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
except (OSError, UnicodeDecodeError) as e:
    print(f"tone_eval: {tsv}: {e}", file=sys.stderr); sys.exit(2)
if lines and lines[-1] == "":
    lines.pop()
if not lines or lines[0].rstrip("\r").lstrip("\ufeff").split("\t") != HEADER:
    print(f"tone_eval: {tsv}:1: header must be: {' '.join(HEADER)}", file=sys.stderr); sys.exit(2)
bad_input = False
for no, line in enumerate(lines[1:], start=2):
    line = line.rstrip("\r")
    if not line.strip():
        continue
    f = line.split("\t")
    if len(f) != 6:
        print(f"tone_eval: {tsv}:{no}: {len(f)} fields, want 6", file=sys.stderr); bad_input = True; continue
    r = dict(zip(HEADER, f))
    if r["verdict"] not in ("good", "bad"):
        print(f"tone_eval: {tsv}:{no}: verdict must be good or bad", file=sys.stderr); bad_input = True; continue
    if not r["reply"]:
        print(f"tone_eval: {tsv}:{no}: empty reply", file=sys.stderr); bad_input = True; continue
    r["line"] = no
    rows.append(r)
if bad_input:
    sys.exit(2)

# ---- run the tool ---------------------------------------------------------
def fail(r, what, proc=None):
    msg = [f"tone_eval: tool failure on {os.path.basename(tsv)}:{r['line']} ({r['lang']}): {what}",
           "  command: " + " ".join(repr(x) for x in cmd_for(r))]
    if proc is not None:
        if proc.stdout: msg.append("  stdout: " + proc.stdout.strip()[:500])
        if proc.stderr: msg.append("  stderr: " + proc.stderr.strip()[:500])
    print("\n".join(msg), file=sys.stderr)
    sys.exit(3)

def cmd_for(r):
    cmd = [binary, "tone", "--json", "--lang", r["lang"], "--text", r["reply"]]
    if r["category"] not in ("-", ""):
        cmd += ["--category", r["category"]]
    if r["comment"] not in ("-", ""):
        cmd += ["--comment", r["comment"]]
    return cmd

env = dict(os.environ)
env["NO_COLOR"] = "1"
exit_mismatch = []
t0 = time.monotonic()
for r in rows:
    try:
        p = subprocess.run(cmd_for(r), stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, encoding="utf-8", errors="replace", timeout=30, env=env)
    except subprocess.TimeoutExpired:
        fail(r, "timed out after 30 s")
    except OSError as e:
        fail(r, f"cannot run: {e}")
    if p.returncode not in (0, 1):
        fail(r, f"exit status {p.returncode}", p)
    try:
        out = json.loads(p.stdout)
        issues = out["issues"]
        if not isinstance(issues, list):
            raise ValueError("issues is not a list")
        for i in issues:
            if not isinstance(i, dict) or "rule" not in i or "severity" not in i:
                raise ValueError("issue without rule/severity")
    except (ValueError, KeyError, TypeError) as e:
        fail(r, f"output is not the expected tone JSON ({e})", p)
    r["issues"] = issues
    r["score"] = out.get("score")
    r["flagged"] = len(issues) > 0
    r["has_error"] = any(i.get("severity") == "error" for i in issues)
    if (p.returncode == 1) != r["has_error"]:
        exit_mismatch.append({"line": r["line"], "lang": r["lang"], "exit": p.returncode,
                              "error_issues": r["has_error"]})
elapsed = time.monotonic() - t0

# ---- summarise ----------------------------------------------------------------
def pct(a, b):
    return round(100.0 * a / b, 1) if b else None

def summary(sel):
    bad = [r for r in sel if r["verdict"] == "bad"]
    good = [r for r in sel if r["verdict"] == "good"]
    bf = sum(r["flagged"] for r in bad)
    be = sum(r["has_error"] for r in bad)
    gp = sum(not r["flagged"] for r in good)
    ge = sum(r["has_error"] for r in good)
    kinds = OrderedDict()
    names = [k for k in KIND_ORDER if any(r["kind"] == k for r in bad)]
    names += sorted({r["kind"] for r in bad} - set(names))
    for k in names:
        kr = [r for r in bad if r["kind"] == k]
        kf = sum(r["flagged"] for r in kr)
        kinds[k] = {"total": len(kr), "flagged": kf, "recall": pct(kf, len(kr)),
                    "error_level": sum(r["has_error"] for r in kr)}
    return OrderedDict([
        ("rows", len(sel)),
        ("bad", len(bad)), ("bad_flagged", bf), ("recall", pct(bf, len(bad))),
        ("bad_error_level", be),
        ("good", len(good)), ("good_passed", gp), ("pass_rate", pct(gp, len(good))),
        ("good_error_level", ge),
        ("kinds", kinds),
    ])

langs = sorted({r["lang"] for r in rows})
by_lang = OrderedDict((l, summary([r for r in rows if r["lang"] == l])) for l in langs)
overall = summary(rows)

def rules_of(r):
    return [f"{i['rule']}:{i['severity']}" for i in r["issues"]]

misses = [OrderedDict([("line", r["line"]), ("lang", r["lang"]), ("kind", r["kind"]),
                       ("category", r["category"]), ("comment", r["comment"]),
                       ("reply", r["reply"])])
          for r in rows if r["verdict"] == "bad" and not r["flagged"]]
false_alarms = [OrderedDict([("line", r["line"]), ("lang", r["lang"]),
                             ("category", r["category"]), ("rules", rules_of(r)),
                             ("comment", r["comment"]), ("reply", r["reply"])])
                for r in rows if r["verdict"] == "good" and r["flagged"]]
rule_fires_good = {}
for r in rows:
    if r["verdict"] == "good":
        for i in r["issues"]:
            rule_fires_good[i["rule"]] = rule_fires_good.get(i["rule"], 0) + 1

if as_json:
    print(json.dumps(OrderedDict([
        ("binary", binary), ("tsv", tsv), ("seconds", round(elapsed, 2)),
        ("overall", overall), ("by_lang", by_lang),
        ("false_alarm_rules", dict(sorted(rule_fires_good.items(), key=lambda x: -x[1]))),
        ("misses", misses), ("false_alarms", false_alarms),
        ("exit_status_mismatches", exit_mismatch),
    ]), ensure_ascii=False, indent=1))
    sys.exit(0)

def md(s):
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")

def fmt(a, b):
    p = pct(a, b)
    return f"{a}/{b} ({p:.1f}%)" if p is not None else "-"

o = []
o.append("# candor tone check: held-out evaluation\n")
o.append(f"- binary: `{binary}`")
o.append(f"- data: `{tsv}` ({len(rows)} rows, {elapsed:.1f} s)")
o.append("- flagged = at least one issue of any severity\n")
o.append("## Headline\n")
o.append("| set | bad flagged (recall) | bad with an error-level issue | good passed (no issue) | good with an error-level issue |")
o.append("|---|---|---|---|---|")
for name, s in list(by_lang.items()) + [("all", overall)]:
    o.append(f"| {name} | {fmt(s['bad_flagged'], s['bad'])} | {fmt(s['bad_error_level'], s['bad'])} "
             f"| {fmt(s['good_passed'], s['good'])} | {fmt(s['good_error_level'], s['good'])} |")
o.append("\n## Recall per kind\n")
o.append("| kind | " + " | ".join(langs) + " | all |")
o.append("|---|" + "---|" * (len(langs) + 1))
for k in overall["kinds"]:
    cells = []
    for s in list(by_lang.values()) + [overall]:
        kk = s["kinds"].get(k)
        cells.append(fmt(kk["flagged"], kk["total"]) if kk else "-")
    o.append(f"| {k} | " + " | ".join(cells) + " |")
if rule_fires_good:
    o.append("\n## Rules firing on good replies\n")
    o.append("| rule | good replies |")
    o.append("|---|---|")
    for k, v in sorted(rule_fires_good.items(), key=lambda x: (-x[1], x[0])):
        o.append(f"| {md(k)} | {v} |")
o.append(f"\n## Misses: bad replies with no issue ({len(misses)})\n")
if not misses:
    o.append("none")
for m in sorted(misses, key=lambda m: (m["lang"], KIND_ORDER.index(m["kind"]) if m["kind"] in KIND_ORDER else 99, m["line"])):
    c = f" — to: \"{md(m['comment'])}\"" if m["comment"] != "-" else ""
    o.append(f"- L{m['line']} `{m['lang']}` **{m['kind']}** ({m['category']}): {md(m['reply'])}{c}")
o.append(f"\n## False alarms: good replies with an issue ({len(false_alarms)})\n")
if not false_alarms:
    o.append("none")
for fa in sorted(false_alarms, key=lambda f: (f["lang"], f["line"])):
    o.append(f"- L{fa['line']} `{fa['lang']}` ({fa['category']}) [{md(', '.join(fa['rules']))}]: {md(fa['reply'])}")
if exit_mismatch:
    o.append(f"\n## Exit status disagrees with error-level issues ({len(exit_mismatch)})\n")
    for e in exit_mismatch:
        o.append(f"- L{e['line']} `{e['lang']}`: exit {e['exit']}, error-level issue present: {e['error_issues']}")
print("\n".join(o))
PY
