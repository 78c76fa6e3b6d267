import NIOCore
import OpenFlow

/// Something link discovery or a switch's port report did not believe or did not apply, for
/// the log (each is counted in `UnitCounters` too).
public enum TopologyWarning: Hashable, Sendable, CustomStringConvertible {
    /// An LLDP probe not believed: no link is learned from it.
    case probe(ProbeRejection)
    /// A PORT_STATUS that changes or deletes a port the switch never reported.
    case portStatusForUnknownPort(PortStatus.Reason)
    /// A link that kept going down: kept out of floods and paths until it has been steady this long.
    case linkSuppressed(TopologyLink, for: TimeAmount)

    /// What the log says once per port for this kind of warning.
    public var kind: String {
        switch self {
        case .probe: "probe"
        case .portStatusForUnknownPort: "unknown_port_status"
        case .linkSuppressed: "link_suppressed"
        }
    }

    public var description: String {
        switch self {
        case .probe(let rejection): "\(rejection)"
        case .portStatusForUnknownPort(let reason):
            "a PORT_STATUS (\(reason)) for a port its switch never reported"
        case .linkSuppressed(let link, let hold):
            "link \(link) keeps going down: no flood or path takes it until it has been steady for "
                + "\(hold.nanoseconds / 1_000_000_000) s"
        }
    }

    /// The log line for a warning about `port`.
    public func line(at port: HostLocation) -> String {
        switch self {
        case .probe: "\(self) arrived at \(port); no link is learned from it"
        case .portStatusForUnknownPort: "\(self) came for \(port), ignored"
        case .linkSuppressed: "\(self)"
        }
    }
}
