#!/usr/bin/env bash
# Scale benchmark (issue 16): generates release-shaped files with `automix gen-demo` and
# measures, side by side in one run, `automix eval` (load + Threshold, and the full protocol
# with every method) against pandas.read_json(lines=True) on the same file. Wall time and
# peak RSS come from GNU time (/usr/bin/time); the load time is the one automix prints.
#
#   tests/bench/scale.sh [--rows 50000,1000000,10000000] [--runs N] [--automix PATH] [--dir DIR] [--no-pandas]
#                        [--no-explorer]
#
# Every figure is the minimum of N runs (default 3; the machine may be shared), automix and
# pandas taking turns; `load` is the 1-minute load average when the row's runs ended.
# pandas' time is its read_json call alone, timed inside Python: `ratio` sets it against our whole
# process (the conservative view), `ratio_in` against our load + evaluation as the run reports them
# (`load_s` + `eval_s`, the same kind of time on both sides).
#
# 50 000 rows are release-shaped: contexts cut to about 300 characters (--context-chars 300;
# ~2.6 KB a row, most of it the 32 verifier samples); larger files pad contexts to 200 bytes.
# Files go to DIR (default: a new temporary directory) and are deleted after use. Ten million rows need about 28 GB: skipped, with a message, when DIR has
# less than 40 GB free. pandas runs only up to 1 000 000 rows and only when about 8 bytes of
# available RAM per byte of JSON are free (about 1 GB for the 131 MB 50k file), and only when `python3 -c "import pandas"` works
# (Debian: apt-get install python3-pandas; needed by this benchmark only).
# The explorer columns come from build/tests/bench/bench_reroute_scale on the same file (once,
# offscreen): seconds until the query table holds the rows (File > Open's path without the
# dialog), the peak RSS then, the longest the GUI thread went without handling events while a
# load ran as a job, and one slider step over every row.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows_list=50000,1000000,10000000
automix=${AUTOMIX_BIN:-build/app/automix}
dir=""
pandas=1
explorer=1
runs=3
explorer_bench=${AUTOMIX_EXPLORER_BENCH:-build/tests/bench/bench_reroute_scale}
while (($#)); do
  case "$1" in
    --rows) rows_list=$2; shift ;;
    --runs) runs=$2; shift ;;
    --automix) automix=$2; shift ;;
    --dir) dir=$2; shift ;;
    --no-pandas) pandas=0 ;;
    --no-explorer) explorer=0 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $automix ]] || { echo "no automix binary at $automix (build first)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time; Debian package time)" >&2; exit 2; }
if ((pandas)) && ! /usr/bin/python3 -c "import pandas" 2>/dev/null; then
  echo "pandas not available (apt-get install python3-pandas): pandas column skipped" >&2
  pandas=0
fi
if ((explorer)) && [[ ! -x $explorer_bench ]]; then
  echo "no explorer benchmark at $explorer_bench (configure with -DAUTOMIX_BUILD_BENCH=ON): explorer columns skipped" >&2
  explorer=0
fi
own_dir=0
if [[ -z $dir ]]; then dir=$(mktemp -d); own_dir=1; fi
mkdir -p "$dir"
cleanup() { rm -f "$dir"/scale-*.jsonl "$dir"/time-*.txt; if ((own_dir)); then rm -rf "$dir"; fi; }
trap cleanup EXIT

# wall seconds and peak RSS (MiB) of a command, from GNU time
measure() {  # measure NAME CMD...
  local out="$dir/time-$1.txt"; shift
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>"$dir/time-stderr.txt" || {
    echo "failed: $* ($(tail -1 "$dir/time-stderr.txt"))" >&2; echo "- -"; return; }
  awk '{printf "%.2f %.0f\n", $1, $2 / 1024}' "$out"
}
# the smaller of two figures ("-" when neither is a number)
min_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-") print b; else if (b == "-") print a; else print (a + 0 < b + 0 ? a : b) }'; }

# The explorer's figures on FILE: "open_s open_MiB gap_ms slider_ms" ("-" each when it fails).
explorer_figures() {
  local out
  out=$(AUTOMIX_BENCH_SCALE_FILE=$1 QT_QPA_PLATFORM=offscreen "$explorer_bench" 2>/dev/null) || { echo "- - - -"; return; }
  # BM_OpenTable runs first, so the process's peak RSS is that of opening the file. Counters
  # print with SI suffixes (3.29k = 3290).
  awk 'function si(v) { return v ~ /k$/ ? v * 1e3 : v ~ /M$/ ? v * 1e6 : v ~ /G$/ ? v * 1e9 : v + 0 }
       { for (i = 1; i <= NF; i++) { split($i, kv, "=");
         if ($1 ~ /^BM_OpenTable/ && kv[1] == "open_s") open = kv[2];
         if ($1 ~ /^BM_OpenTable/ && kv[1] == "peak_rss_MiB") mib = kv[2];
         if ($1 ~ /^BM_OpenStaysResponsive/ && kv[1] == "max_gui_gap_ms_until_table") gap = kv[2] } }
       /^BM_SliderStep/ { step = $2 }
       END { printf "%s %s %s %s\n", open == "" ? "-" : sprintf("%.2f", si(open)), mib == "" ? "-" : sprintf("%.0f", si(mib)),
             gap == "" ? "-" : sprintf("%.0f", si(gap)), step == "" ? "-" : step }' <<<"$out"
}

