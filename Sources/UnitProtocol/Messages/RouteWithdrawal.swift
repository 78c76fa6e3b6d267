import NIOCore
import OpenFlow

/// ECH_ROUTE_WITHDRAWAL: services the sender can no longer reach (or no longer offers over
/// this channel, when its best route now runs through the receiver).
///
/// ```
/// 16: count    u16 (at most 4,096)
/// 18: pad      2 bytes
/// 20: sids     u32 × count
/// ```
public struct RouteWithdrawal: Hashable, Sendable {
    public static let maximumEntries = 4096

    public var sids: [ServiceID]

    public init(sids: [ServiceID]) { self.sids = sids }

    public init(parsing reader: inout WireReader) throws(WireError) {
        let count = try reader.readCount(
            minimumEntrySize: 4, maximum: Self.maximumEntries, field: "route_withdrawal.sids")
        try reader.skip(2, field: "route_withdrawal.pad")
        var sids: [ServiceID] = []
        sids.reserveCapacity(count)
        for _ in 0..<count {
            sids.append(ServiceID(try reader.readInteger(as: UInt32.self, field: "route_withdrawal.sid")))
        }
        self.sids = sids
    }

    public func write(to buffer: inout ByteBuffer) {
        precondition(sids.count <= Self.maximumEntries, "split withdrawals with RouteWithdrawal.parts")
        buffer.writeInteger(UInt16(sids.count))
        buffer.writePadding(2)
        for sid in sids { buffer.writeInteger(sid.rawValue) }
    }

    /// SIDs cut into messages of at most `maximumEntries`.
    public static func parts(_ sids: [ServiceID]) -> [RouteWithdrawal] {
        stride(from: 0, to: sids.count, by: maximumEntries).map {
            RouteWithdrawal(sids: Array(sids[$0..<min($0 + maximumEntries, sids.count)]))
        }
    }
}
