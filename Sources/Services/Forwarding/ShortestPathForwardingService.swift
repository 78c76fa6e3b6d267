import ControlPlane
import NIOCore
import OpenFlow
import Packets
import UnitProtocol

/// Forwarding over the domain's graph, as Floodlight's and ONOS's forwarding do it: hosts are
/// learned where they attach (edge ports only), a frame for a known host gets the shortest path
/// installed on every switch along it in both directions at once, and broadcasts and frames
/// for unknown hosts are flooded over a spanning tree, so that a topology with loops never
/// storms. A link that goes down, a host that moves and a host that leaves take their flows
/// with them, so traffic resumes over what is left.
///
/// Its flows match the input port and the two MAC addresses and wildcard the rest, at a
/// priority below the band kept for operators' rules: an operator's drop rule outranks them.
public final class ShortestPathForwardingService: HostedService {
    public struct Configuration: Hashable, Sendable, Codable {
        /// Seconds a flow lives without traffic.
        public var idleTimeout: UInt16
        /// Seconds a flow lives at most (0: no limit).
        public var hardTimeout: UInt16
        /// Priority of forwarding's flows: below `operatorBand`, the priorities kept for static
        /// rules (OpenFlow's default priority among them).
        public var flowPriority: UInt16
        /// Hosts kept at most; past that, new hosts are flooded to and not learned.
        public var hostCapacity: Int
        /// Installed paths recorded at most (`PathBook`).
        public var pathCapacity: Int

        public static let operatorBand: ClosedRange<UInt16> = 100...UInt16.max

        public init(
            idleTimeout: UInt16 = 10, hardTimeout: UInt16 = 0, flowPriority: UInt16 = 10,
            hostCapacity: Int = 1_000_000, pathCapacity: Int = 1_000_000
        ) {
            self.idleTimeout = idleTimeout
            self.hardTimeout = hardTimeout
            self.flowPriority = flowPriority
            self.hostCapacity = hostCapacity
            self.pathCapacity = pathCapacity
        }
    }

    public let name = "forwarding"
    /// What it must see: packets, and every change of the graph and of the switches' ports.
    public static let events: Set<EventCategory> = [
        .packetIn, .switchAdded, .switchRemoved, .switchPortChanged, .linkAdded, .linkRemoved,
    ]
    /// In the unit whose switches it serves it also follows that unit's host tracker, which
    /// learns hosts by the same rule (edge ports only) before the packets reach services: the
    /// tracker's moves and departures take their flows, and no second host table is kept. A
    /// unit above has no tracker of those hosts; there forwarding learns them itself.
    public var subscriptions: Set<EventCategory> { Self.events.union([.deviceAdded, .deviceChanged, .deviceRemoved]) }
    public let priority: Int
    public let configuration: Configuration

    private var domain = DomainView()
    private var hostTable: [MACAddress: HostLocation] = [:]
    /// Destinations in other domains this service has sent towards a domain edge: one that turns
    /// up in this domain takes those flows with it at once.
    private var sentToEdges: Set<MACAddress> = []
    private var book: PathBook
    public private(set) var counters = Counters()

    /// What forwarding has done, for inspection and tests.
    public struct Counters: Hashable, Sendable {
        public var pathsInstalled = 0
        public var flowModsSent = 0
        public var floods = 0
        /// Flood copies that arrived over a link off the spanning tree, dropped.
        public var loopedFloodsDropped = 0
        public var hostMoves = 0
        public var hostsForgotten = 0
        /// Hosts whose BYPASS a service above ended, forgotten with their flows.
        public var hostsRevoked = 0
        /// Host pairs whose flows were deleted because a link on their path went down.
        public var pathsBroken = 0
        /// New hosts not learned because the table was full.
        public var hostOverflow = 0
    }

    public init(configuration: Configuration = Configuration(), priority: Int = 100) {
        self.configuration = configuration
        self.priority = priority
        self.book = PathBook(capacity: configuration.pathCapacity)
    }

    /// Where each host it learned itself attaches (those the unit's tracker knows are not here).
    public var hosts: [MACAddress: HostLocation] { hostTable }
    /// The graph forwarding routes over.
    public var graph: TopologyGraph { domain.graph }
    /// Host pairs whose installed paths are recorded.
    public var recordedPaths: Int { book.count }

