import NIOCore
import OpenFlow

/// An OpenFlow message carried inside a unit message (an escalated event's PACKET_IN, a
/// return's FLOW_MOD). Its header's length is checked against what the
/// outer message still holds before anything is read, and errors inside the embedded message
/// report offsets in the outer one.
extension WireReader {
    public mutating func readEmbeddedMessage(field: String) throws(WireError) -> OpenFlowMessage {
        try readEmbedded(field: field) { bytes throws(WireError) in try OpenFlowMessage(parsing: &bytes) }
    }

    /// Checks the embedded message as `readEmbeddedMessage` would parse it
    /// (`OpenFlowMessage.check(frame:)`) and moves past it, for a unit that forwards its bytes
    /// without reading them.
    ///
    /// It reads as `readEmbedded` does, with the same errors, but takes the header through the
    /// view it checks the length in and the body as one slice: a return's FLOW_MOD is checked
    /// with two views of the bytes instead of four.
    mutating func checkEmbeddedFrame(field: String) throws(WireError) {
        let at = offset
        try require(OpenFlowHeader.size, field: field)
        let available = remaining
        let header = try readFixed(OpenFlowHeader.size, field: field) { OpenFlowHeader(reading: &$0) }
        try checkEmbeddedBody(of: header, at: at, available: available, field: field)
    }

    /// The rest of `checkEmbeddedFrame` once the embedded header, which started at `at` with
    /// `available` bytes from there, has been read (alone or with what precedes it).
    mutating func checkEmbeddedBody(of header: OpenFlowHeader, at: Int, available: Int, field: String) throws(WireError) {
        let length = Int(header.length)
        guard length >= OpenFlowHeader.size else {
            throw WireError(.lengthBelowMinimum(length: length, minimum: OpenFlowHeader.size), field: "\(field).length", offset: at + 2)
        }
        guard length <= available else {
            throw WireError(.truncated(needed: length, available: available), field: field, offset: at)
        }
        var body = WireReader(try readBytes(length: length - OpenFlowHeader.size, field: field), messageOffset: OpenFlowHeader.size)
        do {
            try OpenFlowMessage.check(header: header, body: &body)
        } catch {
            throw Self.located(error, at: at, in: field)
        }
    }

    /// An error inside an embedded message, placed in the outer one.
    private static func located(_ error: WireError, at offset: Int, in field: String) -> WireError {
        var located = error
        located.offset += offset
        located.field = "\(field).\(error.field)"
        return located
    }

    private mutating func readEmbedded<Result>(field: String, _ read: (inout ByteBuffer) throws(WireError) -> Result) throws(WireError) -> Result {
        let at = offset
        try require(OpenFlowHeader.size, field: field)
        // The header is there (required above): its length is read in place, not through a copy of the reader.
        let length = withReadableBytes { bytes, _ in Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self))) }
        guard length >= OpenFlowHeader.size else {
            throw WireError(.lengthBelowMinimum(length: length, minimum: OpenFlowHeader.size), field: "\(field).length", offset: at + 2)
        }
        var bytes = try readBytes(length: length, field: field)
        do {
            return try read(&bytes)
        } catch {
            throw Self.located(error, at: at, in: field)
        }
    }
}
