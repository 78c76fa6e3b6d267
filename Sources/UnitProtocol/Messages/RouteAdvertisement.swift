import NIOCore
import OpenFlow

/// ECH_ROUTE_ADVERTISEMENT: services the sender can reach, with its distance to each.
///
/// The receiver's distance is the sender's plus one; 16 is infinity (unreachable), so an
/// entry with 16 hops withdraws the route like an ECH_ROUTE_WITHDRAWAL entry would, and more
/// than 16 is malformed.
///
/// ```
/// 16: count    u16 (at most 4,096)
/// 18: pad      2 bytes
/// 20: routes   RouteEntry × count, 12 bytes each:
///              0: sid u32   4: origin uid u32   8: hops u8   9: pad 3 bytes
/// ```
public struct RouteAdvertisement: Hashable, Sendable {
    public static let maximumEntries = 4096

    public var routes: [RouteEntry]

    public init(routes: [RouteEntry]) { self.routes = routes }

    public init(parsing reader: inout WireReader) throws(WireError) {
        let count = try reader.readCount(
            minimumEntrySize: RouteEntry.size, maximum: Self.maximumEntries, field: "route_advertisement.routes")
        try reader.skip(2, field: "route_advertisement.pad")
        var routes: [RouteEntry] = []
        routes.reserveCapacity(count)
        for _ in 0..<count { routes.append(try RouteEntry(parsing: &reader)) }
        self.routes = routes
    }

    public func write(to buffer: inout ByteBuffer) {
        precondition(routes.count <= Self.maximumEntries, "split advertisements with RouteAdvertisement.parts")
        buffer.writeInteger(UInt16(routes.count))
        buffer.writePadding(2)
        for route in routes { route.write(to: &buffer) }
    }

    /// Entries cut into messages of at most `maximumEntries`.
    public static func parts(_ routes: [RouteEntry]) -> [RouteAdvertisement] {
        stride(from: 0, to: routes.count, by: maximumEntries).map {
            RouteAdvertisement(routes: Array(routes[$0..<min($0 + maximumEntries, routes.count)]))
        }
    }
}

/// One advertised route.
public struct RouteEntry: Hashable, Sendable, Encodable {
    public static let size = 12
    /// The hop count that means unreachable.
    public static let infinity: UInt8 = 16

    public var sid: ServiceID
    /// The unit hosting the service.
    public var origin: UnitID
    /// The sender's distance to the service: 0 when the sender hosts it.
    public var hops: UInt8

    public init(sid: ServiceID, origin: UnitID, hops: UInt8) {
        self.sid = sid
        self.origin = origin
        self.hops = hops
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        sid = ServiceID(try reader.readInteger(as: UInt32.self, field: "route.sid"))
        origin = UnitID(try reader.readInteger(as: UInt32.self, field: "route.origin"))
        let hopsOffset = reader.offset
        hops = try reader.readInteger(as: UInt8.self, field: "route.hops")
        guard hops <= Self.infinity else {
            throw WireError(
                .lengthAboveMaximum(length: Int(hops), maximum: Int(Self.infinity)), field: "route.hops",
                offset: hopsOffset)
        }
        try reader.skip(3, field: "route.pad")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(sid.rawValue)
        buffer.writeInteger(origin.rawValue)
        buffer.writeInteger(hops)
        buffer.writePadding(3)
    }
}
