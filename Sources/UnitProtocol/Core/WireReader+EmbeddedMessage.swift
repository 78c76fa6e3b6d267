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
    mutating func checkEmbeddedFrame(field: String) throws(WireError) {
        try readEmbedded(field: field) { bytes throws(WireError) in _ = try OpenFlowMessage.check(frame: bytes) }
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
            var located = error
            located.offset += at
            located.field = "\(field).\(error.field)"
            throw located
        }
    }
}
