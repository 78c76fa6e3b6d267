import NIOCore
import OpenFlow
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: SampleMessages.all.map(\.0))
    func roundTrip(name: String) throws {
        let message = try #require(SampleMessages.all.first { $0.0 == name }?.1)
        var encoded = message.encoded()
        let bytes = encoded
        #expect(
            Int(bytes.getInteger(at: 2, as: UInt16.self) ?? 0) == bytes.readableBytes,
            "header length must cover the whole message")
        let decoded = try OpenFlowMessage(parsing: &encoded)
        #expect(decoded == message)
        #expect(encoded.readableBytes == 0, "parsing must consume exactly one message")
        #expect(decoded.encoded() == bytes, "re-encoding must give the same bytes")
    }

    /// A FLOW_MOD of fixed-size actions is written through one view of the buffer; with a
    /// vendor action, part by part. Both must give what the header and body write separately.
    @Test(arguments: [false, true])
    func flowModWrittenInOneViewMatchesPartByPart(withVendorAction: Bool) throws {
        var actions = SampleMessages.everyAction.filter { !$0.isVendor }
        if withVendorAction {
            actions.append(.vendor(vendor: 0x2320, body: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])))
        }
        let flowMod = FlowMod(match: .all, cookie: 7, idleTimeout: 10, bufferID: BufferID(42), actions: actions)
        #expect((flowMod.fixedMessageLength == nil) == withVendorAction)
        var expected = ByteBuffer()
        OpenFlowHeader(version: OpenFlowHeader.version10, type: .flowMod, length: 0, xid: 99).write(to: &expected)
        flowMod.write(to: &expected)
        expected.setInteger(UInt16(expected.readableBytes), at: 2)
        #expect(OpenFlowMessage(xid: 99, .flowMod(flowMod)).encoded() == expected)
    }

    /// PACKET_OUT (without vendor actions) and PACKET_IN are written like that FLOW_MOD, with
    /// their data after the one view; a prefix (the headers of a unit message carrying them)
    /// joins that view. Each must give what the parts write separately.
    @Test(arguments: [false, true])
    func packetsWrittenInOneViewMatchPartByPart(withVendorAction: Bool) throws {
        var actions = SampleMessages.everyAction.filter { !$0.isVendor }
        if withVendorAction {
            actions.append(.vendor(vendor: 0x2320, body: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])))
        }
        let frame = ByteBuffer(bytes: Array(0..<60))
        let bodies: [OpenFlowMessage.Body] = [
            .packetOut(PacketOut(bufferID: .none, inPort: PortNumber(3), actions: actions, data: frame)),
            .packetOut(PacketOut(bufferID: BufferID(9), inPort: PortNumber(3), actions: actions)),
            .packetIn(
                PacketIn(bufferID: BufferID(5), totalLength: 60, inPort: PortNumber(2), reason: .action, data: frame)),
        ]
        for body in bodies {
            var expected = ByteBuffer(bytes: [0xaa, 0xbb, 0xcc])
            OpenFlowHeader(version: OpenFlowHeader.version10, type: body.type, length: 0, xid: 99).write(to: &expected)
            switch body {
            case .packetOut(let packetOut): packetOut.write(to: &expected)
            case .packetIn(let packetIn): packetIn.write(to: &expected)
            default: Issue.record("unexpected body")
            }
            expected.setInteger(UInt16(expected.readableBytes - 3), at: 3 + 2)
            var written = ByteBuffer()
            OpenFlowMessage.write(xid: 99, body, to: &written, prefixLength: 3) { field, _ in
                for byte: UInt8 in [0xaa, 0xbb, 0xcc] { field.write(byte) }
            }
            #expect(written == expected, "\(body.type)")
        }
    }

    @Test func everyMessageTypeIsCovered() {
        let covered = Set(SampleMessages.all.map(\.1.type.rawValue))
        #expect(covered == Set(0...21))
    }

    @Test func everyActionTypeIsCovered() {
        let covered = Set(SampleMessages.everyAction.map(\.type.rawValue))
        #expect(covered == Set(Array(0...11) + [0xffff]))
    }

    @Test func everyStatsTypeIsCoveredBothWays() {
        var requests = Set<UInt16>()
        var replies = Set<UInt16>()
        for (_, message) in SampleMessages.all {
            if case .statsRequest(let request) = message.body { requests.insert(request.type.rawValue) }
            if case .statsReply(let reply) = message.body { replies.insert(reply.type.rawValue) }
        }
        let all: Set<UInt16> = [0, 1, 2, 3, 4, 5, 0xffff]
        #expect(requests == all)
        #expect(replies == all)
    }

    @Test func sizesMatchTheSpecification() {
        // The OFP_ASSERT sizes of openflow.h 1.0.
        #expect(SampleMessages.fullMatch.encodedSize == 40)
        let sizes: [(String, Int)] = [
            ("features request", 8), ("get config reply", 12), ("flow removed", 88), ("port status add", 64),
            ("port mod", 32), ("queue get config request", 12), ("stats request desc", 12),
            ("stats reply desc", 12 + 1056), ("stats reply aggregate", 12 + 24), ("stats reply table", 12 + 64),
            ("stats reply port", 12 + 2 * 104), ("stats reply queue", 12 + 32), ("stats request flow", 12 + 44),
            ("features reply", 32 + 2 * 48), ("flow mod delete strict", 72), ("packet out buffered", 16),
        ]
        for (name, size) in sizes {
            let message = SampleMessages.all.first { $0.0 == name }?.1
            #expect(message?.encoded().readableBytes == size, "\(name)")
        }
    }

    @Test func actionsHaveTheirSpecifiedLengths() {
        for action in SampleMessages.everyAction {
            var buffer = ByteBuffer()
            action.write(to: &buffer)
            #expect(buffer.readableBytes == action.length)
            #expect(buffer.readableBytes % 8 == 0)
        }
    }

    @Test func wildcardPrefixLengths() {
        var wildcards: Match.Wildcards = []
        wildcards.nwSrcIgnoredBits = 8
        wildcards.nwDstIgnoredBits = 40
        #expect(wildcards.nwSrcPrefixLength == 24)
        #expect(wildcards.nwDstPrefixLength == 0)
        #expect(wildcards.rawValue == 8 << 8 | 40 << 14)
        #expect(Match.Wildcards.all.rawValue == 0x003f_ffff)
        #expect(Match.Wildcards.all.nwSrcIgnoredBits == 63)
    }
}

