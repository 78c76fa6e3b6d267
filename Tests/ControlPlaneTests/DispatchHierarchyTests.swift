import ControlPlane
import NIOCore
import OpenFlow
import Packets
import TestSupport
import Testing
import UnitProtocol

/// The dispatcher end to end, with units wired together in memory: tier 1 (u11) has the
/// switches, tier 2 (u20) relays or serves, tier 3 (u30) serves.
@Suite struct DispatchHierarchyTests {
    static func mac(_ n: UInt64) -> MACAddress { MACAddress(rawValue: 0x0200_0000_0000 | n) }

    /// Three tiers, 200 switches that all use the same few xids, every message in flight
    /// shuffled: each switch gets the answer to its own PACKET_IN with its own xid, the local
    /// service after the stage sees every event resumed with the context added above, and no
    /// transaction or parked context is left anywhere.
    @Test func divertedEventsReturnThroughThreeTiersWithTheirOwnXIDs() throws {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local-forwarding", priority: -10)
        let answering = AnsweringService(tag: "u30")
        net.add(11, services: [local])
        net.add(20)
        net.add(30, serving: [300: answering])
        let service = ExportedService.service(
            300, origin: 30, action: .divert, timeoutMilliseconds: 5000, subscriptions: [.packetIn, .switchAdded])
        net.route(11, to: [service], via: 20)
        net.route(20, to: [service], via: 30)
        let switches = Array(UInt64(1)...200)
        net.connect(11, switches: switches)
        for dpid in switches { net.packetIn(11, dpid: dpid, xid: UInt32(dpid % 3), from: Self.mac(dpid)) }
        #expect(
            net.unit(11)?.dispatcher.parked.count == 400, "every event waits: the switches joining and their packets")
        #expect(local.seen.isEmpty, "local processing after the stage waits too")
        var rng = SplitMix64(seed: 7)
        net.deliverAll(using: &rng)

