import ControlPlane
import NIOCore
import OpenFlow
import UnitProtocol

/// The resolver's global map: every host the domains below reported (MAC, IPv4) → its domain
/// (tier-1 unit) → where it attaches, with when it was last reported; and the links between
/// domains, as each domain's discovery found them. Pure: the resolver feeds it events.
struct HostDirectory {
    struct Entry: Hashable, Sendable {
        var mac: MACAddress
        var ipv4: IPv4Address?
        var domain: UnitID
        var location: HostLocation
        var lastSeen: NIODeadline
        /// False once its domain reported it gone (kept, for where it was).
        var present: Bool
    }

    /// A port of one domain whose far end is a switch of another.
    struct Edge: Hashable, Sendable {
        var near: HostLocation
        var farDomain: UnitID
        var far: HostLocation
    }

    /// What reporting a host changed.
    enum Report: Hashable, Sendable {
        case new
        case unchanged
        /// It moved within its domain.
        case moved
        /// It left one domain and turned up in another.
        case changedDomain(from: UnitID)
        /// It turned up in another domain while the first still had it (no departure came first):
        /// the latest report wins.
        case conflict(with: UnitID)
    }

    private(set) var hosts: [MACAddress: Entry] = [:]
    private var byAddress: [IPv4Address: MACAddress] = [:]
    private(set) var edges: [UnitID: Set<Edge>] = [:]

    func host(_ mac: MACAddress) -> Entry? { hosts[mac] }

    func host(ipv4: IPv4Address) -> Entry? { byAddress[ipv4].flatMap { hosts[$0] } }

    mutating func report(_ host: Host, in domain: UnitID, now: NIODeadline) -> Report {
        let previous = hosts[host.mac]
        let entry = Entry(
            mac: host.mac, ipv4: host.ipv4 ?? previous?.ipv4, domain: domain, location: host.location, lastSeen: now,
            present: true)
        hosts[host.mac] = entry
        if let old = previous?.ipv4, old != entry.ipv4, byAddress[old] == host.mac { byAddress[old] = nil }
        if let ipv4 = entry.ipv4 { byAddress[ipv4] = host.mac }
        guard let previous else { return .new }
        if previous.domain != domain {
            return previous.present ? .conflict(with: previous.domain) : .changedDomain(from: previous.domain)
        }
        return previous.location == host.location ? .unchanged : .moved
    }

    /// The domain reports the host gone: true when that is where the map had it (a report from
    /// a domain it has since left is stale and changes nothing).
    mutating func departed(_ mac: MACAddress, from domain: UnitID, now: NIODeadline) -> Bool {
        guard var entry = hosts[mac], entry.domain == domain, entry.present else { return false }
        entry.present = false
        entry.lastSeen = now
        hosts[mac] = entry
        return true
    }

    mutating func addEdge(_ edge: Edge, of domain: UnitID) {
        edges[domain, default: []].insert(edge)
    }

    mutating func removeEdge(at near: HostLocation, of domain: UnitID) {
        edges[domain] = edges[domain]?.filter { $0.near != near }
    }

    /// The edge of `from` through which the shortest chain of domains to `to` starts (breadth
    /// first over the links between domains; ties go to the lowest port). Nil when none leads there.
    func firstEdge(from: UnitID, to: UnitID) -> Edge? {
        guard from != to else { return nil }
        var firstHop: [UnitID: Edge] = [:]
        var frontier = [from]
        var seen: Set<UnitID> = [from]
        while !frontier.isEmpty {
            var next: [UnitID] = []
            for domain in frontier {
                let outgoing = (edges[domain] ?? []).sorted {
                    ($0.near.datapathID.rawValue, $0.near.port.rawValue) < (
                        $1.near.datapathID.rawValue, $1.near.port.rawValue
                    )
                }
                for edge in outgoing where seen.insert(edge.farDomain).inserted {
                    firstHop[edge.farDomain] = domain == from ? edge : firstHop[domain]
                    if edge.farDomain == to { return firstHop[to] }
                    next.append(edge.farDomain)
                }
            }
            frontier = next
        }
        return nil
    }
}
