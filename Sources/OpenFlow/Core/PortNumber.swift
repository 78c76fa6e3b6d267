/// A switch port number (`ofp_port`), including the reserved virtual ports.
public struct PortNumber: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// Highest number of a physical port.
    public static let max = PortNumber(0xff00)
    /// Send the packet out the port it came in on.
    public static let inPort = PortNumber(0xfff8)
    /// Run the packet through the flow table (PACKET_OUT only).
    public static let table = PortNumber(0xfff9)
    /// The switch's non-OpenFlow forwarding.
    public static let normal = PortNumber(0xfffa)
    /// All physical ports except the input port and those with flooding disabled.
    public static let flood = PortNumber(0xfffb)
    /// All physical ports except the input port.
    public static let all = PortNumber(0xfffc)
    /// Send to the controller.
    public static let controller = PortNumber(0xfffd)
    /// The switch's local networking stack.
    public static let local = PortNumber(0xfffe)
    /// No port; also the wildcard for `out_port` in deletes and stats requests.
    public static let none = PortNumber(0xffff)

    public var isPhysical: Bool { rawValue >= 1 && rawValue <= PortNumber.max.rawValue }

    /// The reserved name, as `ovs-ofctl` prints it, or the number.
    public var description: String {
        switch self {
        case .inPort: return "IN_PORT"
        case .table: return "TABLE"
        case .normal: return "NORMAL"
        case .flood: return "FLOOD"
        case .all: return "ALL"
        case .controller: return "CONTROLLER"
        case .local: return "LOCAL"
        case .none: return "NONE"
        default: return String(rawValue)
        }
    }

    public static func < (lhs: PortNumber, rhs: PortNumber) -> Bool { lhs.rawValue < rhs.rawValue }
}
