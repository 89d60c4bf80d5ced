#!/bin/sh
# Builds the libFuzzer targets of fuzz/ with clang-14 (ASan + UBSan) in
# build-fuzz/ and runs each for SECONDS_PER_TARGET seconds (default 60) on a
# scratch copy of its seed corpus. Exits non-zero when any target finds a
# crash, a leak, a timeout or a broken invariant; the input is saved as
# build-fuzz/findings/<target>/crash-* (or leak-*, timeout-*, oom-*).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
#   FUZZ_TARGETS="fuzz_csv fuzz_json" scripts/fuzz.sh 300
#
# Other settings: FUZZ_JOBS (build jobs, default nproc), FUZZ_BUILD_DIR (default
# build-fuzz), LEADFUNNEL_ROOT (the
# source tree to fuzz, default this checkout), FUZZ_MAX_FIELD_BYTES=N
# (also check a small --max-field-bytes limit in fuzz_csv/fuzz_json),
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-max_len=65536").
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SECONDS_PER_TARGET=${1:-60}
case $SECONDS_PER_TARGET in
  '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2; exit 64 ;;
esac
ALL_TARGETS="fuzz_csv fuzz_json fuzz_timestamp fuzz_agreement fuzz_load"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
for t in $TARGETS; do
  case " $ALL_TARGETS " in
    *" $t "*) ;;
    *) echo "fuzz: unknown target '$t' (targets: $ALL_TARGETS)" >&2; exit 64 ;;
  esac
done

# The project's own packages first, then the compiler and the fuzzer runtime.
sh scripts/install-deps.sh
PACKAGES="clang-14 libclang-rt-14-dev"
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  echo "fuzz: installing missing packages:$missing" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
JOBS=${FUZZ_JOBS:-$(nproc)}
# The source tree is passed every time, so a cached one never lingers.
cmake -S fuzz -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DLEADFUNNEL_ROOT="${LEADFUNNEL_ROOT:-$ROOT}" >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD" -j "$JOBS" --target $TARGETS

dict_of() {
  case $1 in
    fuzz_csv | fuzz_load) echo "$ROOT/fuzz/dict/csv.dict" ;;
    fuzz_json | fuzz_agreement) echo "$ROOT/fuzz/dict/json.dict" ;;
    fuzz_timestamp) echo "$ROOT/fuzz/dict/timestamp.dict" ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
summary=""
for t in $TARGETS; do
  run="$BUILD/corpus-run/$t"
  findings="$BUILD/findings/$t"
  log="$BUILD/logs/$t.log"
  rm -rf "$findings"  # findings of an earlier run are not this run's
  mkdir -p "$run" "$findings" "$BUILD/logs"
  # A scratch copy: new inputs found by this run never land in fuzz/corpus/.
  if [ -d "$ROOT/fuzz/corpus/$t" ]; then cp -R "$ROOT/fuzz/corpus/$t/." "$run/"; fi
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s (log: $log)" >&2
  rc=0
  # shellcheck disable=SC2086
  "$BUILD/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$(dict_of "$t")" -artifact_prefix="$findings/" ${FUZZ_ARGS:-} "$run" >"$log" 2>&1 || rc=$?
  # The last status line (#N DONE / pulse) has the coverage; the stats have the totals.
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then
    # -fork mode prints no final stats: take the last "#N" status line.
    execs=$(sed -n 's/^#\([0-9][0-9]*\).*cov: .*/\1/p' "$log" | tail -n 1)
    speed=$(sed -n 's/^#[0-9].*exec\/s:* \([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
  fi
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | sed 's/ft: //')
  corpus=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | sed 's/corp: //')
  artifacts=$(find "$findings" -type f | wc -l | tr -d ' ')
  if [ "$rc" -ne 0 ] || [ "$artifacts" -ne 0 ]; then
    result="FAIL (exit $rc, $artifacts finding(s) in $findings)"
    status=1
  else
    result="ok"
  fi
  line="$t: $result; ${execs:-?} execs, ${speed:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corpus:-?}"
  echo "fuzz: $line" >&2
  summary="$summary$line
"
done

printf '\nfuzz summary (%ss per target):\n%s' "$SECONDS_PER_TARGET" "$summary"
if [ "$status" -ne 0 ]; then
  echo "fuzz: findings above; see fuzz/README.md to turn one into a regression file" >&2
fi
exit "$status"
