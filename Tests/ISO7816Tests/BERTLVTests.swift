import EMRTDCore
import ISO7816
import Testing

private func h(_ s: String) -> [UInt8] { try! Hex.decode(s) }

/// Runs `body` and returns the error code it threw, or nil if it did not throw.
/// (Any other error type yields the code `not-emrtd`, which no expectation matches.)
private func code<T>(_ body: () throws -> T) -> EMRTDError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as EMRTDError {
        return error.code
    } catch {
        return EMRTDError.Code("not-emrtd")
    }
}

@Suite struct TLVTagTests {
    @Test func singleByteTag() {
        let t: TLVTag = 0x6D
        #expect(t.encoded == [0x6D])
        #expect(t.isConstructed)
        #expect(t.tagClass == .application)
        #expect(t.number == 13)
        #expect(t.description == "6D")
        #expect(!TLVTag(0x02).isConstructed)
        #expect(TLVTag(0x02).tagClass == .universal)
        #expect(TLVTag(0xA1).tagClass == .contextSpecific)
        #expect(TLVTag(0xC0).tagClass == .private)
    }

    @Test func multiByteTags() {
        let mrz = TLVTag(0x5F1F)
        #expect(mrz.encoded == [0x5F, 0x1F])
        #expect(!mrz.isConstructed)
        #expect(mrz.tagClass == .application)
        #expect(mrz.number == 0x1F)
        let bit = TLVTag(rawValue: 0x7F61)
        #expect(bit.isConstructed)
        #expect(bit.number == 0x61)
        #expect(bit.description == "7F61")
        let three = TLVTag(0x5F_8101)
        #expect(three.encoded == [0x5F, 0x81, 0x01])
        #expect(three.number == 0x81)
    }

    @Test func parseTagList() throws {
        #expect(try TLVTag.parseList(h("5F0E5F2B5F11")) == [0x5F0E, 0x5F2B, 0x5F11])
        #expect(try TLVTag.parseList(h("61756D")) == [0x61, 0x75, 0x6D])
        #expect(try TLVTag.parseList([]) == [])
        #expect(code { try TLVTag.parseList(h("615F")) } == .tlvTruncated)
    }
}

@Suite struct BERTLVTests {
    @Test func shortFormRoundTrip() throws {
        let bytes = h("5F1F03414243")
        let tlv = try BERTLV.parse(bytes)
        #expect(tlv.tag == 0x5F1F)
        #expect(tlv.value == Array("ABC".utf8))
        #expect(tlv.raw == bytes)
        #expect(tlv.headerLength == 3)
        #expect(tlv.encoded() == bytes)
        #expect(TLV(tag: 0x5F1F, value: Array("ABC".utf8)).raw == bytes)
    }

    @Test func emptyValue() throws {
        let tlv = try BERTLV.parse(h("0400"))
        #expect(tlv.value.isEmpty)
        #expect(tlv.encoded() == h("0400"))
    }

    @Test(arguments: [
        (0, "00"), (0x7F, "7F"), (0x80, "8180"), (0xFF, "81FF"), (0x100, "820100"),
        (0xFFFF, "82FFFF"), (0x1_0000, "83010000"), (0xFF_FFFF, "83FFFFFF"), (0x100_0000, "8401000000"),
    ])
    func lengthEncoding(n: Int, hex: String) throws {
        #expect(BERTLV.encodeLength(n) == h(hex))
        // readHeader needs no value bytes: it reports the announced length.
        let header = try BERTLV.readHeader([0x04] + h(hex))
        #expect(header.valueLength == n)
        #expect(header.headerLength == 1 + h(hex).count)
        #expect(header.tag == 0x04)
    }

    @Test(arguments: [0, 1, 127, 128, 255, 256, 300, 65535, 65536, 70000])
    func longFormRoundTrip(length: Int) throws {
        let value = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let tlv = TLV(tag: 0x5F2E, value: value)
        let parsed = try BERTLV.parse(tlv.encoded())
        #expect(parsed == tlv)
        #expect(parsed.raw == tlv.raw)
        #expect(parsed.value.count == length)
    }

