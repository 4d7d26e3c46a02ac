#!/usr/bin/env bash
# eval's figures checked against values computed by hand (small fixed
# cases whose predictions are certain) and, for cross-validation on the
# corpus, recomputed with jq from eval's own confusion matrix.
. "$(dirname "$0")/lib.sh"
C=$CANDOR
command -v jq >/dev/null || { echo "FAIL: jq is missing (.ci/deps installs it)"; exit 1; }

# A model that cannot be unsure: each label has its own word.
printf 'text,label\n' >"$TMP/tr.csv"
for i in 1 2 3; do printf 'apple pie,a\nbanana split,b\ncherry tart,c\n' >>"$TMP/tr.csv"; done
"$C" train -q -o "$TMP/tiny.model" "$TMP/tr.csv"
for w in apple banana cherry; do
	printf '%s\n' "$w" >"$TMP/w.txt"
	expect "tiny model: $w is ${w:0:1}" 0 "\"category\":\"${w:0:1}\"" '' -- \
		"$C" -m "$TMP/tiny.model" classify "$TMP/w.txt"
done

# Case 1: predictions a a a b b c c c b, truths a a b b c c c a a.
#   confusion (rows true, columns predicted):
#     a: a=2 (apple, apple) b=1 (banana) c=1 (cherry)   support 4
#     b: a=1 (apple)        b=1 (banana) c=0            support 2
#     c: a=0                b=1 (banana) c=2 (cherry x2) support 3
#   accuracy 5/9 = 0.5556
#   a: precision 2/(2+1+0) = 0.6667, recall 2/4 = 0.5,    F1 2pr/(p+r) = 0.5714
#   b: precision 1/(1+1+1) = 0.3333, recall 1/2 = 0.5,    F1 = 0.4
#   c: precision 2/(1+0+2) = 0.6667, recall 2/3 = 0.6667, F1 = 0.6667
#   macro-F1 (0.571429 + 0.4 + 0.666667) / 3 = 0.5460
printf 'text,label\napple,a\napple,a\napple,b\nbanana,b\nbanana,c\ncherry,c\ncherry,c\ncherry,a\nbanana,a\n' >"$TMP/te1.csv"
cat >"$TMP/want1" <<'EOF'
accuracy 0.5556  macro-F1 0.5460  (model TINY on TEST, 9 examples)

label                precision    recall        f1   support
a                       0.6667    0.5000    0.5714         4
b                       0.3333    0.5000    0.4000         2
c                       0.6667    0.6667    0.6667         3

confusion matrix (rows: true label, columns: predicted)
                          a      b      c
a                         2      1      1
b                         1      1      0
c                         0      1      2
EOF
"$C" -m "$TMP/tiny.model" eval --test "$TMP/te1.csv" >"$TMP/got1" 2>"$TMP/err1"
sed -i "s|$TMP/tiny.model|TINY|; s|$TMP/te1.csv|TEST|" "$TMP/got1"
check "case 1: the report equals the hand-computed one$(diff "$TMP/want1" "$TMP/got1" | head -20 | tr '\n' ' ')" \
	cmp -s "$TMP/want1" "$TMP/got1"
"$C" -m "$TMP/tiny.model" eval --json --test "$TMP/te1.csv" >"$TMP/j1"
check "case 1 --json: the same figures to 6 places" [ "$(jq -c . "$TMP/j1")" = \
'{"accuracy":0.555556,"macro_f1":0.546032,"classes":{"a":{"precision":0.666667,"recall":0.5,"f1":0.571429,"support":4},"b":{"precision":0.333333,"recall":0.5,"f1":0.4,"support":2},"c":{"precision":0.666667,"recall":0.666667,"f1":0.666667,"support":3}},"labels":["a","b","c"],"confusion":[[2,1,1],[1,1,0],[0,1,2]]}' ]

# Case 2: a label predicted but never true (b: precision 0/1 = 0, recall
# 0/0 taken as 0) does not count in macro-F1 (docs/classifier.md: the mean
# over labels that have test examples): (2/3 + 1) / 2 = 0.8333.
#   a: precision 1/1, recall 1/2, F1 0.6667;  c: 1, 1, 1.
printf 'text,label\napple,a\nbanana,a\ncherry,c\n' >"$TMP/te2.csv"
cat >"$TMP/want2" <<'EOF'
accuracy 0.6667  macro-F1 0.8333  (model TINY on TEST, 3 examples)

label                precision    recall        f1   support
a                       1.0000    0.5000    0.6667         2
b                       0.0000    0.0000    0.0000         0
c                       1.0000    1.0000    1.0000         1

confusion matrix (rows: true label, columns: predicted)
                          a      b      c
a                         1      1      0
b                         0      0      0
c                         0      0      1
EOF
"$C" -m "$TMP/tiny.model" eval --test "$TMP/te2.csv" >"$TMP/got2" 2>"$TMP/err2"
sed -i "s|$TMP/tiny.model|TINY|; s|$TMP/te2.csv|TEST|" "$TMP/got2"
check "case 2: the report equals the hand-computed one$(diff "$TMP/want2" "$TMP/got2" | head -20 | tr '\n' ' ')" \
	cmp -s "$TMP/want2" "$TMP/got2"

# Case 3: all right: every figure 1.
printf 'text,label\napple,a\nbanana,b\ncherry,c\ncherry,c\n' >"$TMP/te3.csv"
expect "case 3: perfect predictions give 1" 0 '^accuracy 1\.0000  macro-F1 1\.0000 ' '' -- \
	"$C" -m "$TMP/tiny.model" eval --test "$TMP/te3.csv"

# Cross-validation on the corpus: every figure follows from the confusion
# matrix eval printed, recomputed here.
"$C" eval --json -k 3 "$SRC"/config/corpus/en-*.csv >"$TMP/cv.json"
# shellcheck disable=SC2016
bad=$(jq -r '
  def near(a; b): ((a - b) | fabs) <= 1.5e-6;
  . as $r | $r.confusion as $m | ($r.labels | length) as $k
  | ([$m[][]] | add) as $n
  | ([range($k) | $m[.][.]] | add) as $tp
  | [range($k) | . as $i
     | ($m[$i][$i]) as $d
     | ([$m[$i][]] | add) as $sup
     | ([range($k) | $m[.][$i]] | add) as $pred
     | (if $pred > 0 then $d / $pred else 0 end) as $p
     | (if $sup > 0 then $d / $sup else 0 end) as $rc
     | (if $p + $rc > 0 then 2 * $p * $rc / ($p + $rc) else 0 end) as $f
     | $r.classes[$r.labels[$i]] as $c
     | {l: $r.labels[$i], ok: (near($c.precision; $p) and near($c.recall; $rc)
                               and near($c.f1; $f) and $c.support == $sup),
        f: $f, sup: $sup}] as $cls
  | ([$cls[] | select(.sup > 0) | .f]) as $fs
  | [ (if near($r.accuracy; $tp / $n) then empty else "accuracy" end),
      (if near($r.macro_f1; ($fs | add) / ($fs | length)) then empty else "macro_f1" end),
      ($cls[] | select(.ok | not) | .l),
      (if $n > 1000 then empty else "count \($n)" end) ]
  | join(" ")' "$TMP/cv.json")
check "3-fold cross-validation: figures recomputed from the confusion matrix agree (wrong: ${bad:-none})" \
	[ -z "$bad" ]
check "3-fold cross-validation: the figures are not degenerate" \
	jq -e '.accuracy > 0.7 and .accuracy < 0.95' "$TMP/cv.json" >/dev/null

finish
