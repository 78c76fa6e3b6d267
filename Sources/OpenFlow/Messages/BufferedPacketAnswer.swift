import NIOCore

/// The buffered packet a FLOW_MOD or PACKET_OUT releases, read straight from the message's
/// bytes without parsing its match or actions.
///
/// A load generator matches every answer to its request by this one field; parsing the whole
/// message (an array of actions each time) is much of the generator's own work, and the
/// generator shares the machine with the controller it measures (docs/benchmarks.md, "The
/// load generator's own cost").
public enum BufferedPacketAnswer {
    /// Where `buffer_id` sits in `ofp_flow_mod`: after the header, the match, the cookie and
    /// four 16-bit fields (command, idle and hard timeouts, priority).
    public static let flowModBufferIDOffset = OpenFlowHeader.size + Match.size + 8 + 4 * 2
    /// Where `buffer_id` sits in `ofp_packet_out`: right after the header.
    public static let packetOutBufferIDOffset = OpenFlowHeader.size

    /// The buffer id named by a whole FLOW_MOD or PACKET_OUT frame; nil for any other message
    /// or a frame too short to hold the field.
    public static func bufferID(in frame: ByteBuffer) -> BufferID? {
        guard let type = frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self) else { return nil }
        let offset: Int
        switch MessageType(rawValue: type) {
        case .flowMod: offset = flowModBufferIDOffset
        case .packetOut: offset = packetOutBufferIDOffset
        default: return nil
        }
        return frame.getInteger(at: frame.readerIndex + offset, as: UInt32.self).map { BufferID($0) }
    }
}
