import NIOCore
import OpenFlow
import PropertyBased
import TestSupport
import Testing
import UnitProtocol

/// Unit messages packed into shared vendor messages (`UnitMessagePacker`) and read back
/// (`UnitMessagePack`), and the errors of packs whose lengths lie.
@Suite struct UnitMessagePackTests {
    static let messages = SampleUnitMessages.all.map(\.1)

    /// Writes each message whole, as a unit channel does, packing as it goes.
    static func packed(
        _ messages: [UnitMessage], closingBefore: Set<Int> = [], maximumLength: Int = OpenFlowHeader.maximumLength
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        var packer = UnitMessagePacker(maximumLength: maximumLength)
        for (index, message) in messages.enumerated() {
            if closingBefore.contains(index) { packer.close() }
            packer.append(to: &buffer) { message.write(to: &$0, xid: UInt32(index + 1)) }
        }
        return buffer
    }

    /// The OpenFlow frames in `bytes`, each read as a pack of unit messages.
    static func unpacked(_ bytes: ByteBuffer) throws -> [[UnitMessage]] {
        var bytes = bytes
        var frames: [[UnitMessage]] = []
        while let frame = try OpenFlowFrameDecoder.nextFrame(from: &bytes, maximumLength: OpenFlowHeader.maximumLength)
        {
            var pack = try #require(try UnitMessagePack(frame: frame))
            frames.append(try pack.readAll())
        }
        #expect(bytes.readableBytes == 0)
        return frames
    }

    /// A vendor message of ours with this payload (what follows the vendor id), as a frame.
    static func frame(_ payload: [UInt8]) -> ByteBuffer {
        OpenFlowMessage(xid: 1, .vendor(VendorMessage(vendor: EchelonVendor.id, payload: ByteBuffer(bytes: payload))))
            .encoded()
    }

    static func readAll(_ frame: ByteBuffer) throws(WireError) -> [UnitMessage] {
        guard var pack = try UnitMessagePack(frame: frame) else { return [] }
        return try pack.readAll()
    }

    /// The payload of a packed vendor message: the messages' unit headers and bodies, every
    /// one but the last with its length.
    static func payload(_ messages: [UnitMessage]) -> [UInt8] {
        var bytes = packed(messages)
        bytes.moveReaderIndex(forwardBy: EchelonVendor.unitHeaderOffset)
        return Array(bytes.readableBytesView)
    }

    @Test func aBurstBecomesOneVendorMessageThatReadsBackInOrder() throws {
        let bytes = Self.packed(Self.messages)
        let frames = try Self.unpacked(bytes)
        #expect(frames.count == 1)
        #expect(frames.first == Self.messages)
        // It is a well-formed OFPT_VENDOR message of its whole length.
        var reader = bytes
        let message = try OpenFlowMessage(parsing: &reader)
        #expect(message.type == .vendor && message.xid == 1 && reader.readableBytes == 0)
        let unpackedLength = Self.messages.map { $0.openFlowMessage(xid: 1).encoded().readableBytes }.reduce(0, +)
        #expect(bytes.readableBytes == unpackedLength - (Self.messages.count - 1) * EchelonVendor.unitHeaderOffset)
    }

