import ControlPlane
import Logging
import NIOCore
import NIOEmbedded
import OpenFlow
import Services
import Testing
import UnitProtocol

@testable import Runtime

/// A switch channel driven through its real pipeline in an `EmbeddedChannel`.
@Suite struct SwitchChannelTests {
    final class Harness {
        let channel: EmbeddedChannel
        let core: UnitCore

        init(
            services: [any HostedService] = [LearningSwitchService()],
            configuration: SwitchConnectionConfiguration = SwitchConnectionConfiguration(),
            dispatch: DispatchSettings = DispatchSettings()
        ) throws {
            let loop = EmbeddedEventLoop()
            channel = EmbeddedChannel(loop: loop)
            core = UnitCore(
                services: services, serving: [:], hosts: HostTracker(), links: LinkDiscovery(),
                identity: UnitIdentity(uid: UnitID(1), tier: 1, name: "test"),
                dispatch: dispatch, eventLoop: loop, logger: Logger(label: "test"))
            try channel.pipeline.syncOperations.addHandler(
                SwitchChannelHandler(configuration: configuration, core: core, logger: Logger(label: "test")))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6633)).wait()
        }

        func send(_ message: OpenFlowMessage) throws { try channel.writeInbound(message.encoded()) }
        func sendBytes(_ bytes: [UInt8]) throws { try channel.writeInbound(ByteBuffer(bytes: bytes)) }

        /// Everything the controller wrote since the last call.
        func received() throws -> [OpenFlowMessage] {
            // The unit flushes what a round of reads caused once the loop has handled them all.
            channel.embeddedEventLoop.run()
            var messages: [OpenFlowMessage] = []
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                while buffer.readableBytes > 0 { messages.append(try OpenFlowMessage(parsing: &buffer)) }
            }
            return messages
        }

        /// HELLO both ways, FEATURES, SET_CONFIG: the switch is registered.
        func handshake(dpid: UInt64 = 1, ports: [UInt16] = [1, 2]) throws {
            let hello = try received()
            #expect(hello.map(\.type) == [.hello])
            try send(OpenFlowMessage(xid: 1, .hello(Hello())))
            let request = try #require(try received().first)
            #expect(request.type == .featuresRequest)
            try send(OpenFlowMessage(xid: request.xid, .featuresReply(LinkDiscoveryPorts.features(dpid, ports))))
            let configured = try received()
            #expect(configured.first?.type == .setConfig)
            #expect(
                configured.dropFirst().first.map { $0.body == .flowMod(LinkDiscovery.interceptFlow) } == true,
                "then the flow that sends LLDP to the controller")
            #expect(configured.dropFirst(2).allSatisfy { $0.type == .packetOut }, "then the LLDP probes")
        }
    }

    enum LinkDiscoveryPorts {
        static func features(_ dpid: UInt64, _ ports: [UInt16]) -> FeaturesReply {
            FeaturesReply(
                datapathID: DatapathID(dpid),
                ports: ports.map {
                    PhysicalPort(
                        portNumber: PortNumber($0), hardwareAddress: MACAddress(rawValue: dpid << 8 | UInt64($0)),
                        name: "p\($0)")
                })
        }
    }

    @Test func handshakeRegistersTheSwitch() throws {
        let harness = try Harness()
        try harness.handshake(dpid: 5)
        #expect(harness.core.switchCount == 1)
        #expect(harness.channel.isActive)
    }

    /// A broadcast IPv4 frame from host 00:00:00:00:00:01 on port 1, unbuffered.
    static let broadcastPacketIn: OpenFlowMessage = {
        var frame = ByteBuffer()
        frame.writeMACAddress(.broadcast)
        frame.writeMACAddress(MACAddress(0, 0, 0, 0, 0, 1))
        frame.writeInteger(UInt16(0x0800))
        frame.writeRepeatingByte(0, count: 46)
        return OpenFlowMessage(xid: 0, .packetIn(PacketIn(totalLength: 60, inPort: PortNumber(1), data: frame)))
    }()

    @Test func packetInIsAnsweredByForwarding() throws {
        let harness = try Harness()
        try harness.handshake()
        try harness.send(Self.broadcastPacketIn)
        let answers = try harness.received()
        guard answers.count == 1, case .packetOut(let packetOut) = answers[0].body else {
            Issue.record("\(answers)")
            return
        }
        #expect(packetOut.actions == [.output(port: .flood, maxLength: 0)])
        #expect(harness.core.hostCount == 1)
    }

    /// A lone PACKET_IN is answered as soon as its read ends; the answers to a burst wait for
    /// the end of the event loop's round, so that the switch's end is woken once.
    @Test func aBurstIsAnsweredAtTheEndOfTheLoopRoundALoneMessageAtOnce() throws {
        let harness = try Harness()
        try harness.handshake()
        let packetIn = Self.broadcastPacketIn

        try harness.channel.writeInbound(packetIn.encoded())
        #expect(
            try harness.channel.readOutbound(as: ByteBuffer.self) != nil, "a lone message is answered without waiting")

        var burst = ByteBuffer()
        for _ in 0..<3 { packetIn.write(to: &burst) }
        try harness.channel.writeInbound(burst)
        #expect(
            try harness.channel.readOutbound(as: ByteBuffer.self) == nil,
            "a burst's answers wait for the end of the round")
        #expect(try harness.received().map(\.type) == [.packetOut, .packetOut, .packetOut])
    }

    /// A switch is held to its window within one read: of ten PACKET_INs read together, four
    /// go up (the window) and the rest wait in the channel until half of those are answered.
    @Test func aSwitchIsHeldToItsWindowWithinOneRead() throws {
        let harness = try Harness(services: [], dispatch: DispatchSettings(switchWindow: 4))
        try harness.handshake()
        let above = ExportedService(
            sid: ServiceID(9), origin: UnitID(20), name: "forwarding", action: .divert, rules: ["packet_in"])
        harness.core.remoteServicesChanged([RemoteService(definition: above, nextHop: UnitID(20))])
        var burst = ByteBuffer()
        for host in UInt8(1)...10 {
            var frame = ByteBuffer()
            frame.writeMACAddress(.broadcast)
            frame.writeMACAddress(MACAddress(0, 0, 0, 0, 0, host))
            frame.writeInteger(UInt16(0x0800))
            frame.writeRepeatingByte(0, count: 46)
            OpenFlowMessage(xid: UInt32(host), .packetIn(PacketIn(totalLength: 60, inPort: PortNumber(1), data: frame)))
                .write(to: &burst)
        }
        try harness.channel.writeInbound(burst)
        harness.channel.embeddedEventLoop.run()
        let dispatcher = { harness.core.dispatcher }
        #expect(dispatcher().counters.escalated == 4, "the window, not the whole read")
        // Answering two brings it down to half its window: the held PACKET_INs go up, up to the window again.
        let upstream = UnitChannelPeer(uid: UnitID(20), relation: .upstream)
        for waiting in dispatcher().waiting.prefix(2) {
            harness.core.received(
                .eventReturn(EventReturn(transaction: waiting.transaction, sid: above.sid, verdict: .continue)),
                from: upstream, now: .now())
        }
        #expect(dispatcher().counters.escalated == 4, "not before the unit looks for room")
        harness.core.resumeInputs()
        #expect(dispatcher().counters.escalated == 6)
        #expect(dispatcher().openTransactions(from: .switchChannel(DatapathID(1))) == 4)
        for waiting in dispatcher().waiting {
            harness.core.received(
                .eventReturn(EventReturn(transaction: waiting.transaction, sid: above.sid, verdict: .continue)),
                from: upstream, now: .now())
        }
        harness.core.resumeInputs()
        #expect(dispatcher().counters.escalated == 10, "every one in order, none lost")
        #expect(dispatcher().counters.shed == 0)
    }

    /// A return's messages reach the switch as they came, with the switch's xid (or fresh
    /// ones); those of a mixed return for a switch that is not here are counted, not sent.
    @Test func aReturnsMessagesGoOutWithTheSwitchsXIDOrFreshOnes() throws {
        let harness = try Harness()
        try harness.handshake(dpid: 1)
        var forOne = EventReturn.SwitchMessageList()
        forOne.append(.barrierRequest(BarrierRequest()), to: DatapathID(1))
        forOne.append(
            .packetOut(PacketOut(actions: [.output(port: .flood, maxLength: 0)], data: ByteBuffer(bytes: [1, 2]))),
            to: DatapathID(1))
        harness.core.forward(forOne, xid: 77)
        harness.core.flushPending()  // as at the end of the unit channel's read
        let answers = try harness.received()
        #expect(answers.map(\.type) == [.barrierRequest, .packetOut])
        #expect(answers.map(\.xid) == [77, 77])

        harness.core.forward(forOne, xid: nil)
        harness.core.flushPending()  // as at the end of the unit channel's read
        let fresh = try harness.received()
        #expect(fresh.map(\.type) == [.barrierRequest, .packetOut])
        #expect(Set(fresh.map(\.xid)).count == 2, "each message its own xid")

        var mixed = forOne
        mixed.append(.barrierRequest(BarrierRequest()), to: DatapathID(99))
        let before = harness.core.undeliverable
        harness.core.forward(mixed, xid: 5)
        harness.core.flushPending()  // as at the end of the unit channel's read
        #expect(try harness.received().map(\.xid) == [5, 5])
        #expect(harness.core.undeliverable == before + 1)
    }

    @Test func garbageGetsAnErrorAndTheChannelStaysUp() throws {
        let harness = try Harness()
        try harness.handshake()
        // An unknown message type with an honest length.
        try harness.sendBytes([1, 99, 0, 8, 0, 0, 0, 42])
        let answers = try harness.received()
        guard answers.count == 1, case .error(let error) = answers[0].body else {
            Issue.record("\(answers)")
            return
        }
        #expect(answers[0].xid == 42)
        #expect(error.type == .badRequest && error.code == BadRequestCode.badType.rawValue)
        #expect(harness.channel.isActive)
        #expect(harness.core.malformedMessages == 1)
    }

    @Test func aLyingLengthClosesTheChannelAfterSayingWhy() throws {
        let harness = try Harness()
        try harness.handshake()
        try harness.sendBytes([1, 10, 0, 3, 0, 0, 0, 1])
        let answers = try harness.received()
        #expect(answers.map(\.type) == [.error])
        #expect(!harness.channel.isActive)
        #expect(harness.core.switchCount == 0)
    }

    @Test func aFloodOfUnsupportedMessagesDisconnects() throws {
        let harness = try Harness(configuration: SwitchConnectionConfiguration(errorBudget: 3))
        try harness.handshake()
        for _ in 0..<4 { try harness.send(OpenFlowMessage(xid: 9, .flowMod(FlowMod(match: .all)))) }
        #expect(try harness.received().count == 4, "an error for each, the last before closing")
        #expect(!harness.channel.isActive)
    }

    @Test func aFloodInOneReadClosesOnceAndAnswersNothingAfter() throws {
        let harness = try Harness(configuration: SwitchConnectionConfiguration(errorBudget: 3))
        try harness.handshake()
        var burst = ByteBuffer()
        for _ in 0..<20 { OpenFlowMessage(xid: 9, .flowMod(FlowMod(match: .all))).write(to: &burst) }
        try harness.channel.writeInbound(burst)
        #expect(try harness.received().count == 4, "an error for each up to the budget and the one that closes")
        #expect(!harness.channel.isActive)
        #expect(harness.core.switchCount == 0)
    }

    @Test func aWriteThatReentersTheHandlerSendsEachAnswerOnce() throws {
        let harness = try Harness()
        try harness.handshake()
        let second = OpenFlowMessage(xid: 2, .echoRequest(EchoRequest()))
        // A write can run other handlers' callbacks before it returns (a channel closing, a
        // read): here the second request arrives while the first answer is being flushed.
        try harness.channel.pipeline.syncOperations.addHandler(
            ReenteringFlush(inbound: second.encoded()), position: .first)
        try harness.send(OpenFlowMessage(xid: 1, .echoRequest(EchoRequest())))
        #expect(try harness.received().map(\.xid) == [1, 2])
    }

    /// Feeds one message back into the pipeline during the first flush it sees.
    final class ReenteringFlush: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        private var inbound: ByteBuffer?

        init(inbound: ByteBuffer) { self.inbound = inbound }

        func flush(context: ChannelHandlerContext) {
            if let bytes = inbound {
                inbound = nil
                context.fireChannelRead(NIOAny(bytes))
                context.fireChannelReadComplete()
            }
            context.flush()
        }
    }

    @Test func anIncompatibleSwitchIsToldAndDisconnected() throws {
        let harness = try Harness()
        _ = try harness.received()
        try harness.send(
            OpenFlowMessage(
                version: 4, xid: 3, .hello(Hello(elements: ByteBuffer(bytes: [0, 1, 0, 8, 0, 0, 0, 0x10])))))
        let answers = try harness.received()
        #expect(answers.count == 1)
        #expect(answers.first?.version == 4)
        #expect(!harness.channel.isActive)
    }
}
