import NIOCore

/// OFPT_PORT_STATUS (`ofp_port_status`): a port was added, removed or changed.
public struct PortStatus: Encodable, OpenFlowMessageBody {
    public static let messageType = MessageType.portStatus
    public static let minimumLength = 64
    public static let isFixedSize = true

    public var reason: Reason
    public var port: PhysicalPort

    public init(reason: Reason, port: PhysicalPort) {
        self.reason = reason
        self.port = port
    }

    /// Whether the port is gone or down after this change: nothing crosses it any more.
    public var leavesPortDown: Bool { reason == .delete || !port.isUp }

    public init(parsing reader: inout WireReader) throws(WireError) {
        reason = Reason(rawValue: try reader.readInteger(field: "ofp_port_status.reason"))
        try reader.skip(7, field: "ofp_port_status.pad")
        port = try PhysicalPort(parsing: &reader)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(reason.rawValue)
        buffer.writePadding(7)
        port.write(to: &buffer)
    }

    /// `ofp_port_reason`.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let add = Reason(rawValue: 0)
        public static let delete = Reason(rawValue: 1)
        public static let modify = Reason(rawValue: 2)

        public var description: String {
            switch self {
            case .add: return "ADD"
            case .delete: return "DELETE"
            case .modify: return "MODIFY"
            default: return "reason(\(rawValue))"
            }
        }
    }
}
