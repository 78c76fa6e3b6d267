import NIOCore

/// `ofp_flow_stats_request`, also the body of an aggregate request.
public struct FlowStatsRequest: Encodable, FixedSizeWireStructure {
    public static let size = 44

    public var match: Match
    /// A table id, or 0xff for all tables.
    public var tableID: UInt8
    /// Only flows that output to this port; `.none` for any.
    public var outPort: PortNumber

    public static let allTables: UInt8 = 0xff

    public init(match: Match = .all, tableID: UInt8 = FlowStatsRequest.allTables, outPort: PortNumber = .none) {
        self.match = match
        self.tableID = tableID
        self.outPort = outPort
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        match = try Match(parsing: &reader)
        tableID = try reader.readInteger(field: "ofp_flow_stats_request.table_id")
        try reader.skip(1, field: "ofp_flow_stats_request.pad")
        outPort = PortNumber(try reader.readInteger(field: "ofp_flow_stats_request.out_port"))
    }

    public func write(to buffer: inout ByteBuffer) {
        match.write(to: &buffer)
        buffer.writeInteger(tableID)
        buffer.writePadding(1)
        buffer.writeInteger(outPort.rawValue)
    }
}

/// `ofp_port_stats_request`.
public struct PortStatsRequest: Encodable, FixedSizeWireStructure {
    public static let size = 8

    /// A port, or `.none` for all ports.
    public var portNumber: PortNumber

    public init(portNumber: PortNumber = .none) { self.portNumber = portNumber }

    public init(parsing reader: inout WireReader) throws(WireError) {
        portNumber = PortNumber(try reader.readInteger(field: "ofp_port_stats_request.port_no"))
        try reader.skip(6, field: "ofp_port_stats_request.pad")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(portNumber.rawValue)
        buffer.writePadding(6)
    }
}

/// `ofp_queue_stats_request`.
public struct QueueStatsRequest: Encodable, FixedSizeWireStructure {
    public static let size = 8
    /// `OFPQ_ALL`.
    public static let allQueues: UInt32 = 0xffff_ffff

    /// A port, or `.all` for every port.
    public var portNumber: PortNumber
    public var queueID: UInt32

    public init(portNumber: PortNumber = .all, queueID: UInt32 = QueueStatsRequest.allQueues) {
        self.portNumber = portNumber
        self.queueID = queueID
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        portNumber = PortNumber(try reader.readInteger(field: "ofp_queue_stats_request.port_no"))
        try reader.skip(2, field: "ofp_queue_stats_request.pad")
        queueID = try reader.readInteger(field: "ofp_queue_stats_request.queue_id")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(portNumber.rawValue)
        buffer.writePadding(2)
        buffer.writeInteger(queueID)
    }
}
