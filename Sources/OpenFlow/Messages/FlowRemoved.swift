import NIOCore

/// OFPT_FLOW_REMOVED (`ofp_flow_removed`): a flow expired or was deleted.
public struct FlowRemoved: Encodable, OpenFlowMessageBody {
    public static let messageType = MessageType.flowRemoved
    public static let minimumLength = 88
    public static let isFixedSize = true

    public var match: Match
    public var cookie: UInt64
    public var priority: UInt16
    public var reason: Reason
    public var durationSeconds: UInt32
    public var durationNanoseconds: UInt32
    public var idleTimeout: UInt16
    public var packetCount: UInt64
    public var byteCount: UInt64

    public init(
        match: Match, cookie: UInt64 = 0, priority: UInt16 = 0x8000, reason: Reason,
        durationSeconds: UInt32 = 0, durationNanoseconds: UInt32 = 0, idleTimeout: UInt16 = 0,
        packetCount: UInt64 = 0, byteCount: UInt64 = 0
    ) {
        self.match = match
        self.cookie = cookie
        self.priority = priority
        self.reason = reason
        self.durationSeconds = durationSeconds
        self.durationNanoseconds = durationNanoseconds
        self.idleTimeout = idleTimeout
        self.packetCount = packetCount
        self.byteCount = byteCount
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        match = try Match(parsing: &reader)
        cookie = try reader.readInteger(field: "ofp_flow_removed.cookie")
        priority = try reader.readInteger(field: "ofp_flow_removed.priority")
        reason = Reason(rawValue: try reader.readInteger(field: "ofp_flow_removed.reason"))
        try reader.skip(1, field: "ofp_flow_removed.pad")
        durationSeconds = try reader.readInteger(field: "ofp_flow_removed.duration_sec")
        durationNanoseconds = try reader.readInteger(field: "ofp_flow_removed.duration_nsec")
        idleTimeout = try reader.readInteger(field: "ofp_flow_removed.idle_timeout")
        try reader.skip(2, field: "ofp_flow_removed.pad2")
        packetCount = try reader.readInteger(field: "ofp_flow_removed.packet_count")
        byteCount = try reader.readInteger(field: "ofp_flow_removed.byte_count")
    }

    public func write(to buffer: inout ByteBuffer) {
        match.write(to: &buffer)
        buffer.writeInteger(cookie)
        buffer.writeInteger(priority)
        buffer.writeInteger(reason.rawValue)
        buffer.writePadding(1)
        buffer.writeInteger(durationSeconds)
        buffer.writeInteger(durationNanoseconds)
        buffer.writeInteger(idleTimeout)
        buffer.writePadding(2)
        buffer.writeInteger(packetCount)
        buffer.writeInteger(byteCount)
    }

    /// `ofp_flow_removed_reason`.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let idleTimeout = Reason(rawValue: 0)
        public static let hardTimeout = Reason(rawValue: 1)
        public static let delete = Reason(rawValue: 2)

        public var description: String {
            switch self {
            case .idleTimeout: return "idle"
            case .hardTimeout: return "hard"
            case .delete: return "delete"
            default: return "reason(\(rawValue))"
            }
        }
    }
}
