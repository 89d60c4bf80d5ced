#!/usr/bin/env bash
# Times `leadfunnel report` on generated HubSpot-style exports and writes the
# table to docs/performance.md (between its "run.sh" markers).
#
#   bench/run.sh [ROWS...]     default: 1000000 10000000
#   bench/run.sh --tiny        2,000 rows, one run, no docs (a smoke test for CI)
#
# For each size and each variant (one-file CSV, the same records as NDJSON, the
# two-file leads + deals CSV), the input is generated once into bench/.work/data/
# (cached by rows and seed) and `leadfunnel report` runs RUNS times with the full
# feature set: --config bench/agreement.json --by source --by month --format json
# --as-of 2026-07-01T04:00:00Z -o FILE. The runs of one size go in rounds: each
# input and thread setting once a round, so that a slow spell of the machine
# falls on all of them alike. Wall time, user+sys CPU and peak RSS come from GNU
# time; each round starts one measurement later than the one before. Each run
# is preceded by an untimed read of its input files (cat > /dev/null), so that
# every run starts with them in the page cache: on the reference VM the cache
# keeps less than the 11 GB of all the 10M-row inputs, and a run right after
# another input's took up to twice its time reading from the disk. The table
# shows the median wall and CPU and the largest RSS, and the
# ratios the targets name (2 threads against 1, NDJSON and two files against
# the one-file CSV, the largest size against the smallest) are printed above it.
# Then the smallest size's CSV report runs on 1 thread pinned to each core in
# turn (taskset), to show whether the cores are equally fast at the time (on a
# shared virtual machine they are not always), then on every core at once, to
# show whether they slow each other down; and the ratio of 1-thread to
# default-thread wall time is printed for every input.
#
# Environment:
#   RUNS=3            runs per measurement (the median is reported)
#   RUNS_LARGE=1      runs per measurement at 5,000,000 rows and more
#   SEED=42           generator seed
#   VARIANTS="single-csv single-ndjson two-file-csv messy-csv"   (also: two-file-ndjson;
#                     messy-csv is the single CSV made with generate.py --messy)
#   MAX_RSS_MB        skip a size whose peak RSS, scaled from a smaller size of
#                     the same variant, would pass this (default: half the RAM);
#                     each run is also started under `ulimit -v` of 1.15 times
#                     this, so a run that grows past it fails on its own instead
#                     of calling in the kernel's OOM killer
#   LEADFUNNEL=PATH   binary to time (default: a Release build in build-bench/)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit "${1:-0}"; }

TINY=0
SIZES=()
for a in "$@"; do
  case $a in
    --tiny) TINY=1 ;;
    -h | --help) usage 0 ;;
    -*) echo "bench/run.sh: unknown option $a" >&2; usage 64 ;;
    *) [[ $a =~ ^[0-9]+$ ]] || die "ROWS must be a number: $a"; SIZES+=("$a") ;;
  esac
done
if [ $TINY = 1 ]; then
  SIZES=(2000)
  RUNS=1
fi
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 10000000)
RUNS=${RUNS:-3}
RUNS_LARGE=${RUNS_LARGE:-1}
[[ $RUNS =~ ^[1-9][0-9]*$ && $RUNS_LARGE =~ ^[1-9][0-9]*$ ]] || die "RUNS and RUNS_LARGE must be at least 1"
read -r -a VARIANTS <<<"${VARIANTS:-single-csv single-ndjson two-file-csv messy-csv}"
MAX_RSS_MB=${MAX_RSS_MB:-$(awk '/^MemTotal/ {printf "%d", $2 / 1024 / 2}' /proc/meminfo)}
VLIMIT_KB=$((MAX_RSS_MB * 1024 * 115 / 100))

ensure_tools
ensure_leadfunnel
mkdir -p "$WORK/out"
MACHINE=$(machine_info)

THREADS=(default)
if "$LEADFUNNEL" report --help 2>/dev/null | grep -q -- '--threads'; then
  THREADS=(default 1)
fi

RESULTS=$WORK/out/run-results.tsv   # variant rows mb threads wall cpu rss_mb out_mb runs, or variant rows skipped|failed detail
: >"$RESULTS"
declare -A RSS_PER_ROW=()           # variant -> largest MB per row seen so far
declare -A OUT_MB=()                # "variant|threads" -> size of the last report, MB
failed=0
TF=$(mktemp)
trap 'rm -f "$TF"' EXIT

