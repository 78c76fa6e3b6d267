import OpenFlow

/// A host (device) the unit has seen, and where it attaches to the network.
public struct Host: Hashable, Sendable {
    public var mac: MACAddress
    /// VLAN id of its frames, or nil when untagged.
    public var vlan: UInt16?
    /// Its IPv4 address, once one was seen (ARP sender or IPv4 source).
    public var ipv4: IPv4Address?
    public var location: HostLocation

    public init(mac: MACAddress, vlan: UInt16? = nil, ipv4: IPv4Address? = nil, location: HostLocation) {
        self.mac = mac
        self.vlan = vlan
        self.ipv4 = ipv4
        self.location = location
    }
}

/// A switch port a host is attached to.
public struct HostLocation: Hashable, Sendable, CustomStringConvertible {
    public var datapathID: DatapathID
    public var port: PortNumber

    public init(datapathID: DatapathID, port: PortNumber) {
        self.datapathID = datapathID
        self.port = port
    }

    public var description: String { "\(datapathID):\(port)" }
}

/// What changed about a known host.
public enum HostChange: Hashable, Sendable {
    case ipv4(from: IPv4Address?)
    case vlan(from: UInt16?)
    case moved(from: HostLocation)
}
