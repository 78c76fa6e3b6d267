import ControlPlane
import Foundation
import NIOCore
import OpenFlow
import UnitProtocol

/// Decides which hosts may use the network, by an `AccessPolicy` read from a file.
///
/// It sees new devices and the PACKET_INs of hosts it has not decided yet, ahead of forwarding
/// (a higher priority, DIVERT):
/// - an **allowed** host's event goes on (`auth` = `allowed` in its context) and the unit below
///   is told BYPASS: the host's later events are not sent up again, so the decision is kept at
///   its tier-1 unit for as long as the host stays;
/// - a **denied** host's event stops there, so forwarding never sees it, and a drop flow goes
///   to the port it attaches to (or, for a frame that came from elsewhere, the port it came in
///   by): its frames end at the edge.
///
/// A host is judged where it attaches, as the unit that tracks it reported it (`device_added`,
/// which reaches the authenticator before the host's first PACKET_IN), not where a frame of it
/// arrives: its frames cross other domains' edges, which are no attachment point of it.
///
/// The policy is reread when its file changes (checked on the unit's tick) or on SIGHUP. A
/// file that does not parse leaves the old policy in force and is reported once per change.
/// A host that is no longer allowed is **revoked**: each domain that bypasses it is told to
/// stop (`ServiceCommand` withdrawal), its flows there are deleted (by source and by
/// destination, on every switch of the domain) and it gets its drop flow. A host that is no
/// longer denied loses its drop flow and is judged again at its next frame.
public final class AuthenticatorService: HostedService {
    public static let events: Set<EventCategory> = [
        .switchAdded, .switchRemoved, .deviceAdded, .deviceChanged, .deviceRemoved, .packetIn,
    ]
    /// Drop flows sit above forwarding (10) and below the operators' static flows (100 and up),
    /// which take precedence over every service's.
    public static let dropPriority: UInt16 = 90
    /// How often the policy file's modification time is looked at.
    static let checkInterval = TimeAmount.seconds(1)

    public struct Counters: Hashable, Sendable {
        public var decided = 0
        public var allowed = 0
        public var denied = 0
        public var revoked = 0
        /// Policy files that could not be used (the old policy stayed in force).
        public var policyErrors = 0
        /// Policy files put in force after the first.
        public var policyReloads = 0
    }

    /// What was decided about a host, and where it stands.
    struct Decision {
        var verdict: AccessPolicy.Verdict
        /// Its attachment point and the domain that reported it, when known.
        var location: HostLocation?
        var domain: UnitID?
        /// Domains told BYPASS for it (nil: this unit's own).
        var bypassedIn: Set<UnitID?> = []
        /// Every domain one of whose events about it was judged (those in `bypassedIn` among
        /// them): a revocation reaches them all, even one whose BYPASS has ended since (it may
        /// still hold flows for the host).
        var judgedIn: Set<UnitID?> = []
        /// Where its drop flow is, once it has one.
        var dropFlowAt: (location: HostLocation, domain: UnitID?)?
    }

    public let name: String
    public let priority: Int
    public let subscriptions = AuthenticatorService.events
    public private(set) var counters = Counters()
    public private(set) var policy: AccessPolicy
    private let policyFile: String?
    private var policyModified: Date?
    private var nextCheck: NIODeadline?
    /// Reports what an operator must know (a policy that could not be used, a revocation).
    private let report: @Sendable (String) -> Void
    private var decisions: [MACAddress: Decision] = [:]
    /// Where hosts attach, as device events reported them, before or after a decision.
    private var attachments: [MACAddress: (location: HostLocation, domain: UnitID?)] = [:]
    /// The switches of each domain that showed them (nil: this unit's own).
    private var switches: [UnitID?: Set<DatapathID>] = [:]

    /// A service with `policy` in force; with `policyFile`, the file it was read from, reread
    /// when it changes and on SIGHUP.
    public init(
        name: String = "authenticator", priority: Int = 200, policy: AccessPolicy, policyFile: String? = nil,
        report: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.name = name
        self.priority = priority
        self.policy = policy
        self.policyFile = policyFile
        self.policyModified = policyFile.flatMap(Self.modificationDate(of:))
        self.report = report
    }

