import NIOCore
import OpenFlow

/// ECH_EXPORTS_REPLY (the answer to ECH_EXPORTS_REQUEST) and ECH_EXPORTS_UPDATE (sent to
/// clients when the unit learns services from its own servers): the services a unit offers
/// to the units below it, its own and those it can reach.
///
/// A list too long for one OpenFlow message (64 KiB) goes out in several, all but the last
/// with the MORE flag, as OpenFlow does with multipart statistics.
///
/// ```
/// 16: uid            u32    the sender
/// 20: tier           u8
/// 21: flags          u8     bit 0: MORE (another part follows); other bits zero
/// 22: service count  u16
/// 24: name           u16 length + UTF-8 (at most 255 bytes)
///  …: services       ExportedService × count
/// ```
public struct Exports: Hashable, Sendable {
    public static let maximumServices = 4096
    public static let moreFlag: UInt8 = 0x01

    public var unit: UnitIdentity
    public var services: [ExportedService]
    /// Another part of the same list follows.
    public var more: Bool

    public init(unit: UnitIdentity, services: [ExportedService], more: Bool = false) {
        self.unit = unit
        self.services = services
        self.more = more
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        let uid = UnitID(try reader.readInteger(as: UInt32.self, field: "exports.uid"))
        let tier = try reader.readInteger(as: UInt8.self, field: "exports.tier")
        let flagsOffset = reader.offset
        let flags = try reader.readInteger(as: UInt8.self, field: "exports.flags")
        guard flags & ~Self.moreFlag == 0 else {
            throw WireError(.invalidValue(UInt64(flags)), field: "exports.flags", offset: flagsOffset)
        }
        let count = try reader.readCount(
            minimumEntrySize: ExportedService.minimumSize, maximum: Self.maximumServices, field: "exports.services")
        let name = try reader.readText(maximumLength: UnitIdentity.maximumNameLength, field: "exports.name")
        var services: [ExportedService] = []
        services.reserveCapacity(count)
        for _ in 0..<count { services.append(try ExportedService(parsing: &reader)) }
        unit = UnitIdentity(uid: uid, tier: tier, name: name)
        self.services = services
        more = flags & Self.moreFlag != 0
    }

    public func write(to buffer: inout ByteBuffer) {
        precondition(services.count <= Self.maximumServices, "split exports with Exports.parts")
        buffer.writeInteger(unit.uid.rawValue)
        buffer.writeInteger(unit.tier)
        buffer.writeInteger(more ? Self.moreFlag : 0)
        buffer.writeInteger(UInt16(services.count))
        buffer.writeText(unit.name)
        for service in services { service.write(to: &buffer) }
    }

    /// The list cut into parts that each fit one OpenFlow message, all but the last with MORE.
    public static func parts(unit: UnitIdentity, services: [ExportedService]) -> [Exports] {
        let budget = OpenFlowHeader.maximumLength - EchelonVendor.bodyOffset - 8 - 2 - unit.name.utf8.count
        var parts: [Exports] = []
        var current: [ExportedService] = []
        var size = 0
        for service in services {
            let length = service.encodedLength
            if !current.isEmpty && (size + length > budget || current.count == maximumServices) {
                parts.append(Exports(unit: unit, services: current, more: true))
                current = []
                size = 0
            }
            current.append(service)
            size += length
        }
        parts.append(Exports(unit: unit, services: current, more: false))
        return parts
    }
}
