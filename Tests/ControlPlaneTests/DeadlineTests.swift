import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Testing
import UnitProtocol

/// No late work: events carry when their sender stops waiting, a unit above drops what arrives
/// past it, and returns for ended transactions are counted apart.
@Suite struct DeadlineTests {
    static let t0 = NIODeadline.uptimeNanoseconds(10_000_000_000)
    static let hosted = ServiceID(200)
    static let above = ServiceID(300)

    static func definition(_ sid: ServiceID, timeout: UInt32 = 400) -> ExportedService {
        ExportedService(
            sid: sid, origin: UnitID(30), name: "s\(sid.rawValue)", action: .divert, timeoutMilliseconds: timeout,
            rules: ["packet_in"])
    }

    /// A tier-2 dispatcher that hosts `hosted` and relays `above` to unit 30.
    static func tier2() -> EventDispatcher {
        var dispatcher = EventDispatcher(domain: UnitID(20), hosted: [hosted])
        _ = dispatcher.install([RemoteService(definition: definition(above), nextHop: UnitID(30))])
        return dispatcher
    }

    static func event(for sid: ServiceID, deadline: UInt64) -> EscalatedEvent {
        let message = UnitControllerTests.packetIn(
            from: MACAddress(0, 0, 0, 0, 0, 1), to: MACAddress(0, 0, 0, 0, 0, 2), port: 1)
        return EscalatedEvent(
            transaction: 7, sid: sid, domain: UnitID(11), category: .packetIn, deadline: deadline,
            datapathID: DatapathID(1), payload: .message(message))
    }

    /// Unit 11's clock runs 3 s behind ours (and its echoes took no time).
    static let clock = ClockOffset(nanoseconds: 3_000_000_000)
    /// `t0` plus `milliseconds`, in unit 11's clock.
    static func theirs(_ milliseconds: Int64) -> UInt64 {
        (t0 + .milliseconds(milliseconds)).uptimeNanoseconds - 3_000_000_000
    }

    /// Unit 11 with `above` (timeout 400 ms) through unit 20 and switch 1, which has sent a
    /// PACKET_IN at `sentAt`; with the event that went up.
    static func tier1Escalating(at sentAt: NIODeadline) -> (UnitController, RecordingSink, EscalatedEvent?) {
        var unit = UnitController(services: [], domain: UnitID(11))
        let sink = RecordingSink()
        _ = unit.remoteServicesChanged(
            [RemoteService(definition: Self.definition(Self.above, timeout: 400), nextHop: UnitID(20))], now: Self.t0,
            sink: sink)
        _ = unit.switchConnected(
            LinkDiscoveryTests.description(1, ports: [1]), on: ConnectionID(rawValue: 1), now: Self.t0, sink: sink)
        sink.unitMessages.removeAll()
        let message = UnitControllerTests.packetIn(
            from: MACAddress(0, 0, 0, 0, 0, 1), to: MACAddress(0, 0, 0, 0, 0, 2), port: 1)
        unit.received(message, from: DatapathID(1), now: sentAt, sink: sink)
        guard case .event(let event)? = sink.unitMessages.first?.0 else { return (unit, sink, nil) }
        return (unit, sink, event)
    }

    @Test func anEventEscalatedNowCarriesItsServicesTimeout() throws {
        let (_, sink, escalated) = Self.tier1Escalating(at: Self.t0 + .milliseconds(5))
        let event = try #require(escalated, "no event went up: \(sink.unitMessages)")
        #expect(event.deadline == (Self.t0 + .milliseconds(405)).uptimeNanoseconds)
    }

    /// The final answer to a DIVERTed event ends its round trip, counted in the bucket it falls
    /// in (the DIVERT latency of the metrics); an answer the unit no longer waits for does not.
    @Test func aDivertsRoundTripIsCountedWhenItsAnswerArrives() throws {
        var (unit, sink, escalated) = Self.tier1Escalating(at: Self.t0)
        let event = try #require(escalated, "no event went up: \(sink.unitMessages)")
        let answer = EventReturn(transaction: event.transaction, sid: Self.above, verdict: .continue)
        unit.received(.eventReturn(answer), from: UnitID(20), now: Self.t0 + .microseconds(300), sink: sink)
        unit.received(.eventReturn(answer), from: UnitID(20), now: Self.t0 + .microseconds(900), sink: sink)
        let roundTrips = unit.dispatcher.roundTrips
        #expect(roundTrips.count == 1)
        #expect(roundTrips.sumNanoseconds == 300_000)
        #expect(roundTrips.counts[3] == 1, "above 250 µs, at most 500 µs: \(roundTrips.counts)")
    }

    @Test func anEventInTimeIsServedAndOnePastItsDeadlineIsDroppedUnanswered() {
        var dispatcher = Self.tier2()
        var output = DispatchOutput()
        let now = Self.t0 + .milliseconds(100)
        dispatcher.received(
            Self.event(for: Self.hosted, deadline: Self.theirs(101)), from: UnitID(11), clock: Self.clock, now: now,
            into: &output)
        #expect(output.serve != nil, "1 ms left: served")
        dispatcher.received(
            Self.event(for: Self.hosted, deadline: Self.theirs(100)), from: UnitID(11), clock: Self.clock, now: now,
            into: &output)
        #expect(output.serve == nil && output.actions.isEmpty, "at its deadline: neither served nor answered")
        #expect(dispatcher.serviceCounters[Self.hosted]?.served == 1)
        #expect(dispatcher.serviceCounters[Self.hosted]?.expired == 1)
        #expect(dispatcher.counters.expired == 1)
    }

