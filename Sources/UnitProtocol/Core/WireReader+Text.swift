import NIOCore
import OpenFlow

/// Variable-length fields of the unit protocol: UTF-8 text behind a 16-bit length, and lists
/// behind a 16-bit count. Every length and count is checked against what the message still
/// holds (and a per-field maximum) before anything is allocated for it.
extension WireReader {
    public mutating func readText(maximumLength: Int, field: String) throws(WireError) -> String {
        let at = offset
        let length = Int(try readInteger(as: UInt16.self, field: field, suffix: ".length"))
        guard length <= maximumLength else {
            throw WireError(
                .lengthAboveMaximum(length: length, maximum: maximumLength), field: "\(field).length", offset: at)
        }
        let textOffset = offset
        let bytes = try readBytes(length: length, field: field)
        guard let text = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            throw WireError(.invalidText, field: field, offset: textOffset)
        }
        return text
    }

    /// Reads `count` MAC addresses, each padded to 8 bytes (lists of devices: BYPASS, withdrawals).
    mutating func readMACList(count: Int, field: String) throws(WireError) -> [MACAddress] {
        // Most messages carry none: the list is left unallocated.
        var macs: [MACAddress] = []
        if count > 0 { macs.reserveCapacity(count) }
        for _ in 0..<count {
            macs.append(try readMACAddress(field: field))
            try skip(2, field: field + ".pad")
        }
        return macs
    }

    /// Reads a 16-bit count and checks that `count` entries of at least `minimumEntrySize`
    /// bytes can still be in the message and that `count` is at most `maximum`.
    public mutating func readCount(minimumEntrySize: Int, maximum: Int, field: String) throws(WireError) -> Int {
        let at = offset
        let count = Int(try readInteger(as: UInt16.self, field: field, suffix: ".count"))
        try Self.checkCount(
            count, minimumEntrySize: minimumEntrySize, maximum: maximum, field: field, at: at, available: remaining)
        return count
    }

    /// The checks of `readCount` on a count read as part of a fixed header: at most `maximum`,
    /// and `count` entries of `minimumEntrySize` within the `available` bytes after the count.
    static func checkCount(
        _ count: Int, minimumEntrySize: Int, maximum: Int, field: String, at countOffset: Int, available: Int
    ) throws(WireError) {
        guard count <= maximum else {
            throw WireError(
                .lengthAboveMaximum(length: count, maximum: maximum), field: "\(field).count", offset: countOffset)
        }
        guard count * minimumEntrySize <= available else {
            throw WireError(
                .truncated(needed: count * minimumEntrySize, available: available), field: field,
                offset: countOffset + 2)
        }
    }
}

extension WireReader {
    /// Reads an integer whose field name is `field` + `suffix`; the name is only put together
    /// when it is needed for an error, because these reads run for every event and return.
    mutating func readInteger<T: FixedWidthInteger & Sendable>(
        as type: T.Type, field: String, suffix: StaticString
    ) throws(WireError) -> T {
        do {
            return try readInteger(as: type, field: "")
        } catch {
            throw WireError(error.reason, field: field + "\(suffix)", offset: error.offset)
        }
    }
}

extension ByteBuffer {
    /// Writes text behind its 16-bit UTF-8 length. Text longer than 65,535 bytes is a programming
    /// error: every text field has a far smaller maximum, checked where the text is made.
    public mutating func writeText(_ text: String) {
        precondition(text.utf8.count <= Int(UInt16.max), "unit protocol text longer than 65,535 bytes")
        writeInteger(UInt16(text.utf8.count))
        writeString(text)
    }
}
