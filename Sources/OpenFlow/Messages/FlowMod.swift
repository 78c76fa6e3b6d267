import NIOCore

/// OFPT_FLOW_MOD (`ofp_flow_mod`): add, change or delete flows.
public struct FlowMod: Encodable, OpenFlowMessageBody {
    public static let messageType = MessageType.flowMod
    public static let minimumLength = 72

    public var match: Match
    public var cookie: UInt64
    public var command: Command
    public var idleTimeout: UInt16
    public var hardTimeout: UInt16
    public var priority: UInt16
    /// A buffered packet to apply the flow to once it is installed.
    public var bufferID: BufferID
    /// For deletes: only flows that output to this port (`.none` for any).
    public var outPort: PortNumber
    public var flags: Flags
    public var actions: [Action]

    /// `OFP_DEFAULT_PRIORITY`.
    public static let defaultPriority: UInt16 = 0x8000

    public init(
        match: Match, cookie: UInt64 = 0, command: Command = .add, idleTimeout: UInt16 = 0,
        hardTimeout: UInt16 = 0, priority: UInt16 = FlowMod.defaultPriority, bufferID: BufferID = .none,
        outPort: PortNumber = .none, flags: Flags = [], actions: [Action] = []
    ) {
        self.match = match
        self.cookie = cookie
        self.command = command
        self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout
        self.priority = priority
        self.bufferID = bufferID
        self.outPort = outPort
        self.flags = flags
        self.actions = actions
    }

    static let fixedFields = FixedLayout([
        "ofp_flow_mod.cookie": 8, "ofp_flow_mod.command": 2, "ofp_flow_mod.idle_timeout": 2,
        "ofp_flow_mod.hard_timeout": 2,
        "ofp_flow_mod.priority": 2, "ofp_flow_mod.buffer_id": 4, "ofp_flow_mod.out_port": 2, "ofp_flow_mod.flags": 2,
    ])

    public init(parsing reader: inout WireReader) throws(WireError) {
        (match, (cookie, command, idleTimeout, hardTimeout, priority, bufferID, outPort, flags)) =
            try Self.readFixedFields(&reader)
        actions = try Action.parseList(&reader)
    }

    /// Checks a body as `init(parsing:)` reads it, with the same errors, without building the
    /// value: a unit relaying a return forwards the FLOW_MOD's bytes, and only needs to know
    /// that they are a well-formed FLOW_MOD.
    static func check(_ reader: inout WireReader) throws(WireError) {
        // Every value of the match and the fixed fields is valid, and the header's length check
        // (at least `minimumLength`) has made sure they are there: only the actions can be wrong.
        try reader.skip(Match.size + fixedFields.size, field: "ofp_flow_mod")
        try Action.checkList(&reader)
    }

    private static func readFixedFields(
        _ reader: inout WireReader
    ) throws(WireError) -> (Match, (UInt64, Command, UInt16, UInt16, UInt16, BufferID, PortNumber, Flags)) {
        let match = try Match(parsing: &reader)
        // Flow mods come down from the units above with every return: one view for the fields.
        let fields = try reader.readFixed(Self.fixedFields) { field in
            (
                field.read(UInt64.self), Command(rawValue: field.read()), field.read(UInt16.self),
                field.read(UInt16.self), field.read(UInt16.self),
                BufferID(field.read()), PortNumber(field.read()), Flags(rawValue: field.read())
            )
        }
        return (match, fields)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeFixed(Self.minimumLength - OpenFlowHeader.size) { writeFixedFields(to: &$0) }
        Action.writeList(actions, to: &buffer)
    }

    /// The whole message's length when every action has a fixed size (nil with a vendor
    /// action): a unit sends a FLOW_MOD for nearly every PACKET_IN, and a known length lets the
    /// message be written through one view of the buffer (`OpenFlowMessage.write(to:)`).
    public var fixedMessageLength: Int? {
        Action.fixedListLength(actions).map { Self.minimumLength + $0 }
    }

    /// Everything after the header: the match, the fixed fields and, given a fixed
    /// `fixedMessageLength`, the actions.
    public func write(to field: inout FixedFieldWriter) {
        writeFixedFields(to: &field)
        for action in actions { action.write(to: &field) }
    }

    private func writeFixedFields(to field: inout FixedFieldWriter) {
        match.write(to: &field)
        field.write(cookie)
        field.write(command.rawValue)
        field.write(idleTimeout)
        field.write(hardTimeout)
        field.write(priority)
        field.write(bufferID.rawValue)
        field.write(outPort.rawValue)
        field.write(flags.rawValue)
    }

    /// `ofp_flow_mod_command`.
    public struct Command: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let add = Command(rawValue: 0)
        public static let modify = Command(rawValue: 1)
        public static let modifyStrict = Command(rawValue: 2)
        public static let delete = Command(rawValue: 3)
        public static let deleteStrict = Command(rawValue: 4)

        public var description: String {
            switch self {
            case .add: return "ADD"
            case .modify: return "MOD"
            case .modifyStrict: return "MOD_STRICT"
            case .delete: return "DEL"
            case .deleteStrict: return "DEL_STRICT"
            default: return "command(\(rawValue))"
            }
        }
    }

    /// `ofp_flow_mod_flags`.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let sendFlowRemoved = Flags(rawValue: 1 << 0)
        public static let checkOverlap = Flags(rawValue: 1 << 1)
        public static let emergency = Flags(rawValue: 1 << 2)

        static let names: [(Flags, String)] = [
            (.sendFlowRemoved, "send_flow_rem"), (.checkOverlap, "check_overlap"), (.emergency, "emerg"),
        ]
    }
}