        let flowMods = net.output(11).flowMods
        #expect(flowMods.count == 200)
        for (dpid, flowMod, xid) in flowMods {
            #expect(xid == UInt32(dpid.rawValue % 3), "the switch's own xid")
            #expect(flowMod.match.dlSrc == Self.mac(dpid.rawValue), "the answer to this switch's packet")
        }
        #expect(local.seen.count == 200)
        #expect(local.seen.allSatisfy { $0.attributes["answered-by"] == "u30" })
        #expect(answering.seen.count == 200 + 200, "the switches (topology) and their packets")
        for uid: UInt32 in [11, 20, 30] {
            #expect(net.unit(uid)?.dispatcher.openTransactions == 0, "u\(uid) keeps no transaction")
            #expect(net.unit(uid)?.dispatcher.parked.count == 0)
            #expect(net.output(uid).rejections.isEmpty)
        }
        #expect(net.unit(20)?.dispatcher.counters.relayed == 400)
        #expect(net.unit(20)?.dispatcher.switchesBelow.count == 200)
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(300)]?.diverted == 400)
    }

    /// A return carries at most 256 messages: a longer answer comes down as partial returns
    /// then the final one, every message reaches the switch with its xid, and the event resumes once.
    @Test func anAnswerLongerThanOneReturnComesDownInPartsAndResumesOnce() {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        let answering = AnsweringService(tag: "u20")
        answering.extraMessages = 599
        net.add(11, services: [local])
        net.add(20, serving: [200: answering])
        net.route(11, to: [.service(200, origin: 20, action: .divert)], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 5, from: Self.mac(1))
        net.deliverAll()
        let answers = zip(net.output(11).sent, net.output(11).xids).filter { entry, _ in
            switch entry.1 {
            case .flowMod(let flow): flow != LinkDiscovery.interceptFlow
            case .barrierRequest: true
            default: false
            }
        }
        #expect(answers.count == 600)
        #expect(answers.allSatisfy { $0.1 == 5 }, "each with the switch's own xid")
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(200)]?.returns == 3, "256 + 256 + 88")
        #expect(local.seen.count == 1)
        #expect(net.unit(11)?.dispatcher.openTransactions == 0)
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
        #expect(net.output(11).rejections.isEmpty)
    }

    @Test func splitSendsACopyUpAndGoesOnAtOnce() {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        let audit = AnsweringService(tag: "audit")
        net.add(11, services: [local])
        net.add(20, serving: [200: audit])
        net.route(11, to: [.service(200, origin: 20, action: .split)], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 5, from: Self.mac(1))
        #expect(local.seen.count == 1, "local processing did not wait")
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
        net.deliverAll()
        #expect(audit.seen.count == 1)
        #expect(net.output(11).flowMods.count == 1, "the copy's answer still reaches the switch")
        #expect(net.unit(11)?.dispatcher.openTransactions == 0)
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(200)]?.split == 1)
    }

    @Test func denyDropsTheEventAndInstallsADropFlow() throws {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        net.add(11, services: [local])
        net.route(
            11, to: [.service(200, origin: 20, action: .deny, rules: ["packet_in and src mac 02:00:00:00:00:01"])],
            via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 9, from: Self.mac(1))
        net.packetIn(11, dpid: 1, xid: 10, from: Self.mac(2))
        #expect(local.seen.map { $0.event.deviceMAC } == [Self.mac(2)], "only the other host's packet goes on")
        #expect(net.output(11).unitMessages.isEmpty)
        let drop = try #require(net.output(11).flowMods.first)
        #expect(drop.1.actions.isEmpty && drop.1.hardTimeout == 10 && drop.1.match.dlSrc == Self.mac(1))
        #expect(drop.2 == 9, "with the switch's xid")
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(200)]?.denied == 1)
    }

    @Test func denyWithSplitSendsTheCopyButGoesNoFurther() {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        net.add(11, services: [local])
        net.route(
            11, to: [.service(200, origin: 20, action: .deny), .service(201, origin: 20, action: .split)], via: 20)
        net.connect(11, switches: [1])
        net.collect()
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        #expect(local.seen.isEmpty)
        #expect(net.output(11).flowMods.isEmpty, "no drop flow: later packets must still reach the SPLIT service")
        #expect(
            net.dropInFlight().compactMap { if case .event(let e) = $0.message { e.sid } else { nil } } == [
                ServiceID(201)
            ])
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
    }

    /// Local services above the stage's priority run before it; the ones below only after the
    /// answer, with its context.
    @Test func theStageRunsAtItsPriorityAmongLocalServices() {
        let net = DispatchHierarchy()
        let authenticator = ContextRecorder("authenticator", priority: 500)
        let forwarding = ContextRecorder("forwarding", priority: 100)
        net.add(11, services: [forwarding, authenticator])
        net.add(20, serving: [200: AnsweringService(tag: "policy")])
        net.route(11, to: [.service(200, origin: 20, action: .divert, priority: 300)], via: 20)
        net.connect(11, switches: [1])
        net.deliverAll()
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        #expect(authenticator.seen.count == 1 && forwarding.seen.isEmpty)
        net.deliverAll()
        #expect(forwarding.seen.count == 1)
        #expect(forwarding.seen.first?.attributes["answered-by"] == "policy")
        #expect(authenticator.seen.count == 1, "resumption starts where processing stopped")
    }

    @Test func anAnswerThatSaysStopEndsLocalProcessing() {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        net.add(11, services: [local])
        net.add(20, serving: [200: AnsweringService(tag: "x", verdict: .stop)])
        net.route(11, to: [.service(200, origin: 20, action: .divert)], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        net.deliverAll()
        #expect(local.seen.isEmpty)
        #expect(net.output(11).flowMods.count == 1, "its messages still go out")
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
    }

    /// Parked (a local service goes on with the event) or waiting in its transaction (the unit
    /// only relays it), an unanswered event times out the same way.
    @Test(arguments: [TimeoutPolicy.failOpen, .failClosed], [true, false])
    func anUnansweredEventTimesOutUnderItsPolicy(policy: TimeoutPolicy, withLocalService: Bool) {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        net.add(11, services: withLocalService ? [local] : [])
        net.route(
            11, to: [.service(200, origin: 20, action: .divert, policy: policy, timeoutMilliseconds: 200)], via: 20)
        net.connect(11, switches: [1, 2])
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        net.packetIn(11, dpid: 2, xid: 2, from: Self.mac(2))
        let lost = net.dropInFlight()
        net.now = net.now + .milliseconds(199)
        net.tick(11)
        #expect(net.unit(11)?.dispatcher.parked.count == 2, "not yet")
        net.now = net.now + .milliseconds(1)
        net.tick(11)
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
        #expect(net.unit(11)?.dispatcher.waiting.isEmpty == true)
        #expect(local.seen.count == (policy == .failOpen && withLocalService ? 2 : 0))
        #expect(net.unit(11)?.dispatcher.counters.resumed == (policy == .failOpen ? 2 : 0))
        let counters = net.unit(11)?.dispatcher.parked.counters
        #expect((policy == .failOpen ? counters?.timedOutOpen : counters?.timedOutClosed) == 2)
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(200)]?.timedOut == 2)
        #expect(net.unit(11)?.dispatcher.openTransactions == 0)
        // An answer that arrives after that is for an expired transaction.
        guard case .event(let event) = lost.first?.message else {
            Issue.record("no event was sent")
            return
        }
        net.deliver(
            .eventReturn(EventReturn(transaction: event.transaction, sid: event.sid, verdict: .continue)),
            from: UnitID(20), to: UnitID(11))
        #expect(net.output(11).rejections.map(\.kind) == ["late_return"])
        // One for a transaction never issued is unknown, not late.
        net.deliver(
            .eventReturn(EventReturn(transaction: event.transaction &+ 7, sid: event.sid, verdict: .continue)),
            from: UnitID(20), to: UnitID(11))
        #expect(net.output(11).rejections.map(\.kind) == ["late_return", "unknown_transaction"])
        #expect(local.seen.count == (policy == .failOpen && withLocalService ? 2 : 0), "nothing resumes twice")
    }

    @Test func bypassStopsADevicesEventsForThatServiceUntilTheDeviceLeaves() {
        let net = DispatchHierarchy()
        let devices: Set<EventCategory> = [.packetIn, .deviceAdded, .deviceRemoved]
        let bypassing = AnsweringService(tag: "auth", subscriptions: devices)
        bypassing.bypassSources = true
        let other = AnsweringService(tag: "audit")
        net.add(11)
        net.add(20, serving: [200: bypassing, 201: other])
        net.route(
            11,
            to: [
                .service(200, origin: 20, action: .divert, subscriptions: devices),
                .service(201, origin: 20, action: .split),
            ], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        net.deliverAll()
        #expect(net.unit(11)?.dispatcher.bypass[Self.mac(1)] == [ServiceID(200)])
        net.packetIn(11, dpid: 1, xid: 2, from: Self.mac(1))
        net.packetIn(11, dpid: 1, xid: 3, from: Self.mac(2))
        net.deliverAll()
        #expect(
            bypassing.seen.filter { if case .packetIn = $0 { true } else { false } }.count == 2,
            "the first packet and the other host's")
        #expect(
            other.seen.filter { if case .packetIn = $0 { true } else { false } }.count == 3,
            "per server: the other one still sees them all")
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(200)]?.bypassed == 1)
        // The host leaves (its switch goes): its BYPASS ends.
        if let output = net.outputs[UnitID(11)] {
            net.units[UnitID(11)]?.switchDisconnected(DatapathID(1), on: 1, now: net.now, sink: output)
        }
        #expect(net.unit(11)?.dispatcher.bypass[Self.mac(1)] == nil)
        // And the service that bypassed it is told it left (it may keep where the host was).
        net.collect()
        net.deliverAll()
        #expect(
            bypassing.seen.contains { if case .deviceRemoved(let host) = $0 { host.mac == Self.mac(1) } else { false } }
        )
    }

    @Test func badReturnsAreRejectedCountedAndLeakNothing() throws {
        let net = DispatchHierarchy()
        net.add(11, settings: DispatchSettings(returnsPerTransaction: 3))
        net.route(11, to: [.service(200, origin: 20, action: .divert, timeoutMilliseconds: 1000)], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        guard case .event(let event) = net.dropInFlight().first?.message else {
            Issue.record("no event")
            return
        }
        let txn = event.transaction
        let flowMod = EventReturn.SwitchMessage(
            datapathID: DatapathID(1), message: OpenFlowMessage(xid: 0, .barrierRequest(BarrierRequest())))
        let unseen = EventReturn.SwitchMessage(
            datapathID: DatapathID(99), message: OpenFlowMessage(xid: 0, .barrierRequest(BarrierRequest())))
        let u11 = UnitID(11)
        net.deliver(
            .eventReturn(EventReturn(transaction: txn &+ 1000, sid: ServiceID(200), verdict: .stop)), from: UnitID(20),
            to: u11)
        net.deliver(
            .eventReturn(EventReturn(transaction: txn, sid: ServiceID(200), verdict: .stop)), from: UnitID(21), to: u11)
        net.deliver(
            .eventReturn(EventReturn(transaction: txn, sid: ServiceID(201), verdict: .stop)), from: UnitID(20), to: u11)
        net.deliver(
            .eventReturn(
                EventReturn(transaction: txn, sid: ServiceID(200), verdict: .partial, messages: [flowMod, unseen])),
            from: UnitID(20), to: u11)
        for _ in 0..<5 {
            net.deliver(
                .eventReturn(EventReturn(transaction: txn, sid: ServiceID(200), verdict: .partial)), from: UnitID(20),
                to: u11)
        }
        #expect(
            net.output(11).rejections.map(\.kind) == [
                "unknown_transaction", "wrong_sender", "wrong_service", "unseen_switch", "return_flood", "return_flood",
                "return_flood",
            ])
        #expect(
            net.output(11).sent.count(where: { $0.0 == DatapathID(1) && $0.1 == .barrierRequest(BarrierRequest()) })
                == 1, "the good message went out")
        #expect(net.unit(11)?.dispatcher.counters.rejected["return_flood"] == 3)
        // The flood does not keep the context for ever: it times out, and nothing is left.
        net.now = net.now + .seconds(1)
        net.tick(11)
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
        #expect(net.unit(11)?.dispatcher.openTransactions == 0)
    }

    /// A relay checks what a server addresses: only switches below the unit the event came from.
    @Test func aRelayRejectsReturnsForSwitchesNotBelowTheAskingUnit() {
        let net = DispatchHierarchy()
        let answering = AnsweringService(tag: "u30")
        answering.alsoAddress = DatapathID(77)
        net.add(11)
        net.add(12)
        net.add(20)
        net.add(30, serving: [300: answering])
        let service = ExportedService.service(
            300, origin: 30, action: .divert, subscriptions: [.packetIn, .switchAdded])
        net.route(11, to: [service], via: 20)
        net.route(12, to: [service], via: 20)
        net.route(20, to: [service], via: 30)
        net.connect(12, switches: [77])
        net.connect(11, switches: [1])
        net.deliverAll()
        #expect(net.unit(30)?.dispatcher.switchesBelow[DatapathID(77)] == UnitID(20))
        net.packetIn(11, dpid: 1, xid: 4, from: Self.mac(1))
        // The server itself sees 77 below u20, so its return carries the message; u20 knows 77
        // is below u12, not u11, where this transaction came from.
        net.deliverAll()
        #expect(net.output(20).rejections.map(\.kind) == ["unseen_switch"])
        #expect(net.output(11).flowMods.count == 1)
        #expect(!net.output(12).sent.contains { $0.1 == .barrierRequest(BarrierRequest()) })
    }

    @Test func aServiceSeesTheSwitchesThatWereThereBeforeItBecameReachable() {
        let net = DispatchHierarchy()
        let topology = AnsweringService(tag: "topology", subscriptions: EventCategory.switchEvents)
        net.add(11)
        net.add(20, serving: [200: topology])
        net.connect(11, switches: [1, 2, 3])
        net.route(
            11, to: [.service(200, origin: 20, action: .split, subscriptions: EventCategory.switchEvents)], via: 20)
        net.deliverAll()
        let added = topology.seen.compactMap { if case .switchAdded(let d) = $0 { d.datapathID.rawValue } else { nil } }
        #expect(added.sorted() == [1, 2, 3])
        #expect(
            topology.seen.allSatisfy { if case .switchAdded(let d) = $0 { d.ports.count == 3 } else { true } },
            "with their features")
        if let output = net.outputs[UnitID(11)] {
            net.units[UnitID(11)]?.switchDisconnected(DatapathID(2), on: 2, now: net.now, sink: output)
        }
        net.collect()
        net.deliverAll()
        #expect(topology.seen.contains(.switchRemoved(DatapathID(2))))
        #expect(net.unit(20)?.dispatcher.switchesBelow.keys.map(\.rawValue).sorted() == [1, 3])
        net.units[UnitID(20)]?.unitGone(UnitID(11), now: net.now)
        #expect(net.unit(20)?.dispatcher.switchesBelow.isEmpty == true)
    }

    /// A service above the unit that discovers links follows the graph: the links there were
    /// when it became reachable, then each one found or lost.
    @Test func aServiceAboveSeesTheLinksTier1Discovers() {
        let net = DispatchHierarchy()
        let graph = AnsweringService(tag: "graph", subscriptions: EventCategory.linkEvents)
        net.add(11)
        net.add(20, serving: [200: graph])
        net.connect(11, switches: [1, 2, 3])
        net.carryProbe(11, from: (1, 2), to: (2, 1))
        net.route(
            11, to: [.service(200, origin: 20, action: .split, subscriptions: EventCategory.linkEvents)], via: 20)
        net.deliverAll()
        net.carryProbe(11, from: (2, 2), to: (3, 1))
        net.deliverAll()
        let links = graph.seen.compactMap { event -> String? in
            switch event {
            case .linkAdded(let link):
                "+\(link.near.datapathID.rawValue):\(link.near.port)-\(link.far.datapathID.rawValue):\(link.far.port)"
            case .linkRemoved(let link):
                "-\(link.near.datapathID.rawValue):\(link.near.port)-\(link.far.datapathID.rawValue):\(link.far.port)"
            default: nil
            }
        }
        #expect(links == ["+1:2-2:1", "+2:2-3:1"])
        if let output = net.outputs[UnitID(11)] {
            net.units[UnitID(11)]?.switchDisconnected(DatapathID(3), on: 3, now: net.now, sink: output)
        }
        net.collect()
        net.deliverAll()
        #expect(
            graph.seen.last
                == .linkRemoved(
                    DiscoveredLink(
                        TopologyLink(
                            HostLocation(datapathID: DatapathID(2), port: PortNumber(2)),
                            HostLocation(datapathID: DatapathID(3), port: PortNumber(1))))))
    }

    @Test func aRelayWithoutARouteAnswersUnreachableAndTheWaitingUnitAppliesItsPolicyAtOnce() {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        net.add(11, services: [local])
        net.add(20)
        net.route(11, to: [.service(300, origin: 30, action: .divert, policy: .failClosed)], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        net.deliverAll()
        #expect(net.output(20).rejections.map(\.kind) == ["unreachable_service"])
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
        #expect(local.seen.isEmpty, "fail-closed")
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(300)]?.unreachable == 1)
    }

    @Test func aFilterThatDoesNotParseIsRejectedAndTheOthersInstalled() {
        let net = DispatchHierarchy()
        net.add(11)
        let errors = net.route(
            11,
            to: [
                .service(200, origin: 20, action: .split, rules: ["packet_in and src mac 00:00:00:00:00"]),
                .service(201, origin: 20, action: .split, rules: ["packet_in"]),
            ], via: 20)
        #expect(errors.map(\.sid) == [ServiceID(200)])
        #expect(errors.first?.description.contains("column 23") == true)
        #expect(net.unit(11)?.dispatcher.remote.keys.sorted() == [ServiceID(201)])
        #expect(net.unit(11)?.dispatcher.counters.filtersRejected == 1)
    }
}

