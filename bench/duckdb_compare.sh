#!/usr/bin/env bash
# Runs the metrics of `leadfunnel report` in DuckDB on the same generated file,
# checks that both give the same numbers, and prints both times and the ratio
# DuckDB / leadfunnel. Writes the result to docs/performance.md (between its
# "duckdb_compare.sh" markers).
#
#   bench/duckdb_compare.sh [ROWS]     default: 1000000
#   bench/duckdb_compare.sh --tiny     2,000 rows, one run, no docs (a smoke test)
#
# DuckDB is the Node.js package @duckdb/node-api, installed with npm into
# bench/.work/node_modules when missing (Node.js and npm come from apt when
# missing). The SQL and the comparison are in bench/duckdb_compare.mjs.
#
# Environment:
#   RUNS=3       alternating runs of each tool; the medians are compared
#   SEED=42      generator seed (the file is shared with bench/run.sh's cache)
#   VARIANTS="single-csv"   also: single-ndjson two-file-csv two-file-ndjson
#   QUERY=full   every number of the report mirrored in SQL; QUERY=headline: DuckDB
#                reads with its own type detection and computes only conversion
#                (overall, by source, by month) and the clock targets, as an
#                analyst's own query would (one-file variants only). Written to
#                its own block of docs/performance.md.
#   DUCKDB_VERSION          npm version spec of @duckdb/node-api (default: latest)
#   LEADFUNNEL=PATH         binary to time (default: a Release build in build-bench/)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit "${1:-0}"; }

TINY=0
ROWS=1000000
for a in "$@"; do
  case $a in
    --tiny) TINY=1 ;;
    -h | --help) usage 0 ;;
    -*) echo "bench/duckdb_compare.sh: unknown option $a" >&2; usage 64 ;;
    *) [[ $a =~ ^[0-9]+$ ]] || die "ROWS must be a number: $a"; ROWS=$a ;;
  esac
done
if [ $TINY = 1 ]; then
  ROWS=2000
  RUNS=1
fi
RUNS=${RUNS:-3}
QUERY=${QUERY:-full}
case $QUERY in full | headline) ;; *) die "QUERY must be full or headline: $QUERY" ;; esac
read -r -a VARIANTS <<<"${VARIANTS:-single-csv}"
for v in "${VARIANTS[@]}"; do
  # The mirror has no duplicate-id rule: the messy input is for run.sh only.
  [ "$v" != messy-csv ] || die "messy-csv is not mirrored in DuckDB (it has repeated ids); use run.sh for it"
done

ensure_tools
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
mkdir -p "$WORK"
if [ ! -f "$WORK/node_modules/@duckdb/node-api/package.json" ]; then
  log "installing @duckdb/node-api${DUCKDB_VERSION:+@$DUCKDB_VERSION} into $WORK/node_modules"
  [ -f "$WORK/package.json" ] || echo '{ "private": true, "description": "leadfunnel benchmark scratch (bench/.work)" }' >"$WORK/package.json"
  (cd "$WORK" && npm install --no-audit --no-fund --loglevel=error "@duckdb/node-api${DUCKDB_VERSION:+@$DUCKDB_VERSION}" >&2) \
    || die "npm install @duckdb/node-api failed"
fi
ensure_leadfunnel
mkdir -p "$WORK/out"
MACHINE=$(machine_info)

status=0
PART=$WORK/out/duckdb-doc.md
: >"$PART.body"
for variant in "${VARIANTS[@]}"; do
  ensure_data "$variant" "$ROWS"
  fmt=${variant##*-}
  files=(--leads "${DATA_FILES[0]}")
  [ ${#DATA_FILES[@]} -gt 1 ] && files+=(--deals "${DATA_FILES[1]}")
  log "comparing on $variant, $ROWS rows ($DATA_MB MB), $RUNS runs each"
  s=0
  node "$BENCH_DIR/duckdb_compare.mjs" "${files[@]}" --format "$fmt" --as-of "$AS_OF" --config "$AGREEMENT" \
    --leadfunnel "$LEADFUNNEL" --runs "$RUNS" --label "$variant" --workdir "$WORK/out/duckdb-$variant" --query "$QUERY" \
    --markdown "$WORK/out/duckdb-$variant.md" --json "$WORK/out/duckdb-$variant.json" || s=$?
  [ $s -le 1 ] || die "duckdb_compare.mjs failed on $variant"
  [ $s -eq 0 ] || status=1
  { echo "#### $variant, $(echo "$ROWS" | sed -e :a -e 's/\B[0-9]\{3\}\>/,&/;ta') rows"; echo; cat "$WORK/out/duckdb-$variant.md"; echo; } >>"$PART.body"
done

if [ $TINY = 0 ]; then
  v=$(jq -r '.duckdb_version + " (Node.js " + .node_version + ", " + (.duckdb_threads | tostring) + " threads)"' \
      "$WORK/out/duckdb-${VARIANTS[0]}.json")
  {
    echo "Measured by \`$([ "$QUERY" = full ] || echo "QUERY=$QUERY ")bench/duckdb_compare.sh $ROWS\` (RUNS=$RUNS, SEED=$SEED), DuckDB $v:"
    echo
    echo "$MACHINE"
    printf -- '- Finished: %s; load average then: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    cat "$PART.body"
  } >"$PART"
  update_doc "duckdb_compare.sh$([ "$QUERY" = full ] || echo " $QUERY")" "$PART"
  log "wrote the comparison to docs/performance.md"
fi
rm -f "$PART.body"
[ $status = 0 ] || die "the numbers differ (see the table above)"
