import ISO7816
import LDS

/// The master file's access rules (ICAO Doc 9303-10, files of the master file): EF.CardAccess and EF.ATR/INFO
/// are readable by anyone, before access control; EF.CardSecurity only after PACE. Its FID 011D and
/// SFI 1D are EF.SOD's in the application: ``VirtualChip`` serves it only while the master file is
/// the current DF (before the application is selected, or after SELECT MF).
extension VirtualChip {
    /// The status word refusing a read of `file`, a file of the master file, or nil when it may be read.
    func masterFileAccess(_ file: LDSFile) -> StatusWord? {
        guard file == .cardSecurity else { return nil }
        let open = !limits.requireAccessControl || personalization != nil || defects.contains(.noAccessControl)
        return accessByPACE || open ? nil : .securityStatusNotSatisfied
    }
}