    @Test func aRelayPassesOnTheEarlierDeadlineInItsOwnClockAndDropsWhatIsLate() {
        var dispatcher = Self.tier2()
        var output = DispatchOutput()
        let now = Self.t0 + .milliseconds(100)
        // 50 ms left of unit 11's wait, within the service's 400 ms: the 50 ms go up.
        dispatcher.received(
            Self.event(for: Self.above, deadline: Self.theirs(150)), from: UnitID(11), clock: Self.clock, now: now,
            into: &output)
        guard case .sendToUnit(.event(let relayed), let next)? = output.actions.first else {
            Issue.record("not relayed: \(output.actions)")
            return
        }
        #expect(next == UnitID(30))
        #expect(relayed.deadline == (Self.t0 + .milliseconds(150)).uptimeNanoseconds, "in our clock")
        // A whole second left below: the service's own 400 ms bound it.
        dispatcher.received(
            Self.event(for: Self.above, deadline: Self.theirs(1100)), from: UnitID(11), clock: Self.clock, now: now,
            into: &output)
        guard case .sendToUnit(.event(let bounded), _)? = output.actions.first else {
            Issue.record("not relayed: \(output.actions)")
            return
        }
        #expect(bounded.deadline == (now + .milliseconds(400)).uptimeNanoseconds)
        // Past its deadline: not relayed, no transaction issued, not answered.
        dispatcher.received(
            Self.event(for: Self.above, deadline: Self.theirs(99)), from: UnitID(11), clock: Self.clock, now: now,
            into: &output)
        #expect(output.actions.isEmpty)
        #expect(dispatcher.openTransactions == 2)
        #expect(dispatcher.serviceCounters[Self.above]?.relayed == 2)
        #expect(dispatcher.serviceCounters[Self.above]?.expired == 1)
    }

    /// Until the sender's clock is known (no echo yet), or when it sets none, a deadline cannot
    /// be read: the event is served.
    @Test func withoutAClockOrADeadlineTheEventIsServed() {
        var dispatcher = Self.tier2()
        var output = DispatchOutput()
        let now = Self.t0 + .seconds(60)
        dispatcher.received(
            Self.event(for: Self.hosted, deadline: Self.theirs(0)), from: UnitID(11), clock: nil, now: now,
            into: &output)
        #expect(output.serve != nil)
        dispatcher.received(
            Self.event(for: Self.hosted, deadline: 0), from: UnitID(11), clock: Self.clock, now: now, into: &output)
        #expect(output.serve != nil)
        #expect(dispatcher.counters.expired == 0)
    }
}

@Suite struct PeerClockTests {
    static let t0 = NIODeadline.uptimeNanoseconds(10_000_000_000)

    @Test func theQuickestOfTheLastEightEchoesCounts() {
        var clock = PeerClock()
        #expect(clock.offset == nil)
        // The peer's clock reads 4 s when ours reads 10 s; delays in milliseconds.
        let delays: [Int64] = [5, 3, 9, 7, 8, 6, 9, 9]
        for (index, delay) in delays.enumerated() {
            let sentAt = Int64(index) * 250
            clock.heard(
                stamp: UInt64(4_000_000_000 + sentAt * 1_000_000),
                at: Self.t0 + .milliseconds(sentAt + delay))
        }
        #expect(clock.offset == ClockOffset(nanoseconds: 6_003_000_000))
        // Once the 3 ms sample is more than eight echoes old, it no longer counts.
        for index in 8..<10 {
            let sentAt = Int64(index) * 250
            clock.heard(stamp: UInt64(4_000_000_000 + sentAt * 1_000_000), at: Self.t0 + .milliseconds(sentAt + 4))
        }
        #expect(clock.offset == ClockOffset(nanoseconds: 6_004_000_000))
    }

    @Test func aDeadlineIsReadInOurClock() {
        let offset = ClockOffset(nanoseconds: 6_000_000_000)
        #expect(offset.local(0) == nil, "no deadline")
        #expect(offset.local(1_000) == .uptimeNanoseconds(6_000_001_000))
        #expect(
            ClockOffset(nanoseconds: -6_000_000_000).local(1_000) == .uptimeNanoseconds(0), "before our clock began")
        #expect(offset.local(.max) == .distantFuture, "out of range: never late")
    }

    @Test func aStampIsEightBytesOrNothing() {
        let stamp = PeerClock.stamp(Self.t0)
        #expect(PeerClock.stamp(in: stamp) == Self.t0.uptimeNanoseconds)
        #expect(PeerClock.stamp(in: ByteBuffer()) == nil)
        #expect(PeerClock.stamp(in: ByteBuffer(bytes: [1, 2, 3])) == nil)
    }
}
