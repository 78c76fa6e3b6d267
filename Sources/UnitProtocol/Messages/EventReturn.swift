import NIOCore
import OpenFlow

/// ECH_RETURN: a service's answer to an escalated event, travelling back down the path the
/// event came up.
///
/// ```
/// 16: transaction    u32   the transaction of the ECH_EVENT it answers (as its receiver knows it)
/// 20: sid            u32   the service answering
/// 24: verdict        u8    ReturnVerdict
/// 25: pad            1 byte
/// 26: message count  u16   at most 256
/// 28: bypass count   u16   at most 256
/// 30: context count  u16   at most 64
/// 32: messages       each: dpid u64, then a whole OpenFlow message (its header gives its length)
///  …: bypass         each: mac 6 bytes, pad 2
///  …: context        each: key (u16 length + UTF-8, ≤ 64 bytes), value (u16 length + UTF-8, ≤ 1,024 bytes)
/// ```
public struct EventReturn: Hashable, Sendable {
    public static let maximumMessages = 256
    public static let maximumBypass = 256
    public static let maximumContext = 64
    public static let maximumKeyLength = 64
    public static let maximumValueLength = 1024

    /// An OpenFlow message for a switch below the unit that receives the return, kept as the
    /// bytes it travels as. A unit relaying a return, or sending its messages to its switches,
    /// forwards them without decoding and encoding them again; they were checked when the
    /// return was read (`OpenFlowMessage.check(frame:)`), or encoded from a value.
    public struct SwitchMessage: Hashable, Sendable {
        public var datapathID: DatapathID
        /// Exactly one well-formed OpenFlow message.
        public private(set) var frame: ByteBuffer

        public init(datapathID: DatapathID, message: OpenFlowMessage) {
            self.datapathID = datapathID
            self.frame = message.encoded()
        }

        init(datapathID: DatapathID, checkedFrame: ByteBuffer) {
            self.datapathID = datapathID
            self.frame = checkedFrame
        }

        /// Whether the message is a FLOW_MOD, read from its header.
        public var isFlowMod: Bool {
            frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self) == MessageType.flowMod.rawValue
        }

        /// The message decoded (for printing and inspection; forwarding uses `write(to:xid:)`).
        public var message: OpenFlowMessage {
            get throws(WireError) {
                var bytes = frame
                return try OpenFlowMessage(parsing: &bytes)
            }
        }

