import ControlPlane
import OpenFlow

/// The paths forwarding has installed, by host pair, so that what a change breaks can be taken
/// out precisely: the flows of every pair whose path crossed a link that went down, and of
/// every pair a host that moved or left was part of. Flows are deleted one by one (strict, at
/// forwarding's priority), so an operator's rules on the same switches are never touched.
///
/// At most `capacity` pairs are kept. Past that, new paths are installed but not recorded, and
/// `overflowed` says so: forwarding then falls back to deleting by destination on every switch.
struct PathBook {
    /// Traffic from one host to another, one direction.
    struct Pair: Hashable {
        var source: MACAddress
        var destination: MACAddress
    }

    let capacity: Int
    private(set) var paths: [Pair: [PathHop]] = [:]
    private var byLink: [TopologyLink: Set<Pair>] = [:]
    private var byHost: [MACAddress: Set<Pair>] = [:]
    /// Paths installed and not recorded since the book was last empty.
    private(set) var overflowed = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { paths.count }

    func contains(_ pair: Pair) -> Bool { paths[pair] != nil }

    /// Records the path a pair's flows now take. Returns the hops of the path it replaces when
    /// that was another one (its flows are the caller's to delete), or nil.
    mutating func record(_ pair: Pair, along hops: [PathHop]) -> [PathHop]? {
        if let old = paths[pair] {
            guard old != hops else { return nil }
            unindex(pair, along: old)
        } else {
            guard paths.count < capacity else {
                overflowed += 1
                return nil
            }
            byHost[pair.source, default: []].insert(pair)
            byHost[pair.destination, default: []].insert(pair)
        }
        let old = paths.updateValue(hops, forKey: pair)
        for link in Self.links(along: hops) { byLink[link, default: []].insert(pair) }
        return old
    }

    /// Takes out every pair whose path crosses the link, with the hops each took.
    mutating func removePairs(crossing link: TopologyLink) -> [(pair: Pair, hops: [PathHop])] {
        remove(byLink[link] ?? [])
    }

    /// Takes out every pair the host is the source or the destination of.
    mutating func removePairs(of host: MACAddress) -> [(pair: Pair, hops: [PathHop])] {
        remove(byHost[host] ?? [])
    }

    /// The book is empty again: whatever was not recorded has expired or was deleted.
    mutating func clearOverflow() {
        if paths.isEmpty { overflowed = 0 }
    }

    private mutating func remove(_ pairs: Set<Pair>) -> [(pair: Pair, hops: [PathHop])] {
        let ordered = pairs.sorted { ($0.source, $0.destination) < ($1.source, $1.destination) }
        return ordered.compactMap { pair in
            guard let hops = paths.removeValue(forKey: pair) else { return nil }
            unindex(pair, along: hops)
            for host in [pair.source, pair.destination] {
                byHost[host]?.remove(pair)
                if byHost[host]?.isEmpty == true { byHost[host] = nil }
            }
            return (pair, hops)
        }
    }

    private mutating func unindex(_ pair: Pair, along hops: [PathHop]) {
        for link in Self.links(along: hops) {
            byLink[link]?.remove(pair)
            if byLink[link]?.isEmpty == true { byLink[link] = nil }
        }
    }

    /// The links a path crosses: from each hop's out port to the next hop's in port.
    static func links(along hops: [PathHop]) -> [TopologyLink] {
        guard hops.count > 1 else { return [] }
        return (1..<hops.count).map { index in
            TopologyLink(
                HostLocation(datapathID: hops[index - 1].datapathID, port: hops[index - 1].outPort),
                HostLocation(datapathID: hops[index].datapathID, port: hops[index].inPort))
        }
    }
}
