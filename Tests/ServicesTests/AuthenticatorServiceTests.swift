import ControlPlane
import Foundation
import NIOCore
import OpenFlow
import Services
import Testing
import UnitProtocol

/// The authenticator hosted at tier 2 for domain 11 (switches s1 and s2): h1 allowed anywhere,
/// h2 allowed only at s2:1, everyone else denied.
@Suite struct AuthenticatorServiceTests {
    typealias Forwarding = ShortestPathForwardingServiceTests
    static let (s1, s2) = (DatapathID(1), DatapathID(2))
    static let domain = UnitID(11)
    static let h1 = MACAddress(0, 0, 0, 0, 0, 1), h2 = MACAddress(0, 0, 0, 0, 0, 2), h3 = MACAddress(0, 0, 0, 0, 0, 3)
    static let policy = AccessPolicy(
        defaultVerdict: .deny,
        allowed: [.init(mac: h1), .init(mac: h2, datapathID: s2, port: PortNumber(1))])

    /// What one event did: the verdict, the context it left (BYPASS, annotations, commands) and
    /// the messages it sent.
    struct Outcome {
        var verdict: ServiceVerdict
        var context: ServiceContext
        var sent: [(DatapathID, OpenFlowMessage.Body)]

        /// The FLOW_MODs its commands carry to the domains.
        var commandedFlows: [FlowMod] { AuthenticatorServiceTests.flows(in: context.commands).map(\.flow) }
    }

    static func flows(in commands: [DomainCommand]) -> [(datapathID: DatapathID, flow: FlowMod)] {
        commands.flatMap(\.messages).compactMap { message in
            guard case .flowMod(let flow) = try? message.message.body else { return nil }
            return (message.datapathID, flow)
        }
    }

    static func moved(_ mac: MACAddress, to location: HostLocation, from previous: HostLocation) -> NetworkEvent {
        .deviceChanged(Host(mac: mac, location: location), .moved(from: previous))
    }

