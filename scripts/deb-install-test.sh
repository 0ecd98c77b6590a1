#!/usr/bin/env bash
# Installs the .deb of scripts/package-deb.sh into a fresh Debian bookworm root (debootstrap from
# Debian's packages, then chroot) with `apt-get install ./cccd-toolkit_….deb`, and there runs
# `cccd-read --simulated` (it must read the built-in specimen GENUINE) and `man cccd-read`.
# Prints the package's size and how long the install took. Needs root.
#
#   scripts/deb-install-test.sh [DEB]     (default: the newest build/cccd-toolkit_*.deb)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "deb install test: needs root (debootstrap, chroot)" >&2; exit 1; }
deb="${1:-$(ls -t build/cccd-toolkit_*_amd64.deb 2>/dev/null | head -1)}"
[ -n "$deb" ] && [ -f "$deb" ] || { echo "deb install test: no package (run scripts/package-deb.sh)" >&2; exit 1; }
dpkg-query -W -f='${Status}' debootstrap 2>/dev/null | grep -q "install ok installed" || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror="${mirror:-http://deb.debian.org/debian}"
root=$(mktemp -d /tmp/cccd-bookworm.XXXXXX)
cleanup() {
  for m in proc dev/pts dev; do mountpoint -q "$root/$m" && umount -l "$root/$m" || true; done
  rm -rf "$root"
}
trap cleanup EXIT
echo "deb install test: debootstrap bookworm (minbase) from $mirror"
start=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.log" 2>&1 || { tail -20 "$root.log"; exit 1; }
echo "deb install test: fresh root in $(( $(date +%s) - start )) s"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cp "$deb" "$root/tmp/"
name=$(basename "$deb")
start=$(date +%s)
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/tmp/$name" man-db > "$root.install.log" 2>&1 \
  || { tail -30 "$root.install.log"; exit 1; }
seconds=$(( $(date +%s) - start ))
out=$(chroot "$root" /usr/bin/cccd-read --simulated --skip-photo 2>&1) || { echo "$out" | tail -20; echo "deb install test: cccd-read failed" >&2; exit 1; }
head -1 <<< "$out" | grep -q "^VERDICT: GENUINE" || { echo "$out" | head -5; echo "deb install test: not GENUINE" >&2; exit 1; }
chroot "$root" /usr/bin/env MANPAGER=cat LANG=C.UTF-8 man cccd-read 2>/dev/null | grep -q "cccd-read" \
  || { echo "deb install test: man cccd-read shows nothing" >&2; exit 1; }
# The counter page from the package: the unit is installed, and the binary serves the page.
[ -f "$root/usr/lib/systemd/user/cccd-counter.service" ] || { echo "deb install test: no systemd user unit" >&2; exit 1; }
grep -q '^ExecStart=/usr/bin/cccd counter --listen 127.0.0.1:8080' "$root/usr/lib/systemd/user/cccd-counter.service" \
  || { echo "deb install test: the unit does not start the counter on loopback" >&2; exit 1; }
chroot "$root" /usr/bin/cccd counter --simulated --listen 127.0.0.1:0 > "$root.counter.log" 2>&1 &
counter=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$root.counter.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
page=""
if [ -n "$port" ]; then
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$port" >&3
  page=$(timeout 5 cat <&3 || true)
  exec 3<&-
fi
kill "$counter" 2>/dev/null; wait "$counter" 2>/dev/null || true
grep -q 'counter-token' <<< "$page" || { cat "$root.counter.log"; echo "deb install test: cccd counter did not serve its page" >&2; exit 1; }
rm -f "$root.log" "$root.install.log" "$root.counter.log"
echo "deb install test: $(du -h "$deb" | cut -f1) package, installed with its dependencies in $seconds s; cccd-read --simulated: GENUINE; man cccd-read: ok; cccd counter: page served, user unit installed"
