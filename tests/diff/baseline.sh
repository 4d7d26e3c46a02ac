#!/bin/bash
# baseline.sh REV DIR - build REV (e.g. main) in DIR with this tree's
# tests/diff, and snapshot it into DIR/snap (see snapshot.sh).
set -eu
rev=$1; dir=$2; src=$(pwd)
rm -rf "$dir"; mkdir -p "$dir/src"
git archive "$rev" | tar -x -C "$dir/src"
rm -rf "$dir/src/tests/diff"; cp -r tests/diff "$dir/src/tests/diff"
grep -q 'add_subdirectory(diff)' "$dir/src/tests/CMakeLists.txt" ||
	echo 'add_subdirectory(diff)' >>"$dir/src/tests/CMakeLists.txt"
cmake -S "$dir/src" -B "$dir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir/build" -j2 >/dev/null
cd "$dir/src" && "$src/tests/diff/snapshot.sh" "$dir/build" "$dir/snap"