extension Match {
    var encodedSize: Int {
        var buffer = ByteBuffer()
        write(to: &buffer)
        return buffer.readableBytes
    }
}

@Suite struct FixedStringTests {
    @Test func invalidUTF8ReadsAsQuestionMarksAndWritesBackUnchanged() throws {
        var field = ByteBuffer(bytes: [0x65, 0x74, 0x68, 0xff, 0xfe, 0x31] + Array(repeating: 0, count: 10))
        var reader = WireReader(field)
        let name = try reader.readFixedString(length: 16, field: "ofp_phy_port.name")
        #expect(name == "eth??1")
        field.clear()
        field.writeFixedString(name, length: 16)
        var again = WireReader(field)
        #expect(try again.readFixedString(length: 16, field: "ofp_phy_port.name") == name)
    }

    @Test func longTextIsCutAtACharacterBoundaryAndKeepsItsNUL() throws {
        var field = ByteBuffer()
        field.writeFixedString("port-ü-ü-ü-ü-ü", length: 16)  // 20 bytes of UTF-8
        #expect(field.readableBytes == 16)
        #expect(field.getInteger(at: 15, as: UInt8.self) == 0)
        var reader = WireReader(field)
        #expect(try reader.readFixedString(length: 16, field: "name") == "port-ü-ü-ü-")
    }
}

