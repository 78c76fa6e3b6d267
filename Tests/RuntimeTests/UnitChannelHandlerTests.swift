import ControlPlane
import Logging
import NIOCore
import NIOEmbedded
import OpenFlow
import Testing
import UnitProtocol

@testable import Runtime

/// A unit channel driven through its real handler in an `EmbeddedChannel`: the acceptor end
/// of a tier-2 unit that hosts one service, talking to a tier-1 unit played by the test.
@Suite struct UnitChannelHandlerTests {
    static let tier2 = UnitIdentity(uid: UnitID(20), tier: 2, name: "tier2")
    static let tier1 = UnitIdentity(uid: UnitID(11), tier: 1, name: "tier1")
    static let service = ExportedService(
        sid: ServiceID(200), origin: UnitID(20), name: "svc-200", subscriptions: [.packetIn])

    final class Harness {
        let channel: EmbeddedChannel
        let neighbours: NeighbourUnits

        init() throws {
            let loop = EmbeddedEventLoop()
            channel = EmbeddedChannel(loop: loop)
            let unitCore = UnitCore(
                services: [], serving: [:], hosts: HostTracker(), links: LinkDiscovery(), identity: tier2,
                dispatch: DispatchSettings(),
                eventLoop: loop, logger: Logger(label: "test"))
            neighbours = NeighbourUnits(
                identity: tier2, hosted: [service], local: unitCore, eventLoop: loop, logger: Logger(label: "test"))
            unitCore.neighbours = neighbours
            try channel.pipeline.syncOperations.addHandler(
                UnitChannelHandler(
                    configuration: UnitChannelConfiguration(local: tier2), role: .acceptor, neighbours: neighbours,
                    logger: Logger(label: "test")))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6644)).wait()
        }

        /// A channel whose handshake with the tier-1 unit is done, its messages read.
        static func established() throws -> Harness {
            let harness = try Harness()
            _ = try harness.received()
            try harness.send(OpenFlowMessage(xid: 1, .hello(Hello())))
            try harness.send(
                UnitMessage.exportsRequest(ExportsRequest(unit: UnitChannelHandlerTests.tier1)).openFlowMessage(xid: 5))
            try harness.send(
                UnitMessage.exportsReply(Exports(unit: UnitChannelHandlerTests.tier1, services: [])).openFlowMessage(
                    xid: 2))
            _ = try harness.received()
            return harness
        }

        func send(_ message: OpenFlowMessage) throws { try channel.writeInbound(message.encoded()) }

        func received() throws -> [OpenFlowMessage] {
            // The unit flushes what a round of reads caused once the loop has handled them all.
            channel.embeddedEventLoop.run()
            return try Self.written(on: channel)
        }

        /// What the unit has written on `channel` so far, without running the loop.
        static func written(on channel: EmbeddedChannel) throws -> [OpenFlowMessage] {
            var messages: [OpenFlowMessage] = []
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                while buffer.readableBytes > 0 { messages.append(try OpenFlowMessage(parsing: &buffer)) }
            }
            return messages
        }

        /// A second channel of the same unit, dialed to a tier-3 unit that exports `service`,
        /// established and with the service's route in: events for it from below go there.
        func dialUpstream(exporting service: ExportedService) throws -> EmbeddedChannel {
            let upstream = EmbeddedChannel(loop: channel.embeddedEventLoop)
            try upstream.pipeline.syncOperations.addHandler(
                UnitChannelHandler(
                    configuration: UnitChannelConfiguration(local: tier2), role: .dialer(.upstream),
                    neighbours: neighbours,
                    logger: Logger(label: "test")))
            try upstream.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6645)).wait()
            let tier3 = UnitIdentity(uid: service.origin, tier: 3, name: "tier3")
            for message in [
                OpenFlowMessage(xid: 1, .hello(Hello())),
                UnitMessage.exportsRequest(ExportsRequest(unit: tier3)).openFlowMessage(xid: 2),
                UnitMessage.exportsReply(Exports(unit: tier3, services: [service])).openFlowMessage(xid: 3),
                UnitMessage.routeAdvertisement(
                    RouteAdvertisement(routes: [RouteEntry(sid: service.sid, origin: service.origin, hops: 0)])
                )
                .openFlowMessage(xid: 4),
            ] {
                try upstream.writeInbound(message.encoded())
            }
            channel.embeddedEventLoop.run()
            _ = try Self.written(on: upstream)
            _ = try Self.written(on: channel)
            return upstream
        }

        func unitMessages() throws -> [UnitMessage] {
            try received().compactMap { message in
                guard case .vendor(let vendor) = message.body else { return nil }
                return try UnitMessage(parsing: vendor)
            }
        }
    }

    @Test func aLowerTierGetsTheExportsAndThenTheRoutes() throws {
        let harness = try Harness()
        #expect(try harness.received().map(\.type) == [.hello])
        try harness.send(OpenFlowMessage(xid: 1, .hello(Hello())))
        #expect(try harness.unitMessages() == [.exportsRequest(ExportsRequest(unit: Self.tier2))])

        try harness.send(UnitMessage.exportsRequest(ExportsRequest(unit: Self.tier1)).openFlowMessage(xid: 5))
        let reply = try harness.received()
        #expect(reply.first?.xid == 5, "the reply answers the request's xid")
        guard case .vendor(let vendor) = reply.first?.body else {
            Issue.record("no reply")
            return
        }
        #expect(try UnitMessage(parsing: vendor) == .exportsReply(Exports(unit: Self.tier2, services: [Self.service])))

        // The tier-1 unit's own (empty) exports complete the handshake; the route follows.
        try harness.send(UnitMessage.exportsReply(Exports(unit: Self.tier1, services: [])).openFlowMessage(xid: 2))
        #expect(
            try harness.unitMessages() == [
                .routeAdvertisement(
                    RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(200), origin: UnitID(20), hops: 0)]))
            ])
        #expect(harness.neighbours.adjacencies.map(\.identity) == [Self.tier1])
        #expect(harness.neighbours.adjacencies.map(\.relation) == [.downstream])
    }

    @Test func routesFromBelowCloseTheChannelAndLeaveTheTableAlone() throws {
        let harness = try Harness.established()
        try harness.send(
            UnitMessage.routeAdvertisement(
                RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(9), origin: UnitID(11), hops: 0)])
            ).openFlowMessage(xid: 3))
        #expect(!harness.channel.isActive, "the channel is closed")
        #expect(harness.neighbours.routes.map(\.sid) == [ServiceID(200)])
        #expect(harness.neighbours.adjacencies.isEmpty)
    }

    /// Events packed in one vendor message are each dispatched, and what they cause is packed
    /// again: three events for a service this unit cannot reach are answered with three
    /// UNREACHABLE returns in one vendor message.
    @Test func packedEventsAreReadOneByOneAndTheirReturnsPacked() throws {
        let harness = try Harness.established()

        var burst = ByteBuffer()
        var packer = UnitMessagePacker()
        for transaction in UInt32(1)...3 {
            let event = UnitMessage.event(
                EscalatedEvent(
                    transaction: transaction, sid: ServiceID(999), domain: UnitID(11), category: .switchRemoved,
                    datapathID: DatapathID(rawValue: UInt64(transaction)),
                    payload: .none))
            packer.append(to: &burst) { event.write(to: &$0, xid: transaction) }
        }
        try harness.channel.writeInbound(burst)

        let answers = try harness.received()
        #expect(answers.count == 1, "the three returns leave in one vendor message")
        guard case .vendor(let vendor) = answers.first?.body else {
            Issue.record("no answer")
            return
        }
        var pack = try UnitMessagePack(parsing: vendor)
        let returns = try pack.readAll()
        #expect(
            returns
                == (UInt32(1)...3).map {
                    .eventReturn(EventReturn(transaction: $0, sid: ServiceID(999), verdict: .unreachable))
                })
        #expect(harness.channel.isActive)
        #expect(harness.neighbours.local.dispatcher.counters.rejected["unreachable_service"] == 3)
    }

    /// Events relayed to the unit above are written once a batch of them waits, and the rest
    /// when the loop's round ends: a small burst is held to the round's end, a large one leaves
    /// in batches at once, and every event arrives, in order.
    @Test func relayedEventsLeaveInBatchesAndTheRestAtTheRoundsEnd() throws {
        let harness = try Harness.established()
        let above = ExportedService(
            sid: ServiceID(300), origin: UnitID(30), name: "svc-300", subscriptions: [.switchRemoved])
        let upstream = try harness.dialUpstream(exporting: above)
        func burst(_ transactions: ClosedRange<UInt32>) -> ByteBuffer {
            var bytes = ByteBuffer()
            var packer = UnitMessagePacker()
            for transaction in transactions {
                let event = UnitMessage.event(
                    EscalatedEvent(
                        transaction: transaction, sid: above.sid, domain: UnitID(11), category: .switchRemoved,
                        datapathID: DatapathID(rawValue: UInt64(transaction)), payload: .none))
                packer.append(to: &bytes) { event.write(to: &$0, xid: transaction) }
            }
            return bytes
        }
        func relayed(_ messages: [OpenFlowMessage]) throws -> [UnitMessage] {
            try messages.flatMap { message -> [UnitMessage] in
                guard case .vendor(let vendor) = message.body else { return [] }
                var pack = try UnitMessagePack(parsing: vendor)
                return try pack.readAll()
            }
        }

        try harness.channel.writeInbound(burst(1...3))
        #expect(try Harness.written(on: upstream).isEmpty, "a small burst waits for the round's end")
        harness.channel.embeddedEventLoop.run()
        let small = try relayed(Harness.written(on: upstream))
        #expect(small.count == 3)

        let size = UInt32(NeighbourUnits.batchSize)
        try harness.channel.writeInbound(burst(1...(size + 5)))
        let atOnce = try relayed(Harness.written(on: upstream))
        #expect(atOnce.count == Int(size) + 5, "a burst of a batch or more leaves at once")
        harness.channel.embeddedEventLoop.run()
        #expect(try Harness.written(on: upstream).isEmpty)
        #expect(harness.neighbours.local.dispatcher.counters.relayed == 3 + Int(size) + 5)
        let order = atOnce.compactMap { message -> UInt64? in
            guard case .event(let event) = message else { return nil }
            return event.datapathID.rawValue
        }
        #expect(order == Array(1...UInt64(size + 5)), "in the order they came")
    }
    /// The unit below's echoes give its clock; an event it sends that arrives past its deadline
    /// is neither relayed nor answered, and one in time goes up with its deadline in our clock.
    @Test func anEventPastItsDeadlineIsDroppedWhereItArrives() throws {
        let harness = try Harness.established()
        let above = ExportedService(
            sid: ServiceID(300), origin: UnitID(30), name: "svc-300", subscriptions: [.switchRemoved])
        let upstream = try harness.dialUpstream(exporting: above)
        // The unit below's clock is an hour ahead of ours (behind would not exist on a machine up
        // for less than an hour); its echo is stamped with it as it is sent.
        let hour = TimeAmount.hours(1).nanoseconds
        func theirs(_ deadline: NIODeadline) -> UInt64 { deadline.uptimeNanoseconds + UInt64(hour) }
        var stamp = ByteBuffer()
        stamp.writeInteger(theirs(.now()))
        try harness.send(OpenFlowMessage(xid: 9, .echoRequest(EchoRequest(payload: stamp))))
        #expect(try harness.received().map(\.type) == [.echoReply])
        func event(_ transaction: UInt32, deadline: UInt64) -> OpenFlowMessage {
            UnitMessage.event(
                EscalatedEvent(
                    transaction: transaction, sid: above.sid, domain: UnitID(11), category: .switchRemoved,
                    deadline: deadline, datapathID: DatapathID(1), payload: .none)
            ).openFlowMessage(xid: transaction)
        }
        try harness.send(event(1, deadline: theirs(.now() - TimeAmount.seconds(Int64(1)))))
        try harness.send(event(2, deadline: theirs(.now() + TimeAmount.seconds(Int64(30)))))
        harness.channel.embeddedEventLoop.run()
        let relayed = try Harness.written(on: upstream).compactMap { message -> EscalatedEvent? in
            guard case .vendor(let vendor) = message.body, case .event(let event) = try UnitMessage(parsing: vendor)
            else { return nil }
            return event
        }
        #expect(relayed.count == 1, "only the event in time goes up")
        let deadline = try #require(relayed.first?.deadline)
        // Read in our clock, and bounded by the service's own timeout (1 s by default).
        #expect(deadline > NIODeadline.now().uptimeNanoseconds)
        #expect(deadline <= (NIODeadline.now() + TimeAmount.seconds(Int64(1))).uptimeNanoseconds)
        #expect(try harness.received().isEmpty, "the late one is not answered either")
        let counters = harness.neighbours.local.dispatcher.serviceCounters[above.sid]
        #expect(counters?.expired == 1 && counters?.relayed == 1)
    }
}
