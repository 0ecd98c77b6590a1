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




def mse(oid_hex, reference, parameter_id):
    """MSE:Set AT with DO'80' (protocol), DO'83' (password reference) and DO'84' (parameter ID)."""
    body = "80%02X%s" % (len(oid_hex) // 2, oid_hex) + "8301%02X" % reference + "8401%02X" % parameter_id
    return "0022C1A4%02X%s" % (len(body) // 2, body)


def pace_info(oid_hex, parameter_id):
    """PACEInfo ::= SEQUENCE { protocol OID, version INTEGER (2), parameterId INTEGER }"""
    body = "06%02X%s" % (len(oid_hex) // 2, oid_hex) + "020102" + "0201%02X" % parameter_id
    return "30%02X%s" % (len(body) // 2, body)


def pace_case(case_id, source, d, password, reference, ephemerals, transcript, expected):
    info = d.get("pace_info") or pace_info(d["protocol_oid_value_hex"], d["parameter_id"])
    return {"id": case_id, "kind": "pace", "source": source,
            "input": {"password": password, "paceInfo": info, "ephemerals": ephemerals,
                      "transcript": transcript},
            "expected": expected}


def icao_transcript(d, reference):
    steps = []
    for i, a in enumerate(d["apdus"]):
        command, response = a["command"], a["response"]
        if " " in response:
            # "9000 (mock; spec: 7C00 9000)": the chip's empty dynamic authentication data (IM, GA 2).
            response = "7C009000"
        if i == 0:
            command = mse(d["protocol_oid_value_hex"], reference, d["parameter_id"])
        if not (response.endswith("9000") and len(response) > 4) and response != "9000":
            response += "9000"  # quoted without the status word
        steps.append({"command": command, "response": response})
    return steps


def pace(base, out):
    mse_note = ("; MSE:Set AT sent with DO'84' (the parameter ID, as in the gmrtd transcript of G.1) and the "
                "password reference of the password used")
    cases = []
    g1 = load(base, "icao/icao9303_p11_appG1_pace_ecdh_gm_brainpoolP256r1.json")
    g2 = load(base, "icao/icao9303_p11_appG2_pace_dh_gm_modp1024_160.json")
    h1 = load(base, "icao/icao9303_p11_appH1_pace_ecdh_im_brainpoolP256r1.json")
    h2 = load(base, "icao/icao9303_p11_appH2_pace_dh_im_modp1024_160.json")
    ai = load(base, "icao/icao9303_p11_appI_pace_cam_ecdh_brainpoolP256r1.json")

    def mrz(d):
        m = d["mrz"]
        return {"type": "mrz", "documentNumber": m["document_number"], "dateOfBirth": m["date_of_birth"],
                "dateOfExpiry": m["date_of_expiry"]}

    for app, d, src in [("G.1", g1, "ICAO Doc 9303 Part 11, Appendix G.1 (PACE ECDH Generic Mapping)"),
                        ("G.2", g2, "ICAO Doc 9303 Part 11, Appendix G.2 (PACE DH Generic Mapping)")]:
        cases.append(pace_case(
            app + "-generic-mapping", src + "; values as quoted by " + "; ".join(d["_meta"]["sources"][:2]) + mse_note,
            d, mrz(d), 1, {"mappingPrivateKey": d["sk_map_ifd"], "agreementPrivateKey": d["sk_dh_ifd"]},
            icao_transcript(d, 1), {"ksEnc": d["ks_enc"], "ksMac": d["ks_mac"]}))
    for app, d, src in [("H.1", h1, "ICAO Doc 9303 Part 11, Appendix H.1 (PACE ECDH Integrated Mapping)"),
                        ("H.2", h2, "ICAO Doc 9303 Part 11, Appendix H.2 (PACE DH Integrated Mapping)")]:
        cases.append(pace_case(
            app + "-integrated-mapping",
            src + "; values as quoted by " + "; ".join(d["_meta"]["sources"][:2]) + mse_note +
            "; the password is the 6-digit value 123456 that K_pi is derived from, sent as a CAN",
            d, {"type": "can", "value": "123456"}, 2,
            {"nonceT": d["nonce_t"], "agreementPrivateKey": d["sk_dh_ifd"]},
            icao_transcript(d, 2), {"ksEnc": d["ks_enc"], "ksMac": d["ks_mac"]}))
    cases.append(pace_case(
        "I-chip-authentication-mapping",
        "ICAO Doc 9303 Part 11, Appendix I (PACE-CAM, ECDH); values as quoted by " + "; ".join(ai["_meta"]["sources"][:2]) + mse_note,
        ai, mrz(ai), 1, {"mappingPrivateKey": ai["sk_map_ifd"], "agreementPrivateKey": ai["sk_dh_ifd"]},
        icao_transcript(ai, 1),
        {"ksEnc": ai["ks_enc"], "ksMac": ai["ks_mac"], "chipAuthenticationData": ai["chip_authentication_data_CA_ic"],
         "chipStaticPublicKey": ai["pk_ic_static"], "chipAuthenticationMapping": "verified"}))

    # BSI worked example: no APDU transcript is published, so the chip's answers are framed from
    # its published values and the terminal's commands from the terminal's published values.
    for name, param in [("ecdh", 13), ("dh", 0)]:
        b = load(base, "bsi-eac/bsi_eac_worked_example_%s.json" % name)
        oid = "04007F00070202040202" if name == "ecdh" else "04007F00070202040102"
        info = pace_info(oid, param)
        size = 65 if name == "ecdh" else 128

        def fix(h):  # public keys at their encoded size (the DH example prints one with a leading 00)
            v = bytes.fromhex(h)
            v = v[-size:] if len(v) > size else bytes(size - len(v)) + v
            return v.hex().upper()

        def tlv(tag, value):
            n = len(value) // 2
            length = "%02X" % n if n < 128 else ("81%02X" % n if n < 256 else "82%04X" % n)
            return tag + length + value

        def ga(cla, data):
            body = tlv("7C", data)
            return "%s860000%02X%s00" % (cla, len(body) // 2, body)

        transcript = [
            {"command": mse(oid, 3, param), "response": "9000"},
            {"command": ga("10", ""), "response": tlv("7C", tlv("80", b["nonce_enc"])) + "9000"},
            {"command": ga("10", tlv("81", fix(b["map_pcd_pub_key"]))), "response": tlv("7C", tlv("82", fix(b["map_picc_pub_key"]))) + "9000"},
            {"command": ga("10", tlv("83", fix(b["pcd_pub_key"]))), "response": tlv("7C", tlv("84", fix(b["picc_pub_key"]))) + "9000"},
            {"command": ga("00", tlv("85", b["authentication_token_pcd"])), "response": tlv("7C", tlv("86", b["authentication_token_picc"])) + "9000"},
        ]
        cases.append({
            "id": "BSI-" + name + "-generic-mapping-pin", "kind": "pace",
            "source": "BSI 'Worked Example for Extended Access Control' v1.01, PACE part (%s, PIN 123456); values as quoted by %s; APDUs framed from the published values"
                      % (name.upper(), "; ".join(b["_meta"]["sources"])),
            "input": {"password": {"type": "pin", "value": "123456"}, "paceInfo": info,
                      "ephemerals": {"mappingPrivateKey": b["map_pcd_priv_key"], "agreementPrivateKey": b["pcd_priv_key"]},
                      "transcript": transcript},
            "expected": {"ksEnc": b["k_enc"], "ksMac": b["k_mac"]}})

    write(out, "pace-worked-examples", {
        "suite": "pace-worked-examples",
        "title": "PACE: GM, IM and CAM over ECDH and DH through the real protocol code",
        "source": "ICAO Doc 9303 Part 11 Appendices G, H, I; BSI EAC worked example v1.01", "cases": cases})


if __name__ == "__main__":
    base, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    app_d(base, out)
    app_d4(base, out)
    aes_sm(base, out)
    mrz(out)
    pace(base, out)
