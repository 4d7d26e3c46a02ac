#!/usr/bin/env bash
# flags_eval.sh - precision and recall of each flag (safety, legal, press)
# on labelled comments, FLAGS<TAB>TEXT a line ("-" for none, "#" comments).
#
#   bench/flags_eval.sh CANDOR FILE.tsv...
#
# prints a Markdown table, one row per file and flag: true positives,
# false positives, false negatives, precision, recall.  The flags come
# from `candor suggest --format tsv` (its fifth column), so what is
# measured is what the commands do.
set -euo pipefail
candor=${1:?usage: flags_eval.sh CANDOR FILE.tsv...}
shift
echo "| set | flag | comments | labelled | TP | FP | FN | precision | recall |"
echo "|---|---|---|---|---|---|---|---|---|"
for f in "$@"; do
	tmp=$(mktemp)
	grep -v '^#' "$f" | grep -v '^$' >"$tmp"
	cut -f2- "$tmp" | "$candor" -q suggest --format tsv - | tail -n +2 | cut -f5 |
		paste <(cut -f1 "$tmp") - |
		awk -F'\t' -v set="$(basename "$f")" '
		{
			n++
			split("safety legal press", names, " ")
			for (k = 1; k <= 3; k++) {
				fl = names[k]
				want = ("," $1 ",") ~ ("," fl ",")
				got = (" " $2 " ") ~ (" " fl " ")
				if (want) lab[fl]++
				if (want && got) tp[fl]++
				else if (got) fp[fl]++
				else if (want) fn[fl]++
			}
		}
		END {
			for (k = 1; k <= 3; k++) {
				fl = names[k]
				p = tp[fl] + fp[fl] ? tp[fl] / (tp[fl] + fp[fl]) : 0
				r = lab[fl] ? tp[fl] / lab[fl] : 0
				printf "| %s | %s | %d | %d | %d | %d | %d | %.2f | %.2f |\n",
				       set, fl, n, lab[fl], tp[fl], fp[fl], fn[fl], p, r
			}
		}'
	rm -f "$tmp"
done
