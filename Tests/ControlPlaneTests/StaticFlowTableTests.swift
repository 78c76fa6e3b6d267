import ControlPlane
import NIOCore
import OpenFlow
import Testing

@Suite struct StaticFlowTableTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let s1 = DatapathID(1)

    static func drop(
        _ name: String, from source: IPv4Address, on datapathID: DatapathID = s1, priority: UInt16 = 32768
    )
        -> StaticFlow
    {
        var match = Match(wildcards: Match.Wildcards.all.subtracting(.dlType), dlType: 0x0800, nwSrc: source)
        match.wildcards.nwSrcIgnoredBits = 0
        return StaticFlow(name: name, datapathID: datapathID, match: match, priority: priority)
    }

    @Test func aPushInstallsAndARemovalDeletesExactlyThatEntry() {
        var table = StaticFlowTable()
        let flow = Self.drop("block-h1", from: IPv4Address(10, 0, 0, 1))
        let pushed = table.push(flow)
        #expect(pushed.messages.map(\.flowMod) == [flow.installation])
        #expect(flow.installation.flags.contains(.sendFlowRemoved))
        #expect(flow.installation.actions.isEmpty, "no actions: a drop")
        let removed = table.remove(named: "block-h1")
        #expect(removed?.messages.map(\.flowMod.command) == [.deleteStrict])
        #expect(removed?.messages.first?.flowMod.match == flow.match)
        let again = table.remove(named: "block-h1")
        #expect(again == nil)
        #expect(table.count == 0)
    }

    @Test func servicesBandIsBelowEveryStaticFlow() {
        let low = Self.drop("low", from: IPv4Address(10, 0, 0, 1), priority: 1)
        #expect(low.priority == StaticFlow.lowestPriority)
    }

    @Test func renamingTheMatchDeletesTheOldEntryAndAnotherNameAtTheSameEntryIsDisplaced() {
        var table = StaticFlowTable()
        _ = table.push(Self.drop("a", from: IPv4Address(10, 0, 0, 1)))
        let moved = table.push(Self.drop("a", from: IPv4Address(10, 0, 0, 2)))
        #expect(moved.messages.map(\.flowMod.command) == [.deleteStrict, .add])
        let same = table.push(Self.drop("b", from: IPv4Address(10, 0, 0, 2)))
        #expect(same.displaced == ["a"])
        #expect(same.messages.map(\.flowMod.command) == [.add], "the add replaces the entry on the switch")
        #expect(table.flows.map(\.name) == ["b"])
        var inactive = Self.drop("b", from: IPv4Address(10, 0, 0, 2))
        inactive.active = false
        let deactivated = table.push(inactive)
        #expect(deactivated.messages.map(\.flowMod.command) == [.deleteStrict])
        #expect(table.installations(on: Self.s1).isEmpty)
        #expect(table["b"]?.active == false, "an inactive flow is kept")
    }

    @Test func clearTakesOneSwitchOrAll() {
        var table = StaticFlowTable()
        _ = table.push(Self.drop("a", from: IPv4Address(10, 0, 0, 1)))
        _ = table.push(Self.drop("b", from: IPv4Address(10, 0, 0, 1), on: DatapathID(2)))
        _ = table.push(Self.drop("c", from: IPv4Address(10, 0, 0, 3), on: DatapathID(2)))
        let cleared = table.clear(on: DatapathID(2))
        #expect(cleared.removed == ["b", "c"])
        #expect(table.flows.map(\.name) == ["a"])
        let all = table.clear(on: nil)
        #expect(all.removed == ["a"])
        #expect(table.count == 0)
    }

    @Test func aFlowDeletedBySomeoneElseComesBackAndAnExpiredOneIsForgotten() {
        var table = StaticFlowTable()
        var flow = Self.drop("a", from: IPv4Address(10, 0, 0, 1))
        flow.idleTimeout = 5
        _ = table.push(flow)
        // The switch reports the match with wildcarded fields zeroed its own way.
        var reported = flow.match
        reported.dlSrc = MACAddress(0, 0, 0, 0, 0, 9)
        let swept = table.flowRemoved(
            FlowRemoved(match: reported, priority: flow.priority, reason: .delete), on: Self.s1)
        #expect(swept.reinstalled == ["a"])
        #expect(swept.messages.map(\.flowMod) == [flow.installation])
        let other = table.flowRemoved(FlowRemoved(match: reported, priority: 10, reason: .delete), on: Self.s1)
        #expect(other.messages.isEmpty, "a service's own flow at another priority is none of ours")
        let expired = table.flowRemoved(
            FlowRemoved(match: reported, priority: flow.priority, reason: .idleTimeout), on: Self.s1)
        #expect(expired.removed == ["a"] && table.count == 0)
    }

    @Test func aMatchIsComparedAsTheSwitchReportsIt() {
        var match = Match(wildcards: Match.Wildcards.all.subtracting(.dlType), dlType: 0x0800)
        match.nwSrc = IPv4Address(10, 1, 2, 3)
        match.wildcards.nwSrcIgnoredBits = 8
        match.tpSrc = 80
        let canonical = match.canonical
        #expect(canonical.nwSrc == IPv4Address(10, 1, 2, 0))
        #expect(canonical.tpSrc == 0)
        #expect(canonical.canonical == canonical)
    }

    @Test func aUnitInstallsStaticFlowsWhenTheirSwitchConnectsAndAgain() {
        var unit = UnitController(services: [])
        let sink = RecordingSink()
        let flow = Self.drop("a", from: IPv4Address(10, 0, 0, 1))
        _ = unit.pushStaticFlow(flow, sink: sink)
        #expect(sink.flowMods.isEmpty, "its switch is not connected")
        _ = unit.switchConnected(LinkDiscoveryTests.description(1, ports: [1, 2]), on: 10, now: t0, sink: sink)
        #expect(sink.flowMods.map(\.1) == [flow.installation])
        unit.switchDisconnected(Self.s1, on: 10, now: t0, sink: sink)
        _ = unit.switchConnected(LinkDiscoveryTests.description(1, ports: [1, 2]), on: 11, now: t0, sink: sink)
        #expect(sink.flowMods.map(\.1) == [flow.installation, flow.installation])
        unit.received(
            OpenFlowMessage(
                xid: 0, .flowRemoved(FlowRemoved(match: flow.match, priority: flow.priority, reason: .delete))),
            from: Self.s1, now: t0, sink: sink)
        #expect(sink.flowMods.count == 3, "swept away by a broad delete: installed again")
        let cleared = unit.clearStaticFlows(on: nil, sink: sink)
        #expect(cleared.removed == ["a"])
        #expect(sink.flowMods.last?.1.command == .deleteStrict)
    }
}
