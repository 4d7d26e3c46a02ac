#!/usr/bin/env python3
"""report_check.py - check a `candor report` page against what it was made
from (the truth.json of bench/report_data.py).

usage: report_check.py PAGE.html PAGE.md TRUTH.json

Parses the HTML as XML and every <svg> in it on its own, checks that the
page can make no network request (no script, no src/href/url(), a CSP of
default-src 'none'), and compares the numbers in its tables (and in the
Markdown's) with the truth.  Prints what is wrong and exits 1, else 0.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
errors = []


def want(cond, what):
    if not cond:
        errors.append(what)


def text(el):
    return "".join(el.itertext()).strip()


def table(root, cls):
    """The rows of <table class=cls> as lists of cell texts (header first)."""
    for t in root.iter(NS + "table"):
        if t.get("class") == cls:
            return [[text(c) for c in tr] for tr in t.iter(NS + "tr")]
    errors.append("no table '%s'" % cls)
    return []


def md_table(md, first_head):
    """The Markdown table whose header row starts with first_head."""
    rows, on = [], False
    for line in md.splitlines():
        if line.startswith("| " + first_head + " |"):
            on = True
        if on:
            if not line.startswith("|"):
                break
            if not line.startswith("|---"):
                rows.append([c.strip() for c in line.strip("|").split(" |")])
    want(rows, "no Markdown table starting with '%s'" % first_head)
    return rows


def main():
    html_path, md_path, truth_path = sys.argv[1:4]
    raw = open(html_path, encoding="utf-8").read()
    md = open(md_path, encoding="utf-8").read()
    truth = json.load(open(truth_path))

    root = ET.fromstring(raw.split("\n", 1)[1])      # past <!DOCTYPE html>
    svgs = re.findall(r"<svg .*?</svg>", raw, re.S)
    want(len(svgs) >= 5, "only %d charts" % len(svgs))
    for s in svgs:
        el = ET.fromstring(s)                       # each chart on its own
        want(el.tag == SVG + "svg", "a chart is not SVG")
        want(el.find(SVG + "title") is not None, "a chart has no <title>")
        want(el.get("viewBox"), "a chart has no viewBox")
    # nothing that could fetch anything
    low = raw.lower()
    for bad in ("<script", " src=", "href=", "url(", "@import", "<link",
                "<img", "<iframe", "<object"):
        want(bad not in low, "the page has '%s'" % bad)
    urls = set(re.findall(r"https?://[^\"' )<]+", raw))
    want(urls <= {"http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg"},
         "URLs other than namespaces: %s" % sorted(urls))
    want("default-src 'none'" in raw, "no Content-Security-Policy")

    # the summary against the truth
    rows = {r[0]: r[1:] for r in table(root, "sum")}
    for name, key in (("comments", "comments"), ("decided by a person", "decided"),
                      ("approved", "approved"),
                      ("approved after an edit", "edited"),
                      ("hidden", "hidden"), ("skipped", "skipped"),
                      ("category changed by a person", "corrected"),
                      ("still undecided", "undecided"),
                      ("published", "published"),
                      ("publication failed", "publish_failed"),
                      ("publication outcome unknown", "publish_unknown")):
        got = rows.get(name, ["?"])[0]
        want(got == str(truth[key]), "summary '%s': %s, want %s"
             % (name, got, truth[key]))
    mrows = {r[0]: r[1:] for r in md_table(md, "what")}
    for name, key in (("comments", "comments"), ("approved", "approved"),
                      ("still undecided", "undecided")):
        got = mrows.get(name, ["?"])[0]
        want(got == str(truth[key]), "markdown summary '%s': %s, want %s"
             % (name, got, truth[key]))

    # the timeline: each category's column adds up to its comments, and the
    # burst's bar is marked as a spike of complaints
    tl = table(root, "tl-cats")
    head, body = tl[0], tl[1:]
    for cat, n in truth["per_category"].items():
        want(cat in head, "timeline has no column '%s'" % cat)
        if cat in head:
            k = head.index(cat)
            got = sum(int(r[k]) for r in body)
            want(got == n, "timeline '%s' adds up to %d, want %d"
                 % (cat, got, n))
    spikes = [r for r in body if r[-1]]
    want(spikes, "no spike marked")
    want(all("complaint" in r[-1] for r in spikes),
         "a spike other than complaints: %s" % [r[-1] for r in spikes])

    # the decisions table's "all" row
    dec = table(root, "decisions")
    allrow = dec[1]
    want(allrow[0] == "all", "decisions: first row is '%s'" % allrow[0])
    # columns by their header, so a new kind of decision moves none
    col = {h: i for i, h in enumerate(dec[0])}
    def cnt(name):
        return int(allrow[col[name]].split(" ")[0])
    want(cnt("approved") + cnt("approved after an edit") == truth["approved"],
         "decisions: approved %d+%d" % (cnt("approved"),
                                        cnt("approved after an edit")))
    want(cnt("approved after an edit") == truth["edited"],
         "decisions: edited %d" % cnt("approved after an edit"))
    want(cnt("hidden") == truth["hidden"], "decisions: hidden %d" % cnt("hidden"))
    want(cnt("undecided") == truth["undecided"],
         "decisions: undecided %d" % cnt("undecided"))
    want(cnt("escalated") == truth.get("escalated", 0),
         "decisions: escalated %d" % cnt("escalated"))

    # the timings, in seconds, from data-s
    for t in root.iter(NS + "table"):
        if t.get("class") == "speed":
            tr = list(t.iter(NS + "tr"))[1]
            secs = [c.get("data-s") for c in tr if c.get("data-s")]
            want(secs == [str(truth["decide_median"]), str(truth["decide_p90"]),
                          str(truth["publish_median"]), str(truth["publish_p90"])],
                 "timings %s, want %s" % (secs, [truth["decide_median"],
                                                 truth["decide_p90"],
                                                 truth["publish_median"],
                                                 truth["publish_p90"]]))

    if errors:
        for e in errors:
            print("report_check: " + e)
        sys.exit(1)


if __name__ == "__main__":
    main()