    /// Read where they lie, the messages come with their types, in order, until the reader
    /// says stop; the rest stay unread.
    @Test func readingEachGivesTypesInOrderAndStopsWhenAsked() throws {
        var bytes = Self.packed(Self.messages)
        let frame = try #require(
            try OpenFlowFrameDecoder.nextFrame(from: &bytes, maximumLength: OpenFlowHeader.maximumLength))
        var pack = try #require(try UnitMessagePack(frame: frame))
        var seen: [UnitMessage] = []
        try pack.readEach { type, message in
            #expect(type == message.type)
            seen.append(message)
            return seen.count < 3
        }
        #expect(seen == Array(Self.messages.prefix(3)))
        #expect(try pack.readAll() == Array(Self.messages.dropFirst(3)))
    }

    @Test func aLoneMessageIsWrittenAsIfUnpacked() throws {
        for message in Self.messages {
            #expect(Self.packed([message]) == message.openFlowMessage(xid: 1).encoded())
        }
    }

    @Test func everyLengthButTheLastIsSetAndTheLastRunsToTheEnd() throws {
        let first = Self.messages[0]
        let second = Self.messages[1]
        let third = Self.messages[2]
        let bytes = Self.packed([first, second, third])
        let firstLength = first.openFlowMessage(xid: 1).encoded().readableBytes - EchelonVendor.unitHeaderOffset
        let secondLength = second.openFlowMessage(xid: 1).encoded().readableBytes - EchelonVendor.unitHeaderOffset
        let start = EchelonVendor.unitHeaderOffset
        #expect(bytes.getInteger(at: start + 2, as: UInt16.self) == UInt16(firstLength))
        #expect(bytes.getInteger(at: start + firstLength + 2, as: UInt16.self) == UInt16(secondLength))
        #expect(bytes.getInteger(at: start + firstLength + secondLength + 2, as: UInt16.self) == 0)
        #expect(bytes.getInteger(at: 2, as: UInt16.self) == UInt16(bytes.readableBytes))
    }

    @Test func packsStayWithinTheOpenFlowLength() throws {
        // Events of about 1.5 KB: forty-odd fill a vendor message, a hundred need three.
        let packetIn = OpenFlowMessage(
            xid: 3,
            .packetIn(
                PacketIn(
                    bufferID: BufferID(rawValue: 7), totalLength: 1500, inPort: PortNumber(1),
                    data: ByteBuffer(repeating: 0xab, count: 1500))))
        let events = (0..<100).map { index in
            UnitMessage.event(
                EscalatedEvent(
                    transaction: UInt32(index), sid: ServiceID(9), domain: UnitID(11), category: .packetIn,
                    datapathID: DatapathID(rawValue: 1),
                    payload: .message(packetIn)))
        }
        let bytes = Self.packed(events)
        let frames = try Self.unpacked(bytes)
        #expect(frames.count == 3)
        #expect(frames.flatMap { $0 } == events)
        var rest = bytes
        while let frame = try OpenFlowFrameDecoder.nextFrame(from: &rest, maximumLength: OpenFlowHeader.maximumLength) {
            #expect(frame.readableBytes <= OpenFlowHeader.maximumLength)
        }
    }

    @Test func aPackerGivenAShorterLengthPacksWithinIt() throws {
        // About 160 bytes each: a 2,000-byte bound fits twelve to a vendor message.
        let events = (0..<40).map { index in
            UnitMessage.event(
                EscalatedEvent(
                    transaction: UInt32(index), sid: ServiceID(9), domain: UnitID(11), category: .packetIn,
                    datapathID: DatapathID(rawValue: 1),
                    payload: .message(
                        OpenFlowMessage(
                            xid: 3,
                            .packetIn(
                                PacketIn(
                                    totalLength: 100, inPort: PortNumber(1),
                                    data: ByteBuffer(repeating: 0xcd, count: 100)))))))
        }
        let bytes = Self.packed(events, maximumLength: 2000)
        let frames = try Self.unpacked(bytes)
        #expect(frames.flatMap { $0 } == events)
        #expect(frames.count > 1 && frames.dropLast().allSatisfy { $0.count > 1 })
        var rest = bytes
        while let frame = try OpenFlowFrameDecoder.nextFrame(from: &rest, maximumLength: OpenFlowHeader.maximumLength) {
            #expect(frame.readableBytes <= 2000)
        }
    }

    @Test func closingStartsTheNextMessageAfresh() throws {
        let frames = try Self.unpacked(Self.packed(Self.messages, closingBefore: [3, 4]))
        #expect(frames == [Array(Self.messages[0..<3]), [Self.messages[3]], Array(Self.messages[4...])])
    }

    @Test func randomBurstsReadBackAsWritten() async {
        let bursts = Generator<[UnitMessage], Shrink.None<[UnitMessage]>> { rng in
            var random = RandomUnitMessages(rng: SeededGenerator(base: rng))
            defer { rng = random.rng.base }
            return (0..<random.count(1...40)).map { _ in random.message() }
        }
        await propertyCheck(count: 300, input: bursts) { burst in
            let frames = try Self.unpacked(Self.packed(burst))
            #expect(frames.flatMap { $0 } == burst)
        }
    }

    // MARK: Lengths that lie

    @Test func aLengthShorterThanTheUnitHeaderIsRefused() {
        var payload = Self.payload([Self.messages[0], Self.messages[1]])
        payload[2] = 0
        payload[3] = 3
        #expect(
            throws: WireError(.lengthBelowMinimum(length: 3, minimum: 4), field: "echelon_header.length", offset: 14)
        ) {
            try Self.readAll(Self.frame(payload))
        }
    }

    @Test func aLengthPastTheEndIsRefused() {
        var payload = Self.payload([Self.messages[0], Self.messages[1]])
        let available = payload.count
        payload[2] = UInt8((available + 1) >> 8)
        payload[3] = UInt8((available + 1) & 0xff)
        #expect(
            throws: WireError(
                .truncated(needed: available + 1, available: available), field: "echelon_header.length", offset: 14)
        ) {
            try Self.readAll(Self.frame(payload))
        }
    }

    @Test func aLengthLongerThanItsMessageLeavesTrailingBytesInIt() {
        // The first message claims one byte of the second: its body has a byte too many.
        var payload = Self.payload([Self.messages[0], Self.messages[1]])
        let length = Int(UInt16(payload[2]) << 8 | UInt16(payload[3]))
        payload[3] &+= 1
        let error = Self.catching { () throws(WireError) in try Self.readAll(Self.frame(payload)) }
        #expect(error?.reason == .trailingBytes(count: 1))
        #expect(error?.offset == EchelonVendor.unitHeaderOffset + length)
        #expect(error?.field == Self.messages[0].type.description)
    }

    @Test func aLaterMessageCutInsideItsUnitHeaderIsRefusedAtItsField() {
        let first = Self.payload([Self.messages[0]])
        var payload = Self.payload([Self.messages[0], Self.messages[1]])
        payload.removeLast(payload.count - first.count - 2)
        let at = EchelonVendor.unitHeaderOffset + first.count
        #expect(throws: WireError(.truncated(needed: 2, available: 0), field: "echelon_header.length", offset: at + 2))
        {
            try Self.readAll(Self.frame(payload))
        }
    }

    @Test func aLaterMessageOfAnotherVersionOrSubtypeIsRefusedAtItsOffset() {
        let at = Self.payload([Self.messages[0]]).count
        var payload = Self.payload([Self.messages[0], Self.messages[1]])
        payload[at] = 1
        #expect(
            throws: WireError(
                .unsupportedVersion(1), field: "echelon_header.version", offset: EchelonVendor.unitHeaderOffset + at)
        ) {
            try Self.readAll(Self.frame(payload))
        }
        payload[at] = EchelonVendor.version
        payload[at + 1] = 99
        #expect(
            throws: WireError(
                .unknownType(99), field: "echelon_header.subtype", offset: EchelonVendor.unitHeaderOffset + at + 1)
        ) {
            try Self.readAll(Self.frame(payload))
        }
    }

    @Test func readingOneMessageRefusesAPackOfSeveral() {
        let payload = Self.payload([Self.messages[0], Self.messages[1]])
        let first = Self.payload([Self.messages[0]]).count
        let expected = WireError(
            .trailingBytes(count: payload.count - first), field: "unit messages packed after the first",
            offset: EchelonVendor.unitHeaderOffset + first)
        #expect(throws: expected) { try UnitMessage(parsingFrame: Self.frame(payload)) }
        #expect(throws: expected) {
            try UnitMessage(parsing: VendorMessage(vendor: EchelonVendor.id, payload: ByteBuffer(bytes: payload)))
        }
    }

    @Test func aVendorMessageWithNothingAfterTheVendorIDIsCutShort() {
        #expect(throws: WireError(.truncated(needed: 1, available: 0), field: "echelon_header.version", offset: 12)) {
            try Self.readAll(Self.frame([]))
        }
    }

    static func catching(_ body: () throws(WireError) -> [UnitMessage]) -> WireError? {
        do {
            _ = try body()
            return nil
        } catch { return error }
    }
}
