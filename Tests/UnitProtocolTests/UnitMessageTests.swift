import NIOCore
import OpenFlow
import PropertyBased
import TestSupport
import Testing
import UnitProtocol

@Suite struct UnitMessageRoundTripTests {
    @Test(arguments: SampleUnitMessages.all.map(\.0))
    func roundTrip(name: String) throws {
        let message = try #require(SampleUnitMessages.all.first { $0.0 == name }?.1)
        let (decoded, bytes) = try message.roundTripped()
        #expect(decoded == message)
        #expect(decoded.openFlowMessage(xid: 42).encoded() == bytes, "re-encoding gives the same bytes")
        #expect(bytes.getInteger(at: 1, as: UInt8.self) == MessageType.vendor.rawValue)
        #expect(bytes.getInteger(at: 8, as: UInt32.self) == EchelonVendor.id)
        #expect(bytes.getInteger(at: 13, as: UInt8.self) == message.type.rawValue)
        var direct = ByteBuffer()
        message.write(to: &direct, xid: 42)
        #expect(direct == bytes, "writing in one pass gives the same bytes")
    }

    /// A return's messages arrive as the bytes the server wrote and leave for the switch with
    /// the switch's xid put into their header: the same bytes as encoding them with that xid.
    @Test func returnedMessagesLeaveAsTheirBytesWithTheSwitchsXID() throws {
        let message = try #require(
            SampleUnitMessages.all.first { $0.0 == "return, stop with messages, bypass and context" }?.1)
        guard case .eventReturn(let sent) = message, case .eventReturn(let received) = try message.roundTripped().0
        else {
            Issue.record("not a return")
            return
        }
        #expect(received.messages.count == 2)
        for (original, arrived) in zip(sent.messages, received.messages) {
            let value = try original.message
            #expect(arrived.frame == value.encoded())
            #expect(try arrived.message == value)
            var out = ByteBuffer()
            arrived.write(to: &out, xid: 0xdead_beef)
            #expect(out == OpenFlowMessage(xid: 0xdead_beef, value.body).encoded())
        }
    }

    /// A hosted service's messages are encoded into the return's list, entry after entry: each
    /// reads back as its own message, and a list for one switch says so.
    @Test func messagesEncodedIntoAListReadBackEachAsItself() throws {
        let bodies: [OpenFlowMessage.Body] = [
            .barrierRequest(BarrierRequest()),
            .packetOut(PacketOut(actions: [.output(port: .flood, maxLength: 0)], data: ByteBuffer(bytes: [9, 9]))),
        ]
        var list = EventReturn.SwitchMessageList()
        for body in bodies { list.append(body, xid: 5, to: DatapathID(7)) }
        #expect(list.count == 2 && list.soleDatapathID == DatapathID(7))
        for (message, body) in zip(list, bodies) {
            #expect(message.datapathID == DatapathID(7))
            #expect(message.frame == OpenFlowMessage(xid: 5, body).encoded())
        }
        #expect(list == EventReturn.SwitchMessageList(Array(list)))
        // The frames alone, with the switch's xid.
        var frames = ByteBuffer()
        #expect(list.writeFrames(to: &frames, xid: 0x0102_0304) == 0)
        var expected = ByteBuffer()
        for body in bodies { OpenFlowMessage.write(xid: 0x0102_0304, body, to: &expected) }
        #expect(frames == expected)
        // The same walk counts the FLOW_MODs it writes; a message tells its own.
        var withFlows = list
        for _ in 0..<2 { withFlows.append(.flowMod(FlowMod(match: .all)), to: DatapathID(7)) }
        #expect(withFlows.writeFrames(to: &frames, xid: 1) == 2)
        #expect(withFlows.map(\.isFlowMod) == [false, false, true, true])

        list.append(.barrierRequest(BarrierRequest()), to: DatapathID(8))
        #expect(list.count == 3 && list.soleDatapathID == nil)
        // Counted by type in place, each message's length stepping to the next.
        #expect(list.count(of: .barrierRequest) == 2 && list.count(of: .packetOut) == 1)
        #expect(list.count(of: .flowMod) == 0 && EventReturn.SwitchMessageList().count(of: .barrierRequest) == 0)
        let (first, rest) = list.split(atMost: 2)
        #expect(
            first.count == 2 && first.soleDatapathID == DatapathID(7) && rest.count == 1
                && rest.soleDatapathID == DatapathID(8))
        #expect(Array(first) + Array(rest) == Array(list))
        var seen: [DatapathID] = []
        let kept = list.filter {
            seen.append($0.datapathID)
            return $0.datapathID == DatapathID(8)
        }
        #expect(seen == [DatapathID(7), DatapathID(7), DatapathID(8)])
        #expect(kept.count == 1 && kept.soleDatapathID == DatapathID(8) && kept.first?.frame == Array(list)[2].frame)
        #expect(list.filter { _ in true } == list)
        let none = list.filter { _ in false }
        #expect(none.isEmpty && none.soleDatapathID == nil)
        let onlyLater = list.filter { $0.datapathID == DatapathID(8) || $0.frame.readableBytes > 8 }
        #expect(onlyLater.count == 2 && onlyLater.soleDatapathID == nil)
        list.removeAll()
        #expect(list.isEmpty && list.soleDatapathID == nil && Array(list).isEmpty)
    }

    /// A unit answering from below writes its return from the parts; the bytes are the return's.
    @Test func aReturnWrittenFromItsPartsIsTheReturnBuilt() {
        var messages = EventReturn.SwitchMessageList()
        messages.append(.barrierRequest(BarrierRequest()), to: DatapathID(3))
        let bypass = [MACAddress(rawValue: 0x0000_0000_0009)]
        for context in [[], [ContextEntry(key: "auth", value: "allowed")]] {
            var direct = ByteBuffer()
            UnitMessage.writeReturn(
                transaction: 7, sid: ServiceID(2), verdict: .stop, messages: messages, bypass: bypass, context: context,
                to: &direct, xid: 9)
            var built = ByteBuffer()
            UnitMessage.eventReturn(
                EventReturn(
                    transaction: 7, sid: ServiceID(2), verdict: .stop, messages: messages, bypass: bypass,
                    context: context)
            )
            .write(to: &built, xid: 9)
            #expect(direct == built)
        }
    }

    /// A return read from bytes keeps its messages as they came, and knows when they are all for one switch.
    @Test func aReadReturnKnowsWhetherItsMessagesAreForOneSwitch() throws {
        for dpids in [[1, 1, 1], [1, 2, 1], [3]] {
            var messages = EventReturn.SwitchMessageList()
            for dpid in dpids { messages.append(.barrierRequest(BarrierRequest()), to: DatapathID(UInt64(dpid))) }
            let sent = UnitMessage.eventReturn(
                EventReturn(transaction: 1, sid: ServiceID(2), verdict: .stop, messages: messages))
            let (decoded, _) = try sent.roundTripped()
            guard case .eventReturn(let received) = decoded else {
                Issue.record("not a return")
                continue
            }
            #expect(received.messages == messages)
            #expect(received.messages.soleDatapathID == (Set(dpids).count == 1 ? DatapathID(UInt64(dpids[0])) : nil))
        }
    }

    @Test func everySubtypeIsCovered() {
        #expect(Set(SampleUnitMessages.all.map(\.1.type)) == Set(UnitMessageType.known))
    }

    @Test func randomMessagesRoundTrip() async {
        await propertyCheck(count: 2000, input: Gen.unitMessage) { message in
            let (decoded, bytes) = try message.roundTripped()
            #expect(decoded == message)
            #expect(decoded.openFlowMessage(xid: 42).encoded() == bytes)
        }
    }

    /// The layout THESIS-NOTES.md documents, byte for byte.
    @Test func routeAdvertisementLayout() {
        let message = UnitMessage.routeAdvertisement(
            RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(0x0102_0304), origin: UnitID(0x0a0b_0c0d), hops: 3)]))
        let bytes = message.openFlowMessage(xid: 0x11).encoded()
        #expect(
            Array(bytes.readableBytesView) == [
                0x01, 0x04, 0x00, 0x20, 0x00, 0x00, 0x00, 0x11,  // ofp_header: OFPT_VENDOR, 32 bytes
                0x00, 0x45, 0x43, 0x48,  // vendor "\0ECH"
                0x02, 0x10, 0x00, 0x00,  // unit version 2, subtype 16, reserved
                0x00, 0x01, 0x00, 0x00,  // count 1, pad
                0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, 0x03, 0x00, 0x00, 0x00,  // sid, origin, hops, pad
            ])
    }

    @Test func exportsRequestLayout() {
        let bytes = UnitMessage.exportsRequest(ExportsRequest(unit: UnitIdentity(uid: UnitID(5), tier: 1, name: "a1")))
            .openFlowMessage(xid: 1).encoded()
        #expect(
            Array(bytes.readableBytesView.dropFirst(12)) == [
                0x02, 0x01, 0x00, 0x00,  // version 2, subtype 1, reserved
                0x00, 0x00, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00,  // uid 5, tier 1, pad
                0x00, 0x02, 0x61, 0x31,  // name "a1"
            ])
    }

    @Test func longExportListsSplitIntoMessagesThatEachFit() throws {
        let bulky = (0..<600).map { index in
            ExportedService(
                sid: ServiceID(UInt32(index)), origin: UnitID(1), name: "service-\(index)",
                rules: [String(repeating: "packet_in or dpid 0x1 ", count: 10)])
        }
        let parts = Exports.parts(unit: SampleUnitMessages.tier2, services: bulky)
        #expect(parts.count > 1)
        #expect(parts.dropLast().allSatisfy(\.more) && parts.last?.more == false)
        #expect(parts.flatMap(\.services) == bulky)
        for part in parts {
            let (decoded, bytes) = try UnitMessage.exportsReply(part).roundTripped()
            #expect(bytes.readableBytes <= OpenFlowHeader.maximumLength)
            #expect(decoded == .exportsReply(part))
        }
    }

    @Test func longRouteListsSplit() {
        let routes = (0..<10_000).map { RouteEntry(sid: ServiceID(UInt32($0)), origin: UnitID(1), hops: 1) }
        let parts = RouteAdvertisement.parts(routes)
        #expect(parts.map(\.routes.count) == [4096, 4096, 1808])
        #expect(RouteWithdrawal.parts(routes.map(\.sid)).flatMap(\.sids) == routes.map(\.sid))
    }

    @Test func subscriptionMaskUsesTheCategoryIndex() {
        #expect(EventCategory.mask(of: [.switchAdded, .packetIn, .deviceChanged]) == 0b1_0000_1001)
        #expect(EventCategory.categories(inMask: 0xffff).unknownBits == 0xf800)
    }
}

