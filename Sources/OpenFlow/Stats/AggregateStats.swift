import NIOCore

/// `ofp_aggregate_stats_reply`: totals over the flows an aggregate request matched.
public struct AggregateStats: Encodable, FixedSizeWireStructure {
    public static let size = 24

    public var packetCount: UInt64
    public var byteCount: UInt64
    public var flowCount: UInt32

    public init(packetCount: UInt64, byteCount: UInt64, flowCount: UInt32) {
        self.packetCount = packetCount
        self.byteCount = byteCount
        self.flowCount = flowCount
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        packetCount = try reader.readInteger(field: "ofp_aggregate_stats_reply.packet_count")
        byteCount = try reader.readInteger(field: "ofp_aggregate_stats_reply.byte_count")
        flowCount = try reader.readInteger(field: "ofp_aggregate_stats_reply.flow_count")
        try reader.skip(4, field: "ofp_aggregate_stats_reply.pad")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(packetCount)
        buffer.writeInteger(byteCount)
        buffer.writeInteger(flowCount)
        buffer.writePadding(4)
    }
}