for rows in "${SIZES[@]}"; do
  # The inputs of this size that will run (a size whose memory would pass the
  # limit is skipped), each with its arguments and size, and one measurement
  # per input and thread setting.
  declare -A ARGS=() FILES=() MB=() WALLS=() CPUS=() RSS=() DEAD=()
  plan=()
  for variant in "${VARIANTS[@]}"; do
    if [ -n "${RSS_PER_ROW[$variant]:-}" ]; then
      predicted=$(awk -v r="$rows" -v p="${RSS_PER_ROW[$variant]}" 'BEGIN {printf "%d", r * p}')
      if [ "$predicted" -gt "$MAX_RSS_MB" ]; then
        log "skipping $variant at $rows rows: peak RSS would be about $predicted MB (limit MAX_RSS_MB=$MAX_RSS_MB)"
        printf '%s\t%s\tskipped\t%s\n' "$variant" "$rows" "$predicted" >>"$RESULTS"
        continue
      fi
    fi
    ensure_data "$variant" "$rows"
    ARGS[$variant]=$(printf '%s\x1f' "${DATA_ARGS[@]}")
    FILES[$variant]=$(printf '%s\x1f' "${DATA_FILES[@]}")
    MB[$variant]=$DATA_MB
    for thr in "${THREADS[@]}"; do plan+=("$variant|$thr"); done
  done
  runs=$RUNS
  [ "$rows" -lt 5000000 ] || runs=$RUNS_LARGE
  # Round after round, each measurement once a round: the machine's slow
  # spells (a neighbour on the host) fall on every input alike, so the
  # ratios between inputs (NDJSON against CSV, 2 threads against 1) are
  # fairer than from runs of one input after another.
  for ((i = 1; i <= runs; i++)); do
    # Each round starts one measurement later, so that what ran just before
    # (the file cache, the processor's clock) is not always the same.
    round=()
    for ((j = 0; j < ${#plan[@]}; j++)); do round+=("${plan[$(((i - 1 + j) % ${#plan[@]}))]}"); done
    for m in "${round[@]}"; do
      [ -z "${DEAD[$m]:-}" ] || continue
      variant=${m%|*} thr=${m#*|}
      IFS=$'\x1f' read -r -a run_args <<<"${ARGS[$variant]}"
      IFS=$'\x1f' read -r -a run_files <<<"${FILES[$variant]}"
      if ! cat -- "${run_files[@]}" >/dev/null; then  # into the page cache, untimed
        log "cannot read the inputs of $variant, $rows rows"
        DEAD[$m]="threads $thr, round $i of $runs (the runs before it are left out): cannot read the input files"
        failed=1
        continue
      fi
      extra=()
      [ "$thr" = default ] || extra=(--threads "$thr")
      out=$WORK/out/report-$variant-$rows.json
      status=0
      /usr/bin/time -f '%e %U %S %M' -o "$TF" bash -c 'ulimit -v "$1"; shift; exec "$@"' limit "$VLIMIT_KB" \
        "$LEADFUNNEL" report "${run_args[@]}" --config "$AGREEMENT" --by source --by month --format json \
        --as-of "$AS_OF" -o "$out" "${extra[@]}" 2>"$WORK/out/stderr.txt" || status=$?
      if [ $status -ne 0 ]; then
        msg=$(grep -v '^Command exited' "$WORK/out/stderr.txt" | head -c 300 | tr '\n\t' '  ')
        log "leadfunnel exited $status on $variant, $rows rows (memory limit $((VLIMIT_KB / 1024)) MB): $msg"
        DEAD[$m]="threads $thr, round $i of $runs (the runs before it are left out): exit $status after $(awk '{print $1}' "$TF" | tail -1) s: $msg"
        failed=1
        continue
      fi
      read -r w u s k < <(tail -1 "$TF")
      WALLS[$m]="${WALLS[$m]:-} $w"
      CPUS[$m]="${CPUS[$m]:-} $(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')"
      [ "$k" -gt "${RSS[$m]:-0}" ] && RSS[$m]=$k
      log "$variant, $rows rows, threads $thr, run $i/$runs: wall $w s, CPU $u+$s s, peak RSS $((k / 1024)) MB"
      if [ "$i" = "$runs" ]; then
        rejected=$(jq '.input.rows_rejected' "$out")
        read_rows=$(jq '.input.files[0].rows_read' "$out")
        # The messy input's repeated ids are its only rejected rows.
        want_rejected=0
        [ "$variant" != messy-csv ] || want_rejected=$(jq '.input.duplicate_ids' "$out")
        if [ "$rejected" != "$want_rejected" ] || [ "$read_rows" != "$rows" ]; then
          log "$variant, $rows rows: leadfunnel read $read_rows lead rows and rejected $rejected (expected $rows and" \
            "$want_rejected)"
          failed=1
        fi
        OUT_MB[$m]=$(stat -c %s "$out" | awk '{printf "%.1f", $1 / 1e6}')
      fi
    done
  done
  for m in "${plan[@]}"; do
    variant=${m%|*} thr=${m#*|}
    if [ -n "${DEAD[$m]:-}" ]; then
      printf '%s\t%s\tfailed\t%s\n' "$variant" "$rows" "${DEAD[$m]}" >>"$RESULTS"
      continue
    fi
    # shellcheck disable=SC2086  # the runs' times, one word each
    wall=$(printf '%s\n' ${WALLS[$m]} | median)
    # shellcheck disable=SC2086
    cpu=$(printf '%s\n' ${CPUS[$m]} | median)
    rss_mb=$(awk -v k="${RSS[$m]}" 'BEGIN {printf "%.0f", k / 1024}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$rows" "${MB[$variant]}" "$thr" "$wall" "$cpu" "$rss_mb" \
      "${OUT_MB[$m]}" "$runs" >>"$RESULTS"
    per=$(awk -v m="$rss_mb" -v r="$rows" 'BEGIN {printf "%.9f", m / r}')
    RSS_PER_ROW[$variant]=$(awk -v a="$per" -v b="${RSS_PER_ROW[$variant]:-0}" 'BEGIN {print (a > b ? a : b)}')
  done
  unset ARGS FILES MB WALLS CPUS RSS DEAD
done

# ---- the cores, and 2 threads against 1 --------------------------------------
# The same one-thread report pinned to each core in turn (alternating, RUNS
# times): on a shared virtual machine one core can be much slower than the
# other for minutes, which caps what more threads can gain.
CORES=$WORK/out/run-cores.md
: >"$CORES"
ncores=$(nproc)
if [ "$ncores" -gt 1 ] && command -v taskset >/dev/null && [[ " ${VARIANTS[*]} " == *" single-csv "* ]] &&
  [ "${THREADS[1]:-}" = 1 ]; then
  ensure_data single-csv "${SIZES[0]}"
  declare -A CORE_WALLS=() TOGETHER_WALLS=()
  pinned=1
  for ((i = 1; i <= RUNS && pinned; i++)); do
    for ((c = 0; c < ncores; c++)); do
      cat -- "${DATA_FILES[@]}" >/dev/null || true  # a warm page cache, as above (a read error shows below)
      if ! /usr/bin/time -f '%e' -o "$TF" taskset -c "$c" "$LEADFUNNEL" report "${DATA_ARGS[@]}" \
        --config "$AGREEMENT" --by source --by month --format json --as-of "$AS_OF" -o "$WORK/out/cores.json" \
        --threads 1 2>"$WORK/out/stderr.txt"; then
        log "could not time a run pinned to core $c (taskset or leadfunnel failed); the core check is left out"
        pinned=0
        break
      fi
      CORE_WALLS[$c]="${CORE_WALLS[$c]:-} $(tail -1 "$TF")"
    done
    # Then on every core at once: if the cores slow each other down (a
    # neighbour on the host, shared hardware), more threads cannot gain.
    [ $pinned = 1 ] || break
    cat -- "${DATA_FILES[@]}" >/dev/null || true
    pids=()
    for ((c = 0; c < ncores; c++)); do
      /usr/bin/time -f '%e' -o "$TF.$c" taskset -c "$c" "$LEADFUNNEL" report "${DATA_ARGS[@]}" \
        --config "$AGREEMENT" --by source --by month --format json --as-of "$AS_OF" -o "$WORK/out/cores-$c.json" \
        --threads 1 2>"$WORK/out/stderr-$c.txt" &
      pids+=($!)
    done
    for ((c = 0; c < ncores; c++)); do
      if ! wait "${pids[$c]}"; then
        log "could not time the runs pinned to every core at once; the core check is left out"
        pinned=0
      fi
    done
    [ $pinned = 1 ] || break
    for ((c = 0; c < ncores; c++)); do TOGETHER_WALLS[$c]="${TOGETHER_WALLS[$c]:-} $(tail -1 "$TF.$c")"; done
  done
  if [ $pinned = 1 ]; then
    line="" together=""
    for ((c = 0; c < ncores; c++)); do
      # shellcheck disable=SC2086  # the runs' times, one word each
      w=$(printf '%s\n' ${CORE_WALLS[$c]} | median)
      line="$line${line:+, }core $c $w s"
      # shellcheck disable=SC2086
      w=$(printf '%s\n' ${TOGETHER_WALLS[$c]} | median)
      together="$together${together:+, }core $c $w s"
    done
    echo "- The cores: the ${SIZES[0]}-row CSV report on 1 thread pinned to each core (median of $RUNS, alternating): $line; the same on every core at once: $together" >>"$CORES"
  fi
fi
awk -F'\t' '$3 != "skipped" && $3 != "failed" {k = $1 ", " $2 " rows"; if (!(k in seen)) {seen[k] = 1; keys[++n] = k}; w[k, $4] = $5}
  END {
    line = ""
    for (i = 1; i <= n; i++) {
      k = keys[i]
      if (((k, "default") in w) && ((k, "1") in w) && w[k, "default"] > 0)
        line = line (line == "" ? "" : "; ") sprintf("%s %.2f", k, w[k, "1"] / w[k, "default"])
    }
    if (line != "") print "- Default threads against 1 thread (wall time of 1 / wall time of default): " line
  }' "$RESULTS" >>"$CORES"
# The other ratios the targets name, from the same rounds of runs (default
# threads): each input against the one-file CSV of its size, and the
# largest size against the smallest.
awk -F'\t' '$3 != "skipped" && $3 != "failed" && $4 == "default" {
    w[$1, $2] = $5; if (!($2 in seen)) {seen[$2] = 1; sizes[++n] = $2}; if (!($1 in vseen)) {vseen[$1] = 1; vars[++m] = $1}
  }
  END {
    line = ""
    for (i = 1; i <= n; i++)
      for (j = 1; j <= m; j++) {
        v = vars[j]
        if (v == "single-csv" || !((v, sizes[i]) in w) || !(("single-csv", sizes[i]) in w) || w["single-csv", sizes[i]] <= 0) continue
        line = line (line == "" ? "" : "; ") sprintf("%s, %s rows %.2f", v, sizes[i], w[v, sizes[i]] / w["single-csv", sizes[i]])
      }
    if (line != "") print "- Each input against the one-file CSV of its size (wall time, default threads): " line
    # The smallest and the largest size with a one-file CSV time.
    lo = hi = ""
    for (i = 1; i <= n; i++) {
      if (!(("single-csv", sizes[i]) in w) || w["single-csv", sizes[i]] <= 0) continue
      if (lo == "" || sizes[i] + 0 < lo + 0) lo = sizes[i]
      if (hi == "" || sizes[i] + 0 > hi + 0) hi = sizes[i]
    }
    if (lo != "" && hi + 0 > lo + 0)
      printf "- %s rows against %s rows (one-file CSV, default threads): %.1f times the time for %.1f times the rows\n", \
        hi, lo, w["single-csv", hi] / w["single-csv", lo], hi / lo
  }' "$RESULTS" >>"$CORES"
cat "$CORES" >&2

# ---- the table ---------------------------------------------------------------
TABLE=$WORK/out/run-table.md
{
  echo "| input | rows | input MB | threads | runs | wall s | CPU s | peak RSS MB | rows/s | MB/s | JSON out MB |"
  echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '
    function commas(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); return s }
    $3 == "skipped" { printf "| %s | %s | | | | not run: peak RSS would be about %s MB | | | | | |\n", $1, commas($2), commas($4); next }
    $3 == "failed" { printf "| %s | %s | | | | failed: %s | | | | | |\n", $1, commas($2), $4; next }
    { printf "| %s | %s | %.0f | %s | %s | %.2f | %.2f | %s | %s | %.1f | %.0f |\n", $1, commas($2), $3, $4, $9, $5, $6, commas($7), commas($2 / $5), $3 / $5, $8 }
  ' "$RESULTS"
} >"$TABLE"
echo
cat "$TABLE"

if [ $TINY = 0 ]; then
  PART=$WORK/out/run-doc.md
  {
    echo "Measured by \`bench/run.sh ${SIZES[*]}\` (RUNS=$RUNS, RUNS_LARGE=$RUNS_LARGE, SEED=$SEED, MAX_RSS_MB=$MAX_RSS_MB):"
    echo
    echo "$MACHINE"
    printf -- '- Finished: %s; load average then: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(cut -d' ' -f1-3 /proc/loadavg)"
    cat "$CORES"
    echo
    cat "$TABLE"
    echo
    echo "Wall and CPU (user + sys) are the median of the runs; peak RSS is the largest of them (GNU time, maximum resident set size)."
    echo "rows/s counts lead rows (the two-file input also has its deals file, which is in the input MB); MB/s is input MB / wall."
    if grep -q skipped "$RESULTS"; then
      echo "Sizes marked \"not run\" were skipped because their peak RSS, scaled linearly from the largest size measured, would pass MAX_RSS_MB=$MAX_RSS_MB."
    fi
  } >"$PART"
  update_doc run.sh "$PART"
  log "wrote the table to docs/performance.md"
fi
[ $failed = 0 ] || die "some runs failed (see above)"
