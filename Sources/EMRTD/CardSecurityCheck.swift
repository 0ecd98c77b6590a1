import AccessControl
import EMRTDCore
import LDS
import PassiveAuthentication

// EF.ATR/INFO and EF.CardSecurity in a read, and the PACE-CAM check against the Chip
// Authentication key of EF.CardSecurity (ICAO 9303-11 4.4.3.5.2), with DG14 only where the read
// has no EF.CardSecurity.

extension DocumentReader {
    /// EF.ATR/INFO, in plain before access control: when the chip has it, its limits size every
    /// later READ BINARY (``EMRTDSession/apply(atrInfo:)``), and a note says how. Like EF.CardAccess,
    /// whatever goes wrong is the file's outcome: a card that is gone fails the next command.
    static func readATRInfo(_ session: EMRTDSession, into result: inout ReadResult) {
        do {
            let bytes = try session.readATRInfo()
            result.files[.atrInfo] = bytes
            result.outcomes.append((.atrInfo, .read))
            do {
                result.accessNotes.append(session.apply(atrInfo: try ATRInfo(bytes)))
            } catch {
                result.accessNotes.append("EF.ATR/INFO is malformed (\(error.message)): its limits are not used")
            }
        } catch {
            result.outcomes.append((.atrInfo, outcome(for: error)))
        }
    }

    /// EF.CardSecurity as the session read it after PACE-CAM (``EMRTDSession/cardSecurity``). A
    /// chip without it (6A82) is normal; a refusal or a broken read is that file's outcome.
    static func recordCardSecurity(_ session: EMRTDSession, into result: inout ReadResult) {
        switch session.cardSecurity {
        case nil:
            return
        case .success(let bytes)?:
            result.files[.cardSecurity] = bytes
            result.outcomes.append((.cardSecurity, .read))
        case .failure(let error)?:
            result.outcomes.append((.cardSecurity, outcome(for: error)))
        }
    }

    /// PACE-CAM (ICAO 9303-11 4.4.3.5.2): the reader checks PK.Map.IC = CA.IC · PK.IC with PK.IC
    /// from EF.CardSecurity's SecurityInfos. DG14's key stands in only when the read has no
    /// EF.CardSecurity (absent, refused or broken), and the result says so.
    ///
    /// When both are present they must agree: every ChipAuthenticationPublicKeyInfo of DG14 must be
    /// in EF.CardSecurity with the same key ID and the same public key (EF.CardSecurity may list
    /// more). If not, the check fails whatever the chip proved against EF.CardSecurity's key: the
    /// issuer signed two different keys for one chip, so the document cannot be genuine.
    static func checkChipAuthenticationMapping(
        _ pace: PACE.Session, files: [LDSFile: [UInt8]], cardSecurityOutcome: FileOutcome?
    ) -> ChipAuthenticationMappingResult {
        let dg14Keys = files[.dg14].flatMap { try? DG14($0).securityInfos.chipAuthenticationPublicKeyInfos }
        guard let cardSecurity = files[.cardSecurity] else {
            let why = "EF.CardSecurity " + describe(cardSecurityOutcome)
            guard files[.dg14] != nil else {
                return .failed("\(why), and DG14, which also holds the chip's static key, was not read")
            }
            guard let keys = dg14Keys, !keys.isEmpty else {
                return .failed("\(why), and DG14 holds no Chip Authentication public key")
            }
            guard let proved = provedKey(pace, keys) else {
                return .failed("CA.IC · PK.IC does not equal PK.Map.IC for any key in DG14 (\(why)): the chip does not hold the key DG14 announces")
            }
            return .verified(keyOf: .dg14, how: "PACE-CAM with the Chip Authentication key of DG14\(keyName(proved)), as \(why)")
        }
        let keys: [ChipAuthenticationPublicKeyInfo]
        do {
            keys = try CardSecurityDocument(cardSecurity).securityInfos.chipAuthenticationPublicKeyInfos
        } catch {
            return .failed("EF.CardSecurity cannot be parsed (\(error.message)), so the chip's static key is unknown")
        }
        guard !keys.isEmpty else { return .failed("EF.CardSecurity holds no Chip Authentication public key") }
        let proved = provedKey(pace, keys)
        if let dg14Keys, let difference = disagreement(dg14: dg14Keys, cardSecurity: keys) {
            let chip = proved.map { "the chip proved EF.CardSecurity's key\(keyName($0))" } ?? "the chip proved none of EF.CardSecurity's keys"
            return .failed("DG14 and EF.CardSecurity disagree on the chip's Chip Authentication key: \(difference) (checked against EF.CardSecurity, \(chip))")
        }
        guard let proved else {
            return .failed("CA.IC · PK.IC does not equal PK.Map.IC for any key in EF.CardSecurity: the chip does not hold the key EF.CardSecurity announces")
        }
        return .verified(keyOf: .cardSecurity, how: "PACE-CAM with the Chip Authentication key of EF.CardSecurity\(keyName(proved))")
    }

