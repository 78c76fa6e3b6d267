import ControlPlane
import NIOCore

/// One row of `echelon hosts`, as the admin API serves it.
public struct HostView: Codable, Hashable, Sendable {
    public var mac: String
    public var ipv4: String?
    public var domain: UInt32
    /// DPID:port where it attaches.
    public var port: String
    /// Seconds since it was last seen (reported, for a map kept from other units' reports).
    public var lastSeen: Double
    public var present: Bool

    /// The unit's own hosts, or the wider map a service keeps (the resolver's, at tier 2),
    /// sorted by MAC. Built off the event loop from a copy taken there.
    static func rows(tracker: HostTracker, map: [KnownHost]?, domain: UInt32, now: NIODeadline) -> [HostView] {
        let hosts =
            map
            ?? tracker.hosts.values.map {
                KnownHost(
                    mac: $0.host.mac, ipv4: $0.host.ipv4, domain: .init(domain), location: $0.host.location,
                    lastSeen: $0.lastSeen, present: true)
            }
        return hosts.sorted { $0.mac.rawValue < $1.mac.rawValue }.map {
            HostView(
                mac: $0.mac.description, ipv4: $0.ipv4?.description, domain: $0.domain.rawValue,
                port: $0.location.description, lastSeen: Double((now - $0.lastSeen).nanoseconds) / 1e9,
                present: $0.present)
        }
    }
}
