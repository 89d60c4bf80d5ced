#!/bin/sh
# Installs the Debian 12 packages leadfunnel needs to build and test, when any
# is missing. Uses sudo when not run as root. Safe to run again.
set -eu
PACKAGES="g++ cmake ninja-build pkg-config libcli11-dev libfmt-dev nlohmann-json3-dev catch2 libhowardhinnant-date-dev libsimdjson-dev tzdata python3"
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "leadfunnel: installing missing packages:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
