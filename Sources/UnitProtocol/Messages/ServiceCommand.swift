import NIOCore
import OpenFlow

/// ECH_COMMAND: what a service above tells a domain below unasked, outside any event: an
/// authenticator revoking a host when its policy changes, a resolver telling the domains that
/// resolved a host that it has moved. It travels down the path the domain's events came up;
/// each unit on the way accepts it only from the neighbour its own route to the service goes
/// through.
///
/// ```
/// 16: sid            u32   the service giving it
/// 20: domain         u32   the unit whose switches and state it addresses
/// 24: message count  u16   at most 256
/// 26: withdrawn      u16   at most 256
/// 28: pad            4 bytes
/// 32: messages       each: dpid u64, then a whole OpenFlow message (as in ECH_RETURN)
///  …: withdrawn      each: mac 6 bytes, pad 2
/// ```
public struct ServiceCommand: Hashable, Sendable {
    public static let maximumMessages = EventReturn.maximumMessages
    public static let maximumWithdrawn = 256

    public var sid: ServiceID
    public var domain: UnitID
    /// OpenFlow messages for switches of the domain.
    public var messages: EventReturn.SwitchMessageList
    /// Devices (by MAC) about which the service takes back what it said: their BYPASS for it
    /// ends, and what the domain learned from its answers about them is forgotten.
    public var withdrawn: [MACAddress]

    public init(
        sid: ServiceID, domain: UnitID, messages: EventReturn.SwitchMessageList = [], withdrawn: [MACAddress] = []
    ) {
        self.sid = sid
        self.domain = domain
        self.messages = messages
        self.withdrawn = withdrawn
    }

    static let header = FixedLayout([
        "command.sid": 4, "command.domain": 4, "command.messages.count": 2, "command.withdrawn.count": 2,
        "command.pad": 4,
    ])

    public init(parsing reader: inout WireReader) throws(WireError) {
        let start = reader.offset
        let available = reader.remaining
        let (sid, domain, messageCount, withdrawnCount) = try reader.readFixed(Self.header) { field in
            let sid: UInt32 = field.read()
            let domain: UInt32 = field.read()
            let messages = Int(field.read(UInt16.self))
            let withdrawn = Int(field.read(UInt16.self))
            field.skip(4)
            return (sid, domain, messages, withdrawn)
        }
        try WireReader.checkCount(
            messageCount, minimumEntrySize: 8 + OpenFlowHeader.size, maximum: Self.maximumMessages,
            field: "command.messages", at: start + 8, available: available - 10)
        try WireReader.checkCount(
            withdrawnCount, minimumEntrySize: 8, maximum: Self.maximumWithdrawn, field: "command.withdrawn",
            at: start + 10, available: available - 12)
        try reader.require(messageCount * (8 + OpenFlowHeader.size) + withdrawnCount * 8, field: "command")
        self.sid = ServiceID(sid)
        self.domain = UnitID(domain)
        self.messages = try EventReturn.SwitchMessageList(
            reading: messageCount, from: &reader, field: "command.message")
        self.withdrawn = try reader.readMACList(count: withdrawnCount, field: "command.withdrawn.mac")
    }

    public func write(to buffer: inout ByteBuffer) {
        precondition(
            messages.count <= Self.maximumMessages && withdrawn.count <= Self.maximumWithdrawn,
            "command over its limits")
        buffer.writeFixed(Self.header.size + messages.entries.readableBytes + withdrawn.count * 8) { field in
            field.write(sid.rawValue)
            field.write(domain.rawValue)
            field.write(UInt16(messages.count))
            field.write(UInt16(withdrawn.count))
            field.pad(4)
            field.write(bytesOf: messages.entries)
            for mac in withdrawn {
                field.writeMACAddress(mac)
                field.pad(2)
            }
        }
    }
}
