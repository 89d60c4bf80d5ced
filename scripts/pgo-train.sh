#!/bin/sh
# Writes the profile that scripts/build.sh compiles leadfunnel with
# (profile-guided optimization, GCC's -fprofile-use): builds an instrumented
# leadfunnel in build-pgo/gen/, runs it on generated HubSpot-style exports of
# every shape the benchmark times (one CSV file, the same as NDJSON, leads and
# deals in two files, and the messy CSV) and on the bundled samples, in every
# output format, and leaves the branch counts in build-pgo/profile/.
#
# Only what the compiler does changes: the code paths and the reports are
# the same as without a profile (the whole test suite runs on the optimized
# build). The training runs again only when the instrumented binary changed;
# then build-pgo/profile/profile.stamp changes, and the build that uses the
# profile compiles everything again. About 10 s on two cores, plus the build.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PGO=$ROOT/build-pgo
PROFILE=$PGO/profile
TRAIN=$PGO/train
cmake -S . -B "$PGO/gen" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEADFUNNEL_TESTS=OFF \
  -DLEADFUNNEL_PGO=generate "-DLEADFUNNEL_PGO_DIR=$PROFILE" >/dev/null
cmake --build "$PGO/gen" --target leadfunnel
BIN=$PGO/gen/leadfunnel

# The binary and the generator together decide the profile.
sum=$(cat "$BIN" bench/generate.py | cksum)
if [ -f "$PROFILE/profile.stamp" ] && [ "$(cat "$PROFILE/profile.stamp")" = "$sum" ]; then
  exit 0
fi
echo "leadfunnel: training the optimized build (build-pgo/)" >&2

# Exports made once per version of the generator (seed and sizes fixed).
gen_sum=$(cksum < bench/generate.py)
if [ ! -f "$TRAIN/generator.sum" ] || [ "$(cat "$TRAIN/generator.sum")" != "$gen_sum" ]; then
  rm -rf "$TRAIN"
  mkdir -p "$TRAIN"
  gen() { python3 bench/generate.py --seed 20261129 --quiet "$@"; }
  gen --rows 200000 --shape single --format csv --out "$TRAIN/single.csv"
  gen --rows 50000 --shape single --format ndjson --out "$TRAIN/single.ndjson"
  gen --rows 50000 --shape two-file --format csv --out "$TRAIN/two-file"
  gen --rows 50000 --shape single --format csv --messy --out "$TRAIN/messy.csv"
  echo "$gen_sum" >"$TRAIN/generator.sum"
fi

# Counts from an earlier binary would be merged with the new ones: start clean.
rm -rf "$PROFILE"
mkdir -p "$PROFILE"
OUT=$PGO/out
mkdir -p "$OUT"
report() {
  # Exit status 1 (a target missed) and 65 (rows rejected) are reports, not failures.
  status=0
  "$BIN" report "$@" --as-of 2026-07-01T04:00:00Z >/dev/null 2>"$OUT/stderr.txt" || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 1 ] && [ "$status" -ne 65 ]; then
    cat "$OUT/stderr.txt" >&2
    echo "leadfunnel: a training run failed (exit $status): report $*" >&2
    exit 1
  fi
}
AG=bench/agreement.json
for threads in 1 2; do
  report "$TRAIN/single.csv" --config "$AG" --by source --by month --format json -o "$OUT/r.json" --threads "$threads"
done
report "$TRAIN/single.ndjson" --config "$AG" --by source --by month --format json -o "$OUT/r.json"
report "$TRAIN/two-file-leads.csv" --prospects "$TRAIN/two-file-deals.csv" --config "$AG" --by source --by month \
  --format json -o "$OUT/r.json"
report "$TRAIN/messy.csv" --config "$AG" --by source --by month --format json -o "$OUT/r.json"
for format in table markdown csv json; do
  report data/hubspot-contacts.csv --config data/agreement.json --by source --by month --format "$format" -o "$OUT/r"
  report data/leads.csv --prospects data/deals.csv --by owner --format "$format" -o "$OUT/r"
done
echo "$sum" >"$PROFILE/profile.stamp"
