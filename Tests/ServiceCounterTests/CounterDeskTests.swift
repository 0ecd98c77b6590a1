import Foundation
import Hummingbird
import Inspection
import LocalWebPage
import Messages
@testable import ServiceCounter
import Testing

/// The counter's desk with the virtual chip in process: the states the page shows, what the clerk
/// types, and that a holder's data goes with the card. (The page itself, through pcscd and in
/// Chromium: scripts/counter-test.sh.)
@Suite("The counter's desk")
struct CounterDeskTests {
    /// The desk's snapshots, decoded, until one satisfies `until` (giving up once `seconds` have passed
    /// and the snapshot in hand does not). A snapshot already delivered is always looked at before the
    /// clock: under a full parallel test run this task may wait long for a thread, and the snapshot it
    /// was waiting for is in the stream when it resumes.
    static func next(_ stream: inout AsyncStream<String>.Iterator, seconds: Double = 60, until: ([String: Any]) -> Bool) async -> [String: Any]? {
        let end = Date().addingTimeInterval(seconds)
        while let snapshot = await stream.next() {
            if !snapshot.isEmpty, let object = try? JSONSerialization.jsonObject(with: Data(snapshot.utf8)) as? [String: Any], until(object) {
                return object
            }
            if Date() >= end { break }
        }
        return nil
    }

    static func desk(_ language: Language) throws -> CounterDesk {
        var options = CounterDesk.Options(source: .simulated(cardImage: nil), trustPaths: [], messages: Messages(language))
        options.pollInterval = 0.05
        return try CounterDesk(options)
    }

    @Test("Card, CAN, GENUINE with the photo and the Vietnamese labels; Done drops the holder")
    func genuine() async throws {
        let desk = try Self.desk(.vietnamese)
        desk.start()
        defer { desk.stop() }
        var events = desk.subscribe().makeAsyncIterator()
        let card = await Self.next(&events) { $0["state"] as? String == "card" }
        #expect(card?["status"] as? String == "Nhập 6 chữ số CAN in ở mặt trước của thẻ")

        try desk.read(with: .can("001234"))
        let result = try #require(await Self.next(&events) { $0["state"] as? String == "result" })
        let view = try #require(result["result"] as? [String: Any])
        #expect(view["verdict"] as? String == "genuine")
        #expect(view["headline"] as? String == "KẾT LUẬN: THẺ HỢP LỆ")
        #expect((view["photo"] as? String)?.hasPrefix("data:image/jpeg;base64,/9j/") == true)
        let fields = try #require(view["fields"] as? [[String]])
        #expect(fields.contains(["Họ, chữ đệm và tên", "Trần Thị Ngọc Ánh"]))
        #expect(fields.contains(["Số định danh cá nhân", "079195001234"]))
        let checks = try #require(view["checks"] as? [[String: Any]])
        #expect(checks.first?["reason"] as? String == "chữ ký của cơ quan cấp hợp lệ, chứng thư nối tới CSCA tin cậy; mọi nhóm dữ liệu đã đọc đều khớp")
        #expect((checks.first?["detail"] as? String)?.hasPrefix("EF.SOD signed by a document signer") == true)
        #expect((view["report"] as? String)?.contains("<html lang=\"vi\">") == true)
        #expect((view["reportName"] as? String)?.contains("079195001234") == false)

        desk.clear()
        let cleared = try #require(await Self.next(&events) { $0["state"] as? String == "card" })
        #expect(cleared["result"] == nil)
    }

