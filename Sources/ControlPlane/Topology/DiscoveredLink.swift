import OpenFlow
import UnitProtocol

/// A link as link events report it: between two switches of the domain, or a domain edge (a
/// port of this domain where another unit's switch is at the far end).
public struct DiscoveredLink: Hashable, Sendable, CustomStringConvertible {
    /// This domain's end; for a link inside the domain, its lower end (`TopologyLink.a`).
    public var near: HostLocation
    public var far: HostLocation
    /// The unit whose switch is at the far end, for a domain edge; nil inside the domain.
    public var farUnit: UnitID?
    /// It flaps (`LinkDamping`): present, so its ports are no host's, but no flood or path may
    /// take it until it is steady again (a link-added without it says so).
    public var suppressed: Bool

    public init(near: HostLocation, far: HostLocation, farUnit: UnitID? = nil, suppressed: Bool = false) {
        self.near = near
        self.far = far
        self.farUnit = farUnit
        self.suppressed = suppressed
    }

    /// A link inside the domain.
    public init(_ link: TopologyLink, suppressed: Bool = false) {
        self.init(near: link.a, far: link.b, suppressed: suppressed)
    }

    /// The link inside the domain it is, or nil for a domain edge.
    public var topologyLink: TopologyLink? { farUnit == nil ? TopologyLink(near, far) : nil }

    public var description: String {
        "\(near) <-> \(far)" + (farUnit.map { " of \($0)" } ?? "") + (suppressed ? " (suppressed: it flaps)" : "")
    }
}