extension DispatchHierarchyTests {
    /// With the transaction table full nothing can be sent up: the DIVERT service's policy
    /// applies at once, and the refusal is counted.
    @Test(arguments: [TimeoutPolicy.failOpen, .failClosed])
    func aFullTransactionTableAppliesThePolicyAtOnce(policy: TimeoutPolicy) {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        net.add(11, services: [local], settings: DispatchSettings(transactionCapacity: 1))
        net.route(11, to: [.service(200, origin: 20, action: .divert, policy: policy)], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        net.packetIn(11, dpid: 1, xid: 2, from: Self.mac(2))
        #expect(net.unit(11)?.dispatcher.parked.count == 1, "the first waits")
        #expect(local.seen.count == (policy == .failOpen ? 1 : 0), "the second could not be sent")
        #expect(net.output(11).rejections.map(\.kind) == ["transaction_table_full"])
    }

    /// The bound on waiting events holds whether they are parked or wait in their transactions:
    /// past it an event is still sent up, but nothing waits for it, and the refusal is counted.
    @Test(arguments: [true, false])
    func waitingEventsAreBoundedParkedOrNot(withLocalService: Bool) {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        net.add(11, services: withLocalService ? [local] : [], settings: DispatchSettings(parkedCapacity: 1))
        net.add(20, serving: [200: AnsweringService(tag: "above")])
        net.route(11, to: [.service(200, origin: 20, action: .divert)], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        net.packetIn(11, dpid: 1, xid: 2, from: Self.mac(2))
        #expect(net.unit(11)?.dispatcher.parked.count == 1)
        #expect(net.unit(11)?.dispatcher.waiting.map(\.awaiting) == [1])
        #expect(net.unit(11)?.dispatcher.parked.counters.refusedFull == 1)
        #expect(net.output(11).rejections.map(\.kind) == ["parked_table_full"])
        #expect(net.inFlight.count == 2, "both events went up")
        #expect(local.seen.count == (withLocalService ? 1 : 0), "the refused one goes on at once (fail-open)")
        net.deliverAll()
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
        #expect(net.unit(11)?.dispatcher.parked.counters.resumed == 1)
        #expect(net.output(11).flowMods.map(\.2) == [1, 2], "both answers reach the switch with its xids")
    }
}

extension DispatchHierarchyTests {
    /// A late service is shown only the switches its filter selects: none for a PACKET_IN-only
    /// rule, the one it names for a DPID rule.
    @Test func aLateServiceIsShownOnlyTheSwitchesItsFilterSelects() {
        let net = DispatchHierarchy()
        net.add(11)
        net.connect(11, switches: [1, 2, 3])
        net.route(
            11,
            to: [
                .service(200, origin: 20, action: .split, subscriptions: [], rules: ["packet_in"]),
                .service(201, origin: 20, action: .split, subscriptions: [], rules: ["switch_added and dpid 0x2"]),
            ], via: 20)
        let announced = net.dropInFlight().compactMap { entry -> String? in
            guard case .event(let event) = entry.message else { return nil }
            return "\(event.sid):\(event.datapathID.rawValue)"
        }
        #expect(announced == ["s201:2"])
    }

    /// The answer to a switch shown to a late service is counted for that service, not for
    /// another one installed with it.
    @Test func answersToALateServiceAreCountedForIt() {
        let net = DispatchHierarchy()
        net.add(11)
        net.add(20, serving: [201: AnsweringService(tag: "late")])
        net.connect(11, switches: [1])
        net.route(
            11,
            to: [
                .service(200, origin: 20, action: .split, subscriptions: [], rules: ["packet_in"]),
                .service(201, origin: 20, action: .split, subscriptions: [], rules: ["switch_added"]),
            ], via: 20)
        net.deliverAll()
        let counters = net.unit(11)?.dispatcher.serviceCounters
        #expect(counters?[ServiceID(201)]?.returns == 1)
        #expect(counters?[ServiceID(200)] == nil, "nothing happened to the other service's events")
        #expect(net.unit(11)?.dispatcher.openTransactions == 0)
    }
}

/// A service that annotates more than a return may carry.
final class VerboseService: HostedService {
    let name = "verbose"
    let subscriptions: Set<EventCategory> = [.packetIn]
    let priority = 0

    func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        context.annotate(String(repeating: "k", count: EventReturn.maximumKeyLength + 1), "too long a key")
        context.annotate("note", String(repeating: "v", count: EventReturn.maximumValueLength + 1))
        for index in 0..<(EventReturn.maximumContext + 5) { context.annotate("n\(index)", "ok") }
        return .continue
    }
}

extension DispatchHierarchyTests {
    /// The return stays within what the unit below accepts: what does not fit is left out and
    /// counted, instead of making the unit below close the channel.
    @Test func aReturnNeverExceedsItsLimits() throws {
        let net = DispatchHierarchy()
        net.add(11)
        net.add(20, serving: [200: VerboseService()])
        net.route(11, to: [.service(200, origin: 20, action: .divert)], via: 20)
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 1, from: Self.mac(1))
        guard let up = net.dropInFlight().first else {
            Issue.record("no event sent")
            return
        }
        net.deliver(up.message, from: up.from, to: up.to)
        guard let down = net.dropInFlight().first else {
            Issue.record("no return sent")
            return
        }
        var bytes = down.message.openFlowMessage(xid: 1).encoded()
        let reparsed = try OpenFlowMessage(parsing: &bytes)
        guard case .vendor(let vendor) = reparsed.body, case .eventReturn(let answer) = try UnitMessage(parsing: vendor)
        else {
            Issue.record("not a return")
            return
        }
        #expect(answer.context.count == EventReturn.maximumContext)
        #expect(answer.context.last == ContextEntry(key: "n68", value: "ok"))
        #expect(net.unit(20)?.counters.droppedFromReturns == 2 + 5)
    }
}

