#!/usr/bin/env bash
# A center in one test (scripts/center-test.py): PostgreSQL from Debian's packages in a temporary
# folder on its own loopback port, STATIONS stations (default 4) each with its own pcscd and two vpcd
# slots in their own namespaces, CARDS cards (default 200); PostgreSQL restarted once mid-run, one
# station killed and restarted; EF.SOD signed with a DSC key in a SoftHSM2 token. Stops exactly what it started, by PID. Needs root.
#
#   scripts/center-test.sh              STATIONS=4 CARDS=200
#   CARDS=40 STATIONS=2 scripts/center-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "center test: needs root (namespaces, PostgreSQL as the postgres user)" >&2; exit 1; }
for p in pcscd vsmartcard-vpcd postgresql softhsm2 libp11-kit-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pcscd vsmartcard-vpcd postgresql softhsm2 libp11-kit-dev >/dev/null; break; }
done
# Each bench's pcscd has its own socket (PCSCLITE_CSOCK_NAME): another pcscd on the machine is no matter.
config="${BUILD:-debug}"
swift build -c "$config" --product cccd >&2 && swift build -c "$config" --product cccd-read >&2
export CCCD_BIN="$(swift build -c "$config" --show-bin-path)"
mkdir -p /run/pcscd
pg=$(mktemp -d /tmp/cccd-center-pg.XXXXXX)
chmod 755 "$pg"
trap 'scripts/postgres.sh stop "$pg/pg" >/dev/null 2>&1 || true; rm -rf "$pg"' EXIT
port=$((20000 + RANDOM % 20000))
url=$(scripts/postgres.sh start "$pg/pg" "$port")
"$CCCD_BIN/cccd" audit migrate --db "$url"
python3 scripts/center-test.py "$url" "$pg/pg"