    /// The first ECDH key for which PK.Map.IC = CA.IC · PK.IC holds.
    static func provedKey(_ pace: PACE.Session, _ keys: [ChipAuthenticationPublicKeyInfo]) -> ChipAuthenticationPublicKeyInfo? {
        keys.first { info in
            info.keyAgreement == .ecdh
                && (try? PACE.verifyChipAuthenticationMapping(pace, chipPublicKey: info.publicKey.publicKey)) == true
        }
    }

    /// How DG14's Chip Authentication keys differ from EF.CardSecurity's, or nil when each key of
    /// DG14 is in EF.CardSecurity under the same key ID.
    static func disagreement(dg14: [ChipAuthenticationPublicKeyInfo], cardSecurity: [ChipAuthenticationPublicKeyInfo]) -> String? {
        for key in dg14 {
            let sameID = cardSecurity.filter { $0.keyID == key.keyID }
            if sameID.contains(where: { $0.publicKey.publicKey == key.publicKey.publicKey }) { continue }
            let name = key.keyID.map { "key ID \($0)" } ?? "the key without a key ID"
            if sameID.isEmpty { return "DG14's \(name) is not in EF.CardSecurity" }
            return "for \(name) DG14 has \(fingerprint(key)), EF.CardSecurity has \(sameID.map(fingerprint).joined(separator: ", "))"
        }
        return nil
    }

    /// The start of a public key, enough to tell two apart in a message.
    static func fingerprint(_ info: ChipAuthenticationPublicKeyInfo) -> String {
        let bytes = info.publicKey.publicKey
        return bytes.prefix(9).hex + (bytes.count > 9 ? "…" : "")
    }

    static func keyName(_ info: ChipAuthenticationPublicKeyInfo) -> String {
        info.keyID.map { " (key ID \($0))" } ?? ""
    }

    /// What happened to a file, as the end of a sentence.
    static func describe(_ outcome: FileOutcome?) -> String {
        switch outcome {
        case .absent: "is not on the chip (6A82)"
        case .denied: "was refused by the chip"
        case .failed(let error): "could not be read (\(error.message))"
        case .read, .skipped, nil: "was not read"
        }
    }
}

extension DocumentVerification {
    /// A chip check that passed with the static key of `file` counts only once passive
    /// authentication has proved that file: EF.SOD passed with the data group matching, or
    /// EF.CardSecurity's own signature and chain passed.
    static func gate(
        proved how: String, keyOf file: LDSFile, _ passive: PassiveAuthenticationResult,
        cardSecurity: PassiveAuthenticationResult?
    ) -> CheckOutcome {
        if let n = file.dataGroupNumber {
            guard passive.status == .passed else {
                return CheckOutcome(.notRun, "\(how) succeeded, but it counts only after passive authentication passes (it is \(passive.status.rawValue))")
            }
            guard passive.dataGroups[n] == .match else {
                return CheckOutcome(.notRun, "\(how) succeeded, but DG\(n) is not covered by EF.SOD, so its key is not proven")
            }
            return CheckOutcome(.passed, how)
        }
        guard let cardSecurity, cardSecurity.status == .passed else {
            let status = cardSecurity?.status.rawValue ?? "not run"
            return CheckOutcome(.notRun, "\(how) succeeded, but it counts only after passive authentication of \(file.name) passes (it is \(status))")
        }
        return CheckOutcome(.passed, how)
    }
}
