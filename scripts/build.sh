#!/bin/sh
# Configures and builds leadfunnel in build/ (Release, warnings as errors).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEADFUNNEL_WERROR=ON >/dev/null
cmake --build build -j "$(nproc)"
