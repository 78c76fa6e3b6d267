import NIOCore
import OpenFlow

/// One service in an exports list: everything a client needs to send it events.
///
/// ```
///  0: sid             u32
///  4: origin uid      u32   the unit that hosts it
///  8: priority        i32   higher runs first
/// 12: action          u8    ProcessChainAction
/// 13: timeout policy  u8    TimeoutPolicy
/// 14: subscriptions   u16   EventCategory mask
/// 16: timeout         u32   milliseconds a DIVERTed event waits for the answer
/// 20: name            u16 length + UTF-8 (at most 255 bytes)
///  …: rule count      u16 (at most 1,024)
///  …: rules           u16 length + UTF-8 filter text (at most 4,096 bytes each)
/// ```
public struct ExportedService: Hashable, Sendable {
    public static let minimumSize = 24
    public static let maximumNameLength = 255
    public static let maximumRules = 1024
    public static let maximumRuleLength = 4096

    public var sid: ServiceID
    public var origin: UnitID
    public var name: String
    public var priority: Int32
    public var action: ProcessChainAction
    public var timeoutPolicy: TimeoutPolicy
    public var subscriptions: Set<EventCategory>
    public var timeoutMilliseconds: UInt32
    /// Filter rules in the filter language's text form.
    public var rules: [String]

    public init(
        sid: ServiceID, origin: UnitID, name: String, priority: Int32 = 0, action: ProcessChainAction = .divert,
        timeoutPolicy: TimeoutPolicy = .failOpen, subscriptions: Set<EventCategory> = [],
        timeoutMilliseconds: UInt32 = 1000,
        rules: [String] = []
    ) {
        self.sid = sid
        self.origin = origin
        self.name = name
        self.priority = priority
        self.action = action
        self.timeoutPolicy = timeoutPolicy
        self.subscriptions = subscriptions
        self.timeoutMilliseconds = timeoutMilliseconds
        self.rules = rules
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        sid = ServiceID(try reader.readInteger(as: UInt32.self, field: "exported_service.sid"))
        origin = UnitID(try reader.readInteger(as: UInt32.self, field: "exported_service.origin"))
        priority = try reader.readInteger(as: Int32.self, field: "exported_service.priority")
        action = try reader.readEnumeration(ProcessChainAction.self, field: "exported_service.action")
        timeoutPolicy = try reader.readEnumeration(TimeoutPolicy.self, field: "exported_service.timeout_policy")
        let maskOffset = reader.offset
        let (categories, unknown) = EventCategory.categories(
            inMask: try reader.readInteger(as: UInt16.self, field: "exported_service.subscriptions"))
        guard unknown == 0 else {
            throw WireError(.invalidValue(UInt64(unknown)), field: "exported_service.subscriptions", offset: maskOffset)
        }
        subscriptions = categories
        timeoutMilliseconds = try reader.readInteger(as: UInt32.self, field: "exported_service.timeout")
        name = try reader.readText(maximumLength: Self.maximumNameLength, field: "exported_service.name")
        let count = try reader.readCount(
            minimumEntrySize: 2, maximum: Self.maximumRules, field: "exported_service.rules")
        var rules: [String] = []
        rules.reserveCapacity(count)
        for _ in 0..<count {
            rules.append(try reader.readText(maximumLength: Self.maximumRuleLength, field: "exported_service.rule"))
        }
        self.rules = rules
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(sid.rawValue)
        buffer.writeInteger(origin.rawValue)
        buffer.writeInteger(priority)
        buffer.writeInteger(action.rawValue)
        buffer.writeInteger(timeoutPolicy.rawValue)
        buffer.writeInteger(EventCategory.mask(of: subscriptions))
        buffer.writeInteger(timeoutMilliseconds)
        buffer.writeText(name)
        buffer.writeInteger(UInt16(rules.count))
        for rule in rules { buffer.writeText(rule) }
    }

    /// Bytes this entry takes on the wire.
    public var encodedLength: Int {
        Self.minimumSize + name.utf8.count + rules.reduce(0) { $0 + 2 + $1.utf8.count }
    }
}

extension WireReader {
    /// One byte that must be a case of `T`.
    mutating func readEnumeration<T: RawRepresentable>(_ type: T.Type, field: String) throws(WireError) -> T
    where T.RawValue == UInt8 {
        let at = offset
        let raw = try readInteger(as: UInt8.self, field: field)
        guard let value = T(rawValue: raw) else {
            throw WireError(.invalidValue(UInt64(raw)), field: field, offset: at)
        }
        return value
    }
}
