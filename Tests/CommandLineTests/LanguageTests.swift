import Foundation
import Messages
import Testing

@Suite("What a person reads, in Vietnamese or English")
struct LanguageTests {
    @Test("Both catalogues have every key, with the same placeholders")
    func catalogues() {
        let english = Messages.catalogue(.english), vietnamese = Messages.catalogue(.vietnamese)
        for key in MessageKey.allCases {
            let en = english[key], vi = vietnamese[key]
            #expect(en != nil, "English lacks \(key.rawValue)")
            #expect(vi != nil, "Vietnamese lacks \(key.rawValue)")
            func placeholders(_ s: String?) -> [String] {
                (1...9).map { "{\($0)}" }.filter { s?.contains($0) == true }
            }
            #expect(placeholders(en) == placeholders(vi), "\(key.rawValue): placeholders differ")
        }
        #expect(english.count == MessageKey.allCases.count && vietnamese.count == MessageKey.allCases.count)
    }

    @Test("The language comes from LC_ALL, then LC_MESSAGES, then LANG")
    func environment() {
        #expect(Language.fromEnvironment(["LANG": "vi_VN.UTF-8"]) == .vietnamese)
        #expect(Language.fromEnvironment(["LANG": "en_US.UTF-8"]) == .english)
        #expect(Language.fromEnvironment(["LC_ALL": "C", "LANG": "vi_VN.UTF-8"]) == .english)
        #expect(Language.fromEnvironment(["LC_MESSAGES": "vi_VN", "LANG": "en_US.UTF-8"]) == .vietnamese)
        #expect(Language.fromEnvironment([:]) == .english)
    }

    @Test("cccd-read --help in Vietnamese when the locale says so, from the catalogue; English otherwise")
    func help() throws {
        let vi = try run("cccd-read", ["--help"], environment: ["LANG": "vi_VN.UTF-8", "LC_ALL": ""])
        #expect(vi.stdout.hasPrefix("OVERVIEW: Đọc chip CCCD"), "\(vi.stdout.prefix(200))")
        // ArgumentParser wraps lines: compare with the whitespace collapsed.
        let words = vi.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["Số truy cập thẻ CAN", "Đối chiếu chip với hồ sơ công dân", "Mã thoát: 0 hợp lệ"] {
            #expect(words.contains(text), "missing: \(text)")
        }
        let en = try run("cccd-read", ["--help"], environment: ["LANG": "en_US.UTF-8", "LC_ALL": ""])
        #expect(en.stdout.hasPrefix("OVERVIEW: Read a CCCD or any ICAO 9303 eMRTD chip"))
        #expect(en.stdout.contains("Card access number (6 digits, PACE"))
    }

    @Test("cccd verify --help and cccd station --help in Vietnamese too, from the same catalogue")
    func toolHelp() throws {
        func words(_ tool: [String], _ lang: String) throws -> String {
            let r = try run("cccd", tool + ["--help"], environment: ["LANG": lang, "LC_ALL": ""])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let verifyVI = try words(["verify"], "vi_VN.UTF-8")
        for text in ["OVERVIEW: Xác thực thụ động một ảnh thẻ", "Mã thoát: 0 hợp lệ, 1 không hợp lệ", "Với --batch và --out: bỏ qua các giấy tờ FILE đã có."] {
            #expect(verifyVI.contains(text), "missing: \(text)")
        }
        let stationVI = try words(["station"], "vi_VN.UTF-8")
        for text in ["OVERVIEW: Kiểm tra các thẻ vừa cá thể hóa", "không có họ tên, địa chỉ, ảnh hay khóa", "Người vận hành trạm (mặc định: $USER)."] {
            #expect(stationVI.contains(text), "missing: \(text)")
        }
        #expect(try words(["verify"], "en_US.UTF-8").contains("OVERVIEW: Passive authentication of a card image"))
        #expect(try words(["station"], "en_US.UTF-8").contains("Who runs the station (default: $USER)."))
    }

    @Test("LANG=vi_VN.UTF-8 cccd-read: the verdict and every label in Vietnamese; --lang en and --json stay English")
    func vietnameseRead() throws {
        let vi = try run("cccd-read", ["--simulated"], environment: ["LANG": "vi_VN.UTF-8", "LC_ALL": ""])
        #expect(vi.status == 0, "\(vi.stderr)")
        #expect(vi.stdout.hasPrefix("KẾT LUẬN: THẺ HỢP LỆ"))
        for line in ["Các bước kiểm tra", "  Xác thực thụ động        đạt", "  Số định danh cá nhân  079195001234",
                     "  Họ, chữ đệm và tên    Trần Thị Ngọc Ánh", "  Có giá trị đến        14/03/2035", "  Quê quán              Xã Tân Phú"] {
            #expect(vi.stdout.contains(line), "missing: \(line)")
        }
        #expect(!vi.stdout.contains("Holder") && !vi.stdout.contains("VERDICT"))
        let en = try run("cccd-read", ["--simulated", "--lang", "en"], environment: ["LANG": "vi_VN.UTF-8", "LC_ALL": ""])
        #expect(en.stdout.hasPrefix("VERDICT: GENUINE"))
        #expect(en.stdout.contains("\nHolder\n  Full name           Trần Thị Ngọc Ánh"))
        let json = try run("cccd-read", ["--simulated", "--json"], environment: ["LANG": "vi_VN.UTF-8", "LC_ALL": ""])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "genuine")
        #expect((object?["checks"] as? [String: Any])?["passive"] != nil)
    }

    @Test("cccd verify --lang vi: the verdict of a card image in Vietnamese")
    func vietnameseVerify() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try run("cccd", ["specimen", "--out", dir]).status == 0)
        let r = try run("cccd", ["verify", dir, "--trust", "TestVectors/pki/csca.pem", "--lang", "vi"])
        #expect(r.stdout.hasPrefix("KẾT LUẬN: THẺ HỢP LỆ"), "\(r.stdout)")
    }

    @Test("Errors in Vietnamese say what happened and what to do, then the library's words and the code")
    func vietnameseErrors() throws {
        let vi = try run("cccd-read", ["--simulated", "--can", "000000"], environment: ["LANG": "vi_VN.UTF-8", "LC_ALL": ""])
        #expect(vi.status == 3)
        #expect(vi.stderr.hasPrefix("lỗi: thẻ từ chối khóa truy cập — kiểm tra số CAN"), "\(vi.stderr)")
        #expect(vi.stderr.contains("[pace.authentication-failed]"))
        let en = try run("cccd-read", ["--simulated", "--can", "000000", "--lang", "en"], environment: ["LANG": "vi_VN.UTF-8", "LC_ALL": ""])
        #expect(en.stderr.hasPrefix("error: the chip refused PACE with the CAN"))
    }
}