    @Test func nonMinimalLengthKeepsRaw() throws {
        // BER allows 81 03 where 03 would do; raw keeps what was read, encoded() is minimal.
        let bytes = h("0C8103414243")
        let tlv = try BERTLV.parse(bytes)
        #expect(tlv.raw == bytes)
        #expect(tlv.encoded() == h("0C03414243"))
        #expect(tlv == TLV(tag: 0x0C, value: Array("ABC".utf8)))
        #expect(try BERTLV.parse(h("0C840000000141")).value == [0x41])
    }

    @Test func constructedChildren() throws {
        let inner1 = TLV(tag: 0x02, value: [0x01])
        let inner2 = TLV(tag: 0x5F1F, value: Array("X".utf8))
        let outer = TLV(tag: 0x61, children: [inner1, inner2])
        #expect(outer.encoded() == h("61070201015F1F0158"))
        let parsed = try BERTLV.parse(outer.encoded())
        #expect(try parsed.children() == [inner1, inner2])
        #expect(try parsed.child(0x5F1F) == inner2)
        #expect(try parsed.child(0x04) == nil)
    }

    @Test func childrenPreserveRawEncoding() throws {
        let child = try BERTLV.parse(h("048102AABB"))
        let outer = TLV(tag: 0x30, children: [child])
        #expect(outer.value == h("048102AABB"))
    }

    @Test func parseAllAndPrefix() throws {
        let bytes = h("0101FF02010A0400")
        let all = try BERTLV.parseAll(bytes)
        #expect(all.map(\.tag) == [0x01, 0x02, 0x04])
        #expect(try BERTLV.parseAll([]) == [])
        let (first, used) = try BERTLV.parsePrefix(bytes[3...])
        #expect(first.tag == 0x02)
        #expect(first.value == [0x0A])
        #expect(used == 3)
        // A prefix followed by padding is fine.
        let (padded, n) = try BERTLV.parsePrefix(h("6003010203FFFF")[...])
        #expect(padded.value == [1, 2, 3])
        #expect(n == 5)
    }

    @Test func multiByteTagObject() throws {
        let bytes = h("7F6108" + "0201015F2E024142")
        let tlv = try BERTLV.validate(bytes)
        #expect(tlv.tag == 0x7F61)
        #expect(try tlv.children().map(\.tag) == [0x02, 0x5F2E])
        #expect(tlv.encoded() == bytes)
    }

    @Test func trailingData() {
        #expect(code { try BERTLV.parse(h("020101FF")) } == .tlvTrailingData)
        #expect(code { try BERTLV.parse(h("02010100")) } == .tlvTrailingData)
    }

    @Test func truncation() {
        #expect(code { try BERTLV.parse([]) } == .tlvTruncated)
        #expect(code { try BERTLV.parse(h("02")) } == .tlvTruncated)
        #expect(code { try BERTLV.parse(h("5F")) } == .tlvTruncated)
        #expect(code { try BERTLV.parse(h("5F1F")) } == .tlvTruncated)
        #expect(code { try BERTLV.parse(h("5F1F82")) } == .tlvTruncated)
        #expect(code { try BERTLV.parse(h("5F1F8201")) } == .tlvTruncated)
        #expect(code { try BERTLV.parse(h("020201")) } == .tlvTruncated)
        #expect(code { try BERTLV.readHeader(h("5F1F82")) } == .tlvTruncated)
        #expect(code { try BERTLV.parseAll(h("0101FF02")) } == .tlvTruncated)
    }

    @Test func indefiniteLengthRejected() {
        #expect(code { try BERTLV.parse(h("30800201010000")) } == .tlvIndefiniteLength)
        #expect(code { try BERTLV.readHeader(h("3080")) } == .tlvIndefiniteLength)
    }

    @Test func lengthFieldTooLong() {
        #expect(code { try BERTLV.parse(h("04850000000001AA")) } == .tlvLengthOverflow)
        #expect(code { try BERTLV.readHeader(h("04FF")) } == .tlvLengthOverflow)
    }

