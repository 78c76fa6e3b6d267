import NIOCore
import OpenFlow
import UnitProtocol

/// A host as a unit can show it (`echelon hosts`): its own tracker's, or a service's wider map
/// (the resolver's, of every domain below).
public struct KnownHost: Hashable, Sendable {
    public var mac: MACAddress
    public var ipv4: IPv4Address?
    /// The domain (tier-1 unit) it attaches in.
    public var domain: UnitID
    public var location: HostLocation
    public var lastSeen: NIODeadline
    /// False once its domain reported it gone (a map may keep where it was).
    public var present: Bool

    public init(
        mac: MACAddress, ipv4: IPv4Address?, domain: UnitID, location: HostLocation, lastSeen: NIODeadline,
        present: Bool
    ) {
        self.mac = mac
        self.ipv4 = ipv4
        self.domain = domain
        self.location = location
        self.lastSeen = lastSeen
        self.present = present
    }
}
