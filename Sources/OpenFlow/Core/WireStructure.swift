import NIOCore

/// A structure with a symmetric wire encoding.
public protocol WireStructure: Hashable, Sendable {
    init(parsing reader: inout WireReader) throws(WireError)
    func write(to buffer: inout ByteBuffer)
}

/// A structure whose encoding always has the same size, so arrays of it can be checked for
/// size before any entry is parsed.
public protocol FixedSizeWireStructure: WireStructure {
    static var size: Int { get }
}

extension WireReader {
    /// Reads every remaining byte as an array of fixed-size entries. A remainder that is not a
    /// whole number of entries is rejected before anything is allocated.
    public mutating func readEntries<Entry: FixedSizeWireStructure>(
        _: Entry.Type, field: String
    ) throws(WireError) -> [Entry] {
        guard remaining % Entry.size == 0 else {
            throw WireError(.bodyNotMultiple(size: remaining, entrySize: Entry.size), field: field, offset: offset)
        }
        var entries: [Entry] = []
        entries.reserveCapacity(remaining / Entry.size)
        while !isAtEnd {
            entries.append(try Entry(parsing: &self))
        }
        return entries
    }

    /// Reads every remaining byte as a sequence of structures that each carry their own length.
    public mutating func readVariableEntries<Entry: WireStructure>(_: Entry.Type) throws(WireError) -> [Entry] {
        var entries: [Entry] = []
        // Every such entry is at least 8 bytes; a few slots up front spare the usual regrowths.
        entries.reserveCapacity(Swift.min(remaining / 8, 16))
        while !isAtEnd {
            entries.append(try Entry(parsing: &self))
        }
        return entries
    }

}

extension ByteBuffer {
    public mutating func writeEntries<Entry: WireStructure>(_ entries: [Entry]) {
        for entry in entries { entry.write(to: &self) }
    }
}
