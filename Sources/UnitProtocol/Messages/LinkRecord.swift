import NIOCore
import OpenFlow

/// A link as a link event carries it between units: fixed size, 16 bytes. The event's DPID is
/// the switch at the near end.
///
/// ```
///  0: port            u16   the near end's port
///  2: far port        u16
///  4: far unit        u32   the unit whose switch is at the far end when that is another
///                           unit's (a domain edge); 0 for a link inside the event's domain
///  8: far dpid        u64
/// ```
public struct LinkRecord: Hashable, Sendable {
    public static let size = 16

    public var port: PortNumber
    public var farDatapathID: DatapathID
    public var farPort: PortNumber
    /// The far end's unit for a domain edge; nil inside the domain.
    public var farUnit: UnitID?

    public init(port: PortNumber, farDatapathID: DatapathID, farPort: PortNumber, farUnit: UnitID? = nil) {
        self.port = port
        self.farDatapathID = farDatapathID
        self.farPort = farPort
        self.farUnit = farUnit
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        port = PortNumber(rawValue: try reader.readInteger(as: UInt16.self, field: "link.port"))
        farPort = PortNumber(rawValue: try reader.readInteger(as: UInt16.self, field: "link.far_port"))
        let unit = try reader.readInteger(as: UInt32.self, field: "link.far_unit")
        farUnit = unit == 0 ? nil : UnitID(unit)
        farDatapathID = DatapathID(rawValue: try reader.readInteger(as: UInt64.self, field: "link.far_dpid"))
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(port.rawValue)
        buffer.writeInteger(farPort.rawValue)
        buffer.writeInteger(farUnit?.rawValue ?? 0)
        buffer.writeInteger(farDatapathID.rawValue)
    }
}
