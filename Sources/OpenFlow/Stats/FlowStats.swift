import NIOCore

/// `ofp_flow_stats`: one flow entry in a flow statistics reply.
public struct FlowStats: Encodable, WireStructure {
    static let fixedSize = 88

    public var tableID: UInt8
    public var match: Match
    public var durationSeconds: UInt32
    public var durationNanoseconds: UInt32
    public var priority: UInt16
    public var idleTimeout: UInt16
    public var hardTimeout: UInt16
    public var cookie: UInt64
    public var packetCount: UInt64
    public var byteCount: UInt64
    public var actions: [Action]

    public init(
        tableID: UInt8 = 0, match: Match, durationSeconds: UInt32 = 0, durationNanoseconds: UInt32 = 0,
        priority: UInt16 = FlowMod.defaultPriority, idleTimeout: UInt16 = 0, hardTimeout: UInt16 = 0,
        cookie: UInt64 = 0, packetCount: UInt64 = 0, byteCount: UInt64 = 0, actions: [Action] = []
    ) {
        self.tableID = tableID
        self.match = match
        self.durationSeconds = durationSeconds
        self.durationNanoseconds = durationNanoseconds
        self.priority = priority
        self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout
        self.cookie = cookie
        self.packetCount = packetCount
        self.byteCount = byteCount
        self.actions = actions
    }

    public var length: Int { Self.fixedSize + Action.listLength(actions) }

    public init(parsing reader: inout WireReader) throws(WireError) {
        let lengthOffset = reader.offset
        let length = Int(try reader.readInteger(as: UInt16.self, field: "ofp_flow_stats.length"))
        guard length >= Self.fixedSize else {
            throw WireError(
                .lengthBelowMinimum(length: length, minimum: Self.fixedSize), field: "ofp_flow_stats.length",
                offset: lengthOffset)
        }
        guard length - 2 <= reader.remaining else {
            throw WireError(
                .lengthAboveMaximum(length: length, maximum: reader.remaining + 2), field: "ofp_flow_stats.length",
                offset: lengthOffset)
        }
        var entry = try reader.readReader(length: length - 2, field: "ofp_flow_stats")
        tableID = try entry.readInteger(field: "ofp_flow_stats.table_id")
        try entry.skip(1, field: "ofp_flow_stats.pad")
        match = try Match(parsing: &entry)
        durationSeconds = try entry.readInteger(field: "ofp_flow_stats.duration_sec")
        durationNanoseconds = try entry.readInteger(field: "ofp_flow_stats.duration_nsec")
        priority = try entry.readInteger(field: "ofp_flow_stats.priority")
        idleTimeout = try entry.readInteger(field: "ofp_flow_stats.idle_timeout")
        hardTimeout = try entry.readInteger(field: "ofp_flow_stats.hard_timeout")
        try entry.skip(6, field: "ofp_flow_stats.pad2")
        cookie = try entry.readInteger(field: "ofp_flow_stats.cookie")
        packetCount = try entry.readInteger(field: "ofp_flow_stats.packet_count")
        byteCount = try entry.readInteger(field: "ofp_flow_stats.byte_count")
        actions = try Action.parseList(&entry)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(length))
        buffer.writeInteger(tableID)
        buffer.writePadding(1)
        match.write(to: &buffer)
        buffer.writeInteger(durationSeconds)
        buffer.writeInteger(durationNanoseconds)
        buffer.writeInteger(priority)
        buffer.writeInteger(idleTimeout)
        buffer.writeInteger(hardTimeout)
        buffer.writePadding(6)
        buffer.writeInteger(cookie)
        buffer.writeInteger(packetCount)
        buffer.writeInteger(byteCount)
        Action.writeList(actions, to: &buffer)
    }
}
