#!/usr/bin/env bash
# Builds the package for counter PCs: build/cccd-toolkit_<version>_amd64.deb with cccd-read and cccd
# (release builds, the Swift runtime linked statically), their man pages (ArgumentParser's
# generate-manual plugin), bash/zsh/fish completions, a systemd user unit for the counter page
# (`systemctl --user enable --now cccd-counter`), and dependencies on pcscd, libpcsclite1, libssl3
# and libsqlite3-0. The project's test CSCA is not installed: nothing is trusted by default; the
# counter trusts what the operator puts in /etc/cccd/trust/ (CSCA certificates, master lists, CRLs).
#
#   scripts/package-deb.sh [VERSION]      (default: 0.<commits>.0 from git)
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-0.$(git rev-list --count HEAD 2>/dev/null || echo 0).0}"
arch=amd64
out=build
root="$out/deb-root"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/doc/cccd-toolkit" \
  "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d" \
  "$root/usr/lib/systemd/user" "$root/etc/cccd/trust"

echo "package-deb: release build (static Swift runtime)"
for product in cccd-read cccd; do
  swift build -c release --static-swift-stdlib --product "$product" --scratch-path .build-release 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' | tail -2
done
bin=".build-release/release"
install -m 0755 -s "$bin/cccd-read" "$bin/cccd" "$root/usr/bin/"
# The Swift runtime is linked in: only system libraries may be left to load.
for tool in cccd-read cccd; do
  needed=$(readelf -d "$root/usr/bin/$tool" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
  if grep -q 'swift\|Foundation\|dispatch' <<< "$needed"; then
    echo "package-deb: $tool still loads the Swift runtime dynamically: $needed" >&2; exit 1
  fi
done

echo "package-deb: man pages and completions"
rm -rf "$out/man" && mkdir -p "$out/man"
# (In a scratch path of its own: the plugin builds the tools again, without the static runtime.)
swift package --scratch-path .build-manual --allow-writing-to-package-directory generate-manual \
  --output-directory "$PWD/$out/man" 2>&1 | grep -E '^(Generat|error)' || true
found=0
for page in "$out/man"/cccd-read.1 "$out/man"/cccd.1; do
  [ -f "$page" ] || continue
  gzip -9n -c "$page" > "$root/usr/share/man/man1/$(basename "$page").gz"; found=1
done
[ "$found" = 1 ] || { echo "package-deb: no man page was generated" >&2; exit 1; }
for tool in cccd-read cccd; do
  "$bin/$tool" --generate-completion-script bash > "$root/usr/share/bash-completion/completions/$tool"
  "$bin/$tool" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_$tool"
  "$bin/$tool" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/$tool.fish"
done
cp README.md "$root/usr/share/doc/cccd-toolkit/README.md"
# The counter page for the clerk's session: loopback only, the trust the operator installed, the
# session's language (LANG). It writes nothing: a holder's data never reaches the disk.
cat > "$root/usr/lib/systemd/user/cccd-counter.service" <<'UNIT'
[Unit]
Description=CCCD service counter page (cccd counter) on http://127.0.0.1:8080/
Documentation=man:cccd(1)

[Service]
Type=simple
ExecStart=/usr/bin/cccd counter --listen 127.0.0.1:8080 --trust /etc/cccd/trust
Restart=on-failure
RestartSec=2
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only

[Install]
WantedBy=default.target
UNIT
cat > "$root/etc/cccd/README" <<'TRUST'
Put the CSCA certificates (PEM or DER), ICAO master lists and CRLs that `cccd counter` trusts in
/etc/cccd/trust/ (the systemd user unit cccd-counter reads that folder).
Nothing is trusted by default: without a CSCA, cards read as UNVERIFIED.
TRUST
echo "/etc/cccd/README" > "$root/DEBIAN/conffiles"
cat > "$root/usr/share/doc/cccd-toolkit/copyright" <<COPYRIGHT
cccd-toolkit: read, verify and personalize eMRTD chips and Vietnam's CCCD.
Built with the Swift runtime, apple/swift-asn1, apple/swift-argument-parser, hummingbird-project/hummingbird,
apple/swift-nio, apple/swift-log and their dependencies (Apache-2.0) linked in.
COPYRIGHT

size=$(du -sk "$root/usr" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: cccd-toolkit
Version: $version
Architecture: $arch
Maintainer: cccd-toolkit <cccd-toolkit@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.36), libssl3 (>= 3.0), libpcsclite1 (>= 1.9), libsqlite3-0, libpq5, libstdc++6, zlib1g
Recommends: pcscd
Section: utils
Priority: optional
Description: read and verify Vietnam's chip ID cards (CCCD) and ICAO 9303 eMRTDs
 cccd-read reads a card in a PC/SC reader (PACE or BAC, secure messaging),
 verifies it from the chip to the CSCA (passive, chip and active
 authentication) and prints the verdict first, in Vietnamese or English.
 cccd is the toolkit: personalization, card images, a virtual chip, test
 benches and vector suites. cccd counter serves the counter's web page
 (systemd user unit cccd-counter). No CSCA is trusted by default.
CONTROL
mkdir -p "$out"
deb="$out/cccd-toolkit_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "package-deb: $deb ($(du -h "$deb" | cut -f1))"
