import ControlPlane
import NIOCore
import OpenFlow
import Packets
import UnitProtocol

/// The resolver (tier 2): a global map of hosts to their domains and attachment points, fed by
/// the host events the tier-1 units send up (SPLIT), and the links between domains, from their
/// link events. A tier-1 unit's `ResolverClientService` asks it about a destination that is not
/// in its own domain, with the PACKET_IN that needs it (`ServiceVerdict.ask`); the answer
/// (`Resolution`, in the event's context) names the destination's domain and the asking domain's
/// edge port on the way there, or says nobody has seen it.
///
/// Mobility across domains: a host that turns up in another domain updates the map, and every
/// domain that was told where it was is told to forget it: the answer is withdrawn and its
/// flows towards the host are deleted (reactive, on arrival). A host reported by a second
/// domain while the first still had it is a conflict: the latest report wins, the first domain's
/// flows from and to it are deleted too, and it is reported (the consistency check). Flows that
/// escape both still end at their idle timeout.
public final class ResolverService: HostedService {
    public static let events: Set<EventCategory> = [
        .switchAdded, .switchRemoved, .deviceAdded, .deviceChanged, .deviceRemoved, .linkAdded, .linkRemoved,
    ]

    public struct Counters: Hashable, Sendable {
        /// Questions answered, by answer.
        public var remote = 0
        public var local = 0
        public var unknown = 0
        /// Hosts that changed domain after leaving the first (departure, then arrival).
        public var domainChanges = 0
        /// Hosts reported by a second domain while the first still had them.
        public var conflicts = 0
        /// Commands sent to domains that had been told where a host was.
        public var notifications = 0
        /// ARP requests for an address nobody has reported, sent out of the other domains' host ports.
        public var arpRelayed = 0
    }

    public let name: String
    public let priority: Int
    public let subscriptions = ResolverService.events
    public private(set) var counters = Counters()
    private var directory = HostDirectory()
    private var switches: [UnitID: Set<DatapathID>] = [:]
    /// Each domain's switch ports, and those that join two switches (links and domain edges):
    /// the rest are where hosts may be.
    private var ports: [UnitID: [DatapathID: [PortNumber]]] = [:]
    private var linkPorts: [UnitID: Set<HostLocation>] = [:]
    /// Domains told where each host is (an answer that named its domain): they are told again
    /// when it moves.
    private var askers: [MACAddress: Set<UnitID>] = [:]
    /// When each host's last conflict was reported: one line per host per `reportInterval`.
    private var conflictsReported: [MACAddress: NIODeadline] = [:]
    static let reportInterval = TimeAmount.seconds(10)
    private let report: @Sendable (String) -> Void

    public init(name: String = "resolver", priority: Int = 0, report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.name = name
        self.priority = priority
        self.report = report
    }

    public var statistics: [String: Int] {
        [
            "hosts": directory.hosts.count, "resolvedRemote": counters.remote, "resolvedLocal": counters.local,
            "resolvedUnknown": counters.unknown, "domainChanges": counters.domainChanges,
            "conflicts": counters.conflicts, "notifications": counters.notifications,
            "arpRelayed": counters.arpRelayed,
        ]
    }

    /// The map as it stands, for `echelon hosts` at tier 2.
    public var knownHosts: [KnownHost]? {
        directory.hosts.values.sorted { $0.mac.rawValue < $1.mac.rawValue }.map {
            KnownHost(
                mac: $0.mac, ipv4: $0.ipv4, domain: $0.domain, location: $0.location, lastSeen: $0.lastSeen,
                present: $0.present)
        }
    }