    public var statistics: [String: Int] {
        [
            "pathsInstalled": counters.pathsInstalled, "flowModsSent": counters.flowModsSent,
            "floods": counters.floods, "loopedFloodsDropped": counters.loopedFloodsDropped,
            "hostMoves": counters.hostMoves, "hostsForgotten": counters.hostsForgotten,
            "hostsRevoked": counters.hostsRevoked,
            "pathsBroken": counters.pathsBroken, "hostOverflow": counters.hostOverflow,
        ]
    }

    public func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        switch event {
        case .packetIn(let packetIn):
            return forward(packetIn, context: context)
        case .deviceChanged(let host, .moved(let previous)):
            hostTable[host.mac] = nil
            moved(host.mac, from: previous, context: context)
        case .deviceRemoved(let host):
            forget(host.mac, at: host.location, context: context)
        case .deviceAdded(let host):
            arrivedFromElsewhere(host.mac, context: context)
        case .switchAdded(let description):
            domain.addSwitch(description)
        case .switchRemoved(let datapathID):
            for link in domain.removeSwitch(datapathID) { linkGone(link, context: context) }
            forgetHosts(context: context) { $0.datapathID == datapathID }
        case .switchPortChanged(let datapathID, let status):
            guard domain.apply(status, on: datapathID) else { break }
            let port = HostLocation(datapathID: datapathID, port: status.port.portNumber)
            if let link = domain.removeLink(on: port) { linkGone(link, context: context) }
            forgetHosts(context: context) { $0 == port }
        case .linkAdded(let link):
            guard let replaced = domain.addLink(link) else { break }
            for gone in replaced { linkGone(gone, context: context) }
            // Its ends are no host's: what was learned there came over the link.
            let ends: Set<HostLocation> = link.farUnit == nil ? [link.near, link.far] : [link.near]
            forgetHosts(context: context) { ends.contains($0) }
        case .linkRemoved(let link):
            if let gone = domain.removeLink(link) { linkGone(gone, context: context) }
        default:
            break
        }
        return .continue
    }

    // MARK: Packets

    private func forward(_ event: PacketInEvent, context: ServiceContext) -> ServiceVerdict {
        let match = event.match
        // Discovery's and bridges' own frames (LLDP, STP, …) are never forwarded.
        guard match.dlType != EtherType.lldp.rawValue, !match.dlDst.isBridgeGroup else { return .stop }
        let arrival = HostLocation(datapathID: event.datapathID, port: event.packetIn.inPort)
        let tracked = context.hosts.count > 0
        let senderIsHere =
            tracked && context.hosts.host(match.dlSrc)?.location == arrival
            || domain.isEdgePort(arrival) && learn(match.dlSrc, at: arrival, context: context)
        guard !match.dlDst.isMulticast,
            let destination = (tracked ? context.hosts.host(match.dlDst)?.location : nil) ?? hostTable[match.dlDst]
                ?? remoteDestination(context)
        else {
            flood(event, from: arrival, context: context)
            return .continue
        }
        // The destination is behind the port the frame came in by: the switch must not send it back.
        guard destination != arrival else { return .continue }
        // Both on one switch, the usual case at the edge: no search of the graph.
        let path =
            destination.datapathID == arrival.datapathID
            ? [PathHop(datapathID: arrival.datapathID, inPort: arrival.port, outPort: destination.port)]
            : domain.graph.path(from: arrival, to: destination)
        guard let hops = path else {
            flood(event, from: arrival, context: context)
            return .continue
        }
        install(event, along: hops, returning: senderIsHere, context: context)
        return .continue
    }

    /// The edge of this domain towards a destination in another, when the resolver's client
    /// put one in the context (`Resolution`): the path ends there, and the far domain takes it on.
    private func remoteDestination(_ context: ServiceContext) -> HostLocation? {
        guard let resolution = Resolution(context.attributes), let edge = resolution.edge,
            domain.domainEdges.contains(edge)
        else { return nil }
        if case .remote(let mac, _, _) = resolution, sentToEdges.count < configuration.hostCapacity {
            sentToEdges.insert(mac)
        }
        return edge
    }

    /// A host this service sent towards another domain now attaches here (it moved between
    /// domains): the flows that take its frames to the edge go before anything answers it, or the
    /// first answer (its ARP reply, say) would follow them out of the domain. The unit's tracker
    /// reports it before its first frame reaches the services.
    private func arrivedFromElsewhere(_ mac: MACAddress, context: ServiceContext) {
        guard !sentToEdges.isEmpty, sentToEdges.remove(mac) != nil else { return }
        deleteFlowsEverywhere([.to(mac)], of: mac, context: context)
        counters.hostMoves += 1
    }

    /// A service above ended its BYPASS of these hosts (an authenticator revoked them): what
    /// forwarding knows of them goes, with every flow to or from them, so that no path is laid
    /// for them (not even the way back of an allowed host's path to them) until their own frames
    /// have been through that service again. The unit's tracker forgets them too.
    public func bypassEnded(_ macs: [MACAddress], by sid: ServiceID, context: inout ServiceContext) {
        for mac in macs {
            hostTable[mac] = nil
            sentToEdges.remove(mac)
            deleteFlowsEverywhere([.to(mac), .from(mac)], of: mac, context: context)
            counters.hostsRevoked += 1
        }
    }

    /// The recorded paths of a host, and `matches` on every switch (paths within one switch are
    /// not recorded).
    private func deleteFlowsEverywhere(_ matches: [Match], of mac: MACAddress, context: ServiceContext) {
        for (pair, hops) in book.removePairs(of: mac) { deleteFlows(pair, along: hops, context: context) }
        for datapathID in domain.graph.switches {
            for match in matches {
                context.send(.flowMod(FlowMod(match: match, command: .delete)), to: datapathID)
                counters.flowModsSent += 1
            }
        }
    }

    /// Learns where a host attaches. True when it is known to attach here (now or before).
    private func learn(_ mac: MACAddress, at location: HostLocation, context: ServiceContext) -> Bool {
        guard !mac.isMulticast, mac != .zero else { return false }
        guard let known = hostTable.index(forKey: mac) else {
            guard hostTable.count < configuration.hostCapacity else {
                counters.hostOverflow += 1
                return false
            }
            hostTable[mac] = location
            return true
        }
        let previous = hostTable.values[known]
        guard previous != location else { return true }
        hostTable.values[known] = location
        moved(mac, from: previous, context: context)
        return true
    }

    /// A host attaches elsewhere now: the flows towards it (and from it) lead to where it was.
    private func moved(_ mac: MACAddress, from previous: HostLocation, context: ServiceContext) {
        counters.hostMoves += 1
        deleteFlows(of: mac, at: previous, context: context)
    }

    /// A host is gone from where it attached, with its flows.
    private func forget(_ mac: MACAddress, at location: HostLocation, context: ServiceContext) {
        hostTable[mac] = nil
        counters.hostsForgotten += 1
        deleteFlows(of: mac, at: location, context: context)
    }

    /// Installs the path on every switch from the last to the first (so that the packet, once
    /// sent on, finds the flows ahead of it in place) and, when the sender is where the frame
    /// entered, the way back too; then sends the packet on.
    private func install(_ event: PacketInEvent, along hops: [PathHop], returning: Bool, context: ServiceContext) {
        let there = PathBook.Pair(source: event.match.dlSrc, destination: event.match.dlDst)
        let back = PathBook.Pair(source: there.destination, destination: there.source)
        // The way back: the same switches, from the destination's end, each crossed the other way.
        let backHops = returning ? hops.reversed().map(\.reversed) : []
        let packetIn = event.packetIn
        for hop in backHops { addFlow(back, along: hop, context: context) }
        for hop in hops.dropFirst().reversed() { addFlow(there, along: hop, context: context) }
        let first = hops[0]
        addFlow(there, along: first, buffer: packetIn.bufferID, context: context)
        counters.pathsInstalled += 1
        // A path within one switch crosses no link, and the flows towards a host on its own
        // switch are found by where it attaches: only longer paths are recorded.
        if hops.count > 1 {
            if returning {
                replace(there, along: hops, context: context)
                replace(back, along: backHops, context: context)
            } else if !book.contains(there) {
                // Entered mid-way (the packet outran its flows, or they expired ahead of it): the
                // pair's whole path, when recorded, holds these hops already and is kept.
                _ = book.record(there, along: hops)
            }
        }
        if packetIn.bufferID == .none {
            // The switch kept no copy: the flows apply to later packets, this one goes out now.
            context.send(
                .packetOut(PacketOut(inPort: packetIn.inPort, actions: outputList(first.outPort), data: packetIn.data)),
                to: event.datapathID)
        }
    }

    private func addFlow(
        _ pair: PathBook.Pair, along hop: PathHop, buffer: BufferID = .none, context: ServiceContext
    ) {
        context.send(
            .flowMod(
                FlowMod(
                    match: Self.match(pair, enteringBy: hop.inPort), command: .add,
                    idleTimeout: configuration.idleTimeout, hardTimeout: configuration.hardTimeout,
                    priority: configuration.flowPriority, bufferID: buffer, actions: outputList(hop.outPort))),
            to: hop.datapathID)
        counters.flowModsSent += 1
    }

    /// One "output to port N" list per port, reused.
    private let outputList = OutputLists()

    /// Records a pair's new path; the flows of the one it replaces are deleted. An old hop that
    /// enters a switch by the same port as a new one has the new hop's match: the new flow has
    /// just overwritten it, and a strict delete sent now would take the new flow out.
    private func replace(_ pair: PathBook.Pair, along hops: [PathHop], context: ServiceContext) {
        guard let old = book.record(pair, along: hops) else { return }
        let rewritten = old.filter { hop in
            !hops.contains { $0.datapathID == hop.datapathID && $0.inPort == hop.inPort }
        }
        deleteFlows(pair, along: rewritten, context: context)
    }

    private func flood(_ event: PacketInEvent, from arrival: HostLocation, context: ServiceContext) {
        let packetIn = event.packetIn
        let actions: [Action]
        if domain.knows(event.datapathID) {
            guard domain.acceptsFlood(from: arrival) else {
                counters.loopedFloodsDropped += 1
                return
            }
            actions = domain.floodActions(from: arrival)
        } else {
            // A switch whose ports this service was never told of (it does not see switch
            // events): the switch's own flood is all there is.
            actions = [.output(port: .flood, maxLength: 0)]
        }
        counters.floods += 1
        context.send(
            .packetOut(
                PacketOut(
                    bufferID: packetIn.bufferID, inPort: packetIn.inPort, actions: actions,
                    data: packetIn.bufferID == .none ? packetIn.data : ByteBuffer())),
            to: event.datapathID)
    }

    // MARK: Taking flows out

    private func linkGone(_ link: TopologyLink, context: ServiceContext) {
        for (pair, hops) in book.removePairs(crossing: link) {
            counters.pathsBroken += 1
            deleteFlows(pair, along: hops, context: context)
        }
    }

    private func forgetHosts(context: ServiceContext, where attachedAt: (HostLocation) -> Bool) {
        let gone = hostTable.filter { attachedAt($0.value) }.sorted { $0.key < $1.key }
        for (mac, location) in gone { forget(mac, at: location, context: context) }
    }

    /// Every flow towards or from a host that attached at `location`: on its own switch, those
    /// that delivered to its port or took in its frames there; elsewhere, those of the recorded
    /// paths it was part of. When the book could not record every path, the flows towards it
    /// are also deleted by destination on every switch, whatever their path.
    private func deleteFlows(of mac: MACAddress, at location: HostLocation, context: ServiceContext) {
        for (pair, hops) in book.removePairs(of: mac) { deleteFlows(pair, along: hops, context: context) }
        let towards = Match.to(mac)
        let from = Match.from(mac, at: location)
        context.send(
            .flowMod(FlowMod(match: towards, command: .delete, outPort: location.port)), to: location.datapathID)
        context.send(.flowMod(FlowMod(match: from, command: .delete)), to: location.datapathID)
        counters.flowModsSent += 2
        book.clearOverflow()
        guard book.overflowed > 0 else { return }
        for datapathID in domain.graph.switches {
            context.send(.flowMod(FlowMod(match: towards, command: .delete)), to: datapathID)
            counters.flowModsSent += 1
        }
    }

    private func deleteFlows(_ pair: PathBook.Pair, along hops: [PathHop], context: ServiceContext) {
        for hop in hops {
            context.send(
                .flowMod(
                    FlowMod(
                        match: Self.match(pair, enteringBy: hop.inPort), command: .deleteStrict,
                        priority: configuration.flowPriority)),
                to: hop.datapathID)
        }
        counters.flowModsSent += hops.count
    }

    /// Forwarding's match: the port a frame enters by and its two addresses, the rest wildcarded.
    static func match(_ pair: PathBook.Pair, enteringBy port: PortNumber) -> Match {
        Match(
            wildcards: Match.Wildcards.all.subtracting([.inPort, .dlSrc, .dlDst]), inPort: port,
            dlSrc: pair.source, dlDst: pair.destination)
    }
}