    @Test func invalidTags() {
        // Five tag bytes.
        #expect(code { try BERTLV.parse(h("5F818181010100")) } == .tlvInvalidTag)
        // Non-minimal tag number: first subsequent byte 80.
        #expect(code { try BERTLV.parse(h("5F801F0100")) } == .tlvInvalidTag)
        // Four bytes is the limit and is accepted.
        #expect((try? BERTLV.parse(h("5F81810101AA")))?.tag == TLVTag(0x5F81_8101))
    }

    @Test func sixteenMegabyteClaimFailsWithoutAllocating() {
        // 10 bytes claiming 16 MiB: must fail from the header alone.
        let bytes = h("6D8401000000") + [1, 2, 3, 4]
        #expect(bytes.count == 10)
        #expect(code { try BERTLV.parse(bytes) } == .tlvTruncated)
        #expect(code { try BERTLV.parseAll(bytes) } == .tlvTruncated)
        // The header itself is readable: the file reader learns the announced size from it.
        #expect((try? BERTLV.readHeader(bytes))?.valueLength == 0x100_0000)
        // Largest 4-byte length.
        #expect(code { try BERTLV.parse(h("6D84FFFFFFFF00")) } == .tlvTruncated)
    }

    private func nested(depth: Int) -> TLV {
        var tlv = TLV(tag: 0x04, value: [0xAB])
        for _ in 1..<depth { tlv = TLV(tag: 0x30, children: [tlv]) }
        return tlv
    }

    @Test func depthLimit() throws {
        #expect(throws: Never.self) { try BERTLV.validate(nested(depth: BERTLV.maximumDepth).encoded()) }
        #expect(code { try BERTLV.validate(nested(depth: BERTLV.maximumDepth + 1).encoded()) } == .tlvDepthExceeded)
        // A very deep input still fails cleanly (no stack overflow).
        var deep: [UInt8] = [0x05, 0x00]
        for _ in 0..<10_000 { deep = [0x30] + BERTLV.encodeLength(deep.count) + deep }
        #expect(code { try BERTLV.validate(deep) } == .tlvDepthExceeded)
    }

    @Test func validateFindsBrokenGrandchild() {
        // 30 { 30 { 04 05 AA } }: the innermost length runs past its parent.
        #expect(code { try BERTLV.validate(h("3005300304 05AA")) } == .tlvTruncated)
        // Primitive values are not looked into.
        #expect(throws: Never.self) { try BERTLV.validate(h("0403300504")) }
    }

    @Test func everyTruncationOfANestedObjectThrows() throws {
        let inner = TLV(tag: 0x5F0E, value: Array(repeating: 0x41, count: 200))
        let mid = TLV(tag: 0x7F61, children: [TLV(tag: 0x02, value: [1]), inner])
        let outer = TLV(tag: 0x75, children: [mid, TLV(tag: 0x0C, value: Array("Nguyễn".utf8))])
        let bytes = outer.encoded()
        #expect(try BERTLV.validate(bytes) == outer)
        for n in 0..<bytes.count {
            let c = code { try BERTLV.validate(Array(bytes.prefix(n))) }
            #expect(c == .tlvTruncated, "prefix \(n)")
        }
        // Cutting inside a child while keeping the outer length consistent is caught by validate.
        var cut = bytes
        cut.removeLast()
        let fixedOuter = [UInt8(0x75)] + BERTLV.encodeLength(outer.value.count - 1) + Array(cut.dropFirst(outer.headerLength))
        #expect(code { try BERTLV.validate(fixedOuter) } == .tlvTruncated)
    }

    @Test func equalityIgnoresLengthEncoding() throws {
        let a = try BERTLV.parse(h("048101AA"))
        let b = TLV(tag: 0x04, value: [0xAA])
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a.raw != b.raw)
    }

    @Test func descriptionIsBounded() {
        let tlv = TLV(tag: 0x5F2E, value: Array(repeating: 0, count: 1000))
        #expect(tlv.description.count < 100)
        #expect(tlv.description.hasPrefix("5F2E [1000] "))
    }
}
