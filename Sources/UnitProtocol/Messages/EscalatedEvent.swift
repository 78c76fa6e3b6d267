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
/// 32: deadline      u64   when the sender stops waiting for the answer, in nanoseconds of the
///                         sender's monotonic clock (0: no deadline); the receiver reads it
///                         through its estimate of that clock (`PeerClock`)
/// 40: dpid          u64   the switch (for device events: where the host attaches)
/// 48: payload       by category:
///       switch_added                         the switch's OFPT_FEATURES_REPLY (whole message)
///       switch_port_changed, port_status     OFPT_PORT_STATUS
///       packet_in                            OFPT_PACKET_IN
///       vendor                               OFPT_VENDOR
///       switch_removed                       nothing
///       device_added/removed/changed         DeviceRecord (32 bytes)
///       link_added/removed                   LinkRecord (20 bytes)
/// ```
public struct EscalatedEvent: Hashable, Sendable {
    public enum Payload: Hashable, Sendable {
        case none
        case message(OpenFlowMessage)
        case device(DeviceRecord)
        case link(LinkRecord)
    }

    public var transaction: UInt32
    public var sid: ServiceID
    public var domain: UnitID
    public var category: EventCategory
    /// Nanoseconds of the sender's monotonic clock after which its answer is of no use; 0 for none.
    public var deadline: UInt64
    public var datapathID: DatapathID
    public var payload: Payload

