import NIOCore
import OpenFlow
import Testing

/// Each malformed input and the exact error it must produce.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: ByteBuffer
    let expected: WireError
    var maximumLength = OpenFlowHeader.maximumLength
    var testDescription: String { name }
}

@Suite struct MalformedInputTests {
    static let corpus: [MalformedCase] = [
        MalformedCase(
            name: "short header", bytes: ByteBuffer(bytes: [1, 0, 0]),
            expected: WireError(.truncated(needed: 8, available: 3), field: "ofp_header", offset: 0)),
        MalformedCase(
            name: "length below header size", bytes: ByteBuffer(bytes: [1, 5, 0, 4, 0, 0, 0, 1]),
            expected: WireError(.lengthBelowMinimum(length: 4, minimum: 8), field: "ofp_header.length", offset: 2)),
        MalformedCase(
            name: "length above configured maximum",
            bytes: Corruption("echo request").setting(UInt16(2000), at: 2).bytes,
            expected: WireError(
                .lengthAboveMaximum(length: 2000, maximum: 1024), field: "ofp_header.length", offset: 2),
            maximumLength: 1024),
        MalformedCase(
            name: "truncated body", bytes: Corruption("flow mod every action").truncated(to: 100).bytes,
            expected: WireError(.truncated(needed: 72 + 144, available: 100), field: "ofp_header.length", offset: 2)),
        MalformedCase(
            name: "unknown message type", bytes: ByteBuffer(bytes: [1, 22, 0, 8, 0, 0, 0, 1]),
            expected: WireError(.unknownType(22), field: "ofp_header.type", offset: 1)),
        MalformedCase(
            name: "unsupported version", bytes: ByteBuffer(bytes: [4, 5, 0, 8, 0, 0, 0, 1]),
            expected: WireError(.unsupportedVersion(4), field: "ofp_header.version", offset: 0)),
        MalformedCase(
            name: "fixed-size message with extra bytes",
            bytes: Corruption("barrier request").appending([0, 0, 0, 0]).fixingLength().bytes,
            expected: WireError(.wrongBodySize(size: 12, expected: 8), field: "ofp_header.length", offset: 2)),
        MalformedCase(
            name: "port status too short", bytes: Corruption("port status add").truncated(to: 60).fixingLength().bytes,
            expected: WireError(.wrongBodySize(size: 60, expected: 64), field: "ofp_header.length", offset: 2)),
        MalformedCase(
            name: "flow mod below minimum",
            bytes: Corruption("flow mod delete strict").truncated(to: 40).fixingLength().bytes,
            expected: WireError(.lengthBelowMinimum(length: 40, minimum: 72), field: "ofp_header.length", offset: 2)),
        MalformedCase(
            name: "action length not a multiple of 8",
            bytes: Corruption(
                flowMod([.output(port: PortNumber(1), maxLength: 0), .output(port: PortNumber(2), maxLength: 0)])
            )
            .setting(UInt16(12), at: 74).bytes,
            expected: WireError(.lengthNotMultiple(length: 12, multiple: 8), field: "ofp_action_header.len", offset: 74)
        ),
        MalformedCase(
            name: "action length zero", bytes: Corruption(flowMod([.stripVlan])).setting(UInt16(0), at: 74).bytes,
            expected: WireError(.lengthBelowMinimum(length: 0, minimum: 8), field: "ofp_action_header.len", offset: 74)),
        MalformedCase(
            name: "action overrunning the message",
            bytes: Corruption(flowMod([.stripVlan])).setting(UInt16(16), at: 74).bytes,
            expected: WireError(.lengthAboveMaximum(length: 16, maximum: 8), field: "ofp_action_header.len", offset: 74)
        ),
        MalformedCase(
            name: "action length wrong for its type",
            bytes: Corruption(flowMod([.setDlSrc(.broadcast)])).setting(UInt16(0), at: 72).bytes,
            expected: WireError(.wrongBodySize(size: 16, expected: 8), field: "ofp_action_header.len", offset: 74)),
        MalformedCase(
            name: "unknown action type", bytes: Corruption(flowMod([.stripVlan])).setting(UInt16(12), at: 72).bytes,
            expected: WireError(.unknownType(12), field: "ofp_action_header.type", offset: 72)),
        MalformedCase(
            name: "second action truncated inside its length",
            bytes: Corruption(flowMod([.stripVlan, .setDlDst(.broadcast)])).truncated(to: 88).fixingLength().bytes,
            expected: WireError(.lengthAboveMaximum(length: 16, maximum: 8), field: "ofp_action_header.len", offset: 82)
        ),
        MalformedCase(
            name: "packet out actions_len beyond message",
            bytes: Corruption("packet out").setting(UInt16(400), at: 14).bytes,
            expected: WireError(
                .lengthAboveMaximum(length: 400, maximum: 50), field: "ofp_packet_out.actions_len", offset: 14)),
        MalformedCase(
            name: "packet out actions_len not a multiple of 8",
            bytes: Corruption("packet out").setting(UInt16(4), at: 14).bytes,
            expected: WireError(
                .lengthNotMultiple(length: 4, multiple: 8), field: "ofp_packet_out.actions_len", offset: 14)),
        MalformedCase(
            name: "features reply with a partial port",
            bytes: Corruption("features reply").truncated(to: 32 + 48 + 2).fixingLength().bytes,
            expected: WireError(
                .bodyNotMultiple(size: 50, entrySize: 48), field: "ofp_switch_features.ports", offset: 32)),
        MalformedCase(
            name: "flow stats request body of the wrong size",
            bytes: Corruption("stats request flow").truncated(to: 52).fixingLength().bytes,
            expected: WireError(.wrongBodySize(size: 40, expected: 44), field: "ofp_flow_stats_request", offset: 12)),
        MalformedCase(
            name: "desc stats request with a body",
            bytes: Corruption("stats request desc").appending([0, 0, 0, 0]).fixingLength().bytes,
            expected: WireError(.wrongBodySize(size: 4, expected: 0), field: "ofp_stats_request.body", offset: 12)),
        MalformedCase(
            name: "desc stats reply too short",
            bytes: Corruption("stats reply desc").truncated(to: 12 + 1000).fixingLength().bytes,
            expected: WireError(.wrongBodySize(size: 1000, expected: 1056), field: "ofp_desc_stats", offset: 12)),
        MalformedCase(
            name: "table stats reply not whole entries",
            bytes: Corruption("stats reply table").appending([0]).fixingLength().bytes,
            expected: WireError(.bodyNotMultiple(size: 65, entrySize: 64), field: "ofp_table_stats", offset: 12)),
        MalformedCase(
            name: "port stats reply not whole entries",
            bytes: Corruption("stats reply port").truncated(to: 12 + 150).fixingLength().bytes,
            expected: WireError(.bodyNotMultiple(size: 150, entrySize: 104), field: "ofp_port_stats", offset: 12)),
        MalformedCase(
            name: "aggregate stats reply too long",
            bytes: Corruption("stats reply aggregate").appending([0, 0, 0, 0, 0, 0, 0, 0]).fixingLength().bytes,
            expected: WireError(.wrongBodySize(size: 32, expected: 24), field: "ofp_aggregate_stats_reply", offset: 12)),
        MalformedCase(
            name: "unknown stats type", bytes: Corruption("stats request table").setting(UInt16(6), at: 8).bytes,
            expected: WireError(.unknownType(6), field: "ofp_stats_request.type", offset: 8)),
        MalformedCase(
            name: "flow stats entry length below minimum",
            bytes: Corruption("stats reply flow").setting(UInt16(40), at: 12).bytes,
            expected: WireError(
                .lengthBelowMinimum(length: 40, minimum: 88), field: "ofp_flow_stats.length", offset: 12)),
        MalformedCase(
            name: "flow stats entry overrunning",
            bytes: Corruption("stats reply flow").setting(UInt16(4000), at: 12).bytes,
            expected: WireError(
                .lengthAboveMaximum(length: 4000, maximum: 96 + 88), field: "ofp_flow_stats.length", offset: 12)),
        MalformedCase(
            name: "queue length below its header",
            bytes: Corruption("queue get config reply").setting(UInt16(4), at: 20).bytes,
            expected: WireError(.lengthBelowMinimum(length: 4, minimum: 8), field: "ofp_packet_queue.len", offset: 20)),
        MalformedCase(
            name: "unknown queue property",
            bytes: Corruption("queue get config reply").setting(UInt16(9), at: 24).bytes,
            expected: WireError(.unknownType(9), field: "ofp_queue_prop_header.property", offset: 24)),
        MalformedCase(
            name: "vendor message without vendor id", bytes: ByteBuffer(bytes: [1, 4, 0, 10, 0, 0, 0, 1, 0, 0]),
            expected: WireError(.lengthBelowMinimum(length: 10, minimum: 12), field: "ofp_header.length", offset: 2)),
        MalformedCase(
            name: "error message without code", bytes: ByteBuffer(bytes: [1, 1, 0, 10, 0, 0, 0, 1, 0, 1]),
            expected: WireError(.lengthBelowMinimum(length: 10, minimum: 12), field: "ofp_header.length", offset: 2)),
    ]

