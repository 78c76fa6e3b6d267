import NIOCore

/// OFPT_PACKET_OUT (`ofp_packet_out`): the controller sends a packet, or releases a buffered one,
/// through a list of actions.
public struct PacketOut: OpenFlowMessageBody {
    public static let messageType = MessageType.packetOut
    public static let minimumLength = 16

    public var bufferID: BufferID
    public var inPort: PortNumber
    public var actions: [Action]
    /// The frame to send; empty when `bufferID` names a buffered packet.
    public var data: ByteBuffer

    public init(
        bufferID: BufferID = .none, inPort: PortNumber = .none, actions: [Action], data: ByteBuffer = ByteBuffer()
    ) {
        self.bufferID = bufferID
        self.inPort = inPort
        self.actions = actions
        self.data = data
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        var actionReader: WireReader
        (bufferID, inPort, actionReader) = try Self.readFixedFields(&reader)
        actions = try Action.parseList(&actionReader)
        data = reader.readRest()
    }

    /// Checks a body as `init(parsing:)` reads it, with the same errors, without building the
    /// value (see `FlowMod.check`).
    static func check(_ reader: inout WireReader) throws(WireError) {
        var (_, _, actionReader) = try readFixedFields(&reader)
        try Action.checkList(&actionReader)
    }

    static let fixedFields = FixedLayout([
        "ofp_packet_out.buffer_id": 4, "ofp_packet_out.in_port": 2, "ofp_packet_out.actions_len": 2,
    ])

    /// The fixed fields, and a reader over the actions (`reader` is left at the data).
    private static func readFixedFields(
        _ reader: inout WireReader
    ) throws(WireError) -> (BufferID, PortNumber, WireReader) {
        let lengthOffset = reader.offset + 6
        // Every return of a forwarding service carries one: the fields in one view.
        let (bufferID, inPort, actionsLength) = try reader.readFixed(Self.fixedFields) { field in
            (BufferID(field.read()), PortNumber(field.read()), Int(field.read(UInt16.self)))
        }
        guard actionsLength <= reader.remaining else {
            throw WireError(
                .lengthAboveMaximum(length: actionsLength, maximum: reader.remaining),
                field: "ofp_packet_out.actions_len", offset: lengthOffset)
        }
        guard actionsLength % 8 == 0 else {
            throw WireError(
                .lengthNotMultiple(length: actionsLength, multiple: 8), field: "ofp_packet_out.actions_len",
                offset: lengthOffset)
        }
        return (bufferID, inPort, try reader.readReader(length: actionsLength, field: "ofp_packet_out.actions"))
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeFixed(Self.minimumLength - OpenFlowHeader.size) {
            writeFixedFields(to: &$0, actionsLength: Action.listLength(actions))
        }
        Action.writeList(actions, to: &buffer)
        buffer.writeImmutableBuffer(data)
    }

    /// The message's length without its data when every action has a fixed size (nil with a
    /// vendor action): the other answer to a PACKET_IN, written like `FlowMod.fixedMessageLength`.
    public var fixedMessageLengthBeforeData: Int? {
        Action.fixedListLength(actions).map { Self.minimumLength + $0 }
    }

    /// Everything between the header and the data, given a fixed `fixedMessageLengthBeforeData`.
    public func write(to field: inout FixedFieldWriter, actionsLength: Int) {
        writeFixedFields(to: &field, actionsLength: actionsLength)
        for action in actions { action.write(to: &field) }
    }

    private func writeFixedFields(to field: inout FixedFieldWriter, actionsLength: Int) {
        field.write(bufferID.rawValue)
        field.write(inPort.rawValue)
        field.write(UInt16(actionsLength))
    }
}
