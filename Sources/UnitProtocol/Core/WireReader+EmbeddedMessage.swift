import NIOCore
import OpenFlow

/// Whole OpenFlow messages inside unit messages (an escalated PACKET_IN, the FLOW_MODs of a
/// return). The embedded header's length says how long each is; it is checked against what the
/// outer message still holds before anything is read, and errors inside the embedded message
/// report offsets in the outer one.
extension WireReader {
    public mutating func readEmbeddedMessage(field: String) throws(WireError) -> OpenFlowMessage {
        let at = offset
        try require(OpenFlowHeader.size, field: field)
        var probe = self
        try probe.skip(2, field: field)
        let length = Int(try probe.readInteger(as: UInt16.self, field: field, suffix: ".length"))
        guard length >= OpenFlowHeader.size else {
            throw WireError(.lengthBelowMinimum(length: length, minimum: OpenFlowHeader.size), field: "\(field).length", offset: at + 2)
        }
        var bytes = try readBytes(length: length, field: field)
        do {
            return try OpenFlowMessage(parsing: &bytes)
        } catch {
            var located = error
            located.offset += at
            located.field = "\(field).\(error.field)"
            throw located
        }
    }
}
