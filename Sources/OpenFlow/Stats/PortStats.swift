import NIOCore

/// `ofp_port_stats`: one port's counters. A counter the switch does not keep is all ones.
public struct PortStats: Encodable, FixedSizeWireStructure {
    public static let size = 104

    public var portNumber: PortNumber
    public var receivedPackets: UInt64
    public var transmittedPackets: UInt64
    public var receivedBytes: UInt64
    public var transmittedBytes: UInt64
    public var receiveDropped: UInt64
    public var transmitDropped: UInt64
    public var receiveErrors: UInt64
    public var transmitErrors: UInt64
    public var receiveFrameErrors: UInt64
    public var receiveOverrunErrors: UInt64
    public var receiveCRCErrors: UInt64
    public var collisions: UInt64

    public init(
        portNumber: PortNumber, receivedPackets: UInt64 = 0, transmittedPackets: UInt64 = 0,
        receivedBytes: UInt64 = 0, transmittedBytes: UInt64 = 0, receiveDropped: UInt64 = 0,
        transmitDropped: UInt64 = 0, receiveErrors: UInt64 = 0, transmitErrors: UInt64 = 0,
        receiveFrameErrors: UInt64 = 0, receiveOverrunErrors: UInt64 = 0, receiveCRCErrors: UInt64 = 0,
        collisions: UInt64 = 0
    ) {
        self.portNumber = portNumber
        self.receivedPackets = receivedPackets
        self.transmittedPackets = transmittedPackets
        self.receivedBytes = receivedBytes
        self.transmittedBytes = transmittedBytes
        self.receiveDropped = receiveDropped
        self.transmitDropped = transmitDropped
        self.receiveErrors = receiveErrors
        self.transmitErrors = transmitErrors
        self.receiveFrameErrors = receiveFrameErrors
        self.receiveOverrunErrors = receiveOverrunErrors
        self.receiveCRCErrors = receiveCRCErrors
        self.collisions = collisions
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        portNumber = PortNumber(try reader.readInteger(field: "ofp_port_stats.port_no"))
        try reader.skip(6, field: "ofp_port_stats.pad")
        receivedPackets = try reader.readInteger(field: "ofp_port_stats.rx_packets")
        transmittedPackets = try reader.readInteger(field: "ofp_port_stats.tx_packets")
        receivedBytes = try reader.readInteger(field: "ofp_port_stats.rx_bytes")
        transmittedBytes = try reader.readInteger(field: "ofp_port_stats.tx_bytes")
        receiveDropped = try reader.readInteger(field: "ofp_port_stats.rx_dropped")
        transmitDropped = try reader.readInteger(field: "ofp_port_stats.tx_dropped")
        receiveErrors = try reader.readInteger(field: "ofp_port_stats.rx_errors")
        transmitErrors = try reader.readInteger(field: "ofp_port_stats.tx_errors")
        receiveFrameErrors = try reader.readInteger(field: "ofp_port_stats.rx_frame_err")
        receiveOverrunErrors = try reader.readInteger(field: "ofp_port_stats.rx_over_err")
        receiveCRCErrors = try reader.readInteger(field: "ofp_port_stats.rx_crc_err")
        collisions = try reader.readInteger(field: "ofp_port_stats.collisions")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(portNumber.rawValue)
        buffer.writePadding(6)
        for counter in [
            receivedPackets, transmittedPackets, receivedBytes, transmittedBytes, receiveDropped, transmitDropped,
            receiveErrors, transmitErrors, receiveFrameErrors, receiveOverrunErrors, receiveCRCErrors, collisions,
        ] {
            buffer.writeInteger(counter)
        }
    }
}