    static func run(
        _ service: AuthenticatorService, _ event: NetworkEvent, domain: UnitID? = Self.domain
    ) -> Outcome {
        let sink = RecordingSink()
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: sink, domain: domain)
        let verdict = service.handle(event, context: &context)
        return Outcome(verdict: verdict, context: context, sent: sink.sent)
    }

    static func added(_ mac: MACAddress, at location: HostLocation) -> NetworkEvent {
        .deviceAdded(Host(mac: mac, location: location))
    }

    static func switchAdded(_ dpid: DatapathID) -> NetworkEvent {
        .switchAdded(
            SwitchDescription(
                features: FeaturesReply(datapathID: dpid)))
    }

    static func authenticator() -> AuthenticatorService {
        let service = AuthenticatorService(policy: policy)
        for dpid in [s1, s2] { _ = run(service, switchAdded(dpid)) }
        return service
    }

    @Test func anAllowedHostGoesOnAndIsBypassedWhereItIsDecided() {
        let service = Self.authenticator()
        let first = Self.run(service, Self.added(Self.h1, at: Forwarding.at(Self.s1, 1)))
        #expect(first.verdict == .continue)
        #expect(first.context.bypassed == [Self.h1])
        #expect(first.context.attributes["auth"] == "allowed")
        #expect(first.sent.isEmpty)
        // Its PACKET_IN, on its way before the BYPASS reached tier 1, gets the same answer.
        let packet = Self.run(
            service, Forwarding.packet(from: Self.h1, to: Self.h2, at: Forwarding.at(Self.s1, 1)))
        #expect(packet.verdict == .continue)
        #expect(packet.context.bypassed == [Self.h1])
        #expect(service.counters.decided == 1 && service.counters.allowed == 1)
    }

    @Test func aDeniedHostStopsAndIsDroppedAtItsOwnPort() throws {
        let service = Self.authenticator()
        let device = Self.run(service, Self.added(Self.h3, at: Forwarding.at(Self.s1, 4)))
        #expect(device.verdict == .stop)
        #expect(device.context.bypassed.isEmpty)
        let (dpid, body) = try #require(device.sent.first)
        #expect(dpid == Self.s1)
        guard case .flowMod(let flow) = body else {
            Issue.record("expected a drop flow, got \(body)")
            return
        }
        #expect(flow.priority == AuthenticatorService.dropPriority)
        #expect(flow.match.inPort == PortNumber(4) && flow.match.dlSrc == Self.h3 && flow.actions.isEmpty)
        #expect(flow.match.wildcards == Match.Wildcards.all.subtracting([.inPort, .dlSrc]))
        // Its frames stop too, with no second flow.
        let packet = Self.run(service, Forwarding.packet(from: Self.h3, to: Self.h1, at: Forwarding.at(Self.s1, 4)))
        #expect(packet.verdict == .stop && packet.sent.isEmpty)
        #expect(service.counters.denied == 1)
    }

    @Test func aHostIsJudgedWhereItAttachesNotWhereItsFramesArrive() {
        let service = Self.authenticator()
        // h2 is allowed only at s2:1; attached at s1:1 it is denied, even for a frame that
        // arrives at s2:1 (from another domain's edge, say).
        _ = Self.run(service, Self.added(Self.h2, at: Forwarding.at(Self.s1, 1)))
        let elsewhere = Self.run(
            service, Forwarding.packet(from: Self.h2, to: Self.h1, at: Forwarding.at(Self.s2, 1)), domain: UnitID(12))
        #expect(elsewhere.verdict == .stop)
        // Moved to s2:1, it is judged again, and allowed.
        let moved = Self.run(
            service, Self.moved(Self.h2, to: Forwarding.at(Self.s2, 1), from: Forwarding.at(Self.s1, 1)))
        #expect(moved.verdict == .continue && moved.context.bypassed == [Self.h2])
    }

    @Test func aHostTheNewPolicyNoLongerAllowsIsRevokedInEveryDomainThatBypassesIt() throws {
        let service = Self.authenticator()
        _ = Self.run(service, Self.added(Self.h1, at: Forwarding.at(Self.s1, 1)))
        // Its frames reached domain 12 too, which bypasses it as well (its switch s9 seen there).
        _ = Self.run(service, Self.switchAdded(DatapathID(9)), domain: UnitID(12))
        _ = Self.run(
            service, Forwarding.packet(from: Self.h1, to: Self.h3, at: Forwarding.at(DatapathID(9), 2)),
            domain: UnitID(12))
        let sink = RecordingSink()
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: sink)
        service.apply(AccessPolicy(defaultVerdict: .deny), context: &context)
        #expect(service.counters.revoked == 1)
        let byDomain = Dictionary(grouping: context.commands, by: \.domain)
        #expect(Set(byDomain.keys) == [Self.domain, UnitID(12)])
        // Each domain stops bypassing it and deletes its flows by source and by destination on
        // every switch it showed.
        let home = try #require(byDomain[Self.domain])
        #expect(home.flatMap(\.withdrawn) == [Self.h1])
        let deletes = home.flatMap { $0.messages.map(\.datapathID) }
        #expect(deletes.filter { $0 == Self.s1 }.count >= 2 && deletes.filter { $0 == Self.s2 }.count == 2)
        // And it is dropped at its own port from now on.
        let drops = Self.flows(in: home).map(\.flow).filter { $0.command == .add }
        #expect(drops.map(\.match.dlSrc) == [Self.h1] && drops.map(\.priority) == [AuthenticatorService.dropPriority])
        #expect(try #require(byDomain[UnitID(12)]).flatMap(\.withdrawn) == [Self.h1])
        // Its next frame is stopped without a new decision.
        let packet = Self.run(service, Forwarding.packet(from: Self.h1, to: Self.h2, at: Forwarding.at(Self.s1, 1)))
        #expect(packet.verdict == .stop)
    }

    @Test func aHostFirstSeenOnAPortLaterFoundToJoinTwoSwitchesIsRevokedWhereItReallyAttaches() throws {
        let service = Self.authenticator()
        // h1's first frames came in by s2:2 before link discovery knew that port joins s1 and
        // s2; tier 1 forgot it there and found it at s1:1.
        _ = Self.run(service, Self.added(Self.h1, at: Forwarding.at(Self.s2, 2)))
        _ = Self.run(service, .deviceRemoved(Host(mac: Self.h1, location: Forwarding.at(Self.s2, 2))))
        let found = Self.run(service, Self.added(Self.h1, at: Forwarding.at(Self.s1, 1)))
        #expect(found.verdict == .continue && found.context.bypassed == [Self.h1])
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: RecordingSink())
        service.apply(AccessPolicy(defaultVerdict: .deny), context: &context)
        let drops = Self.flows(in: context.commands).filter { $0.flow.command == .add }
        #expect(drops.count == 1)
        #expect(drops.first?.datapathID == Self.s1 && drops.first?.flow.match.inPort == PortNumber(1))
    }

    @Test func anAllowedHostThatLeftIsRevokedWithoutADropFlowUntilItsNextFrame() throws {
        let service = Self.authenticator()
        _ = Self.run(service, Self.added(Self.h1, at: Forwarding.at(Self.s2, 2)))
        _ = Self.run(service, .deviceRemoved(Host(mac: Self.h1, location: Forwarding.at(Self.s2, 2))))
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: RecordingSink())
        service.apply(AccessPolicy(defaultVerdict: .deny), context: &context)
        // Its flows go and its BYPASS ends, but no drop flow goes where it no longer is.
        #expect(context.commands.flatMap(\.withdrawn) == [Self.h1])
        #expect(Self.flows(in: context.commands).allSatisfy { $0.flow.command == .delete })
        // Its next frame, wherever it comes in, is stopped and dropped there.
        let packet = Self.run(service, Forwarding.packet(from: Self.h1, to: Self.h2, at: Forwarding.at(Self.s1, 1)))
        #expect(packet.verdict == .stop)
        guard case .flowMod(let flow) = packet.sent.first?.1 else {
            Issue.record("expected a drop flow, got \(packet.sent)")
            return
        }
        #expect(packet.sent.first?.0 == Self.s1 && flow.match.inPort == PortNumber(1) && flow.command == .add)
    }

    /// Admitted by a frame alone (its device event was lost while this unit was away), a host's
    /// attachment is unknown; it left that domain's tracker since (its BYPASS ended there). Its
    /// revocation must still reach the domain that judged it, where its flows are.
    @Test func aHostKnownByItsFramesAloneIsRevokedInTheDomainThatJudgedIt() throws {
        let service = Self.authenticator()
        let admitted = Self.run(service, Forwarding.packet(from: Self.h1, to: Self.h2, at: Forwarding.at(Self.s1, 1)))
        #expect(admitted.verdict == .continue && admitted.context.bypassed == [Self.h1])
        _ = Self.run(service, .deviceRemoved(Host(mac: Self.h1, location: Forwarding.at(Self.s1, 1))))
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: RecordingSink())
        service.apply(AccessPolicy(defaultVerdict: .deny), context: &context)
        let home = context.commands.filter { $0.domain == Self.domain }
        #expect(home.flatMap(\.withdrawn) == [Self.h1])
        #expect(Self.flows(in: home).map(\.flow.command).allSatisfy { $0 == .delete } && !home.isEmpty)
        // There its next frame, wherever it comes in, is stopped and dropped.
        let packet = Self.run(service, Forwarding.packet(from: Self.h1, to: Self.h2, at: Forwarding.at(Self.s1, 1)))
        #expect(packet.verdict == .stop && packet.sent.count == 1)
    }

    @Test func aDeniedHostThatMovesLosesItsOldDropFlow() throws {
        let service = Self.authenticator()
        _ = Self.run(service, Self.added(Self.h3, at: Forwarding.at(Self.s1, 4)))
        let moved = Self.run(
            service, Self.moved(Self.h3, to: Forwarding.at(Self.s2, 3), from: Forwarding.at(Self.s1, 4)))
        #expect(moved.verdict == .stop)
        let deleted = moved.commandedFlows
        #expect(deleted.map(\.command) == [.deleteStrict] && deleted.first?.match.inPort == PortNumber(4))
        let (dpid, body) = try #require(moved.sent.first)
        guard case .flowMod(let flow) = body else {
            Issue.record("expected a drop flow at its new port, got \(body)")
            return
        }
        #expect(dpid == Self.s2 && flow.match.inPort == PortNumber(3) && flow.command == .add)
    }

    @Test func aDeniedHostThatLeavesTakesItsDropFlowWithIt() {
        let service = Self.authenticator()
        _ = Self.run(service, Self.added(Self.h3, at: Forwarding.at(Self.s1, 4)))
        let gone = Self.run(service, .deviceRemoved(Host(mac: Self.h3, location: Forwarding.at(Self.s1, 4))))
        let deleted = gone.commandedFlows
        #expect(deleted.map(\.command) == [.deleteStrict] && deleted.first?.match.dlSrc == Self.h3)
        // Back, it is judged again and dropped again.
        let back = Self.run(service, Self.added(Self.h3, at: Forwarding.at(Self.s1, 4)))
        #expect(back.verdict == .stop && back.sent.count == 1)
        #expect(service.counters.decided == 2)
    }

    @Test func anAllowedHostThatMovesWhereThePolicyDeniesItIsRevokedEverywhere() {
        let service = Self.authenticator()
        _ = Self.run(service, Self.added(Self.h2, at: Forwarding.at(Self.s2, 1)))
        let moved = Self.run(
            service, Self.moved(Self.h2, to: Forwarding.at(Self.s1, 2), from: Forwarding.at(Self.s2, 1)))
        #expect(moved.verdict == .stop)
        #expect(moved.context.commands.flatMap(\.withdrawn) == [Self.h2])
        #expect(service.counters.revoked == 1)
    }

    @Test func aHostTheNewPolicyAllowsLosesItsDropFlowAndIsJudgedAgain() throws {
        let service = Self.authenticator()
        _ = Self.run(service, Self.added(Self.h3, at: Forwarding.at(Self.s1, 4)))
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: RecordingSink())
        service.apply(AccessPolicy(defaultVerdict: .allow), context: &context)
        let command = try #require(context.commands.first)
        #expect(command.domain == Self.domain)
        guard case .flowMod(let flow) = try command.messages.first?.message.body else {
            Issue.record("expected the drop flow's deletion")
            return
        }
        #expect(flow.command == .deleteStrict && flow.match.dlSrc == Self.h3)
        #expect(Self.run(service, Self.added(Self.h3, at: Forwarding.at(Self.s1, 4))).verdict == .continue)
    }

    @Test func aPolicyFileIsReadAgainWhenItChangesAndABrokenOneLeavesTheOldInForce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).json")
        try Data(#"{"default": "allow"}"#.utf8).write(to: path)
        let reports = ReportLog()
        let service = AuthenticatorService(
            policy: try AccessPolicy.load(from: path.path), policyFile: path.path, report: { reports.append($0) })
        #expect(service.policy.defaultVerdict == .allow)
        try Data(#"{"default": "deny", "deny": [{"mac": "zz"}]}"#.utf8).write(to: path)
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: RecordingSink())
        service.reload(context: &context)
        #expect(service.policy.defaultVerdict == .allow)
        #expect(service.counters.policyErrors == 1)
        #expect(
            reports.lines == [
                path.path
                    + #": $.deny[0].mac: "zz" is not a MAC address (aa:bb:cc:dd:ee:ff); the policy in force stays"#
            ])
        try Data(#"{"default": "deny"}"#.utf8).write(to: path)
        service.reload(context: &context)
        #expect(service.policy.defaultVerdict == .deny && service.counters.policyReloads == 1)
    }

    @Test func policyFilesAreCheckedStrictly() {
        func problem(_ json: String) -> String? {
            do {
                _ = try AccessPolicy.parse(Data(json.utf8), file: "p.json")
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(problem(#"{"allow": []}"#) == "p.json: $.default: required field is missing")
        #expect(
            problem(#"{"default": "maybe"}"#)
                == #"p.json: $.default: unknown value "maybe" (expected one of: allow, deny)"#)
        #expect(
            problem(#"{"default": "deny", "allow": [{"mac": "00:00:00:00:00:01", "port": 1}]}"#)
                == #"p.json: $.allow[0].port: a port needs its switch ("switch": DPID)"#)
        #expect(
            problem(#"{"default": "deny", "alow": []}"#)
                == #"p.json: $.alow: unknown field "alow" (expected one of: allow, default, deny)"#)
        #expect(problem(#"{"default": "deny""#)?.hasPrefix("p.json: not valid JSON") == true)
        #expect(
            problem(#"{"default": "deny", "deny": [{"mac": "00:00:00:00:00:01", "switch": "s1"}]}"#)
                == #"p.json: $.deny[0].switch: "s1" is not a DPID (eight hex bytes, 00:00:00:00:00:00:00:01)"#)
    }

    @Test func aDenyEntryWinsOverAnAllowEntry() {
        let policy = AccessPolicy(defaultVerdict: .allow, allowed: [.init(mac: Self.h1)], denied: [.init(mac: Self.h1)])
        #expect(policy.verdict(for: Self.h1, at: nil) == .deny)
        #expect(policy.verdict(for: Self.h2, at: nil) == .allow)
    }
}

final class ReportLog: @unchecked Sendable {
    private(set) var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}
