import ControlPlane
import OpenFlow
import UnitProtocol

/// The resolver's answer about a destination, as it travels in an event's context (`resolve.*`
/// entries) from the resolver to its client and forwarding at tier 1.
public enum Resolution: Hashable, Sendable {
    /// Nobody has seen it: flood it inside the domain, as before.
    case unknown
    /// It attaches in the asking domain.
    case local(mac: MACAddress)
    /// It attaches in another domain, reached through the asking domain's edge port `edge`.
    case remote(mac: MACAddress, domain: UnitID, edge: HostLocation)

    enum Key {
        static let kind = "resolve"
        static let mac = "resolve.mac"
        static let domain = "resolve.domain"
        static let edgeSwitch = "resolve.edge.dpid"
        static let edgePort = "resolve.edge.port"
    }

    /// The context entries that carry it.
    public var entries: [ContextEntry] {
        switch self {
        case .unknown:
            return [ContextEntry(key: Key.kind, value: "unknown")]
        case .local(let mac):
            return [ContextEntry(key: Key.kind, value: "local"), ContextEntry(key: Key.mac, value: mac.description)]
        case .remote(let mac, let domain, let edge):
            return [
                ContextEntry(key: Key.kind, value: "remote"), ContextEntry(key: Key.mac, value: mac.description),
                ContextEntry(key: Key.domain, value: String(domain.rawValue)),
                ContextEntry(key: Key.edgeSwitch, value: String(edge.datapathID.rawValue)),
                ContextEntry(key: Key.edgePort, value: String(edge.port.rawValue)),
            ]
        }
    }

    /// The answer an event's context holds; nil when it holds none, or one that does not read
    /// (a resolver of another version): the client then goes on as if it had none.
    public init?(_ attributes: [String: String]) {
        switch attributes[Key.kind] {
        case "unknown":
            self = .unknown
        case "local":
            guard let mac = attributes[Key.mac].flatMap(MACAddress.init) else { return nil }
            self = .local(mac: mac)
        case "remote":
            guard let mac = attributes[Key.mac].flatMap(MACAddress.init),
                let domain = attributes[Key.domain].flatMap(UInt32.init),
                let dpid = attributes[Key.edgeSwitch].flatMap(UInt64.init),
                let port = attributes[Key.edgePort].flatMap(UInt16.init)
            else { return nil }
            self = .remote(
                mac: mac, domain: UnitID(domain),
                edge: HostLocation(datapathID: DatapathID(rawValue: dpid), port: PortNumber(port)))
        default:
            return nil
        }
    }

    /// Where forwarding sends a frame for the destination: the domain edge, for a remote host.
    public var edge: HostLocation? {
        if case .remote(_, _, let edge) = self { return edge }
        return nil
    }
}