    @Test("A wrong CAN: the key refused, what to do, no holder data; a second read while reading is refused")
    func wrongCAN() async throws {
        let desk = try Self.desk(.vietnamese)
        desk.start()
        defer { desk.stop() }
        var events = desk.subscribe().makeAsyncIterator()
        _ = await Self.next(&events) { $0["state"] as? String == "card" }
        try desk.read(with: .can("999999"))
        #expect(throws: CounterDesk.SubmitRefusal.self) { try desk.read(with: .can("001234")) }
        let failed = try #require(await Self.next(&events) { $0["state"] as? String == "failed" })
        let failure = try #require(failed["failure"] as? [String: Any])
        #expect(failure["code"] as? String == "pace.authentication-failed")
        #expect(failure["what"] as? String == "thẻ từ chối khóa truy cập")
        #expect(failed["result"] == nil)
        // "Try again" brings the form back.
        desk.clear()
        #expect(await Self.next(&events) { $0["state"] as? String == "card" } != nil)
    }

    @Test("What the clerk types: a CAN of 6 digits, an MRZ, or an ID number with both dates")
    func keyForm() throws {
        let m = Messages(.english)
        func key(_ form: CounterDesk.KeyForm) -> String {
            switch form.accessKey(m) {
            case .success(let key): return "\(key)"
            case .failure(let error): return "error: " + error.message
            }
        }
        #expect(key(.init(can: " 001234 ")) == "CAN")
        #expect(key(.init(can: "12345")) == "error: a CAN has 6 digits")
        #expect(key(.init(can: "12345a")) == "error: a CAN has 6 digits")
        #expect(key(.init(id: "079195001234", dob: "950314", doe: "350314")) == "MRZ key")
        #expect(key(.init(id: "L898902C<", dob: "690806", doe: "940623")) == "MRZ key")
        #expect(key(.init(id: "079195001234")) == "error: type the CAN, or the MRZ, or the ID number with both dates")
        #expect(key(.init(mrz: "IDVNM1950012347079195001234<<7\n9503146F3503144VNM<<<<<<<<<<<8\nTRAN<<THI<NGOC<ANH<<<<<<<<<<<<")) == "MRZ key")
        #expect(key(.init(mrz: "not an mrz")).hasPrefix("error: the input is not usable: "))
        #expect(key(.init()) == "error: type the CAN, or the MRZ, or the ID number with both dates")
    }

    @Test("Requests must name the address listened on (DNS rebinding), and the token compares whole")
    func guards() {
        let fixed = AllowedAuthorities(hosts: ["127.0.0.1", "localhost", "[::1]"], port: 8080)
        #expect(fixed.allows("127.0.0.1:8080") && fixed.allows("localhost:8080") && fixed.allows("[::1]:8080"))
        #expect(!fixed.allows("127.0.0.1:8081") && !fixed.allows("evil.example:8080") && !fixed.allows("127.0.0.1"))
        #expect(!fixed.allows("127.0.0.1:80x") && !fixed.allows(""))
        let any = AllowedAuthorities(hosts: ["127.0.0.1"], port: nil)
        #expect(any.allows("127.0.0.1:41234") && !any.allows("localhost.evil:41234"))
        #expect(GuardMiddleware<BasicRequestContext>.equal("ab12", "ab12"))
        #expect(!GuardMiddleware<BasicRequestContext>.equal("ab12", "ab13") && !GuardMiddleware<BasicRequestContext>.equal("ab12", "ab1"))
        #expect(CounterServer.isLoopback("127.0.0.1") && CounterServer.isLoopback("::1") && !CounterServer.isLoopback("0.0.0.0"))
    }

    @Test("The page: the token in a meta element, labels escaped, no inline script to run")
    func page() {
        let html = CounterPage.html(Messages(.vietnamese), token: "ab12")
        #expect(html.contains("<meta name=\"counter-token\" content=\"ab12\">"))
        #expect(html.contains("<html lang=\"vi\">") && html.contains("Quầy kiểm tra CCCD"))
        // The only inline script element is data (JSON), which a Content-Security-Policy without
        // 'unsafe-inline' does not run.
        #expect(html.components(separatedBy: "<script").count == 3)
        #expect(html.contains("<script type=\"application/json\" id=\"strings\">"))
        #expect(!CounterPage.script.contains("innerHTML"))
    }
}
