import NIOCore
import OpenFlow

/// ECH_EXPORTS_REQUEST: the first unit message on a unit channel, sent by the side that dialed
/// (like FEATURES_REQUEST on a switch channel). It says who is asking.
///
/// ```
/// 16: uid        u32
/// 20: tier       u8
/// 21: pad        3 bytes
/// 24: name       u16 length + UTF-8 (at most 255 bytes)
/// ```
public struct ExportsRequest: Hashable, Sendable {
    public var unit: UnitIdentity

    public init(unit: UnitIdentity) { self.unit = unit }

    public init(parsing reader: inout WireReader) throws(WireError) {
        let uid = UnitID(try reader.readInteger(as: UInt32.self, field: "exports_request.uid"))
        let tier = try reader.readInteger(as: UInt8.self, field: "exports_request.tier")
        try reader.skip(3, field: "exports_request.pad")
        let name = try reader.readText(maximumLength: UnitIdentity.maximumNameLength, field: "exports_request.name")
        unit = UnitIdentity(uid: uid, tier: tier, name: name)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(unit.uid.rawValue)
        buffer.writeInteger(unit.tier)
        buffer.writePadding(3)
        buffer.writeText(unit.name)
    }
}

/// Who a unit is: its id, its tier and its name.
public struct UnitIdentity: Hashable, Sendable, Codable {
    public static let maximumNameLength = 255

    public var uid: UnitID
    /// 1 for units that control switches; higher tiers serve the ones below.
    public var tier: UInt8
    public var name: String

    public init(uid: UnitID, tier: UInt8, name: String) {
        self.uid = uid
        self.tier = tier
        self.name = name
    }
}
