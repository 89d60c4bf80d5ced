#!/bin/sh
# Configures and builds leadfunnel in build/ (Release, warnings as errors),
# optimized with the profile scripts/pgo-train.sh writes (about 10% less CPU
# time on a report; docs/performance.md). LEADFUNNEL_PGO=off builds without
# a profile.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
if [ "${LEADFUNNEL_PGO:-on}" = "off" ]; then
  pgo="-DLEADFUNNEL_PGO="
else
  sh scripts/pgo-train.sh
  pgo="-DLEADFUNNEL_PGO=use -DLEADFUNNEL_PGO_DIR=$(pwd)/build-pgo/profile"
fi
# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEADFUNNEL_WERROR=ON $pgo >/dev/null
cmake --build build -j "$(nproc)"