    static func flowMod(_ actions: [Action]) -> OpenFlowMessage {
        OpenFlowMessage(xid: 1, .flowMod(FlowMod(match: .all, actions: actions)))
    }

    @Test(arguments: corpus)
    func rejectedWithItsSpecificError(_ testCase: MalformedCase) {
        var buffer = testCase.bytes
        let before = buffer
        #expect(throws: testCase.expected) {
            try OpenFlowMessage(parsing: &buffer, maximumLength: testCase.maximumLength)
        }
        #expect(buffer == before, "a failed parse must not consume input")
    }

    /// Every prefix of every sample either parses (it cannot: it is short) or fails cleanly.
    @Test func everyTruncationFailsCleanly() {
        for (name, message) in SampleMessages.all {
            let full = message.encoded()
            for length in 0..<full.readableBytes {
                var prefix = full.getSlice(at: 0, length: length) ?? ByteBuffer()
                #expect(throws: WireError.self, "\(name) cut to \(length)") {
                    try OpenFlowMessage(parsing: &prefix)
                }
            }
        }
    }

    /// Shrinking the length field of every sample to every smaller value never traps, and
    /// every failure names a field.
    @Test func everyShortenedLengthFieldFailsOrParsesCleanly() {
        for (_, message) in SampleMessages.all {
            let full = message.encoded()
            for length in 0..<full.readableBytes {
                var buffer = full
                buffer.setInteger(UInt16(length), at: 2)
                do {
                    _ = try OpenFlowMessage(parsing: &buffer)
                } catch {
                    #expect(!error.field.isEmpty)
                    #expect(error.offset >= 0 && error.offset < full.readableBytes)
                }
            }
        }
    }

    @Test func errorsDescribeFieldAndOffset() {
        let error = WireError(.lengthNotMultiple(length: 12, multiple: 8), field: "ofp_action_header.len", offset: 74)
        #expect(error.description == "ofp_action_header.len at offset 74: length 12 is not a multiple of 8")
    }
}