    public func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        // A resolver hosted in the domain's own unit answers for that unit (0).
        let domain = context.domain ?? UnitID(0)
        switch event {
        case .switchAdded(let description):
            switches[domain, default: []].insert(description.datapathID)
            ports[domain, default: [:]][description.datapathID] = description.ports.map(\.portNumber).filter(
                \.isPhysical)
        case .switchRemoved(let datapathID):
            switches[domain]?.remove(datapathID)
            ports[domain]?[datapathID] = nil
        case .deviceAdded(let host), .deviceChanged(let host, _):
            reported(host, in: domain, context: &context)
        case .deviceRemoved(let host):
            _ = directory.departed(host.mac, from: domain, now: context.now)
        case .linkAdded(let link):
            if let farDomain = link.farUnit {
                directory.addEdge(HostDirectory.Edge(near: link.near, farDomain: farDomain, far: link.far), of: domain)
                linkPorts[domain, default: []].insert(link.near)
            } else {
                linkPorts[domain, default: []].formUnion([link.near, link.far])
            }
        case .linkRemoved(let link):
            if link.farUnit != nil { directory.removeEdge(at: link.near, of: domain) }
            linkPorts[domain]?.remove(link.near)
            if link.farUnit == nil { linkPorts[domain]?.remove(link.far) }
        case .packetIn(let packetIn):
            if answer(packetIn.match, from: domain, context: &context) == .unknown, packetIn.match.isARPRequest {
                relay(packetIn.packetIn.data, from: domain, context: &context)
            }
        default:
            break
        }
        return .continue
    }

    // MARK: Questions

    private func answer(_ match: Match, from asking: UnitID, context: inout ServiceContext) -> Resolution {
        let found =
            match.isARPRequest
            ? directory.host(ipv4: match.nwDst) : match.dlDst.isMulticast ? nil : directory.host(match.dlDst)
        let resolution: Resolution
        if let entry = found, entry.present {
            if entry.domain == asking {
                resolution = .local(mac: entry.mac)
            } else if let edge = directory.firstEdge(from: asking, to: entry.domain) {
                resolution = .remote(mac: entry.mac, domain: entry.domain, edge: edge.near)
                askers[entry.mac, default: []].insert(asking)
            } else {
                resolution = .unknown
            }
        } else {
            resolution = .unknown
        }
        switch resolution {
        case .remote: counters.remote += 1
        case .local: counters.local += 1
        case .unknown: counters.unknown += 1
        }
        for entry in resolution.entries { context.annotate(entry.key, entry.value) }
        return resolution
    }

    /// An ARP request for an address nobody has reported: a host that has not spoken yet may
    /// have it. The request goes out of every host port of the other domains (never over a link
    /// or an edge, so no copy loops), and its answer comes back as any frame does, resolved.
    private func relay(_ frame: ByteBuffer, from asking: UnitID, context: inout ServiceContext) {
        for (domain, switchPorts) in ports.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where domain != asking {
            let links = linkPorts[domain] ?? []
            var messages = EventReturn.SwitchMessageList()
            for (datapathID, numbers) in switchPorts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let hostPorts = numbers.filter { !links.contains(HostLocation(datapathID: datapathID, port: $0)) }
                guard !hostPorts.isEmpty else { continue }
                messages.append(
                    .packetOut(PacketOut(actions: hostPorts.map { .output(port: $0, maxLength: 0) }, data: frame)),
                    to: datapathID)
            }
            guard !messages.isEmpty else { continue }
            counters.arpRelayed += 1
            for command in DomainCommand.commands(sending: messages, in: domain) { context.command(command) }
        }
    }

    // MARK: Hosts

    private func reported(_ host: Host, in domain: UnitID, context: inout ServiceContext) {
        switch directory.report(host, in: domain, now: context.now) {
        case .new, .unchanged, .moved:
            // Within its domain: that domain's own forwarding follows it; answers naming the
            // domain still hold.
            return
        case .changedDomain(let from):
            counters.domainChanges += 1
            report("\(host.mac) moved from domain \(from.rawValue) to \(domain.rawValue) (departure, then arrival)")
        case .conflict(let with):
            counters.conflicts += 1
            if conflictsReported[host.mac].map({ context.now - $0 >= Self.reportInterval }) ?? true {
                conflictsReported[host.mac] = context.now
                report(
                    "\(host.mac) reported by domain \(domain.rawValue) while domain \(with.rawValue) still has it: the latest report wins"
                )
            }
            // The first domain's flows from and to it lead to where it no longer is.
            send(
                DomainCommand.deleting(
                    [.from(host.mac), .to(host.mac)], on: switches[with] ?? [], in: with, withdrawing: [host.mac]),
                context: &context)
        }
        // Every domain told where it was forgets that, and its flows towards it.
        for asker in (askers.removeValue(forKey: host.mac) ?? []).sorted(by: { $0.rawValue < $1.rawValue }) {
            send(
                DomainCommand.deleting([.to(host.mac)], on: switches[asker] ?? [], in: asker, withdrawing: [host.mac]),
                context: &context)
        }
    }

    private func send(_ commands: [DomainCommand], context: inout ServiceContext) {
        counters.notifications += 1
        for command in commands { context.command(command) }
    }
}
