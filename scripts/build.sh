#!/bin/sh
# Configures and builds leadfunnel in build/ (Release, warnings as errors),
# optimized with the profile scripts/pgo-train.sh writes (about 10% less CPU
# time on a report; docs/performance.md). LEADFUNNEL_PGO=off builds without
# a profile.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
pgo="-DLEADFUNNEL_PGO="
if [ "${LEADFUNNEL_PGO:-on}" != "off" ]; then
  # The training only makes the build faster: when it fails, the build goes
  # on without a profile (and says so).
  if sh scripts/pgo-train.sh; then
    pgo="-DLEADFUNNEL_PGO=use -DLEADFUNNEL_PGO_DIR=$(pwd)/build-pgo/profile"
  else
    echo "leadfunnel: warning: the training run (scripts/pgo-train.sh) failed; building without a profile" >&2
  fi
fi
# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEADFUNNEL_WERROR=ON $pgo >/dev/null
cmake --build build -j "$(nproc)"
