# Shared by bench/run.sh and bench/duckdb_compare.sh (sourced, not run).
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=${BENCH_WORK:-$BENCH_DIR/.work}   # ignored by git (.gitignore: bench/.work/)
SEED=${SEED:-42}
# The moment every benchmark report describes: the generator's export moment,
# 2026-07-01 00:00 in New York (the agreement's zone).
AS_OF=2026-07-01T04:00:00Z
AGREEMENT=$BENCH_DIR/agreement.json
DOC=$ROOT/docs/performance.md

log() { printf '%s\n' "bench: $*" >&2; }
die() { printf '%s\n' "bench: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  log "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# GNU time at /usr/bin/time (the shell keyword cannot report peak RSS).
ensure_time() {
  [ -x /usr/bin/time ] || apt_install time
}

ensure_tools() {
  ensure_time
  command -v python3 >/dev/null || apt_install python3
  command -v jq >/dev/null || apt_install jq
}

# The leadfunnel binary: $LEADFUNNEL if set, else a Release build in build-bench/
# (tests off) optimized with the profile scripts/pgo-train.sh writes, as
# scripts/build.sh builds it (LEADFUNNEL_PGO=off: without one), brought up to
# date on every run.
ensure_leadfunnel() {
  if [ -n "${LEADFUNNEL:-}" ]; then
    [ -x "$LEADFUNNEL" ] || die "LEADFUNNEL=$LEADFUNNEL is not an executable"
    return
  fi
  LEADFUNNEL=$ROOT/build-bench/leadfunnel
  sh "$ROOT/scripts/install-deps.sh"
  local pgo=(-DLEADFUNNEL_PGO=)
  if [ "${LEADFUNNEL_PGO:-on}" != "off" ]; then
    if sh "$ROOT/scripts/pgo-train.sh" >&2; then
      pgo=(-DLEADFUNNEL_PGO=use "-DLEADFUNNEL_PGO_DIR=$ROOT/build-pgo/profile")
    else
      log "warning: the training run (scripts/pgo-train.sh) failed; timing a build without a profile"
    fi
  fi
  cmake -S "$ROOT" -B "$ROOT/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEADFUNNEL_TESTS=OFF "${pgo[@]}" \
    >/dev/null || die "configuring build-bench/ failed"
  cmake --build "$ROOT/build-bench" --target leadfunnel >&2 || die "the leadfunnel build failed"
}

# The file(s) of one variant at one size, generated once and cached by rows, seed and variant.
# Variants: single-csv, single-ndjson, two-file-csv, two-file-ndjson, and messy-csv (the
# single CSV with generate.py --messy: duplicate ids, 3,000 owners, a campaign URL per lead).
# Sets DATA_ARGS (the arguments that name the input for `leadfunnel report`), DATA_FILES and DATA_MB.
ensure_data() {
  local variant=$1 rows=$2 shape fmt base messy=()
  case $variant in
    single-csv) shape=single fmt=csv ;;
    messy-csv) shape=single fmt=csv messy=(--messy) ;;
    single-ndjson) shape=single fmt=ndjson ;;
    two-file-csv) shape=two-file fmt=csv ;;
    two-file-ndjson) shape=two-file fmt=ndjson ;;
    *) die "unknown variant $variant" ;;
  esac
  mkdir -p "$WORK/data"
  base=$WORK/data/$shape-$rows-s$SEED
  [ ${#messy[@]} = 0 ] || base=$WORK/data/messy-$rows-s$SEED
  if [ "$shape" = single ]; then
    DATA_FILES=("$base.$fmt")
    DATA_ARGS=("$base.$fmt")
    # Its repeated ids are rejected rows, expected here: not a failed run.
    [ ${#messy[@]} = 0 ] || DATA_ARGS+=(--max-rejected 100%)
  else
    DATA_FILES=("$base-leads.$fmt" "$base-deals.$fmt")
    DATA_ARGS=("$base-leads.$fmt" --prospects "$base-deals.$fmt")
  fi
  local missing=0 f
  for f in "${DATA_FILES[@]}"; do [ -f "$f" ] || missing=1; done
  if [ $missing = 1 ]; then
    local out=$base
    [ "$shape" = single ] && out=$base.$fmt
    check_disk "$rows" "$fmt"
    log "generating $variant, $rows rows (seed $SEED)"
    python3 "$BENCH_DIR/generate.py" --rows "$rows" --seed "$SEED" --shape "$shape" --format "$fmt" "${messy[@]}" \
      --out "$out" -q \
      || die "generate.py failed"
  fi
  DATA_MB=$(stat -c %s "${DATA_FILES[@]}" | awk '{s += $1} END {printf "%.1f", s / 1e6}')
}

# Refuse to fill the disk: about 190 bytes a row in CSV, 560 in NDJSON, plus 1 GB to spare.
check_disk() {
  local rows=$1 fmt=$2 per=190 need avail
  [ "$fmt" = ndjson ] && per=560
  need=$(( rows * per / 1000000 + 1000 ))
  avail=$(df -Pm "$WORK" | awk 'NR == 2 {print $4}')
  [ "$avail" -ge "$need" ] || die "not enough disk in $WORK: $need MB needed, $avail MB free"
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

machine_info() {
  local cpu cores mem kernel commit dirty
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  cores=$(nproc)
  mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  kernel="$(uname -sr)"
  commit=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  dirty=""
  if ! git -C "$ROOT" diff --quiet HEAD -- src include CMakeLists.txt 2>/dev/null; then
    dirty=" (with uncommitted changes in src/, include/ or CMakeLists.txt)"
  fi
  printf -- '- Machine: %s, %s cores (nproc), %s RAM, %s, %s\n' "${cpu:-unknown CPU}" "$cores" "$mem" "$kernel" \
    "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  printf -- '- Started: %s; load average then: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf -- '- leadfunnel: commit %s%s, %s, %s\n' "$commit" "$dirty" "$("$LEADFUNNEL" --version 2>/dev/null | head -1)" \
    "$(grep -E '^CMAKE_(BUILD_TYPE|CXX_COMPILER):' "$(dirname "$LEADFUNNEL")/CMakeCache.txt" 2>/dev/null \
       | sed -E 's/^CMAKE_([A-Z_]+):[A-Z]+=/\1 /' | tr '\n' ' ' | sed 's/ $//')"
}

# Replace the part of docs/performance.md between <!-- BEGIN name --> and <!-- END name -->
# with the contents of a file (or append the marked part when it is not there yet).
update_doc() {
  local name=$1 file=$2
  python3 - "$DOC" "$name" "$file" <<'PY'
import os, sys
doc, name, part = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().rstrip("\n") + "\n"
begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
text = open(doc).read() if os.path.exists(doc) else "# Performance\n"
block = f"{begin}\n{part}{end}"
if begin in text and end in text:
    a = text.index(begin)
    b = text.index(end) + len(end)
    text = text[:a] + block + text[b:]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
tmp = doc + ".tmp"
open(tmp, "w").write(text)
os.replace(tmp, doc)
PY
}
