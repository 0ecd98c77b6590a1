#!/usr/bin/env python3
"""Turns the published vectors kept in ../shared/vectors into suites of the project's
vector-suite format (TestVectors/README.md). Run once when vectors are added; the output is
committed, so tests never read ../shared at run time.

usage: scripts/import-vectors.py SHARED_VECTORS_DIR OUTPUT_DIR
"""
import json
import os
import sys

SCHEMA = "cccd-toolkit/vector-suite/v1"


def load(base, path):
    with open(os.path.join(base, path)) as f:
        return json.load(f)


def write(out, name, suite):
    suite = {"schema": SCHEMA, **suite}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(suite, f, indent=2, ensure_ascii=False)
        f.write("\n")


def app_d(base, out):
    d = load(base, "icao/icao9303_p11_appD_bac.json")
    src = "ICAO Doc 9303 Part 11, Appendix D (worked example: Basic Access Control)"
    quoted = "; values as quoted by " + "; ".join(d["_meta"]["sources"])
    m = d["mrz"]
    long = d["additional_long_document_number_example"]
    cases = [
        {"id": "D.2-check-digit-document-number", "kind": "mrz-check-digit", "source": src + " D.2",
         "input": {"field": m["document_number"]}, "expected": {"checkDigit": m["document_number_check_digit"]}},
        {"id": "D.2-check-digit-birth", "kind": "mrz-check-digit", "source": src + " D.2",
         "input": {"field": m["date_of_birth"]}, "expected": {"checkDigit": m["date_of_birth_check_digit"]}},
        {"id": "D.2-check-digit-expiry", "kind": "mrz-check-digit", "source": src + " D.2",
         "input": {"field": m["date_of_expiry"]}, "expected": {"checkDigit": m["date_of_expiry_check_digit"]}},
        {"id": "D.2-keys", "kind": "bac-keys", "source": src + " D.1-D.2" + quoted,
         "input": {"documentNumber": m["document_number"].rstrip("<"), "dateOfBirth": m["date_of_birth"],
                   "dateOfExpiry": m["date_of_expiry"]},
         "expected": {"mrzInformation": d["mrz_information_ascii"], "kSeed": d["k_seed"],
                      "kEnc": d["k_enc"], "kMac": d["k_mac"]}},
        {"id": "D.3-session-key-enc", "kind": "kdf", "source": src + " D.3",
         "input": {"secret": d["k_seed_session"], "purpose": "enc", "cipher": "3DES"},
         "expected": {"key": d["ks_enc"]}},
        {"id": "D.3-session-key-mac", "kind": "kdf", "source": src + " D.3",
         "input": {"secret": d["k_seed_session"], "purpose": "mac", "cipher": "3DES"},
         "expected": {"key": d["ks_mac"]}},
        {"id": "D.3-mutual-authentication", "kind": "bac-mutual-authentication",
         "source": src + " D.3; APDU framing as in gmrtd bac/bac_test.go",
         "input": {"documentNumber": m["document_number"].rstrip("<"), "dateOfBirth": m["date_of_birth"],
                   "dateOfExpiry": m["date_of_expiry"], "rndIFD": d["rnd_ifd"], "kIFD": d["k_ifd"],
                   "transcript": [
                       {"command": d["get_challenge_command"], "response": d["get_challenge_response_apdu"]},
                       {"command": d["external_authenticate_command_apdu"],
                        "response": d["external_authenticate_response_apdu"]}]},
         "expected": {"ksEnc": d["ks_enc"], "ksMac": d["ks_mac"], "ssc": d["ssc"]}},
        {"id": "D.2-long-document-number", "kind": "mrz-parse",
         "source": "ICAO Doc 9303 Part 11 App. D.2 long document number example, as quoted by ZeroPass/dmrtd test/bac_test.dart",
         "input": {"mrz": "\n".join(long["mrz_td1_lines"][i:i + 30] for i in (0, 30, 60))},
         "expected": {"documentNumber": "D23145890734", "keySeedInput": long["mrz_information_ascii"]}},
        {"id": "D.2-long-document-number-key-seed", "kind": "bac-keys",
         "source": "ICAO Doc 9303 Part 11 App. D.2, as quoted by ZeroPass/dmrtd test/bac_test.dart",
         "input": {"mrz": "\n".join(long["mrz_td1_lines"][i:i + 30] for i in (0, 30, 60))},
         "expected": {"kSeed": long["k_seed"]}},
    ]
    write(out, "icao-9303-p11-appD-bac", {
        "suite": "icao-9303-p11-appD-bac", "title": "BAC worked example: key derivation, mutual authentication",
        "source": src, "cases": cases})


