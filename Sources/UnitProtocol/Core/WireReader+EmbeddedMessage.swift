import NIOCore
import OpenFlow

/// An OpenFlow message carried inside a unit message (an escalated event's PACKET_IN, a
/// return's FLOW_MOD). Its header's length is checked against what the
/// outer message still holds before anything is read, and errors inside the embedded message
/// report offsets in the outer one.
extension WireReader {
    public mutating func readEmbeddedMessage(field: String) throws(WireError) -> OpenFlowMessage {
        try readEmbedded(field: field) { header, body throws(WireError) in
            try OpenFlowMessage(header: header, body: &body)
        }
    }

    /// Checks the embedded message as `readEmbeddedMessage` would parse it
    /// (`OpenFlowMessage.check(header:body:)`) and moves past it, for a unit that forwards its
    /// bytes without reading them.
    mutating func checkEmbeddedFrame(field: String) throws(WireError) {
        try readEmbedded(field: field) { header, body throws(WireError) in
            try OpenFlowMessage.check(header: header, body: &body)
        }
    }

    /// The rest of `checkEmbeddedFrame` once the embedded header, which started at `at` with
    /// `available` bytes from there, has been read (alone or with what precedes it).
    mutating func checkEmbeddedBody(of header: OpenFlowHeader, at: Int, available: Int, field: String) throws(WireError)
    {
        try readEmbeddedBody(of: header, at: at, available: available, field: field) { header, body throws(WireError) in
            try OpenFlowMessage.check(header: header, body: &body)
        }
    }

    /// The header is read through the view that checks its length, and the body is one slice.
    private mutating func readEmbedded<Result>(
        field: String, _ read: (OpenFlowHeader, inout WireReader) throws(WireError) -> Result
    ) throws(WireError) -> Result {
        let at = offset
        try require(OpenFlowHeader.size, field: field)
        let available = remaining
        let header = try readFixed(OpenFlowHeader.size, field: field) { OpenFlowHeader(reading: &$0) }
        return try readEmbeddedBody(of: header, at: at, available: available, field: field, read)
    }

    /// The rest of `readEmbeddedMessage` once the embedded header, which started at `at` with
    /// `available` bytes from there, has been read (with what precedes it).
    mutating func readEmbeddedMessageBody(
        of header: OpenFlowHeader, at: Int, available: Int, field: String
    ) throws(WireError) -> OpenFlowMessage {
        try readEmbeddedBody(of: header, at: at, available: available, field: field) { header, body throws(WireError) in
            try OpenFlowMessage(header: header, body: &body)
        }
    }

    private mutating func readEmbeddedBody<Result>(
        of header: OpenFlowHeader, at: Int, available: Int, field: String,
        _ read: (OpenFlowHeader, inout WireReader) throws(WireError) -> Result
    ) throws(WireError) -> Result {
        let length = Int(header.length)
        guard length >= OpenFlowHeader.size else {
            throw WireError(
                .lengthBelowMinimum(length: length, minimum: OpenFlowHeader.size), field: "\(field).length",
                offset: at + 2)
        }
        guard length <= available else {
            throw WireError(.truncated(needed: length, available: available), field: field, offset: at)
        }
        // Offsets inside the body are the embedded message's own; errors are placed in the outer one.
        var body = WireReader(
            try readBytes(length: length - OpenFlowHeader.size, field: field), messageOffset: OpenFlowHeader.size)
        do {
            return try read(header, &body)
        } catch {
            var located = error
            located.offset += at
            located.field = "\(field).\(error.field)"
            throw located
        }
    }
}
