import NIOCore
import OpenFlow
import PropertyBased
import TestSupport
import Testing

/// `OpenFlowMessage.check(frame:)` is what a unit relies on when it forwards a return's
/// messages as bytes: it must accept exactly what parsing accepts, with the same error.
@Suite struct FrameCheckTests {
    /// The same outcome as parsing: the same header, or the same error.
    static func expectAgreement(_ frame: ByteBuffer, sourceLocation: SourceLocation = #_sourceLocation) {
        var bytes = frame
        let parsed = Result { () throws(WireError) in try OpenFlowMessage(parsing: &bytes) }
        let checked = Result { () throws(WireError) in try OpenFlowMessage.check(frame: frame) }
        switch (parsed, checked) {
        case (.success(let message), .success(let header)):
            #expect(
                header.xid == message.xid && header.type == message.type && Int(header.length) == frame.readableBytes,
                sourceLocation: sourceLocation)
            #expect(bytes.readableBytes == 0, sourceLocation: sourceLocation)
        case (.failure(let parseError), .failure(let checkError)):
            #expect(parseError == checkError, sourceLocation: sourceLocation)
        default:
            Issue.record(
                "parse \(parsed) but check \(checked) for \(Array(frame.readableBytesView))",
                sourceLocation: sourceLocation)
        }
    }

    @Test func everyValidMessagePasses() async {
        await propertyCheck(count: 2000, input: Gen.message) { message in
            Self.expectAgreement(message.encoded())
        }
    }

    /// FLOW_MOD and PACKET_OUT are checked without being built: their fields and action lists
    /// with bytes flipped at random must fail where parsing fails, with the same field and offset.
    @Test func corruptedFlowModsAndPacketOutsFailAsParsingDoes() async {
        let corrupted = Generator<([UInt8], [Int], [UInt8]), Shrink.None<([UInt8], [Int], [UInt8])>> { rng in
            var random = RandomMessages(rng: SeededGenerator(base: rng))
            defer { rng = random.rng.base }
            let body: OpenFlowMessage.Body =
                random.bool()
                ? .flowMod(FlowMod(match: random.match(), command: .add, actions: random.actions()))
                : .packetOut(
                    PacketOut(
                        bufferID: BufferID(random.int()), inPort: random.port(), actions: random.actions(),
                        data: random.bytes(random.count(0...40))))
            let bytes = Array(OpenFlowMessage(xid: random.int(), body).encoded().readableBytesView)
            let flips = (0..<random.count(1...3)).map { _ in random.count(2...bytes.count - 1) }
            return (bytes, flips, flips.map { _ in random.int(UInt8.self) })
        }
        await propertyCheck(count: 5000, input: corrupted) { input in
            var (bytes, flips, values) = input
            for (at, value) in zip(flips, values) { bytes[at] = value }
            // Keep the header's length true to the frame (a lying length is the framer's to refuse).
            let length = UInt16(bytes.count)
            if !flips.contains(2) && !flips.contains(3) {
                (bytes[2], bytes[3]) = (UInt8(length >> 8), UInt8(length & 0xff))
            }
            guard Int(UInt16(bytes[2]) << 8 | UInt16(bytes[3])) == bytes.count else { return }
            Self.expectAgreement(ByteBuffer(bytes: bytes))
        }
    }

    /// Random bodies of every type after a valid header.
    @Test func randomBodiesFailAsParsingDoes() async {
        let garbage = Generator<(UInt8, [UInt8]), Shrink.None<(UInt8, [UInt8])>> { rng in
            (
                UInt8.random(in: 0...23, using: &rng),
                (0..<Int.random(in: 0...120, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            )
        }
        await propertyCheck(count: 5000, input: garbage) { input in
            var buffer = ByteBuffer(bytes: [1, input.0, 0, 0, 0, 0, 0, 1] + input.1)
            buffer.setInteger(UInt16(buffer.readableBytes), at: 2)
            Self.expectAgreement(buffer)
        }
    }

    /// The check walks standard actions in one view and parses the others: a list that mixes
    /// them, whole or with a header broken after a vendor action, agrees with parsing.
    @Test func standardActionsAfterAVendorActionAreCheckedAsParsingDoes() throws {
        let actions: [Action] = [
            .output(port: PortNumber(1), maxLength: 0), .vendor(vendor: 0x2320, body: ByteBuffer(bytes: [1, 2, 3, 4])),
            .setDlSrc(MACAddress(rawValue: 0x0000_0000_0001)), .output(port: PortNumber(2), maxLength: 0),
        ]
        let frame = OpenFlowMessage(xid: 3, .flowMod(FlowMod(match: Match(), command: .add, actions: actions)))
            .encoded()
        Self.expectAgreement(frame)
        _ = try OpenFlowMessage.check(frame: frame)
        // The last action starts 8 + 16 bytes before the end; its length is 2 bytes into it.
        let lastLength = frame.readableBytes - 8 + 2
        let setDlSrcLength = frame.readableBytes - 8 - 16 + 2
        for (at, value) in [
            (lastLength, UInt16(12)), (lastLength, UInt16(4)), (setDlSrcLength, UInt16(8)),
            (setDlSrcLength, UInt16(64)),
        ] {
            var broken = frame
            broken.setInteger(value, at: at)
            Self.expectAgreement(broken)
            #expect(throws: WireError.self) { try OpenFlowMessage.check(frame: broken) }
        }
    }

    @Test func aFrameLongerOrShorterThanItsHeaderIsRefused() {
        var frame = OpenFlowMessage(xid: 7, .barrierRequest(BarrierRequest())).encoded()
        frame.writeInteger(UInt8(0))
        #expect(throws: WireError(.wrongBodySize(size: 9, expected: 8), field: "ofp_header.length", offset: 2)) {
            try OpenFlowMessage.check(frame: frame)
        }
        #expect(throws: WireError(.truncated(needed: 8, available: 3), field: "ofp_header", offset: 0)) {
            try OpenFlowMessage.check(frame: ByteBuffer(bytes: [1, 18, 0]))
        }
    }
}
