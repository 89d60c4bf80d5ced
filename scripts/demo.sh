#!/bin/sh
# Installs what is missing, builds, and runs the main job on the bundled
# HubSpot-style sample (data/), as of a fixed moment so the output is stable.
set -eu
cd "$(dirname "$0")/.."
sh scripts/build.sh
exec build/leadfunnel report data/hubspot-contacts.csv --config data/agreement.json \
  --as-of 2026-11-01 --by source --by month "$@"
