import Foundation
import NIOCore
import OpenFlow
import TestSupport
import Testing

@testable import echelon

@Suite struct HexInputTests {
    @Test func acceptsTheWaysPeoplePasteHex() throws {
        let expected = ByteBuffer(bytes: [1, 0, 0, 8, 0, 0, 0, 1])
        for text in [
            "0100000800000001", "01 00 00 08 00 00 00 01", "01:00:00:08:00:00:00:01", "0x01000008 0x00000001",
            "0100\n0008\n00000001\n",
        ] {
            #expect(try HexInput.parse(text) == expected, "\(text)")
        }
    }

    @Test func rejectsWhatIsNotHex() {
        #expect(throws: (any Error).self) { try HexInput.parse("01000g") }
        #expect(throws: (any Error).self) { try HexInput.parse("010") }
        #expect(throws: (any Error).self) { try HexInput.parse("   ") }
    }
}

@Suite struct MessageStreamDecoderTests {
    @Test func decodesBackToBackMessagesAndReportsWhereAFailureStarts() throws {
        var input = ByteBuffer()
        OpenFlowMessage(xid: 1, .hello(Hello())).write(to: &input)
        // A BARRIER_REQUEST with 4 extra bytes: its length is honest, so decoding goes on after it.
        input.writeBytes([1, 18, 0, 12, 0, 0, 0, 2, 0, 0, 0, 0])
        OpenFlowMessage(xid: 3, .echoRequest(EchoRequest())).write(to: &input)
        var decoder = MessageStreamDecoder(maximumLength: OpenFlowHeader.maximumLength)
        let results = decoder.decode(&input)
        #expect(results.count == 3)
        #expect(results.map(\.streamOffset) == [0, 8, 20])
        #expect(try results[0].result.get() == OpenFlowMessage(xid: 1, .hello(Hello())))
        #expect(throws: WireError(.wrongBodySize(size: 12, expected: 8), field: "ofp_header.length", offset: 2)) {
            try results[1].result.get()
        }
        #expect(try results[2].result.get().xid == 3)
    }

    @Test func aLyingLengthEndsTheWalk() {
        var input = ByteBuffer(bytes: [1, 0, 0, 4, 0, 0, 0, 1, 1, 0, 0, 8, 0, 0, 0, 2])
        var decoder = MessageStreamDecoder(maximumLength: OpenFlowHeader.maximumLength)
        let results = decoder.decode(&input)
        #expect(results.count == 1)
        #expect(throws: WireError(.lengthBelowMinimum(length: 4, minimum: 8), field: "ofp_header.length", offset: 2)) {
            try results[0].result.get()
        }
    }

    @Test func jsonNamesTheErrorFieldAndItsOffsetInTheInput() throws {
        var input = ByteBuffer(bytes: [1, 0, 0, 8, 0, 0, 0, 1, 1, 14, 0, 16, 0, 0, 0, 2])
        var decoder = MessageStreamDecoder(maximumLength: OpenFlowHeader.maximumLength)
        let json = try DecodeOutput.json(decoder.decode(&input))
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect((entries[0]["message"] as? [String: Any])?["type"] as? String == "OFPT_HELLO")
        let error = try #require(entries[1]["error"] as? [String: Any])
        #expect(error["field"] as? String == "ofp_header.length")
        #expect(error["inputOffset"] as? Int == 10)
    }
}

/// Runs the built `echelon` executable the way a user does.
@Suite struct DecodeExecutableTests {
    static func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        guard let executable = ChildProcess.builtProduct(named: "echelon") else {
            Issue.record("the echelon executable was not built next to the tests")
            return (-1, "")
        }
        let result = try ChildProcess.run(executable, arguments, input: input ?? "", timeout: 30)
        return (result.status, result.output)
    }

    @Test func decodesHexArguments() throws {
        let (status, output) = try Self.run([
            "decode", "010a00200000000000000100000e000100000102030405060708090a0b0c0d0e",
        ])
        #expect(status == 0)
        #expect(
            output.hasPrefix(
                "OFPT_PACKET_IN (xid=0x0): total_len=14 in_port=1 (via no_match) data_len=14 buffer=0x00000100"))
        // Then the frame's flow fields: here a 14-byte Ethernet header with type 0x0d0e.
        #expect(output.contains("dl_src=07:08:09:0a:0b:0c,dl_dst=01:02:03:04:05:06,dl_type=0x0d0e"))
    }

    @Test func decodesStandardInput() throws {
        let (status, output) = try Self.run(["decode"], input: "01 12 00 08 00 00 00 2a\n")
        #expect(status == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "OFPT_BARRIER_REQUEST (xid=0x2a):")
    }

    @Test func malformedInputPrintsFieldAndOffsetAndFails() throws {
        // A FLOW_MOD whose only action claims a length of 12.
        var flowMod = OpenFlowMessage(xid: 1, .flowMod(FlowMod(match: .all, actions: [.stripVlan]))).encoded()
        flowMod.setInteger(UInt16(12), at: 74)
        let (status, output) = try Self.run(["decode", flowMod.hexDump(format: .compact)])
        #expect(status == 1)
        #expect(output.contains("error: ofp_action_header.len at offset 74: length 12 is not a multiple of 8"))
    }
}
