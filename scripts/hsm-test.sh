#!/usr/bin/env bash
# Signing keys in an HSM, with SoftHSM2 from Debian's packages (a token in a folder of this test,
# through SOFTHSM2_CONF): `cccd pki init --pkcs11` generates the DSC key in the token and writes only
# the certificate; `cccd perso --signer` signs EF.SOD there; the card reads GENUINE; a wrong PIN is a
# clear error; the key is sensitive and not extractable (`cccd pki check`); and no file of the test
# holds the DSC's private key (every private key found is compared with dsc.pem's public key).
#
#   scripts/hsm-test.sh      (root installs softhsm2 and libp11-kit-dev when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for p in softhsm2 libp11-kit-dev openssl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  [ "$(id -u)" -eq 0 ] || { echo "hsm test: needs ${missing[*]} (root installs them)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
swift build --product cccd >/dev/null && swift build --product cccd-read >/dev/null
bin="$(swift build --show-bin-path)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
softhsm2-util --init-token --free --label cccd-dsc --pin 246810 --so-pin 13579111 >/dev/null
printf '246810\n' > "$work/pin"
chmod 600 "$work/pin"
uri="pkcs11:token=cccd-dsc;object=dsc-2026?module-path=/usr/lib/softhsm/libsofthsm2.so"
fail() { echo "hsm test: $*" >&2; exit 1; }

"$bin/cccd" pki init --out "$work/pki" --pkcs11 "$uri" --pin-file "$work/pin"
[ -f "$work/pki/dsc.pem" ] && [ ! -e "$work/pki/dsc.key" ] || fail "pki init --pkcs11 wrote a DSC key file, or no DSC certificate"
# The PIN on standard input works as well as a file.
"$bin/cccd" pki check --signer "$uri" < "$work/pin" | tee "$work/check.txt"
grep -q "sensitive: yes; extractable: no; reading its value: CKR_ATTRIBUTE_SENSITIVE" "$work/check.txt" || fail "the key is not protected"

"$bin/cccd" perso --example-record > "$work/record.json"
"$bin/cccd-read" --simulated --photo "$work/face.jpg" >/dev/null
"$bin/cccd" perso --record "$work/record.json" --photo "$work/face.jpg" --pki "$work/pki" --signer "$uri" --pin-file "$work/pin" --out "$work/card"
out=$("$bin/cccd-read" --simulated "$work/card" --trust "$work/pki/csca.pem")
head -1 <<< "$out" | grep -q '^VERDICT: GENUINE' || { echo "$out" | head -12; fail "the HSM-signed card is not GENUINE"; }
echo "hsm test: card signed in the token reads $(head -1 <<< "$out" | cut -c1-16)"

# A wrong PIN: a clear error and a non-zero exit.
printf '000000\n' > "$work/wrong"
if "$bin/cccd" perso --record "$work/record.json" --photo "$work/face.jpg" --pki "$work/pki" --signer "$uri" --pin-file "$work/wrong" --out "$work/card2" 2> "$work/wrong.txt"; then
  fail "a wrong PIN was accepted"
fi
grep -q 'pkcs11.pin-incorrect' "$work/wrong.txt" || { cat "$work/wrong.txt"; fail "a wrong PIN did not say so"; }
echo "hsm test: wrong PIN: $(cat "$work/wrong.txt")"
# A PIN on the command line is refused by design.
if "$bin/cccd" pki check --signer "pkcs11:token=cccd-dsc;object=dsc-2026;pin-value=246810" < /dev/null 2> "$work/pinvalue.txt"; then
  fail "pin-value in the URI was accepted"
fi
grep -q 'pkcs11.uri' "$work/pinvalue.txt" || fail "pin-value refused without its code"

# No file of the test holds the DSC's private key.
dsc_pub=$(openssl x509 -in "$work/pki/dsc.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)
checked=0
while IFS= read -r file; do
  python3 - "$file" "$work/keys" <<'PY'
import json, os, re, sys
text = open(sys.argv[1], errors="ignore").read()
os.makedirs(sys.argv[2], exist_ok=True)
for i, block in enumerate(re.findall(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", text.replace("\\n", "\n"), re.S)):
    open(os.path.join(sys.argv[2], "%s-%d.pem" % (os.path.basename(sys.argv[1]), i)), "w").write(block + "\n")
PY
done < <(grep -rlE 'PRIVATE KEY' "$work" --exclude-dir=keys --exclude-dir=tokens || true)
for key in "$work"/keys/*.pem; do
  [ -e "$key" ] || continue
  pub=$(openssl pkey -in "$key" -pubout -outform DER 2>/dev/null | sha256sum | cut -c1-64)
  [ "$pub" != "$dsc_pub" ] || fail "$key holds the DSC's private key"
  checked=$((checked + 1))
done
echo "hsm test: $checked private keys found in the test's files (CSCA, the cards' chip keys), none is the DSC's"
echo "hsm test passed"
