import NIOCore

/// OFPT_QUEUE_GET_CONFIG_REPLY (`ofp_queue_get_config_reply`): the queues configured on a port.
public struct QueueGetConfigReply: Encodable, OpenFlowMessageBody {
    public static let messageType = MessageType.queueGetConfigReply
    public static let minimumLength = 16

    public var port: PortNumber
    public var queues: [PacketQueue]

    public init(port: PortNumber, queues: [PacketQueue] = []) {
        self.port = port
        self.queues = queues
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        port = PortNumber(try reader.readInteger(field: "ofp_queue_get_config_reply.port"))
        try reader.skip(6, field: "ofp_queue_get_config_reply.pad")
        queues = try reader.readVariableEntries(PacketQueue.self)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(port.rawValue)
        buffer.writePadding(6)
        buffer.writeEntries(queues)
    }
}

/// `ofp_packet_queue`: one queue and its properties.
public struct PacketQueue: Encodable, WireStructure {
    static let headerSize = 8

    public var queueID: UInt32
    public var properties: [QueueProperty]

    public init(queueID: UInt32, properties: [QueueProperty] = []) {
        self.queueID = queueID
        self.properties = properties
    }

    public var length: Int { Self.headerSize + properties.reduce(0) { $0 + $1.length } }

    public init(parsing reader: inout WireReader) throws(WireError) {
        queueID = try reader.readInteger(field: "ofp_packet_queue.queue_id")
        let lengthOffset = reader.offset
        let length = Int(try reader.readInteger(as: UInt16.self, field: "ofp_packet_queue.len"))
        try reader.skip(2, field: "ofp_packet_queue.pad")
        guard length >= Self.headerSize else {
            throw WireError(
                .lengthBelowMinimum(length: length, minimum: Self.headerSize), field: "ofp_packet_queue.len",
                offset: lengthOffset)
        }
        guard length - Self.headerSize <= reader.remaining else {
            throw WireError(
                .lengthAboveMaximum(length: length, maximum: reader.remaining + Self.headerSize),
                field: "ofp_packet_queue.len", offset: lengthOffset)
        }
        var propertyReader = try reader.readReader(
            length: length - Self.headerSize, field: "ofp_packet_queue.properties")
        properties = try propertyReader.readVariableEntries(QueueProperty.self)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(queueID)
        buffer.writeInteger(UInt16(length))
        buffer.writePadding(2)
        buffer.writeEntries(properties)
    }
}

/// `ofp_queue_prop_*`: a property of a queue.
public enum QueueProperty: WireStructure {
    /// `OFPQT_NONE`: no property.
    case none
    /// `OFPQT_MIN_RATE`, in tenths of a percent; above 1000 means disabled.
    case minimumRate(UInt16)

    static let headerSize = 8

    public var length: Int {
        switch self {
        case .none: return 8
        case .minimumRate: return 16
        }
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        let typeOffset = reader.offset
        let type: UInt16 = try reader.readInteger(field: "ofp_queue_prop_header.property")
        let lengthOffset = reader.offset
        let length = Int(try reader.readInteger(as: UInt16.self, field: "ofp_queue_prop_header.len"))
        try reader.skip(4, field: "ofp_queue_prop_header.pad")
        switch type {
        case 0:
            guard length == 8 else {
                throw WireError(
                    .wrongBodySize(size: length, expected: 8), field: "ofp_queue_prop_header.len", offset: lengthOffset)
            }
            self = .none
        case 1:
            guard length == 16 else {
                throw WireError(
                    .wrongBodySize(size: length, expected: 16), field: "ofp_queue_prop_header.len", offset: lengthOffset
                )
            }
            let rate: UInt16 = try reader.readInteger(field: "ofp_queue_prop_min_rate.rate")
            try reader.skip(6, field: "ofp_queue_prop_min_rate.pad")
            self = .minimumRate(rate)
        default:
            throw WireError(.unknownType(UInt64(type)), field: "ofp_queue_prop_header.property", offset: typeOffset)
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        switch self {
        case .none:
            buffer.writeInteger(UInt16(0))
            buffer.writeInteger(UInt16(8))
            buffer.writePadding(4)
        case .minimumRate(let rate):
            buffer.writeInteger(UInt16(1))
            buffer.writeInteger(UInt16(16))
            buffer.writePadding(4)
            buffer.writeInteger(rate)
            buffer.writePadding(6)
        }
    }
}
