import OpenFlow

/// The switches of one domain and the links between them, as link discovery finds them: what
/// forwarding floods over (a spanning tree, so that a graph with loops never storms) and routes
/// over (shortest paths). Pure: links come and go as discovery reports them.
///
/// A link is a pair of switch ports. Discovery sees each direction on its own (a probe out of
/// one port arriving at the other); the graph holds the pair while either direction is known,
/// since a physical link carries both. A port joins at most one link: a probe arriving on a
/// port that had another far end replaces it (the cable was moved).
///
/// A link may be blocked (a flapping link, `LinkDamping`): its ports still carry a link (no
/// host attaches there), but no flood and no path takes it, and it coming and going leaves
/// the tree as it is.
///
/// Everything it answers is deterministic: ties go to the lowest DPID, then the lowest port, so
/// that every unit and every run computes the same tree and the same paths for the same graph.
public struct TopologyGraph: Sendable {
    /// Each switch's ports that carry a link, with the port at the far end.
    private var adjacency: [DatapathID: [PortNumber: HostLocation]] = [:]
    /// Links present but not to be used.
    public private(set) var blocked: Set<TopologyLink> = []
    /// The links floods may take, computed again whenever a link or a switch comes or goes:
    /// links change seldom, and floods read it for every broadcast.
    public private(set) var tree = SpanningTree(adjacency: [:], blocked: [])

    public init() {}

    /// Switches in the graph, in DPID order.
    public var switches: [DatapathID] { adjacency.keys.sorted() }

    /// Every link once, the end with the lower DPID (then port) first, in that order.
    public var links: [TopologyLink] {
        adjacency.flatMap { dpid, ports in
            ports.compactMap { port, far in
                let near = HostLocation(datapathID: dpid, port: port)
                return near < far ? TopologyLink(near, far) : nil
            }
        }
        .sorted { $0.a < $1.a }
    }

    public func contains(_ datapathID: DatapathID) -> Bool { adjacency[datapathID] != nil }

    /// The port at the other end of the link on this port, if it carries one.
    public func farEnd(of port: HostLocation) -> HostLocation? { adjacency[port.datapathID]?[port.port] }

    /// Whether a port carries a link to another switch (it is no host's attachment point).
    public func isLinkPort(_ port: HostLocation) -> Bool { farEnd(of: port) != nil }

    // MARK: Changes

    /// A switch joined. True when it is new.
    @discardableResult
    public mutating func addSwitch(_ datapathID: DatapathID) -> Bool {
        guard adjacency[datapathID] == nil else { return false }
        adjacency[datapathID] = [:]
        tree = SpanningTree(adjacency: adjacency, blocked: blocked)
        return true
    }

    /// A switch left: it and its links are gone. Returns the links removed.
    @discardableResult
    public mutating func removeSwitch(_ datapathID: DatapathID) -> [TopologyLink] {
        guard let ports = adjacency.removeValue(forKey: datapathID) else { return [] }
        var removed: [TopologyLink] = []
        for (port, far) in ports.sorted(by: { $0.key < $1.key }) {
            adjacency[far.datapathID]?[far.port] = nil
            let link = TopologyLink(HostLocation(datapathID: datapathID, port: port), far)
            blocked.remove(link)
            removed.append(link)
        }
        tree = SpanningTree(adjacency: adjacency, blocked: blocked)
        return removed
    }

    /// A link between two ports of known switches, blocked or not. Returns the links it
    /// replaced (a port that had another far end), or nil when nothing changed (it was known as
    /// it is, or a switch is not). A known link changes from blocked to usable or back.
    public mutating func addLink(_ link: TopologyLink, blocked isBlocked: Bool = false) -> [TopologyLink]? {
        let (a, b) = (link.a, link.b)
        guard a.datapathID != b.datapathID || a.port != b.port, contains(a.datapathID), contains(b.datapathID)
        else { return nil }
        guard farEnd(of: a) != b else {
            guard blocked.contains(link) != isBlocked else { return nil }
            if isBlocked { blocked.insert(link) } else { blocked.remove(link) }
            tree = SpanningTree(adjacency: adjacency, blocked: blocked)
            return []
        }
        var replaced: [TopologyLink] = []
        for end in [a, b] {
            if let old = farEnd(of: end), let gone = removeLink(TopologyLink(end, old)) { replaced.append(gone) }
        }
        adjacency[a.datapathID]?[a.port] = b
        adjacency[b.datapathID]?[b.port] = a
        if isBlocked {
            // Neither the tree nor any path takes it: nothing to compute again.
            blocked.insert(link)
        } else {
            tree = SpanningTree(adjacency: adjacency, blocked: blocked)
        }
        return replaced
    }

    /// The link is gone (both directions expired, or a port went down). Returns it when it was known.
    @discardableResult
    public mutating func removeLink(_ link: TopologyLink) -> TopologyLink? {
        guard farEnd(of: link.a) == link.b else { return nil }
        adjacency[link.a.datapathID]?[link.a.port] = nil
        adjacency[link.b.datapathID]?[link.b.port] = nil
        if blocked.remove(link) == nil { tree = SpanningTree(adjacency: adjacency, blocked: blocked) }
        return link
    }

    /// A port is gone (down, or deleted): its link, if any, with it.
    @discardableResult
    public mutating func removePort(_ port: HostLocation) -> TopologyLink? {
        guard let far = farEnd(of: port) else { return nil }
        return removeLink(TopologyLink(port, far))
    }

    // MARK: Flooding

    /// Whether a frame flooded on `port`'s switch may leave through it: a port with no link
    /// (hosts, or nothing) or a link on the spanning tree. Other link ports would close a loop.
    public func floods(through port: HostLocation) -> Bool {
        guard isLinkPort(port) else { return true }
        return tree.contains(port)
    }