@Suite struct UnitMessageGarbageTests {
    /// Random bytes after a valid unit header: an error or a message, never a trap, and what is
    /// accepted re-encodes to the same message.
    @Test func randomBodiesNeverTrap() async {
        let garbage = Generator<(UInt8, [UInt8]), Shrink.None<(UInt8, [UInt8])>> { rng in
            (
                UnitMessageType.known[Int.random(in: 0..<UnitMessageType.known.count, using: &rng)].rawValue,
                (0..<Int.random(in: 0...120, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            )
        }
        await propertyCheck(count: 5000, input: garbage) { input in
            let (subtype, body) = input
            let vendor = VendorMessage(
                vendor: EchelonVendor.id, payload: ByteBuffer(bytes: [EchelonVendor.version, subtype, 0, 0] + body))
            guard let message = try? UnitMessage(parsing: vendor) else { return }
            let reparsed = try UnitMessage(parsing: message.vendorMessage)
            #expect(reparsed == message)
        }
    }
}

/// A unit channel reads events and returns straight from their frames
/// (`UnitMessage(parsingFrame:)`); that must be the same as reading the frame as an OpenFlow
/// message and then the unit message in it, to the error's field and offset.
@Suite struct UnitMessageFrameReadingTests {
    /// Reads `frame` both ways; nil stands for "another OpenFlow message". The direct way is
    /// the channel's: a frame that is not a vendor message is then parsed as OpenFlow.
    static func bothWays(
        _ frame: ByteBuffer
    ) -> (direct: Result<UnitMessage?, WireError>, twoStep: Result<UnitMessage?, WireError>) {
        let direct = Result { () throws(WireError) -> UnitMessage? in
            if let message = try UnitMessage(parsingFrame: frame) { return message }
            var bytes = frame
            _ = try OpenFlowMessage(parsing: &bytes)
            return nil
        }
        let twoStep = Result { () throws(WireError) -> UnitMessage? in
            var bytes = frame
            let message = try OpenFlowMessage(parsing: &bytes)
            guard case .vendor(let vendor) = message.body else { return nil }
            return try UnitMessage(parsing: vendor)
        }
        return (direct, twoStep)
    }

    @Test func validMessagesReadTheSame() async {
        await propertyCheck(count: 2000, input: Gen.unitMessage) { message in
            let frame = message.openFlowMessage(xid: 7).encoded()
            let (direct, twoStep) = Self.bothWays(frame)
            #expect(direct == twoStep)
            #expect(direct == .success(message))
        }
    }

    @Test func otherMessageTypesAreNotUnitMessages() throws {
        let echo = try UnitMessage(parsingFrame: OpenFlowMessage(xid: 1, .echoRequest(EchoRequest())).encoded())
        let packetIn = try UnitMessage(parsingFrame: SampleUnitMessages.packetIn.encoded())
        #expect(echo == nil)
        #expect(packetIn == nil)
    }

    /// Valid frames with random bytes changed (header, vendor id, unit header, body): both
    /// ways give the same message or the same error.
    @Test func corruptedFramesFailTheSame() async {
        let corrupted = Generator<(UnitMessage, [Int], [UInt8]), Shrink.None<(UnitMessage, [Int], [UInt8])>> { rng in
            var random = RandomUnitMessages(rng: SeededGenerator(base: rng))
            let message = random.message()
            rng = random.rng.base
            let changes = Int.random(in: 1...4, using: &rng)
            return (
                message, (0..<changes).map { _ in Int.random(in: 0..<64, using: &rng) },
                (0..<changes).map { _ in UInt8.random(in: 0...255, using: &rng) }
            )
        }
        await propertyCheck(count: 5000, input: corrupted) { input in
            let (message, positions, values) = input
            var frame = message.openFlowMessage(xid: 7).encoded()
            for (position, value) in zip(positions, values) where position < frame.readableBytes {
                frame.setInteger(value, at: frame.readerIndex + position)
            }
            let (direct, twoStep) = Self.bothWays(frame)
            #expect(direct == twoStep)
        }
    }
}
