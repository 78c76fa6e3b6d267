import NIOCore

/// OFPT_QUEUE_GET_CONFIG_REQUEST (`ofp_queue_get_config_request`).
public struct QueueGetConfigRequest: Encodable, OpenFlowMessageBody {
    public static let messageType = MessageType.queueGetConfigRequest
    public static let minimumLength = 12
    public static let isFixedSize = true

    public var port: PortNumber
    public init(port: PortNumber) { self.port = port }

    public init(parsing reader: inout WireReader) throws(WireError) {
        port = PortNumber(try reader.readInteger(field: "ofp_queue_get_config_request.port"))
        try reader.skip(2, field: "ofp_queue_get_config_request.pad")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(port.rawValue)
        buffer.writePadding(2)
    }
}
