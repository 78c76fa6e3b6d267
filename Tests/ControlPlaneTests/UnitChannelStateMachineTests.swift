import ControlPlane
import NIOCore
import OpenFlow
import Testing
import UnitProtocol

@Suite struct UnitChannelStateMachineTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let tier1 = UnitIdentity(uid: UnitID(11), tier: 1, name: "tier1-a")
    static let tier2 = UnitIdentity(uid: UnitID(20), tier: 2, name: "tier2")
    static let service = ExportedService(sid: ServiceID(7), origin: UnitID(20), name: "authenticator")

    static func machine(_ local: UnitIdentity, _ role: UnitChannelRole) -> UnitChannelStateMachine {
        UnitChannelStateMachine(configuration: UnitChannelConfiguration(local: local), role: role)
    }

    static func unit(_ message: UnitMessage, xid: UInt32 = 9) -> OpenFlowMessage { message.openFlowMessage(xid: xid) }
    static let hello = OpenFlowMessage(xid: 1, .hello(Hello()))

    /// Runs the handshake up to the point where both requests are answered.
    static func established(
        _ local: UnitIdentity, _ role: UnitChannelRole, remote: UnitIdentity, exports: [ExportedService] = []
    ) -> (UnitChannelStateMachine, [UnitChannelAction]) {
        var machine = machine(local, role)
        _ = machine.start(now: t0)
        _ = machine.received(hello, now: t0)
        _ = machine.received(unit(.exportsRequest(ExportsRequest(unit: remote))), now: t0)
        let actions = machine.received(unit(.exportsReply(Exports(unit: remote, services: exports))), now: t0)
        return (machine, actions)
    }

    @Test func theHandshakeIsHelloThenAnExportsRequestEachWay() throws {
        var machine = Self.machine(Self.tier1, .dialer(.upstream))
        let hello = machine.start(now: Self.t0)
        #expect(hello.count == 1)
        guard case .send(let first) = hello.first else {
            Issue.record("no HELLO")
            return
        }
        #expect(first.type == .hello)
        let afterHello = machine.received(Self.hello, now: Self.t0)
        guard case .send(let request) = afterHello.first, case .vendor(let vendor) = request.body else {
            Issue.record("no request")
            return
        }
        #expect(try UnitMessage(parsing: vendor) == .exportsRequest(ExportsRequest(unit: Self.tier1)))

        #expect(
            machine.received(Self.unit(.exportsRequest(ExportsRequest(unit: Self.tier2)), xid: 44), now: Self.t0) == [
                .sendExports(xid: 44, to: UnitID(20), relation: .upstream)
            ])
        #expect(machine.remote == nil, "not established until the reply arrives")
        let done = machine.received(
            Self.unit(.exportsReply(Exports(unit: Self.tier2, services: [Self.service]))), now: Self.t0)
        #expect(done == [.established(Self.tier2, .upstream, exports: [Self.service])])
        #expect(machine.remote?.relation == .upstream)
    }

    @Test func repliesInPartsAreGatheredAndTheRequestMayComeLast() {
        var machine = Self.machine(Self.tier1, .dialer(.upstream))
        _ = machine.start(now: Self.t0)
        _ = machine.received(Self.hello, now: Self.t0)
        let other = ExportedService(sid: ServiceID(8), origin: UnitID(20), name: "resolver")
        #expect(
            machine.received(
                Self.unit(.exportsReply(Exports(unit: Self.tier2, services: [Self.service], more: true))), now: Self.t0
            ).isEmpty)
        #expect(
            machine.received(Self.unit(.exportsReply(Exports(unit: Self.tier2, services: [other]))), now: Self.t0)
                .isEmpty)
        #expect(
            machine.received(Self.unit(.exportsRequest(ExportsRequest(unit: Self.tier2)), xid: 3), now: Self.t0)
                == [
                    .sendExports(xid: 3, to: UnitID(20), relation: .upstream),
                    .established(Self.tier2, .upstream, exports: [Self.service, other]),
                ])
    }

    /// A neighbour may export at most `maximumServices`, gathered over the parts of its reply
    /// or of one update: one more, and the channel is refused with the reason.
    @Test func aNeighbourExportingMoreThanTheLimitIsRefused() {
        let services = (1...3).map { ExportedService(sid: ServiceID($0), origin: UnitID(20), name: "s\($0)") }
        var machine = UnitChannelStateMachine(
            configuration: UnitChannelConfiguration(local: Self.tier1, maximumServices: 2), role: .dialer(.upstream))
        _ = machine.start(now: Self.t0)
        _ = machine.received(Self.hello, now: Self.t0)
        let first = machine.received(
            Self.unit(.exportsReply(Exports(unit: Self.tier2, services: Array(services[0..<2]), more: true))),
            now: Self.t0)
        #expect(first.isEmpty, "two are within the limit")
        let third = machine.received(
            Self.unit(.exportsReply(Exports(unit: Self.tier2, services: [services[2]]))), now: Self.t0)
        #expect(third == [.close(.tooManyServices(limit: 2), sendingFirst: nil)])
        #expect(UnitChannelCloseReason.tooManyServices(limit: 2).description.contains("more than 2 services"))

        var (established, _) = Self.established(Self.tier1, .dialer(.upstream), remote: Self.tier2)
        let limit = established.configuration.maximumServices
        let many = (0...limit).map { ExportedService(sid: ServiceID(UInt32($0)), origin: UnitID(20), name: "m") }
        let update = established.receivedWhenEstablished(
            .exportsUpdate(Exports(unit: Self.tier2, services: many, more: true)), now: Self.t0)
        #expect(update == .close(.tooManyServices(limit: limit), sendingFirst: nil))
    }

    @Test func theAcceptorLearnsTheRelationFromTheTiers() {
        #expect(
            Self.established(Self.tier2, .acceptor, remote: Self.tier1).1.last
                == .established(Self.tier1, .downstream, exports: []))
        let peer = UnitIdentity(uid: UnitID(12), tier: 1, name: "tier1-b")
        #expect(Self.established(Self.tier1, .acceptor, remote: peer).1.last == .established(peer, .peer, exports: []))
    }

    @Test func aHigherTierDialingDownIsRefused() {
        var machine = Self.machine(Self.tier1, .acceptor)
        _ = machine.start(now: Self.t0)
        _ = machine.received(Self.hello, now: Self.t0)
        let actions = machine.received(Self.unit(.exportsRequest(ExportsRequest(unit: Self.tier2))), now: Self.t0)
        #expect(
            actions == [
                .close(
                    .wrongTier(remote: 2, local: 1, relation: "client (a higher tier does not dial a lower one)"),
                    sendingFirst: nil)
            ])
    }

    @Test func anUpstreamThatIsNotHigherIsRefused() {
        var machine = Self.machine(Self.tier1, .dialer(.upstream))
        _ = machine.start(now: Self.t0)
        _ = machine.received(Self.hello, now: Self.t0)
        let same = UnitIdentity(uid: UnitID(12), tier: 1, name: "x")
        #expect(
            machine.received(Self.unit(.exportsRequest(ExportsRequest(unit: same))), now: Self.t0)
                == [.close(.wrongTier(remote: 1, local: 1, relation: "upstream"), sendingFirst: nil)])
    }

    @Test func aUnitClaimingOurUIDIsRefused() {
        var machine = Self.machine(Self.tier1, .acceptor)
        _ = machine.start(now: Self.t0)
        _ = machine.received(Self.hello, now: Self.t0)
        let impostor = UnitIdentity(uid: UnitID(11), tier: 1, name: "impostor")
        #expect(
            machine.received(Self.unit(.exportsRequest(ExportsRequest(unit: impostor))), now: Self.t0) == [
                .close(.claimsOurUID(UnitID(11)), sendingFirst: nil)
            ])
    }

    @Test func aUnitAnnouncingTierZeroIsRefused() {
        var machine = Self.machine(Self.tier2, .acceptor)
        _ = machine.start(now: Self.t0)
        _ = machine.received(Self.hello, now: Self.t0)
        let below = UnitIdentity(uid: UnitID(5), tier: 0, name: "below")
        #expect(
            machine.received(Self.unit(.exportsRequest(ExportsRequest(unit: below))), now: Self.t0) == [
                .close(.invalidTier(0), sendingFirst: nil)
            ])
    }

    /// The handshake's request from `remote`, on a channel with certified trust whose TLS
    /// handshake proved `certified` (nil: none).
    static func requestWithCertificates(
        _ local: UnitIdentity, _ role: UnitChannelRole, expected: [UnitID: ChannelRelation], certified: UnitID?,
        remote: UnitIdentity
    ) -> [UnitChannelAction] {
        var machine = UnitChannelStateMachine(
            configuration: UnitChannelConfiguration(local: local, trust: .certified(expected: expected)), role: role)
        _ = machine.start(now: t0)
        if let certified { machine.certified(as: certified) }
        _ = machine.received(hello, now: t0)
        return machine.received(unit(.exportsRequest(ExportsRequest(unit: remote))), now: t0)
    }

    @Test func withCertificatesAUnitIsWhoItsCertificateNamesInTheRelationConfigured() {
        let expected: [UnitID: ChannelRelation] = [UnitID(11): .downstream, UnitID(21): .peer]
        #expect(
            Self.requestWithCertificates(
                Self.tier2, .acceptor, expected: expected, certified: UnitID(11), remote: Self.tier1)
                == [.sendExports(xid: 9, to: UnitID(11), relation: .downstream)])
        // Its certificate names another unit than the one it claims to be.
        #expect(
            Self.requestWithCertificates(
                Self.tier2, .acceptor, expected: expected, certified: UnitID(12), remote: Self.tier1)
                == [.close(.certificateNamesAnotherUnit(certified: UnitID(12), claimed: UnitID(11)), sendingFirst: nil)]
        )
        // No certificate was proved at all.
        #expect(
            Self.requestWithCertificates(Self.tier2, .acceptor, expected: expected, certified: nil, remote: Self.tier1)
                == [.close(.uncertified, sendingFirst: nil)])
        // A known unit in another relation than the configured one: unit 11 claiming tier 2 is a peer.
        let asPeer = UnitIdentity(uid: UnitID(11), tier: 2, name: "tier1-a")
        #expect(
            Self.requestWithCertificates(
                Self.tier2, .acceptor, expected: expected, certified: UnitID(11), remote: asPeer)
                == [.close(.unexpectedUnit(UnitID(11), relation: .peer, configured: .downstream), sendingFirst: nil)])
        // A unit with a good certificate that the configuration does not name.
        let stranger = UnitIdentity(uid: UnitID(13), tier: 1, name: "stranger")
        #expect(
            Self.requestWithCertificates(
                Self.tier2, .acceptor, expected: expected, certified: UnitID(13), remote: stranger)
                == [.close(.unexpectedUnit(UnitID(13), relation: .downstream, configured: nil), sendingFirst: nil)])
        // The dialing end checks the unit it reached the same way.
        #expect(
            Self.requestWithCertificates(
                Self.tier1, .dialer(.upstream), expected: [UnitID(20): .upstream], certified: UnitID(20),
                remote: Self.tier2) == [.sendExports(xid: 9, to: UnitID(20), relation: .upstream)])
        #expect(
            Self.requestWithCertificates(
                Self.tier1, .dialer(.upstream), expected: [UnitID(21): .upstream], certified: UnitID(20),
                remote: Self.tier2)
                == [.close(.unexpectedUnit(UnitID(20), relation: .upstream, configured: nil), sendingFirst: nil)])
    }

    @Test func closeReasonsNameWhatIsWrongAndWhereToLook() {
        #expect(
            UnitChannelCloseReason.unexpectedUnit(UnitID(11), relation: .peer, configured: .downstream).description
                == "unit u11 is configured as downstream (units.downstream), not as peer")
        #expect(
            UnitChannelCloseReason.unexpectedUnit(UnitID(13), relation: .downstream, configured: nil).description
                == "unit u13 is not among the units this unit's configuration names as downstream (units.downstream)")
        #expect(
            UnitChannelCloseReason.certificateNamesAnotherUnit(certified: UnitID(12), claimed: UnitID(11)).description
                == "the other unit claims UID u11, but its certificate names unit u12")
    }

    @Test func somethingOtherThanHelloFirstCloses() {
        var machine = Self.machine(Self.tier1, .acceptor)
        _ = machine.start(now: Self.t0)
        #expect(
            machine.received(
                OpenFlowMessage(xid: 1, .featuresReply(FeaturesReply(datapathID: DatapathID(1)))), now: Self.t0)
                == [.close(.expectedHello(got: .featuresReply), sendingFirst: nil)])
    }

    @Test func aForeignVendorMessageCloses() {
        var machine = Self.machine(Self.tier1, .acceptor)
        _ = machine.start(now: Self.t0)
        _ = machine.received(Self.hello, now: Self.t0)
        let foreign = OpenFlowMessage(
            xid: 2, .vendor(VendorMessage(vendor: 0x2320, payload: ByteBuffer(bytes: [0, 0, 0, 1]))))
        #expect(
            machine.received(foreign, now: Self.t0)
                == [
                    .close(
                        .malformed(WireError(.unknownType(0x2320), field: "ofp_vendor_header.vendor", offset: 8)),
                        sendingFirst: nil)
                ])
    }

    @Test func aSwitchMessageOnAnEstablishedChannelClosesIt() {
        var (machine, _) = Self.established(Self.tier1, .dialer(.upstream), remote: Self.tier2)
        let actions = machine.received(
            OpenFlowMessage(xid: 3, .packetIn(PacketIn(totalLength: 0, inPort: PortNumber(1), data: ByteBuffer()))),
            now: Self.t0)
        #expect(actions == [.close(.unexpectedMessage(.packetIn, state: "established"), sendingFirst: nil)])
        #expect(machine.channelClosed() == [.channelDown(UnitID(20))], "the routes it carried go with it")
        #expect(machine.channelClosed().isEmpty, "reported once")
    }

    @Test func routesAndCompleteExportsUpdatesAreDelivered() {
        var (machine, _) = Self.established(Self.tier1, .dialer(.upstream), remote: Self.tier2)
        let routes = UnitMessage.routeAdvertisement(
            RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(7), origin: UnitID(20), hops: 0)]))
        #expect(
            machine.received(Self.unit(routes), now: Self.t0) == [
                .deliver(routes, from: UnitChannelPeer(uid: UnitID(20), relation: .upstream))
            ])
        #expect(
            machine.received(
                Self.unit(.exportsUpdate(Exports(unit: Self.tier2, services: [Self.service], more: true))), now: Self.t0
            ).isEmpty)
        #expect(
            machine.received(Self.unit(.exportsUpdate(Exports(unit: Self.tier2, services: []))), now: Self.t0)
                == [
                    .deliver(
                        .exportsUpdate(Exports(unit: Self.tier2, services: [Self.service])),
                        from: UnitChannelPeer(uid: UnitID(20), relation: .upstream))
                ])
        #expect(
            machine.received(Self.unit(.exportsRequest(ExportsRequest(unit: Self.tier2))), now: Self.t0)
                == [
                    .close(
                        .unexpectedUnitMessage(.exportsRequest, state: "after the exports exchange"), sendingFirst: nil)
                ])
    }

    /// The types a channel hands over without an action are exactly those the state machine
    /// answers with `.deliver` once established; a pack has a peer only while the channel is
    /// established; and a pack's arrival counts as hearing from the other unit.
    @Test func messagesHandedOverAsTheyAreAreThoseTheMachineDelivers() throws {
        var waiting = Self.machine(Self.tier1, .dialer(.upstream))
        _ = waiting.start(now: Self.t0)
        let beforeEstablished = waiting.packArrived(now: Self.t0)
        #expect(beforeEstablished == nil && waiting.peer == nil, "not established")
        var (machine, _) = Self.established(Self.tier1, .dialer(.upstream), remote: Self.tier2)
        let peer = UnitChannelPeer(uid: UnitID(20), relation: .upstream)
        #expect(machine.peer == peer)
        for raw in UInt8.min...UInt8.max {
            let type = UnitMessageType(rawValue: raw)
            let delivered = [UnitMessageType.event, .eventReturn, .command, .routeAdvertisement, .routeWithdrawal]
                .contains(type)
            #expect(UnitChannelStateMachine.deliversAsIs(type) == delivered, "\(type)")
        }
        // The machine's own answer for each such message agrees.
        let event = UnitMessage.event(
            EscalatedEvent(
                transaction: 1, sid: ServiceID(7), domain: UnitID(11), category: .switchRemoved,
                datapathID: DatapathID(1), payload: .none))
        #expect(machine.receivedWhenEstablished(event, now: Self.t0) == .deliver(event, from: peer))
        // Heard from at 200 ms: at 240 ms the 250 ms echo interval has not passed since the channel opened.
        let heard = machine.packArrived(now: Self.t0 + .milliseconds(200))
        let tick = machine.tick(now: Self.t0 + .milliseconds(240))
        #expect(heard == peer && tick.isEmpty)
        _ = machine.channelClosed()
        let afterClose = machine.packArrived(now: Self.t0)
        #expect(afterClose == nil && machine.peer == nil, "closed")
    }

    @Test func silenceBringsAnEchoThenDeath() {
        var (machine, _) = Self.established(Self.tier1, .dialer(.upstream), remote: Self.tier2)
        #expect(machine.tick(now: Self.t0 + .milliseconds(100)).isEmpty)
        let echo = machine.tick(now: Self.t0 + .milliseconds(300))
        guard case .send(let request) = echo.first else {
            Issue.record("no echo")
            return
        }
        #expect(request.type == .echoRequest)
        #expect(machine.tick(now: Self.t0 + .milliseconds(400)).isEmpty, "one echo outstanding at a time")
        #expect(machine.tick(now: Self.t0 + .milliseconds(800)) == [.close(.keepaliveTimeout, sendingFirst: nil)])
    }

    /// Echoes carry the sender's clock and go out every interval, busy channel or not: the other
    /// end reads the deadlines of events through them.
    @Test func echoesCarryTheClockEvenWhileTheChannelIsBusy() throws {
        var (machine, _) = Self.established(Self.tier1, .dialer(.upstream), remote: Self.tier2)
        var sent: [UInt64] = []
        for step in 1...4 {
            let now = Self.t0 + .milliseconds(Int64(step) * 260)
            // Something arrives just before each tick: the channel is never silent.
            _ = machine.packArrived(now: now - .milliseconds(1))
            let actions = machine.tick(now: now)
            guard case .send(let request) = actions.first, case .echoRequest(let echo) = request.body else {
                Issue.record("no echo at step \(step): \(actions)")
                return
            }
            sent.append(try #require(PeerClock.stamp(in: echo.payload)))
            _ = machine.received(OpenFlowMessage(xid: request.xid, .echoReply(EchoReply(answering: echo))), now: now)
        }
        #expect(sent == (1...4).map { (Self.t0 + .milliseconds(Int64($0) * 260)).uptimeNanoseconds })
    }

    /// The other unit's echoes set its clock in the peer the channel hands over with its messages.
    @Test func anEchoFromTheOtherUnitSetsItsClock() {
        var (machine, _) = Self.established(Self.tier2, .acceptor, remote: Self.tier1)
        #expect(machine.peer?.clock == nil, "no echo heard yet")
        // Its clock is 5 s ahead of ours; its echoes take 2 ms, then 1 ms, then 9 ms to arrive.
        let ahead = Int64(5_000_000_000)
        for (sentAt, delay) in [(100, 2), (400, 1), (700, 9)] {
            let stamp = Self.t0.uptimeNanoseconds + UInt64(ahead) + UInt64(sentAt) * 1_000_000
            _ = machine.received(
                OpenFlowMessage(xid: 1, .echoRequest(EchoRequest(payload: Self.bytes(stamp)))),
                now: Self.t0 + .milliseconds(Int64(sentAt + delay)))
        }
        // The quickest delivery counts: a deadline of its is read at most 1 ms late, never early.
        #expect(machine.peer?.clock == ClockOffset(nanoseconds: -ahead + 1_000_000))
        // An echo without a stamp (another implementation's) is answered and read as nothing.
        #expect(
            machine.received(OpenFlowMessage(xid: 6, .echoRequest(EchoRequest())), now: Self.t0) == [
                .send(OpenFlowMessage(xid: 6, .echoReply(EchoReply())))
            ])
        #expect(machine.peer?.clock == ClockOffset(nanoseconds: -ahead + 1_000_000))
    }

    static func bytes(_ value: UInt64) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(value)
        return buffer
    }

    @Test func anAnsweredEchoKeepsTheChannel() {
        var (machine, _) = Self.established(Self.tier1, .dialer(.upstream), remote: Self.tier2)
        _ = machine.tick(now: Self.t0 + .milliseconds(300))
        _ = machine.received(OpenFlowMessage(xid: 5, .echoReply(EchoReply())), now: Self.t0 + .milliseconds(310))
        // 490 ms of silence since the reply: time for another echo, not for a close.
        let next = machine.tick(now: Self.t0 + .milliseconds(800))
        guard case .send(let echo) = next.first, next.count == 1 else {
            Issue.record("\(next)")
            return
        }
        #expect(echo.type == .echoRequest)
        #expect(
            machine.received(OpenFlowMessage(xid: 6, .echoRequest(EchoRequest())), now: Self.t0) == [
                .send(OpenFlowMessage(xid: 6, .echoReply(EchoReply())))
            ])
    }

    @Test func aHandshakeThatNeverFinishesTimesOut() {
        var machine = Self.machine(Self.tier1, .acceptor)
        _ = machine.start(now: Self.t0)
        _ = machine.received(Self.hello, now: Self.t0)
        #expect(machine.tick(now: Self.t0 + .seconds(4)).isEmpty)
        #expect(machine.tick(now: Self.t0 + .seconds(5)) == [.close(.handshakeTimeout, sendingFirst: nil)])
        #expect(machine.channelClosed().isEmpty, "nothing was established, so nothing goes down")
    }

    @Test func aHelloWithoutOpenFlow10IsAnsweredInItsVersion() {
        var machine = Self.machine(Self.tier1, .acceptor)
        _ = machine.start(now: Self.t0)
        // An OpenFlow 1.3 HELLO whose version bitmap holds 1.3 only (bit 4).
        let bitmap = ByteBuffer(bytes: [0, 1, 0, 8, 0, 0, 0, 0x10])
        let actions = machine.received(
            OpenFlowMessage(version: 4, xid: 1, .hello(Hello(elements: bitmap))), now: Self.t0)
        guard case .close(.incompatibleVersion(4), let reply?) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(reply.version == 4 && reply.type == .error)
    }
}

@Suite struct RedialBackoffTests {
    @Test func doublesUpToTheCapAndResets() {
        var backoff = RedialBackoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0)
        let delays = (0..<6).map { _ in backoff.nextDelay(random: 0.5).nanoseconds / 1_000_000 }
        #expect(delays == [100, 200, 400, 800, 1000, 1000])
        backoff.reset()
        #expect(backoff.nextDelay(random: 0.5) == .milliseconds(100))
    }

    @Test func jitterSpreadsEachDelayWithinItsBounds() {
        var low = RedialBackoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.2)
        var high = low
        #expect(low.nextDelay(random: 0) == .milliseconds(80))
        #expect(high.nextDelay(random: 0.999_999).nanoseconds / 1_000_000 == 119)
    }
}
