import ControlPlane
import NIOCore
import OpenFlow
import TestSupport
import Testing
import UnitProtocol

/// When a unit stops reading an input and reads it again, driven with plain values; then the
/// unit controller's counts behind it, with a flooding switch beside a quiet one.
@Suite struct BackpressureTests {
    static let a = EventOrigin.switchChannel(DatapathID(1))
    static let b = EventOrigin.switchChannel(DatapathID(2))
    static let below = EventOrigin.unit(UnitID(10))

    static func load(transactions: Int = 0, parked: Int = 0, backlogged: Bool = false) -> Backpressure.Load {
        Backpressure.Load(
            transactions: transactions, transactionCapacity: 1000, parked: parked, parkedCapacity: 100,
            upwardBacklogged: backlogged)
    }

    @Test func aSwitchWithItsWindowOpenAboveIsPausedUntilHalfIsAnswered() {
        var pressure = Backpressure(window: 8)
        let r1 = pressure.burstEnded(from: Self.a, open: 7, load: Self.load())
        #expect(!r1)
        let r2 = pressure.burstEnded(from: Self.a, open: 8, load: Self.load())
        #expect(r2)
        let r3 = pressure.burstEnded(from: Self.b, open: 3, load: Self.load())
        #expect(!r3, "the other switch reads on")
        let r4 = pressure.burstEnded(from: Self.a, open: 9, load: Self.load())
        #expect(!r4, "paused once")
        let r5 = pressure.roomMayHaveFreed(open: { _ in 5 }, load: Self.load())
        #expect(r5.isEmpty, "5 open: over half")
        let r6 = pressure.roomMayHaveFreed(open: { _ in 4 }, load: Self.load())
        #expect(r6 == [Self.a])
        #expect(pressure.isIdle)
        #expect(pressure.episodes == 1 && pressure.pauses == 1)
    }

    @Test func unitsBelowHaveNoWindowOfTheirOwn() {
        var pressure = Backpressure(window: 8)
        let r7 = pressure.burstEnded(from: Self.below, open: 500, load: Self.load())
        #expect(!r7)
    }

    @Test func congestionPausesEveryInputAndResumesThemInOrderBelowTheLowWaterMark() {
        var pressure = Backpressure(window: 64)
        // Nine tenths of the transaction table: every input that ends a burst is paused.
        let r8 = pressure.burstEnded(from: Self.b, open: 1, load: Self.load(transactions: 900))
        #expect(r8)
        #expect(pressure.congested)
        let r9 = pressure.burstEnded(from: Self.below, open: 0, load: Self.load(transactions: 850))
        #expect(r9)
        let r10 = pressure.burstEnded(from: Self.a, open: 0, load: Self.load(transactions: 800))
        #expect(r10, "still congested")
        // Not below three quarters yet: nothing resumes.
        let r11 = pressure.roomMayHaveFreed(open: { _ in 0 }, load: Self.load(transactions: 750))
        #expect(r11.isEmpty)
        #expect(pressure.pausedInputs == [Self.b, Self.below, Self.a])
        #expect(
            pressure.roomMayHaveFreed(open: { _ in 0 }, load: Self.load(transactions: 749)) == [
                Self.b, Self.below, Self.a,
            ])
        #expect(!pressure.congested && pressure.isIdle)
        #expect(pressure.episodes == 1 && pressure.pauses == 3)
    }

    @Test func aBackloggedChannelUpOrAFullParkedTableIsCongestion() {
        var pressure = Backpressure(window: 64)
        let r12 = pressure.burstEnded(from: Self.a, open: 0, load: Self.load(backlogged: true))
        #expect(r12)
        let r13 = pressure.roomMayHaveFreed(open: { _ in 0 }, load: Self.load(backlogged: true))
        #expect(r13.isEmpty)
        let r14 = pressure.roomMayHaveFreed(open: { _ in 0 }, load: Self.load())
        #expect(r14 == [Self.a])
        let r15 = pressure.burstEnded(from: Self.a, open: 0, load: Self.load(parked: 90))
        #expect(r15)
        let r16 = pressure.roomMayHaveFreed(open: { _ in 0 }, load: Self.load(parked: 80))
        #expect(r16.isEmpty)
        let r17 = pressure.roomMayHaveFreed(open: { _ in 0 }, load: Self.load(parked: 74))
        #expect(r17 == [Self.a])
        #expect(pressure.episodes == 2)
    }

    @Test func anInputThatLeavesIsNoLongerPaused() {
        var pressure = Backpressure(window: 2)
        let r18 = pressure.burstEnded(from: Self.a, open: 2, load: Self.load())
        #expect(r18)
        pressure.inputGone(Self.a)
        #expect(pressure.isIdle && pressure.pausedInputs.isEmpty)
    }

    /// Through the unit controller: a switch that floods a DIVERT service above is paused once
    /// its window is open, the quiet switch beside it is not, and the flooder is read again when
    /// half of its events have been answered.
    @Test func aFloodingSwitchIsPausedAndAQuietOneIsNot() throws {
        let net = DispatchHierarchy()
        net.add(11, settings: DispatchSettings(switchWindow: 16))
        net.add(20, serving: [300: AnsweringService(tag: "u20")])
        let service = ExportedService.service(300, origin: 20, action: .divert, subscriptions: [.packetIn])
        net.route(11, to: [service], via: 20)
        net.connect(11, switches: [1, 2])
        for n in 0..<20 { net.packetIn(11, dpid: 1, xid: UInt32(n), from: DispatchHierarchyTests.mac(UInt64(n))) }
        for n in 0..<3 { net.packetIn(11, dpid: 2, xid: UInt32(n), from: DispatchHierarchyTests.mac(100 + UInt64(n))) }
        var unit = try #require(net.unit(11))
        #expect(unit.dispatcher.openTransactions(from: Self.a) == 20)
        let r19 = unit.readEnded(from: Self.a, upwardBacklogged: false)
        #expect(r19 == .pauseBeginningOverload, "the flooder is paused, and an overload begins")
        let r20 = unit.readEnded(from: Self.b, upwardBacklogged: false)
        #expect(r20 == .keepReading, "the quiet switch reads on")
        let r21 = unit.inputsToResume(upwardBacklogged: false)
        #expect(r21.isEmpty, "nothing answered yet")
        net.units[UnitID(11)] = unit
        var rng = SplitMix64(seed: 1)
        net.deliverAll(using: &rng, shuffled: false)
        unit = try #require(net.unit(11))
        #expect(unit.dispatcher.openTransactions(from: Self.a) == 0)
        let r22 = unit.inputsToResume(upwardBacklogged: false)
        #expect(r22 == [Self.a])
        #expect(unit.backpressure.isIdle)
    }
}
