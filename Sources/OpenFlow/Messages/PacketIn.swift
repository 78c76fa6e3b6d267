import NIOCore

/// OFPT_PACKET_IN (`ofp_packet_in`): a packet the switch sends to the controller.
/// `data` is a slice of the received bytes; parsing copies nothing.
public struct PacketIn: OpenFlowMessageBody {
    public static let messageType = MessageType.packetIn
    /// 18 bytes: the specification's `sizeof(ofp_packet_in)` is 20 only because of trailing
    /// alignment padding in the C struct; the data begins at offset 18 (`offsetof(data)`).
    public static let minimumLength = 18

    /// Where fields sit in the whole message, for tools that send many PACKET_INs by patching
    /// one prepared message (a test holds these to what `write(to:)` produces).
    public enum Offset {
        public static let bufferID = OpenFlowHeader.size
        public static let inPort = OpenFlowHeader.size + 6
        public static let data = PacketIn.minimumLength
    }

    public var bufferID: BufferID
    /// Length of the whole frame, of which `data` may be a prefix.
    public var totalLength: UInt16
    public var inPort: PortNumber
    public var reason: Reason
    public var data: ByteBuffer

    public init(
        bufferID: BufferID = .none, totalLength: UInt16, inPort: PortNumber, reason: Reason = .noMatch, data: ByteBuffer
    ) {
        self.bufferID = bufferID
        self.totalLength = totalLength
        self.inPort = inPort
        self.reason = reason
        self.data = data
    }

    @inlinable
    public init(parsing reader: inout WireReader) throws(WireError) {
        (bufferID, totalLength, inPort, reason) = try reader.readFixed(
            Self.minimumLength - OpenFlowHeader.size, field: "ofp_packet_in"
        ) { field in
            let fixed = (
                BufferID(field.read()), field.read(UInt16.self), PortNumber(field.read()),
                Reason(rawValue: field.read())
            )
            field.skip(1)
            return fixed
        }
        data = reader.readRest()
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeFixed(Self.minimumLength - OpenFlowHeader.size) { writeFixedFields(to: &$0) }
        buffer.writeImmutableBuffer(data)
    }

    /// The fields between the header and the data.
    public func writeFixedFields(to field: inout FixedFieldWriter) {
        field.write(bufferID.rawValue)
        field.write(totalLength)
        field.write(inPort.rawValue)
        field.write(reason.rawValue)
        field.pad(1)
    }

    /// `ofp_packet_in_reason`.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let noMatch = Reason(rawValue: 0)
        public static let action = Reason(rawValue: 1)

        public var description: String {
            switch self {
            case .noMatch: return "no_match"
            case .action: return "action"
            default: return "reason(\(rawValue))"
            }
        }
    }
}
