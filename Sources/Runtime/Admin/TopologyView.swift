import ControlPlane
import OpenFlow
import UnitProtocol

/// `GET /topology` and `echelon topology`: the domain as this unit sees it. Ports are written
/// `DPID:port`.
public struct TopologyView: Codable, Hashable, Sendable {
    public var switches: [String]
    public var links: [Link]
    public var hosts: [HostRow]
    public var domainEdges: [DomainEdgeRow]

    /// A link between two switches of the domain, both ends, and whether floods take it.
    public struct Link: Codable, Hashable, Sendable {
        public var a: String
        public var b: String
        /// On the spanning tree (floods take it) or not (it would close a loop).
        public var tree: Bool
        /// It keeps going down (`LinkDamping`): no flood or path takes it until it is steady.
        public var suppressed: Bool
    }

    /// A host and where it attaches.
    public struct HostRow: Codable, Hashable, Sendable {
        public var mac: String
        public var ipv4: String?
        public var vlan: UInt16?
        public var port: String
    }

    /// A port where another unit's switch is at the far end.
    public struct DomainEdgeRow: Codable, Hashable, Sendable {
        public var port: String
        public var unit: UInt32
        public var far: String
    }

    /// Built from copies taken on the unit's loop (`TopologySnapshot`), away from it.
    init(_ snapshot: TopologySnapshot) {
        let graph = snapshot.topology
        switches = graph.switches.map(\.description)
        links = graph.links.map {
            Link(
                a: $0.a.description, b: $0.b.description, tree: graph.tree.contains($0.a),
                suppressed: graph.blocked.contains($0))
        }
        hosts = snapshot.hosts.values.map(\.host).sorted { $0.mac < $1.mac }.map { host in
            HostRow(
                mac: host.mac.description, ipv4: host.ipv4.map(\.description), vlan: host.vlan,
                port: host.location.description)
        }
        domainEdges = snapshot.domainEdges.sorted { $0.key < $1.key }.map {
            DomainEdgeRow(port: $0.key.description, unit: $0.value.unit.rawValue, far: $0.value.far.description)
        }
    }
}

/// What `TopologyView` is built from: copies of the unit's graph, hosts and domain edges.
struct TopologySnapshot: Sendable {
    var topology: TopologyGraph
    var hosts: [MACAddress: HostTracker.TrackedHost]
    var domainEdges: [HostLocation: DomainEdge]
}