extension FixedStringTests {
    @Test func fieldWithoutTerminatorKeepsAllButTheLastByte() throws {
        var reader = WireReader(ByteBuffer(string: "0123456789abcdef"))
        #expect(try reader.readFixedString(length: 16, field: "ofp_phy_port.name") == "0123456789abcde")
        #expect(reader.isAtEnd)
    }
}

@Suite struct BufferedPacketAnswerTests {
    /// The shortcut must read the very field the full parser reads, for every sample message.
    @Test(arguments: SampleMessages.all.map(\.0))
    func agreesWithTheFullParser(name: String) throws {
        let message = try #require(SampleMessages.all.first { $0.0 == name }?.1)
        let expected: BufferID? =
            switch message.body {
            case .flowMod(let flowMod): flowMod.bufferID
            case .packetOut(let packetOut): packetOut.bufferID
            default: nil
            }
        #expect(BufferedPacketAnswer.bufferID(in: message.encoded()) == expected)
    }

    @Test func readsFromTheFramesOwnStart() {
        var stream = ByteBuffer(bytes: [0xaa, 0xbb])
        stream.writeImmutableBuffer(
            OpenFlowMessage(xid: 1, .flowMod(FlowMod(match: .all, bufferID: BufferID(0x1234_5678)))).encoded())
        stream.moveReaderIndex(forwardBy: 2)
        #expect(BufferedPacketAnswer.bufferID(in: stream) == BufferID(0x1234_5678))
    }

    @Test func aTruncatedFrameNamesNoBuffer() {
        let short = OpenFlowMessage(xid: 1, .flowMod(FlowMod(match: .all))).encoded().getSlice(at: 0, length: 60)
        #expect(short.flatMap(BufferedPacketAnswer.bufferID(in:)) == nil)
    }
}

@Suite struct PacketInOffsetTests {
    @Test func offsetsNameTheFieldsWriteProduces() {
        let frame = ByteBuffer(bytes: [0xde, 0xad, 0xbe, 0xef])
        let bytes = OpenFlowMessage(
            xid: 9,
            .packetIn(
                PacketIn(bufferID: BufferID(0x0102_0304), totalLength: 4, inPort: PortNumber(0x0a0b), data: frame))
        ).encoded()
        #expect(bytes.getInteger(at: PacketIn.Offset.bufferID, as: UInt32.self) == 0x0102_0304)
        #expect(bytes.getInteger(at: PacketIn.Offset.inPort, as: UInt16.self) == 0x0a0b)
        #expect(bytes.getBytes(at: PacketIn.Offset.data, length: 4) == [0xde, 0xad, 0xbe, 0xef])
    }
}

@Suite struct WireReaderTests {
    /// Bytes given back are read again, and offsets count them again, from the same place.
    @Test func bytesGivenBackAreReadAgainAtTheirOffset() throws {
        var reader = WireReader(ByteBuffer(bytes: [1, 2, 3, 4, 5, 6]), messageOffset: 10)
        _ = try reader.readInteger(as: UInt32.self, field: "first")
        reader.unread(2)
        #expect(reader.offset == 12)
        #expect(reader.remaining == 4)
        #expect(try reader.readInteger(as: UInt16.self, field: "again") == 0x0304)
    }
}

@Suite struct FixedFieldWriterTests {
    /// A structure's fixed fields and the bytes after them go into one view, byte for byte.
    @Test func bytesWrittenThroughAFixedViewAreTheBuffersReadableOnes() {
        var data = ByteBuffer(bytes: [0xff, 0xaa, 0xbb, 0xcc])
        data.moveReaderIndex(forwardBy: 1)
        var buffer = ByteBuffer()
        buffer.writeFixed(5) { field in
            field.write(UInt16(0x0102))
            field.write(bytesOf: data)
        }
        #expect(Array(buffer.readableBytesView) == [0x01, 0x02, 0xaa, 0xbb, 0xcc])
    }
}