        /// Appends the message with `xid` in its header: the switch's own, when it answers the
        /// switch's PACKET_IN.
        public func write(to buffer: inout ByteBuffer, xid: UInt32) {
            // Copied and given its xid through one view of each buffer.
            let length = frame.readableBytes
            _ = frame.withUnsafeReadableBytes { source in
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
                    target.copyMemory(from: source)
                    target.storeBytes(of: xid.bigEndian, toByteOffset: 4, as: UInt32.self)
                    return length
                }
            }
        }
    }

    public var transaction: UInt32
    public var sid: ServiceID
    public var verdict: ReturnVerdict
    public var messages: SwitchMessageList
    /// Devices (by MAC) whose events this service no longer wants.
    public var bypass: [MACAddress]
    /// Additions to the event's processing context, in order.
    public var context: [ContextEntry]

    public init(
        transaction: UInt32, sid: ServiceID, verdict: ReturnVerdict, messages: SwitchMessageList = [],
        bypass: [MACAddress] = [], context: [ContextEntry] = []
    ) {
        self.transaction = transaction
        self.sid = sid
        self.verdict = verdict
        self.messages = messages
        self.bypass = bypass
        self.context = context
    }

    static let header = FixedLayout([
        "return.transaction": 4, "return.sid": 4, "return.verdict": 1, "return.pad": 1,
        "return.messages.count": 2, "return.bypass.count": 2, "return.context.count": 2,
    ])

    public init(parsing reader: inout WireReader) throws(WireError) {
        let start = reader.offset
        let available = reader.remaining
        let (transaction, sid, verdict, messageCount, bypassCount, contextCount) = try reader.readFixed(Self.header) {
            field in
            let transaction: UInt32 = field.read()
            let sid: UInt32 = field.read()
            let verdict: UInt8 = field.read()
            field.skip(1)
            return (
                transaction, sid, verdict, Int(field.read(UInt16.self)), Int(field.read(UInt16.self)),
                Int(field.read(UInt16.self))
            )
        }
        self.transaction = transaction
        self.sid = ServiceID(sid)
        guard let verdict = ReturnVerdict(rawValue: verdict) else {
            throw WireError(.invalidValue(UInt64(verdict)), field: "return.verdict", offset: start + 8)
        }
        self.verdict = verdict
        try WireReader.checkCount(
            messageCount, minimumEntrySize: 8 + OpenFlowHeader.size, maximum: Self.maximumMessages,
            field: "return.messages", at: start + 10, available: available - 12)
        try WireReader.checkCount(
            bypassCount, minimumEntrySize: 0, maximum: Self.maximumBypass, field: "return.bypass", at: start + 12,
            available: available - 14)
        try WireReader.checkCount(
            contextCount, minimumEntrySize: 0, maximum: Self.maximumContext, field: "return.context", at: start + 14,
            available: available - 16)
        try reader.require(
            messageCount * (8 + OpenFlowHeader.size) + bypassCount * 8 + contextCount * 4, field: "return")
        let messages = try SwitchMessageList(reading: messageCount, from: &reader, field: "return.message")
        let bypass = try reader.readMACList(count: bypassCount, field: "return.bypass.mac")
        var context: [ContextEntry] = []
        if contextCount > 0 { context.reserveCapacity(contextCount) }
        for _ in 0..<contextCount {
            let key = try reader.readText(maximumLength: Self.maximumKeyLength, field: "return.context.key")
            let value = try reader.readText(maximumLength: Self.maximumValueLength, field: "return.context.value")
            context.append(ContextEntry(key: key, value: value))
        }
        self.messages = messages
        self.bypass = bypass
        self.context = context
    }

    public func write(to buffer: inout ByteBuffer) {
        write(to: &buffer, prefixLength: 0) { _, _ in }
    }

    /// Appends `prefixLength` bytes written by `prefix` (the headers of the message that
    /// carries the return), then the return. `prefix` is given the whole length when the
    /// return carries no context (as nearly every one), whose texts would have to be measured.
    func write(
        to buffer: inout ByteBuffer, prefixLength: Int, _ prefix: (inout FixedFieldWriter, _ wholeLength: Int?) -> Void
    ) {
        Self.write(
            transaction: transaction, sid: sid, verdict: verdict, messages: messages, bypass: bypass, context: context,
            to: &buffer, prefixLength: prefixLength, prefix)
    }

    /// A return from its parts (`UnitMessage.writeReturn`).
    static func write(
        transaction: UInt32, sid: ServiceID, verdict: ReturnVerdict, messages: SwitchMessageList, bypass: [MACAddress],
        context: [ContextEntry],
        to buffer: inout ByteBuffer, prefixLength: Int, _ prefix: (inout FixedFieldWriter, _ wholeLength: Int?) -> Void
    ) {
        precondition(
            messages.count <= maximumMessages && bypass.count <= maximumBypass && context.count <= maximumContext,
            "return over its limits")
        // Everything but the context (whose texts would have to be measured first) goes through
        // one view of the buffer: headers, the messages' bytes and the BYPASS entries.
        let fixedLength = prefixLength + header.size + messages.entries.readableBytes + bypass.count * 8
        buffer.writeFixed(fixedLength) { field in
            prefix(&field, context.isEmpty ? fixedLength : nil)
            field.write(transaction)
            field.write(sid.rawValue)
            field.write(verdict.rawValue)
            field.pad(1)
            field.write(UInt16(messages.count))
            field.write(UInt16(bypass.count))
            field.write(UInt16(context.count))
            field.write(bytesOf: messages.entries)
            for mac in bypass {
                field.writeMACAddress(mac)
                field.pad(2)
            }
        }
        for entry in context {
            buffer.writeText(entry.key)
            buffer.writeText(entry.value)
        }
    }
}

/// What a service decided about an event it was sent. One byte.
public enum ReturnVerdict: UInt8, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// More returns for this transaction follow (messages sent before the service decided).
    case partial = 0
    /// Local processing goes on (a DIVERTed event resumes).
    case `continue` = 1
    /// The service handled the event: local processing ends.
    case stop = 2
    /// The service could not be reached on the way up: the waiting unit applies its timeout policy now.
    case unreachable = 3

    public var description: String {
        switch self {
        case .partial: "partial"
        case .continue: "continue"
        case .stop: "stop"
        case .unreachable: "unreachable"
        }
    }

    /// Whether the transaction is over with this return.
    public var isFinal: Bool { self != .partial }
}

/// One addition to a DIVERTed event's processing context (e.g. `auth` = `allowed`).
public struct ContextEntry: Hashable, Sendable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
