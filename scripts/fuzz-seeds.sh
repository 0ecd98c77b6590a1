#!/usr/bin/env bash
# Writes seed inputs for every fuzz target into DIR/<target>/ (see Sources/FuzzTargets): real inputs
# from TestVectors and the specimen card, plus a few hand-made ones for the byte-level targets.
# Usage: scripts/fuzz-seeds.sh DIR [CCCD_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$1"
cccd="${2:-}"
seed() { # target file...
  local target="$1"; shift
  mkdir -p "$dir/$target"
  for f in "$@"; do
    [ -e "$f" ] || continue
    cp "$f" "$dir/$target/seed-$(echo "$f" | tr '/ ' '__')"
  done
}
hexseed() { # target name hex
  mkdir -p "$dir/$1"
  echo "$3" | xxd -r -p > "$dir/$1/seed-$2"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$cccd" ]; then
  swift build --product cccd >/dev/null 2>&1 && cccd="$(swift build --show-bin-path)/cccd" || true
fi
if [ -n "$cccd" ] && "$cccd" specimen --out "$tmp/specimen" >/dev/null 2>&1; then
  s="$tmp/specimen"
  seed ef-com "$s/EF.COM"; seed dg1 "$s/DG1"; seed dg2 "$s/DG2"; seed dg13 "$s/DG13"
  seed dg14 "$s/DG14" "$s/EF.CardAccess"; seed dg15 "$s/DG15"; seed sod "$s/EF.SOD"
  seed ber-tlv "$s/DG13" "$s/EF.COM" "$s/DG14"; seed card-json "$s/card.json"
  "$cccd" perso --example-record > "$tmp/record.json" 2>/dev/null && seed citizen-record "$tmp/record.json"
  # EF.ATR/INFO of the extended-length variant, EF.CardSecurity of the PACE-CAM one.
  "$cccd" specimen --out "$tmp/extended" --extended-length >/dev/null 2>&1 && seed atr-info "$tmp/extended/EF.ATR"
  "$cccd" specimen --out "$tmp/cam" --pace-cam >/dev/null 2>&1 && seed card-security "$tmp/cam/EF.CardSecurity"
else
  echo "warning: no specimen seeds (cccd did not build)" >&2
fi
seed ef-com TestVectors/lds/*EF_COM.bin TestVectors/pa/*/EF_COM.bin
seed dg1 TestVectors/lds/*Datagroup1.bin TestVectors/lds/*DG1.bin TestVectors/pa/*/Datagroup1.bin TestVectors/pa/*/DG1.bin
seed dg2 TestVectors/pa/jmrtd_bsi2008/Datagroup2.bin
seed dg14 TestVectors/lds/*14.bin TestVectors/lds/*CardAccess.bin TestVectors/pa/*/Datagroup14.bin TestVectors/pa/*/DG14.bin
seed dg15 TestVectors/lds/*15.bin TestVectors/pa/*/Datagroup15.bin TestVectors/pa/*/DG15.bin
seed sod TestVectors/pa/*/EF_SOD.bin
seed card-security TestVectors/pa/bsi-eac/*cardsecurity*.bin
seed certificate TestVectors/x509/*.cer TestVectors/pki/csca.pem TestVectors/pki/dsc.pem TestVectors/pa/*/*.cer
seed crl TestVectors/x509/*.crl TestVectors/pki/crl.pem
seed master-list TestVectors/x509/*.mls
seed ber-tlv TestVectors/lds/*.bin
seed dg11 TestVectors/pa/jmrtd_bsi2008/Datagroup3.bin
seed dg12 TestVectors/pa/jmrtd_bsi2008/Datagroup4.bin
if [ -f TestVectors/lds/dg13-synthetic.hex ]; then
  xxd -r -p TestVectors/lds/dg13-synthetic.hex > "$tmp/dg13.bin" && seed dg13 "$tmp/dg13.bin"
fi
# DG11/DG12: tag list 5C and a few text fields.
hexseed dg11 names 6B1A5C045F0E5F2B5F0E0A4E475559454E3C3C414E5F2B083139393530333134
hexseed dg12 issuer 6C165C045F195F265F190A43414E4820434F4E475F2608323032303031303
printf 'IDVNM1950012347079195001234<<7\n9503146F3503144VNM<<<<<<<<<<<8\nTRAN<<THI<NGOC<ANH<<<<<<<<<<<<' > "$tmp/mrz"
printf 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10' > "$tmp/mrz3"
seed mrz "$tmp/mrz" "$tmp/mrz3"
# APDUs: SELECT by DF name (case 3), READ BINARY (case 2 short and extended), a response.
hexseed apdu select 00A4040C07A0000002471001
hexseed apdu read 00B0000000
hexseed apdu read-extended 00B00000000100
hexseed apdu response 6A829000
# EF.ATR/INFO of a real card (card service data, card capabilities, 7F66 with 1520-byte limits), and
# the same with padding and a 3-byte INTEGER.
hexseed atr-info card 4301F84703F741E07F6608020205F0020205F0
hexseed atr-info padded 00FF7F660902020100020301000000FF
# Secure messaging: byte 0 picks 3DES/AES (bit 0) and the mode (bits 1-2: response unprotect,
# command unprotect, round trip); the rest is the APDU.
hexseed sm-unwrap response-aes "01 870901A1A2A3A4A5A6A7A8 99029000 8E080102030405060708 9000"
hexseed sm-unwrap command-3des "02 0CB00000 0D 970100 8E080102030405060708 00"
hexseed sm-unwrap roundtrip 05414243449000
# vpcd: power on, get ATR, SELECT the application, SELECT EF.CardAccess, READ BINARY, GET CHALLENGE,
# MSE:Set AT for PACE, GENERAL AUTHENTICATE step 1.
hexseed vpcd-framing session "000101 000104 000C 00A4040C07A0000002471001 0007 00A4020C02011C 0005 00B0000000 0005 0084000008 0014 0022C1A40F800A04007F00070202040202830101 0008 10860000027C0000"
echo "seeds: $(find "$dir" -type f | wc -l) files for $(ls "$dir" | wc -l) targets"
