import NIOCore

/// `ofp_queue_stats`: one queue's transmit counters.
public struct QueueStats: Encodable, FixedSizeWireStructure {
    public static let size = 32

    public var portNumber: PortNumber
    public var queueID: UInt32
    public var transmittedBytes: UInt64
    public var transmittedPackets: UInt64
    public var transmitErrors: UInt64

    public init(
        portNumber: PortNumber, queueID: UInt32, transmittedBytes: UInt64 = 0, transmittedPackets: UInt64 = 0,
        transmitErrors: UInt64 = 0
    ) {
        self.portNumber = portNumber
        self.queueID = queueID
        self.transmittedBytes = transmittedBytes
        self.transmittedPackets = transmittedPackets
        self.transmitErrors = transmitErrors
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        portNumber = PortNumber(try reader.readInteger(field: "ofp_queue_stats.port_no"))
        try reader.skip(2, field: "ofp_queue_stats.pad")
        queueID = try reader.readInteger(field: "ofp_queue_stats.queue_id")
        transmittedBytes = try reader.readInteger(field: "ofp_queue_stats.tx_bytes")
        transmittedPackets = try reader.readInteger(field: "ofp_queue_stats.tx_packets")
        transmitErrors = try reader.readInteger(field: "ofp_queue_stats.tx_errors")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(portNumber.rawValue)
        buffer.writePadding(2)
        buffer.writeInteger(queueID)
        buffer.writeInteger(transmittedBytes)
        buffer.writeInteger(transmittedPackets)
        buffer.writeInteger(transmitErrors)
    }
}
