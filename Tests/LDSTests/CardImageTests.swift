import EMRTDCore
import Foundation
import LDS
import Testing

@Suite struct CardImageTests {
    func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "lds-image-\(UUID().uuidString)"
        return path
    }

    @Test func writeAndLoad() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dg13 = try Vectors.hexFile("dg13-synthetic.hex")
        let image = CardImage(
            files: [.com: EFCOM(dataGroups: [.dg1, .dg13]).raw, .dg13: dg13, .cardAccess: SecurityInfosTests.cccdCardAccess],
            settings: CardSettings(
                mrz: "IDVNM0900123450001090012345<<1\n9001158M3001156VNM<<<<<<<<<<<8\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<",
                can: "012345", chip: ChipLimits(extendedLength: true, maxResponseLength: 223)))
        try image.write(to: dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["DG13", "EF.COM", "EF.CardAccess", "card.json"])
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/card.json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let dataAttributes = try FileManager.default.attributesOfItem(atPath: dir + "/DG13")
        #expect((dataAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let loaded = try CardImage.load(from: dir)
        #expect(loaded == image)
        #expect(loaded.files[.dg13] == dg13)
        #expect(loaded.settings.chip.maxResponseLength == 223)
        #expect(loaded.settings.chip.extendedLength)
        #expect(loaded.settings.mrz?.split(separator: "\n").count == 3)

        // Writing a smaller image removes the files it no longer holds.
        var smaller = image
        smaller.files[.dg13] = nil
        try smaller.write(to: dir)
        #expect(try CardImage.load(from: dir).files.keys.contains(.dg13) == false)
        #expect(try CardImage.load(from: dir + "/") == smaller)
    }

    @Test func missingSettingsAndUnknownFiles() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/DG1", contents: Data([0x61, 0x00])))
        #expect(FileManager.default.createFile(atPath: dir + "/notes.txt", contents: Data("hello".utf8)))
        #expect(FileManager.default.createFile(atPath: dir + "/DG17", contents: Data([0])))
        let image = try CardImage.load(from: dir)
        #expect(image.files == [.dg1: [0x61, 0x00]])
        #expect(image.settings == CardSettings())
        #expect(image.settings.chip.maxResponseLength == 231)
    }

    @Test func fileTooLarge() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/DG2", contents: Data(count: CardImage.maximumFileSize)))
        #expect(try CardImage.load(from: dir).files[.dg2]?.count == CardImage.maximumFileSize)
        #expect(FileManager.default.createFile(atPath: dir + "/DG2", contents: Data(count: CardImage.maximumFileSize + 1)))
        #expect(code { try CardImage.load(from: dir) } == .imageFileTooLarge)
        let big = CardImage(files: [.dg2: Array(repeating: 0, count: CardImage.maximumFileSize + 1)])
        #expect(code { try big.write(to: dir) } == .imageFileTooLarge)
    }

    @Test func missingDirectory() {
        #expect(code { try CardImage.load(from: "/nonexistent/lds-image") } == .io)
    }

    @Test func settingsDefaultsForMissingKeys() throws {
        let s = try CardSettings.decode(json: Array(#"{"can": "123456", "chip": {"oddInsRead": false}}"#.utf8))
        #expect(s.can == "123456")
        #expect(s.mrz == nil)
        #expect(s.chip == ChipLimits(oddInsRead: false))
        #expect(try CardSettings.decode(json: Array("{}".utf8)) == CardSettings())
        // Unknown keys are ignored.
        #expect(try CardSettings.decode(json: Array(#"{"future": 1}"#.utf8)) == CardSettings())
    }

    @Test func settingsRoundTrip() throws {
        let s = CardSettings(mrz: "A\nB", can: "000001", chip: ChipLimits(
            extendedLength: true, maxResponseLength: 65_536, shortFileIDs: false, oddInsRead: false,
            requireAccessControl: false))
        #expect(try CardSettings.decode(json: s.encodedJSON()) == s)
        let text = String(decoding: s.encodedJSON(), as: UTF8.self)
        #expect(text.contains("\"maxResponseLength\" : 65536"))
    }

    @Test func settingsWrongTypes() throws {
        func message(_ json: String) -> String? {
            do {
                _ = try CardSettings.decode(json: Array(json.utf8))
                return nil
            } catch {
                #expect(error.code == .imageInvalidSettings)
                return error.message
            }
        }
        #expect(message(#"{"chip": {"maxResponseLength": "big"}}"#)?.contains("chip.maxResponseLength") == true)
        #expect(message(#"{"chip": {"maxResponseLength": "big"}}"#)?.contains("an integer") == true)
        #expect(message(#"{"chip": {"extendedLength": 1}}"#)?.contains("chip.extendedLength") == true)
        #expect(message(#"{"can": 123456}"#)?.contains("'can' must be a string") == true)
        #expect(message(#"{"chip": []}"#)?.contains("chip") == true)
        #expect(message(#"{"chip": {"maxResponseLength": 0}}"#)?.contains("between 1 and 65536") == true)
        #expect(message("not json") != nil)
        #expect(message("[]") != nil)
    }

    @Test func invalidSettingsFileFailsLoad() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/card.json", contents: Data(#"{"can": false}"#.utf8)))
        #expect(code { try CardImage.load(from: dir) } == .imageInvalidSettings)
    }
}
