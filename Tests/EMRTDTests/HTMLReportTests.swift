import Foundation
import Inspection
import Messages
import Specimen
import Testing
import VirtualChip

/// The HTML report: self-contained, escaped, in the chosen language.
@Suite("HTML report")
struct HTMLReportTests {
    /// The specimen whose DG13 full name is markup, re-signed by the test DSC (the issuer signed it).
    func markupImage() throws -> CardImage {
        var image = try Specimen.cardImage()
        let dg13 = try DG13(try #require(image.files[.dg13]))
        let fields = dg13.fields.map { $0.index == 2 ? DG13.Field(index: 2, values: ["<script>alert('x')</script> & \"Ánh\""]) : $0 }
        image.files[.dg13] = DG13(fields: fields).raw
        var groups: [Int: [UInt8]] = [:]
        for (file, bytes) in image.files { if let n = file.dataGroupNumber { groups[n] = bytes } }
        image.files[.sod] = try Specimen.testPKI.signSecurityObject(dataGroups: groups)
        return image
    }

    @Test("A DG13 holding markup renders as text; the photo is embedded; nothing is fetched")
    func escapedAndSelfContained() throws {
        let chip = try VirtualChip(image: markupImage())
        let inspection = try Inspector().inspect(chip, key: .can("001234"), trust: Specimen.testPKI.trustStore)
        #expect(inspection.verdict == .genuine)
        let html = HTMLReport.render(inspection, Messages(.english))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Ánh&quot;"))
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("<img class=\"photo\" alt=\"Photo\" src=\"data:image/jpeg;base64,/9j/"))
        for external in ["http://", "https://", "src=\"/", "href="] { #expect(!html.contains(external), "\(external)") }
        #expect(html.contains("<div class=\"verdict genuine\">VERDICT: GENUINE"))
    }

    @Test("In Vietnamese: the title, the verdict and the labels")
    func vietnamese() throws {
        let inspection = try Inspector().inspect(try VirtualChip(image: Specimen.cardImage()), key: .can("001234"), trust: Specimen.testPKI.trustStore)
        let html = HTMLReport.render(inspection, Messages(.vietnamese))
        #expect(html.contains("<html lang=\"vi\">"))
        #expect(html.contains("<h1>Biên bản kiểm tra chip giấy tờ</h1>"))
        #expect(html.contains("KẾT LUẬN: THẺ HỢP LỆ"))
        #expect(html.contains("<tr><th>Số định danh cá nhân</th><td>079195001234</td></tr>"))
    }

    @Test("A card image: no file table, the chain with validity")
    func cardImage() throws {
        let inspection = Inspector().inspect(try Specimen.cardImage(), trust: Specimen.testPKI.trustStore)
        let html = HTMLReport.render(inspection, Messages(.english))
        #expect(html.contains("Certificate chain"))
        #expect(html.contains("valid 2025-01-01 to"))
        #expect(!html.contains("<table class=\"files\">"))
    }

    @Test("Control and bidi characters from a card do not reach the page")
    func controls() {
        #expect(HTMLReport.escape("a\u{202E}b\u{0007}c") == "a\u{FFFD}b\u{FFFD}c")
    }
}
