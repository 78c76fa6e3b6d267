import NIOCore

/// `ofp_table_stats`: one flow table's size and hit counts.
public struct TableStats: Encodable, FixedSizeWireStructure {
    public static let size = 64
    static let nameLength = 32

    public var tableID: UInt8
    public var name: String
    /// The wildcards the table supports.
    public var wildcards: Match.Wildcards
    public var maxEntries: UInt32
    public var activeCount: UInt32
    public var lookupCount: UInt64
    public var matchedCount: UInt64

    public init(
        tableID: UInt8, name: String, wildcards: Match.Wildcards = .all, maxEntries: UInt32,
        activeCount: UInt32 = 0, lookupCount: UInt64 = 0, matchedCount: UInt64 = 0
    ) {
        self.tableID = tableID
        self.name = name
        self.wildcards = wildcards
        self.maxEntries = maxEntries
        self.activeCount = activeCount
        self.lookupCount = lookupCount
        self.matchedCount = matchedCount
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        tableID = try reader.readInteger(field: "ofp_table_stats.table_id")
        try reader.skip(3, field: "ofp_table_stats.pad")
        name = try reader.readFixedString(length: Self.nameLength, field: "ofp_table_stats.name")
        wildcards = Match.Wildcards(rawValue: try reader.readInteger(field: "ofp_table_stats.wildcards"))
        maxEntries = try reader.readInteger(field: "ofp_table_stats.max_entries")
        activeCount = try reader.readInteger(field: "ofp_table_stats.active_count")
        lookupCount = try reader.readInteger(field: "ofp_table_stats.lookup_count")
        matchedCount = try reader.readInteger(field: "ofp_table_stats.matched_count")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(tableID)
        buffer.writePadding(3)
        buffer.writeFixedString(name, length: Self.nameLength)
        buffer.writeInteger(wildcards.rawValue)
        buffer.writeInteger(maxEntries)
        buffer.writeInteger(activeCount)
        buffer.writeInteger(lookupCount)
        buffer.writeInteger(matchedCount)
    }
}