    public init(
        transaction: UInt32, sid: ServiceID, domain: UnitID, category: EventCategory, deadline: UInt64 = 0,
        datapathID: DatapathID, payload: Payload
    ) {
        self.transaction = transaction
        self.sid = sid
        self.domain = domain
        self.category = category
        self.deadline = deadline
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
        case .switchRemoved, .deviceAdded, .deviceRemoved, .deviceChanged, .linkAdded, .linkRemoved: nil
        }
    }

    static let header = FixedLayout([
        "event.transaction": 4, "event.sid": 4, "event.domain": 4, "event.category": 1, "event.pad": 3,
        "event.deadline": 8,
        "event.dpid": 8,
    ])

    public init(parsing reader: inout WireReader) throws(WireError) {
        let start = reader.offset
        let available = reader.remaining
        // Nearly every event carries a message: its header is read in the same view as the
        // event's when both are there (and checked once the category says it must be there).
        var embedded: OpenFlowHeader?
        let (transaction, sid, domain, index, deadline, dpid): (UInt32, UInt32, UInt32, Int, UInt64, UInt64)
        if available >= Self.header.size + OpenFlowHeader.size {
            let header: OpenFlowHeader
            ((transaction, sid, domain, index, deadline, dpid), header) = try reader.readFixed(
                Self.header.size + OpenFlowHeader.size, field: "event"
            ) { field in
                (Self.readHeader(&field), OpenFlowHeader(reading: &field))
            }
            embedded = header
        } else {
            (transaction, sid, domain, index, deadline, dpid) = try reader.readFixed(Self.header) {
                Self.readHeader(&$0)
            }
        }
        guard index < EventCategory.byIndex.count else {
            throw WireError(.invalidValue(UInt64(index)), field: "event.category", offset: start + 12)
        }
        self.transaction = transaction
        self.sid = ServiceID(sid)
        self.domain = UnitID(domain)
        category = EventCategory.byIndex[index]
        self.deadline = deadline
        datapathID = DatapathID(rawValue: dpid)
        if let expected = Self.messageType(of: category) {
            let at = start + Self.header.size
            let message: OpenFlowMessage
            if let embedded {
                message = try reader.readEmbeddedMessageBody(
                    of: embedded, at: at, available: available - Self.header.size, field: "event.message")
            } else {
                message = try reader.readEmbeddedMessage(field: "event.message")
            }
            guard message.type == expected else {
                throw WireError(
                    .unknownType(UInt64(message.type.rawValue)),
                    field: "event.message.type (\(category.rawValue) carries \(expected))", offset: at + 1)
            }
            payload = .message(message)
        } else {
            // The bytes read with the header belong to the payload (a device record) or are extra.
            if embedded != nil { reader.unread(OpenFlowHeader.size) }
            if category.isDeviceEvent {
                payload = .device(try DeviceRecord(parsing: &reader))
            } else if category.isLinkEvent {
                payload = .link(try LinkRecord(parsing: &reader))
            } else {
                payload = .none
            }
        }
    }

    private static func readHeader(_ field: inout FixedFieldCursor) -> (UInt32, UInt32, UInt32, Int, UInt64, UInt64) {
        let transaction: UInt32 = field.read()
        let sid: UInt32 = field.read()
        let domain: UInt32 = field.read()
        let index = Int(field.read(UInt8.self))
        field.skip(3)
        let deadline: UInt64 = field.read()
        return (transaction, sid, domain, index, deadline, field.read(UInt64.self))
    }

    public func write(to buffer: inout ByteBuffer) {
        write(to: &buffer, prefixLength: 0) { _, _ in }
    }

    /// Appends `prefixLength` bytes written by `prefix` (the headers of the message that
    /// carries the event), then the event; an embedded PACKET_IN's fixed fields join the
    /// prefix and the event's header in one view of the buffer. `prefix` is given the whole
    /// length when it is known before the event is written (as `OpenFlowMessage.write` does).
    func write(
        to buffer: inout ByteBuffer, prefixLength: Int, _ prefix: (inout FixedFieldWriter, _ wholeLength: Int?) -> Void
    ) {
        switch payload {
        case .message(let message):
            Self.write(
                transaction: transaction, sid: sid, domain: domain, category: category, deadline: deadline,
                datapathID: datapathID,
                version: message.version, messageXID: message.xid, message.body, to: &buffer,
                prefixLength: prefixLength, prefix)
        case .none:
            let length = prefixLength + Self.header.size
            buffer.writeFixed(length) { field in
                prefix(&field, length)
                Self.writeHeader(
                    transaction: transaction, sid: sid, domain: domain, category: category, deadline: deadline,
                    datapathID: datapathID,
                    to: &field)
            }
        case .device, .link:
            // A fixed-size record after the header.
            buffer.writeFixed(prefixLength + Self.header.size) { field in
                prefix(&field, nil)
                Self.writeHeader(
                    transaction: transaction, sid: sid, domain: domain, category: category, deadline: deadline,
                    datapathID: datapathID,
                    to: &field)
            }
            if case .device(let device) = payload { device.write(to: &buffer) }
            if case .link(let link) = payload { link.write(to: &buffer) }
        }
    }

    /// An event that carries an OpenFlow message, from its parts (`UnitMessage.writeEvent`).
    static func write(
        transaction: UInt32, sid: ServiceID, domain: UnitID, category: EventCategory, deadline: UInt64,
        datapathID: DatapathID, version: UInt8, messageXID: UInt32, _ body: OpenFlowMessage.Body,
        to buffer: inout ByteBuffer,
        prefixLength: Int, _ prefix: (inout FixedFieldWriter, _ wholeLength: Int?) -> Void
    ) {
        OpenFlowMessage.write(
            version: version, xid: messageXID, body, to: &buffer, prefixLength: prefixLength + Self.header.size
        ) { field, wholeLength in
            prefix(&field, wholeLength)
            writeHeader(
                transaction: transaction, sid: sid, domain: domain, category: category, deadline: deadline,
                datapathID: datapathID,
                to: &field)
        }
    }

    private static func writeHeader(
        transaction: UInt32, sid: ServiceID, domain: UnitID, category: EventCategory, deadline: UInt64,
        datapathID: DatapathID, to field: inout FixedFieldWriter
    ) {
        field.write(transaction)
        field.write(sid.rawValue)
        field.write(domain.rawValue)
        field.write(UInt8(category.index))
        field.pad(3)
        field.write(deadline)
        field.write(datapathID.rawValue)
    }
}