    // MARK: Paths

    /// The shortest path (fewest links) from one switch port to another: each switch along it,
    /// with the port a frame enters by and the port it leaves by. Nil when no path joins them
    /// (or a switch is not in the graph). Equal-length paths are broken towards lower DPIDs and
    /// ports, so the path from A to B is the path from B to A reversed.
    public func path(from source: HostLocation, to destination: HostLocation) -> [PathHop]? {
        guard contains(source.datapathID), contains(destination.datapathID) else { return nil }
        guard source.datapathID != destination.datapathID else {
            return [PathHop(datapathID: source.datapathID, inPort: source.port, outPort: destination.port)]
        }
        // Breadth-first from both ends' canonical order: searched from the lower DPID so that
        // the same pair of switches always gets the same links, whichever way is asked.
        let forward = source.datapathID < destination.datapathID
        let (from, to) =
            forward ? (source.datapathID, destination.datapathID) : (destination.datapathID, source.datapathID)
        guard let links = shortestLinks(from: from, to: to) else { return nil }
        // `links`: each as (port leaving the nearer switch, port entering the next), from `from`.
        let ordered = forward ? links : links.reversed().map { (leave: $0.enter, enter: $0.leave) }
        var hops: [PathHop] = []
        var inPort = source.port
        for link in ordered {
            hops.append(PathHop(datapathID: link.leave.datapathID, inPort: inPort, outPort: link.leave.port))
            inPort = link.enter.port
        }
        hops.append(PathHop(datapathID: destination.datapathID, inPort: inPort, outPort: destination.port))
        return hops
    }

    private func shortestLinks(from: DatapathID, to: DatapathID) -> [(leave: HostLocation, enter: HostLocation)]? {
        var reachedBy: [DatapathID: (leave: HostLocation, enter: HostLocation)] = [:]
        var visited: Set<DatapathID> = [from]
        var frontier = [from]
        search: while !frontier.isEmpty {
            var next: [DatapathID] = []
            for dpid in frontier {
                for (port, far) in (adjacency[dpid] ?? [:]).sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) })
                where !blocked.contains(HostLocation(datapathID: dpid, port: port), far)
                    && visited.insert(far.datapathID).inserted
                {
                    reachedBy[far.datapathID] = (HostLocation(datapathID: dpid, port: port), far)
                    if far.datapathID == to { break search }
                    next.append(far.datapathID)
                }
            }
            frontier = next
        }
        guard reachedBy[to] != nil else { return nil }
        var links: [(leave: HostLocation, enter: HostLocation)] = []
        var at = to
        while at != from, let link = reachedBy[at] {
            links.append(link)
            at = link.leave.datapathID
        }
        return links.reversed()
    }
}

/// A link between two switch ports, with its ends in a canonical order (lower DPID, then
/// port, first), so that both directions of a link are the same value.
public struct TopologyLink: Hashable, Sendable, CustomStringConvertible {
    public let a: HostLocation
    public let b: HostLocation

    public init(_ one: HostLocation, _ other: HostLocation) {
        (a, b) = one < other ? (one, other) : (other, one)
    }

    public var description: String { "\(a) <-> \(b)" }
}

/// One switch on a path: where a frame enters it and where it leaves.
public struct PathHop: Hashable, Sendable, CustomStringConvertible {
    public var datapathID: DatapathID
    public var inPort: PortNumber
    public var outPort: PortNumber

    public init(datapathID: DatapathID, inPort: PortNumber, outPort: PortNumber) {
        self.datapathID = datapathID
        self.inPort = inPort
        self.outPort = outPort
    }

    public var description: String { "\(datapathID): \(inPort) -> \(outPort)" }

    /// The same switch crossed the other way.
    public var reversed: PathHop { PathHop(datapathID: datapathID, inPort: outPort, outPort: inPort) }
}

extension Set<TopologyLink> {
    /// Whether the link between two ports is a member. Searches look it up for every link they
    /// cross, and the set is nearly always empty: that is answered without building the link.
    func contains(_ near: HostLocation, _ far: HostLocation) -> Bool {
        !isEmpty && contains(TopologyLink(near, far))
    }
}

/// The links forwarding floods over: for each connected part of the graph, the tree a
/// breadth-first search from its lowest DPID finds, taking each switch's links in port order.
public struct SpanningTree: Hashable, Sendable {
    /// Both ends of every tree link.
    public let ports: Set<HostLocation>
    /// The root of each switch's connected part (its lowest DPID).
    public let roots: [DatapathID: DatapathID]

    init(adjacency: [DatapathID: [PortNumber: HostLocation]], blocked: Set<TopologyLink>) {
        var ports: Set<HostLocation> = []
        var roots: [DatapathID: DatapathID] = [:]
        for root in adjacency.keys.sorted() where roots[root] == nil {
            roots[root] = root
            var frontier = [root]
            while !frontier.isEmpty {
                var next: [DatapathID] = []
                for dpid in frontier {
                    for (port, far) in (adjacency[dpid] ?? [:]).sorted(by: { $0.key < $1.key })
                    where roots[far.datapathID] == nil
                        && !blocked.contains(HostLocation(datapathID: dpid, port: port), far)
                    {
                        roots[far.datapathID] = root
                        ports.insert(HostLocation(datapathID: dpid, port: port))
                        ports.insert(far)
                        next.append(far.datapathID)
                    }
                }
                frontier = next
            }
        }
        self.ports = ports
        self.roots = roots
    }

    public func contains(_ port: HostLocation) -> Bool { ports.contains(port) }
}

extension HostLocation: Comparable {
    public static func < (lhs: HostLocation, rhs: HostLocation) -> Bool {
        (lhs.datapathID, lhs.port) < (rhs.datapathID, rhs.port)
    }
}
