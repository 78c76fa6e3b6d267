import NIOCore
import OpenFlow

/// Learns hosts from the packets switches send up and reports device events.
///
/// A host is identified by its MAC address. Its location is the edge port where its frames
/// enter the network: frames seen on ports that connect two switches (`infrastructurePorts`,
/// learned by link discovery) or on reserved ports say nothing about where a host is, and are
/// ignored. Hosts silent for `idleTimeout` are forgotten. At most `capacity` hosts are kept;
/// past that, new hosts are counted and not learned, so memory stays bounded.
public struct HostTracker: Sendable {
    public var idleTimeout: TimeAmount
    public let capacity: Int
    public private(set) var hosts: [MACAddress: TrackedHost] = [:]
    public private(set) var infrastructurePorts: Set<HostLocation> = []
    /// New hosts not learned because the tracker was full.
    public private(set) var overflowCount = 0

    public struct TrackedHost: Hashable, Sendable {
        public var host: Host
        public var lastSeen: NIODeadline
    }

    public init(idleTimeout: TimeAmount = .seconds(300), capacity: Int = 1_000_000) {
        self.idleTimeout = idleTimeout
        self.capacity = capacity
    }

    public var count: Int { hosts.count }

    public func host(_ mac: MACAddress) -> Host? { hosts[mac]?.host }

    /// Learns from one PACKET_IN's match. Returns the device event it causes, if any.
    public mutating func observe(_ match: Match, on datapathID: DatapathID, now: NIODeadline) -> NetworkEvent? {
        let mac = match.dlSrc
        guard !mac.isMulticast, mac != .zero, match.inPort.isPhysical else { return nil }
        let location = HostLocation(datapathID: datapathID, port: match.inPort)
        guard infrastructurePorts.isEmpty || !infrastructurePorts.contains(location) else { return nil }
        let vlan = match.dlVlan == Match.vlanNone ? nil : match.dlVlan
        let ipv4 = Self.sourceAddress(of: match)

        // One hash of the MAC per packet: the entry is found once and changed in place.
        guard let index = hosts.index(forKey: mac) else {
            guard hosts.count < capacity else {
                overflowCount += 1
                return nil
            }
            let host = Host(mac: mac, vlan: vlan, ipv4: ipv4, location: location)
            hosts[mac] = TrackedHost(host: host, lastSeen: now)
            return .deviceAdded(host)
        }
        return Self.update(&hosts.values[index], location: location, vlan: vlan, ipv4: ipv4, now: now)
    }

    private static func update(
        _ tracked: inout TrackedHost, location: HostLocation, vlan: UInt16?, ipv4: IPv4Address?, now: NIODeadline
    ) -> NetworkEvent? {
        tracked.lastSeen = now
        var change: HostChange?
        if tracked.host.location != location {
            change = .moved(from: tracked.host.location)
            tracked.host.location = location
        } else if let ipv4, tracked.host.ipv4 != ipv4 {
            change = .ipv4(from: tracked.host.ipv4)
        } else if tracked.host.vlan != vlan {
            change = .vlan(from: tracked.host.vlan)
        }
        if let ipv4 { tracked.host.ipv4 = ipv4 }
        tracked.host.vlan = vlan
        return change.map { .deviceChanged(tracked.host, $0) }
    }

    /// Forgets a host without an event: a service above withdrew its BYPASS of it (an
    /// authenticator revoked it), so its next frame announces it again (`deviceAdded`, with where
    /// it attaches) to the services that must judge it anew.
    @discardableResult
    public mutating func forget(_ mac: MACAddress) -> Bool {
        hosts.removeValue(forKey: mac) != nil
    }

    /// Marks a port as connecting two switches; hosts that appeared to sit there are forgotten.
    public mutating func markInfrastructure(_ location: HostLocation) -> [NetworkEvent] {
        guard infrastructurePorts.insert(location).inserted else { return [] }
        return remove { $0.host.location == location }
    }

    public mutating func unmarkInfrastructure(_ location: HostLocation) {
        infrastructurePorts.remove(location)
    }

    /// Forgets the hosts attached to a switch that left, or to one of its ports that went away.
    public mutating func removeAttached(to datapathID: DatapathID, port: PortNumber? = nil) -> [NetworkEvent] {
        infrastructurePorts = infrastructurePorts.filter {
            $0.datapathID != datapathID || (port != nil && $0.port != port)
        }
        return remove { $0.host.location.datapathID == datapathID && (port == nil || $0.host.location.port == port) }
    }

    /// Forgets hosts silent for longer than `idleTimeout`.
    public mutating func expire(now: NIODeadline) -> [NetworkEvent] {
        let timeout = idleTimeout
        return remove { now - $0.lastSeen >= timeout }
    }

    private mutating func remove(where shouldRemove: (TrackedHost) -> Bool) -> [NetworkEvent] {
        let gone = hosts.values.filter(shouldRemove)
        for tracked in gone { hosts[tracked.host.mac] = nil }
        return gone.sorted { $0.host.mac < $1.host.mac }.map { .deviceRemoved($0.host) }
    }

    /// ARP's sender address or IPv4's source (both are `nw_src` in an OpenFlow 1.0 match).
    static func sourceAddress(of match: Match) -> IPv4Address? {
        guard match.dlType == 0x0800 || match.dlType == 0x0806, match.nwSrc != .any else { return nil }
        return match.nwSrc
    }
}