def app_d4(base, out):
    d = load(base, "icao/icao9303_p11_appD4_secure_messaging_3des.json")
    src = "ICAO Doc 9303 Part 11, Appendix D.4 (worked example: secure messaging)"
    steps = [{"name": s["name"], "command": s["unprotected_command"], "protectedCommand": s["protected_command"],
              "protectedResponse": s["protected_response"], "response": s["unprotected_response"]}
             for s in d["steps"]]
    write(out, "icao-9303-p11-appD4-sm", {
        "suite": "icao-9303-p11-appD4-sm", "title": "3DES secure messaging: SELECT and READ BINARY of EF.COM",
        "source": src, "cases": [
            {"id": "D.4-transcript", "kind": "sm-transcript",
             "source": src + "; values as quoted by " + "; ".join(d["_meta"]["sources"]),
             "input": {"algorithm": "3DES", "ksEnc": d["ks_enc"], "ksMac": d["ks_mac"], "ssc": d["ssc_initial"]},
             "expected": {"steps": steps}}]})

    x = load(base, "icao/sm_3des_extra_nfcpassportreader.json")
    xs = "; ".join(x["_meta"]["sources"]) + " (a real BAC session, not a specification example)"
    s = x["steps"]
    write(out, "sm-3des-real-session", {
        "suite": "sm-3des-real-session", "title": "3DES secure messaging from a real BAC session",
        "source": xs, "cases": [
            {"id": "select-dg1-protect", "kind": "sm-transcript", "source": xs,
             "input": {"algorithm": "3DES", "ksEnc": x["ks_enc"], "ksMac": x["ks_mac"], "ssc": s[0]["ssc_before"]},
             "expected": {"steps": [{"name": s[0]["name"], "command": s[0]["plain_command"] + "",
                                     "protectedCommand": s[0]["protected_command"]}]}},
            {"id": "unprotect-no-data", "kind": "sm-transcript", "source": xs,
             "input": {"algorithm": "3DES", "ksEnc": x["ks_enc"], "ksMac": x["ks_mac"], "ssc": s[1]["ssc_before"]},
             "expected": {"steps": [{"name": s[1]["name"], "protectedResponse": s[1]["protected_response"],
                                     "response": s[1]["plain"]}]}},
            {"id": "unprotect-with-data", "kind": "sm-transcript", "source": xs,
             "input": {"algorithm": "3DES", "ksEnc": x["ks_enc"], "ksMac": x["ks_mac"], "ssc": s[2]["ssc_before"]},
             "expected": {"steps": [{"name": s[2]["name"], "protectedResponse": s[2]["protected_response"],
                                     "response": s[2]["plain"]}]}},
        ]})


def aes_sm(base, out):
    d = load(base, "aes-sm/aes_sm_vectors.json")
    cases = []
    for v in d["gmrtd_real_card_unit_vectors"]:
        src = v["source"] + " (values from a real document session, not a specification example)"
        step = {"name": v["name"]}
        if "plain_command" in v:
            step.update({"command": v["plain_command"], "protectedCommand": v["protected_command"]})
        elif "protected_response" in v:
            step.update({"protectedResponse": v["protected_response"],
                         "response": v["plain_response_data"] + v["sw"]})
        else:
            continue
        cases.append({"id": v["name"].split(" (")[0].replace(" ", "-").lower(), "kind": "sm-transcript",
                      "source": src,
                      "input": {"algorithm": "AES", "ksEnc": v["ks_enc"], "ksMac": v["ks_mac"],
                                "ssc": v["ssc_before"]},
                      "expected": {"steps": [step]}})
    write(out, "sm-aes-real-sessions", {
        "suite": "sm-aes-real-sessions", "title": "AES secure messaging from real document sessions",
        "source": "gmrtd/gmrtd iso7816/secure_messaging_test.go", "cases": cases})


def mrz(out):
    icao4 = "ICAO Doc 9303 Part 4 (8th ed.), Appendix A specimen TD3 (UTOPIA, ERIKSSON ANNA MARIA)"
    td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    cases = [
        {"id": "td3-specimen", "kind": "mrz-parse", "source": icao4, "input": {"mrz": td3},
         "expected": {"documentNumber": "L898902C3", "dateOfBirth": "740812", "dateOfExpiry": "120415",
                      "keySeedInput": "L898902C3674081221204159"}},
        {"id": "td3-specimen-bad-birth-check-digit", "kind": "mrz-parse", "source": icao4 + ", birth check digit altered",
         "input": {"mrz": td3.replace("7408122F", "7408123F")}, "expected": {"error": "mrz.check-digit"}},
        {"id": "check-digit-letters", "kind": "mrz-check-digit", "source": "ICAO Doc 9303 Part 3 section 4.9 (A=10 ... Z=35, < = 0)",
         "input": {"field": "ZE184226B<<<<<"}, "expected": {"checkDigit": "1"}},
    ]
    write(out, "icao-9303-mrz", {
        "suite": "icao-9303-mrz", "title": "MRZ check digits and parsing",
        "source": "ICAO Doc 9303 Parts 3 and 4", "cases": cases})


if __name__ == "__main__":
    base, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    app_d(base, out)
    app_d4(base, out)
    aes_sm(base, out)
    mrz(out)
