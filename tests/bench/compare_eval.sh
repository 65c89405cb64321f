#!/usr/bin/env bash
# Exactness check for loader/report changes: runs two `automix` binaries (old, new) with
# `eval` on every file under tests/data plus a few generated ones (release, native with and
# without a manifest, gzip, a pipe, corrupted lines), in both protocols, strict and
# --skip-bad-lines, and compares exit code, stdout, stderr, the JSON report and the CSV,
# apart from timing fields ("seconds" keys, "in 0.12 s").
#
#   tests/bench/compare_eval.sh OLD_AUTOMIX NEW_AUTOMIX [WORKDIR]
set -uo pipefail
cd "$(dirname "$0")/../.."
old=$1 new=$2 work=${3:-$(mktemp -d)}
mkdir -p "$work/gen"
"$new" gen-demo --seed 3 --rows 6000 --out "$work/gen/release.jsonl"
"$new" gen-demo --seed 4 --rows 3000 --format native --models 3 --out "$work/gen/native3.jsonl"
tail -n +2 "$work/gen/native3.jsonl" >"$work/gen/native3_nomanifest.jsonl"
"$new" gen-demo --seed 5 --rows 4000 --out "$work/gen/release.jsonl.gz"
# corrupted lines every 700 rows, a duplicate id and blank lines, across several batches
awk 'NR % 700 == 0 {print "{\"id\": broken"; next} NR % 1100 == 0 {print ""} NR == 2500 {print prev} {prev = $0; print}' \
  "$work/gen/release.jsonl" >"$work/gen/corrupt.jsonl"
files=$(find tests/data -type f | sort; ls "$work"/gen/*)
norm_text() { sed -E 's/[0-9]+(\.[0-9]+)? s\b/T s/g; s/[0-9.]+ ?(ms|µs)\b/T/g' "$1"; }
norm_json() { python3 - "$1" <<'PY'
import json, sys
def strip(x):
    if isinstance(x, dict): return {k: strip(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list): return [strip(v) for v in x]
    return x
try:
    print(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True))
except FileNotFoundError:
    print("<no file>")
PY
}
run() {  # run BIN TAG FILE ARGS...
  local bin=$1 tag=$2 file=$3; shift 3
  rm -f "$work/$tag.json" "$work/$tag.csv"
  if [[ $file == pipe:* ]]; then
    cat "${file#pipe:}" | "$bin" eval --data /dev/stdin "$@" --json "$work/$tag.json" --csv "$work/$tag.csv" \
      >"$work/$tag.out" 2>"$work/$tag.err"
  else
    "$bin" eval --data "$file" "$@" --json "$work/$tag.json" --csv "$work/$tag.csv" >"$work/$tag.out" 2>"$work/$tag.err"
  fi
  echo "rc=$?" >>"$work/$tag.out"
}
pairs=0 diffs=0
for f in $files "pipe:$work/gen/release.jsonl" "pipe:$work/gen/corrupt.jsonl"; do
  for protocol in full paper; do
    for mode in strict lenient; do
      args=(--protocol "$protocol")
      [[ $mode == lenient ]] && args+=(--skip-bad-lines)
      run "$old" old "$f" "${args[@]}"
      run "$new" new "$f" "${args[@]}"
      pairs=$((pairs + 1))
      same=1
      for part in out err; do
        cmp -s <(norm_text "$work/old.$part") <(norm_text "$work/new.$part") || same=0
      done
      cmp -s <(norm_json "$work/old.json") <(norm_json "$work/new.json") || same=0
      cmp -s "$work/old.csv" "$work/new.csv" 2>/dev/null || { [[ -e $work/old.csv || -e $work/new.csv ]] && same=0; }
      if ((!same)); then
        diffs=$((diffs + 1))
        echo "DIFFERENT: $f $protocol $mode"
        diff <(norm_text "$work/old.err") <(norm_text "$work/new.err") | head -5
      fi
    done
  done
done
echo "$pairs runs compared, $diffs different"
((diffs == 0))