printf '%-10s %9s %9s %9s %12s %10s %12s %10s %10s %10s %9s %9s %9s %8s %10s %6s\n' rows file_MB load_s eval_s thresh_wall_s \
  rss_MiB full_wall_s full_MiB pandas_s ratio ratio_in gui_open_s gui_MiB gap_ms slider_ms load
IFS=, read -ra all_rows <<<"$rows_list"
for rows in "${all_rows[@]}"; do
  file="$dir/scale-$rows.jsonl"
  extra=(--context-chars 300)
  ((rows > 50000)) && extra=(--context-bytes 200)
  if ((rows >= 10000000)); then
    free_gb=$(df -Pk "$dir" | awk 'NR==2 {print int($4 / 1048576)}')
    if ((free_gb < 40)); then
      echo "$rows rows: skipped, $dir has ${free_gb} GB free (needs 40)" >&2
      continue
    fi
  fi
  "$automix" gen-demo --seed 1 --rows "$rows" "${extra[@]}" --out "$file"
  size_mb=$(du -m --apparent-size "$file" | cut -f1)
  t_wall=- t_rss=- load_s=- eval_s=- in_s=- f_wall=- f_rss=- p_time=- ratio=- ratio_in=-
  # pandas holds about 7 bytes of RAM per byte of JSON: never let it push a shared machine
  # into swap.
  run_pandas=$pandas
  avail_mb=$(awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo)
  if ((pandas)) && ((size_mb * 8 > avail_mb)); then
    echo "$rows rows: pandas skipped (needs about $((size_mb * 8)) MB, $avail_mb MB available)" >&2
    run_pandas=0
  fi
  for ((run = 0; run < runs; run++)); do
    read -r w r < <(measure thresh "$automix" eval --data "$file" --methods Threshold --quiet --json /dev/null)
    [[ $(min_of "$t_wall" "$w") == "$w" ]] && t_wall=$w t_rss=$r
    # "evaluated N rows in E s (loaded in L s)": the run's own load and evaluation times
    read -r e l < <("$automix" eval --data "$file" --methods Threshold --quiet --json /dev/null 2>&1 |
      sed -n 's/.*evaluated [0-9]* rows in \([0-9.]*\) s (loaded in \([0-9.]*\) s).*/\1 \2/p')
    if [[ -n ${l:-} ]]; then
      both=$(awk -v a="$e" -v b="$l" 'BEGIN {print a + b}')
      [[ $(min_of "$in_s" "$both") == "$both" ]] && in_s=$both load_s=$l eval_s=$e
    fi
    read -r w r < <(measure full "$automix" eval --data "$file" --protocol full --quiet)
    [[ $(min_of "$f_wall" "$w") == "$w" ]] && f_wall=$w f_rss=$r
    if ((run_pandas)) && ((rows <= 1000000)); then
      p=$(/usr/bin/python3 -c '
import sys, time, pandas
t = time.perf_counter(); df = pandas.read_json(sys.argv[1], lines=True); t = time.perf_counter() - t
assert len(df) == int(sys.argv[2]); print(f"{t:.2f}")' "$file" "$rows" 2>/dev/null || echo -)
      p_time=$(min_of "$p_time" "$p")
    fi
  done
  [[ $p_time != - && $t_wall != - ]] && ratio=$(awk -v p="$p_time" -v a="$t_wall" 'BEGIN {printf "%.1fx", p / a}')
  [[ $p_time != - && $in_s != - ]] && ratio_in=$(awk -v p="$p_time" -v a="$in_s" 'BEGIN {printf "%.1fx", p / a}')
  gui="- - - -"
  # pandas' gigabytes may have pushed the file out of the page cache: read it back first, so the
  # explorer starts where the best automix runs did.
  ((explorer)) && cat "$file" >/dev/null && gui=$(explorer_figures "$file")
  read -r g_open g_rss g_gap g_step <<<"$gui"
  avg=$(cut -d' ' -f1 /proc/loadavg)
  printf '%-10s %9s %9s %9s %12s %10s %12s %10s %10s %10s %9s %9s %9s %8s %10s %6s\n' "$rows" "$size_mb" "$load_s" "$eval_s" \
    "$t_wall" "$t_rss" "$f_wall" "$f_rss" "$p_time" "$ratio" "$ratio_in" "$g_open" "$g_rss" "$g_gap" "$g_step" "$avg"
  rm -f "$file"
done
