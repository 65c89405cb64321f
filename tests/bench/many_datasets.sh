#!/usr/bin/env bash
# Many small datasets (issue 17): a release-format file of N datasets with one train and one
# val row each (rows of the public sample, with their 32 verifier samples), then
# `automix eval --json` over it with every method. Wall time and peak RSS from GNU time, and
# the size of the report. Before the report was streamed dataset by dataset and the rows of a
# dataset were found in one pass, 20 000 datasets took 108 s and 5.7 GB (1.0 GB report).
#
#   tests/bench/many_datasets.sh [--datasets 20000] [--automix PATH] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=20000
automix=${AUTOMIX_BIN:-build/app/automix}
dir=""
while (($#)); do
  case "$1" in
    --datasets) n=$2; shift ;;
    --automix) automix=$2; shift ;;
    --dir) dir=$2; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $automix ]] || { echo "no automix binary at $automix (build first)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time; Debian package time)" >&2; exit 2; }
own_dir=0
if [[ -z $dir ]]; then dir=$(mktemp -d); own_dir=1; fi
trap '((own_dir)) && rm -rf "$dir"' EXIT
data=$dir/many_datasets.jsonl
# Two rows of the sample: the first trains, the second (made wrong for the small model and
# right for the large one, so the baseline has a slope) is the val row of each dataset.
sample=$(zcat tests/data/oracle/sample_seed1.jsonl.gz | head -2 || true)  # zcat stops on SIGPIPE
printf '%s\n' "$sample" | awk -v n="$n" '
  { row[NR] = $0 }
  END {
    for (d = 0; d < n; ++d)
      for (j = 1; j <= 2; ++j) {
        r = row[j]
        sub(/"id": "[^"]*"/, sprintf("\"id\": \"d%d-%d\"", d, j), r)
        sub(/"dataset": "[^"]*"/, sprintf("\"dataset\": \"ds%05d\"", d), r)
        sub(/"split": "[^"]*"/, j == 1 ? "\"split\": \"train\"" : "\"split\": \"val\"", r)
        if (j == 2) {
          sub(/"llama13b_f1": [^,}]*/, "\"llama13b_f1\": 0.0", r)
          sub(/"llama70b_f1": [^,}]*/, "\"llama70b_f1\": 1.0", r)
        }
        print r
      }
  }' > "$data"
echo "$n datasets, $(wc -l < "$data") rows, $(du -m "$data" | cut -f1) MB"
/usr/bin/time -f "eval --json: %e s wall, %M KB peak RSS" \
  "$automix" eval --data "$data" --json "$dir/report.json" --quiet 2>&1 | grep -v "^warning:"
echo "report: $(du -m "$dir/report.json" | cut -f1) MB"
