import NIOCore
import OpenFlow

/// ECH_EVENT: a network event sent up the hierarchy to one service.
///
/// ```
/// 16: transaction   u32   the sender's id for it; the return names it
/// 20: sid           u32   the service it is for
/// 24: domain        u32   UID of the unit whose switch the event happened at
/// 28: category      u8    EventCategory index
/// 29: pad           3 bytes
/// 32: dpid          u64   the switch (for device events: where the host attaches)
/// 40: payload       by category:
///       switch_added                         the switch's OFPT_FEATURES_REPLY (whole message)
///       switch_port_changed, port_status     OFPT_PORT_STATUS
///       packet_in                            OFPT_PACKET_IN
///       vendor                               OFPT_VENDOR
///       switch_removed                       nothing
///       device_added/removed/changed         DeviceRecord (32 bytes)
/// ```
public struct EscalatedEvent: Hashable, Sendable {
    public enum Payload: Hashable, Sendable {
        case none
        case message(OpenFlowMessage)
        case device(DeviceRecord)
    }

    public var transaction: UInt32
    public var sid: ServiceID
    public var domain: UnitID
    public var category: EventCategory
    public var datapathID: DatapathID
    public var payload: Payload

    public init(transaction: UInt32, sid: ServiceID, domain: UnitID, category: EventCategory, datapathID: DatapathID, payload: Payload) {
        self.transaction = transaction
        self.sid = sid
        self.domain = domain
        self.category = category
        self.datapathID = datapathID
        self.payload = payload
    }

    /// The OpenFlow message type a category's payload must be, or nil for categories without one.
    public static func messageType(of category: EventCategory) -> MessageType? {
        switch category {
        case .switchAdded: .featuresReply
        case .switchPortChanged, .portStatus: .portStatus
        case .packetIn: .packetIn
        case .vendor: .vendor
        case .switchRemoved, .deviceAdded, .deviceRemoved, .deviceChanged: nil
        }
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        transaction = try reader.readInteger(as: UInt32.self, field: "event.transaction")
        sid = ServiceID(try reader.readInteger(as: UInt32.self, field: "event.sid"))
        domain = UnitID(try reader.readInteger(as: UInt32.self, field: "event.domain"))
        let categoryOffset = reader.offset
        let index = Int(try reader.readInteger(as: UInt8.self, field: "event.category"))
        guard index < EventCategory.allCases.count else {
            throw WireError(.invalidValue(UInt64(index)), field: "event.category", offset: categoryOffset)
        }
        category = EventCategory.allCases[index]
        try reader.skip(3, field: "event.pad")
        datapathID = DatapathID(rawValue: try reader.readInteger(as: UInt64.self, field: "event.dpid"))
        if EventCategory.deviceEvents.contains(category) {
            payload = .device(try DeviceRecord(parsing: &reader))
        } else if let expected = Self.messageType(of: category) {
            let at = reader.offset
            let message = try reader.readEmbeddedMessage(field: "event.message")
            guard message.type == expected else {
                throw WireError(.unknownType(UInt64(message.type.rawValue)), field: "event.message.type (\(category.rawValue) carries \(expected))", offset: at + 1)
            }
            payload = .message(message)
        } else {
            payload = .none
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(transaction)
        buffer.writeInteger(sid.rawValue)
        buffer.writeInteger(domain.rawValue)
        buffer.writeInteger(UInt8(category.index))
        buffer.writePadding(3)
        buffer.writeInteger(datapathID.rawValue)
        switch payload {
        case .none: break
        case .message(let message): message.write(to: &buffer)
        case .device(let device): device.write(to: &buffer)
        }
    }
}