    public var statistics: [String: Int] {
        [
            "decided": counters.decided, "allowed": counters.allowed, "denied": counters.denied,
            "revoked": counters.revoked, "policyReloads": counters.policyReloads,
            "policyErrors": counters.policyErrors,
        ]
    }

    // MARK: Events

    public func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        switch event {
        case .switchAdded(let description):
            switches[context.domain, default: []].insert(description.datapathID)
            return .continue
        case .switchRemoved(let datapathID):
            switches[context.domain]?.remove(datapathID)
            return .continue
        case .deviceAdded(let host), .deviceChanged(let host, _):
            attachments[host.mac] = (host.location, context.domain)
            if let decision = decisions[host.mac],
                decision.location != host.location || decision.domain != context.domain
            {
                // Judged where it seemed to attach (it moved, or that port was later found to
                // join two switches): judged again where it is.
                reconsider(host.mac, decision, context: &context)
            }
            return judge(host.mac, arrivedAt: host.location, context: &context)
        case .deviceRemoved(let host):
            attachments[host.mac] = nil
            guard let decision = decisions[host.mac] else { return .continue }
            if decision.verdict == .deny, let dropped = decision.dropFlowAt, dropped.domain == context.domain {
                // Gone from where it was dropped (unplugged, silent, or never a host: that port
                // turned out to join two switches): no flow is left naming it, and it is judged
                // again if it comes back.
                removeDropFlow(of: host.mac, decision, context: &context)
                decisions[host.mac] = nil
            } else {
                // No longer known to attach anywhere: revoked now, it gets its drop flow at its
                // next frame, where that frame comes in; seen again, it is judged where it is.
                if decision.domain == context.domain { decisions[host.mac]?.location = nil }
                decisions[host.mac]?.bypassedIn.remove(context.domain)
            }
            return .continue
        case .packetIn(let packetIn):
            let arrival = HostLocation(datapathID: packetIn.datapathID, port: packetIn.packetIn.inPort)
            return judge(packetIn.match.dlSrc, arrivedAt: arrival, context: &context)
        default:
            return .continue
        }
    }

    /// Decides (or recalls the decision) for a host one of whose events is being handled, and
    /// answers: allowed goes on and is bypassed; denied stops, with a drop flow.
    private func judge(
        _ mac: MACAddress, arrivedAt arrival: HostLocation, context: inout ServiceContext
    )
        -> ServiceVerdict
    {
        var decision = decisions[mac] ?? decide(mac)
        decision.judgedIn.insert(context.domain)
        switch decision.verdict {
        case .allow:
            context.annotate("auth", "allowed")
            context.bypass(mac)
            decision.bypassedIn.insert(context.domain)
            decisions[mac] = decision
            return .continue
        case .deny:
            if decision.dropFlowAt == nil {
                // At its attachment point when that is in the domain asking; otherwise at the
                // port this frame came in by.
                let at = decision.domain == context.domain ? decision.location ?? arrival : arrival
                context.send(.flowMod(Self.dropFlow(mac, at: at)), to: at.datapathID)
                decision.dropFlowAt = (at, context.domain)
            }
            decisions[mac] = decision
            return .stop
        }
    }

    /// Forgets a decision taken at another attachment point, and its drop flow there. The
    /// domains that bypass an allowed host are kept if it is still allowed where it is now, so a
    /// later revocation reaches them; if it is not, they are revoked at once.
    private func reconsider(_ mac: MACAddress, _ decision: Decision, context: inout ServiceContext) {
        removeDropFlow(of: mac, decision, context: &context)
        decisions[mac] = nil
        guard decision.verdict == .allow, !decision.bypassedIn.isEmpty else { return }
        var fresh = decide(mac)
        if fresh.verdict == .allow {
            fresh.bypassedIn = decision.bypassedIn
            fresh.judgedIn = decision.judgedIn
        } else {
            let place = fresh.location.map { " to \($0)" } ?? ""
            revoke(mac, decision, because: "it moved\(place), where the policy does not allow it", context: &context)
        }
        decisions[mac] = fresh
    }

    private func removeDropFlow(of mac: MACAddress, _ decision: Decision, context: inout ServiceContext) {
        guard let (location, domain) = decision.dropFlowAt else { return }
        command(.deleteStrict, dropFlowOf: mac, at: location, in: domain, context: &context)
    }

    /// Adds or deletes a host's drop flow in a domain by a command (outside any of its events).
    private func command(
        _ command: FlowMod.Command, dropFlowOf mac: MACAddress, at location: HostLocation, in domain: UnitID?,
        context: inout ServiceContext
    ) {
        let flow = OpenFlowMessage(xid: 0, .flowMod(Self.dropFlow(mac, at: location, command: command)))
        context.command(
            DomainCommand(domain: domain, messages: [.init(datapathID: location.datapathID, message: flow)]))
    }

    private func decide(_ mac: MACAddress) -> Decision {
        let attached = attachments[mac]
        let verdict = policy.verdict(for: mac, at: attached?.location)
        counters.decided += 1
        if verdict == .allow { counters.allowed += 1 } else { counters.denied += 1 }
        return Decision(verdict: verdict, location: attached?.location, domain: attached?.domain)
    }

    static func dropFlow(_ mac: MACAddress, at location: HostLocation, command: FlowMod.Command = .add) -> FlowMod {
        FlowMod(match: .from(mac, at: location), command: command, priority: dropPriority, actions: [])
    }

    // MARK: Policy changes

    public func tick(context: inout ServiceContext) {
        guard let policyFile else { return }
        if let nextCheck, context.now < nextCheck { return }
        nextCheck = context.now + Self.checkInterval
        let modified = Self.modificationDate(of: policyFile)
        guard modified != policyModified else { return }
        reload(context: &context)
    }

    public func reload(context: inout ServiceContext) {
        guard let policyFile else { return }
        // Read now, whatever made it: the tick does not read the same file again.
        policyModified = Self.modificationDate(of: policyFile)
        do {
            let policy = try AccessPolicy.load(from: policyFile)
            counters.policyReloads += 1
            apply(policy, context: &context)
        } catch {
            counters.policyErrors += 1
            report("\(error); the policy in force stays")
        }
    }

    /// Puts a new policy in force: every decided host is judged again under it.
    public func apply(_ policy: AccessPolicy, context: inout ServiceContext) {
        self.policy = policy
        for mac in decisions.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard var decision = decisions[mac] else { continue }
            let verdict = policy.verdict(for: mac, at: decision.location)
            guard verdict != decision.verdict else { continue }
            switch verdict {
            case .deny:
                revoke(mac, decision, context: &context)
                decision.verdict = .deny
                decision.bypassedIn = []
                decision.judgedIn = []
                if let location = decision.location {
                    command(.add, dropFlowOf: mac, at: location, in: decision.domain, context: &context)
                    decision.dropFlowAt = (location, decision.domain)
                }
                decisions[mac] = decision
            case .allow:
                // Its drop flow goes; it is judged again at its next frame.
                removeDropFlow(of: mac, decision, context: &context)
                decisions[mac] = nil
            }
        }
    }

    /// An allowed host is no longer: every domain that bypasses it, or judged it, stops, and its
    /// flows there go. Where it attaches need not be known (its device event may have been lost
    /// while this unit was away): each of those domains forgets it, so its next frame is judged.
    private func revoke(
        _ mac: MACAddress, _ decision: Decision, because reason: String = "the policy no longer allows it",
        context: inout ServiceContext
    ) {
        counters.revoked += 1
        report("revoked \(mac)\(decision.location.map { " at \($0)" } ?? ""): \(reason)")
        let domains = decision.judgedIn.union([decision.domain])
        for domain in domains.sorted(by: { ($0?.rawValue ?? 0) < ($1?.rawValue ?? 0) }) {
            for command in DomainCommand.deleting(
                [.from(mac), .to(mac)], on: switches[domain] ?? [], in: domain, withdrawing: [mac])
            {
                context.command(command)
            }
        }
    }

    private static func modificationDate(of path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
