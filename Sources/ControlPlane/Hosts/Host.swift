import OpenFlow

/// A host (device) the unit has seen, and where it attaches to the network.
public struct Host: Hashable, Sendable {
    public var mac: MACAddress
    public var location: HostLocation
    // The VLAN and the address are kept without optionals (0xffff: untagged, as OpenFlow's
    // OFP_VLAN_NONE; 0.0.0.0: none seen, never a host's source address), so that a host packs
    // into 24 bytes: the host tracker holds one per host.
    private var vlanTag: UInt16
    private var address: UInt32

    /// VLAN id of its frames, or nil when untagged.
    public var vlan: UInt16? {
        get { vlanTag == Match.vlanNone ? nil : vlanTag }
        set { vlanTag = newValue ?? Match.vlanNone }
    }

    /// Its IPv4 address, once one was seen (ARP sender or IPv4 source).
    public var ipv4: IPv4Address? {
        get { address == 0 ? nil : IPv4Address(rawValue: address) }
        set { address = newValue?.rawValue ?? 0 }
    }

    public init(mac: MACAddress, vlan: UInt16? = nil, ipv4: IPv4Address? = nil, location: HostLocation) {
        self.mac = mac
        self.location = location
        self.vlanTag = vlan ?? Match.vlanNone
        self.address = ipv4?.rawValue ?? 0
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
