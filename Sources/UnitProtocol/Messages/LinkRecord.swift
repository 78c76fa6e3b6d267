import NIOCore
import OpenFlow

/// A link as a link event carries it between units: fixed size, 20 bytes. The event's DPID is
/// the switch at the near end.
///
/// ```
///  0: port            u16   the near end's port
///  2: far port        u16
///  4: far unit        u32   the unit whose switch is at the far end when that is another
///                           unit's (a domain edge); 0 for a link inside the event's domain
///  8: far dpid        u64
/// 16: flags           u8    bit 0: suppressed (it flaps: present, but no flood or path may
///                           take it until it is steady); other bits must be 0
/// 17: pad             3 bytes
/// ```
public struct LinkRecord: Hashable, Sendable {
    public static let size = 20
    static let suppressedFlag: UInt8 = 1

    public var port: PortNumber
    public var farDatapathID: DatapathID
    public var farPort: PortNumber
    /// The far end's unit for a domain edge; nil inside the domain.
    public var farUnit: UnitID?
    public var suppressed: Bool

    public init(
        port: PortNumber, farDatapathID: DatapathID, farPort: PortNumber, farUnit: UnitID? = nil,
        suppressed: Bool = false
    ) {
        self.port = port
        self.farDatapathID = farDatapathID
        self.farPort = farPort
        self.farUnit = farUnit
        self.suppressed = suppressed
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        port = PortNumber(rawValue: try reader.readInteger(as: UInt16.self, field: "link.port"))
        farPort = PortNumber(rawValue: try reader.readInteger(as: UInt16.self, field: "link.far_port"))
        let unit = try reader.readInteger(as: UInt32.self, field: "link.far_unit")
        farUnit = unit == 0 ? nil : UnitID(unit)
        farDatapathID = DatapathID(rawValue: try reader.readInteger(as: UInt64.self, field: "link.far_dpid"))
        let flagsOffset = reader.offset
        let flags = try reader.readInteger(as: UInt8.self, field: "link.flags")
        guard flags & ~Self.suppressedFlag == 0 else {
            throw WireError(.invalidValue(UInt64(flags)), field: "link.flags", offset: flagsOffset)
        }
        suppressed = flags & Self.suppressedFlag != 0
        try reader.skip(3, field: "link.pad")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(port.rawValue)
        buffer.writeInteger(farPort.rawValue)
        buffer.writeInteger(farUnit?.rawValue ?? 0)
        buffer.writeInteger(farDatapathID.rawValue)
        buffer.writeInteger(suppressed ? Self.suppressedFlag : 0)
        buffer.writePadding(3)
    }
}