extension DispatchHierarchyTests {
    /// A unit that only relays parks no context for a DIVERTed event (nothing local would
    /// resume it): its transaction waits instead, yet `pending` still says what and where it
    /// was; a unit with a local service after the stage parks the event, and that service gets
    /// it on resumption.
    @Test(arguments: [false, true])
    func aParkedEventIsKeptOnlyWhereALocalServiceGoesOnWithIt(withLocalService: Bool) {
        let net = DispatchHierarchy()
        let local = ContextRecorder("local", priority: -10)
        net.add(11, services: withLocalService ? [local] : [])
        net.add(20, serving: [200: AnsweringService(tag: "above")])
        net.route(11, to: [.service(200, origin: 20, action: .divert)], via: 20)
        net.connect(11, switches: [3])
        net.packetIn(11, dpid: 3, xid: 9, from: Self.mac(1))
        let entries = net.unit(11)?.dispatcher.parked.entries ?? []
        #expect(entries.count == (withLocalService ? 1 : 0))
        #expect(entries.first.map { $0.context.event != nil } ?? true)
        #expect(net.unit(11)?.dispatcher.parked.count == 1)
        let waiting = net.unit(11)?.dispatcher.waiting ?? []
        #expect(waiting.count == 1)
        #expect(waiting.first?.category == .packetIn)
        #expect(waiting.first?.datapathID == DatapathID(3))
        #expect(waiting.first?.sids == [ServiceID(200)])
        #expect(waiting.first?.awaiting == 1)
        #expect(waiting.first?.policy == .failOpen)
        net.deliverAll()
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
        #expect(net.unit(11)?.dispatcher.waiting.isEmpty == true)
        #expect(net.unit(11)?.dispatcher.parked.counters.resumed == 1)
        #expect(net.unit(11)?.dispatcher.counters.resumed == 1)
        #expect(local.seen.count == (withLocalService ? 1 : 0))
        #expect(local.seen.first?.attributes["answered-by"] == (withLocalService ? "above" : nil))
    }
}
