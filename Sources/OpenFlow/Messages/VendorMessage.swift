import NIOCore

/// OFPT_VENDOR (`ofp_vendor_header`): an extension message identified by a vendor id.
/// Echelon's own inter-unit protocol travels in these.
public struct VendorMessage: OpenFlowMessageBody, WireStructure {
    public static let messageType = MessageType.vendor
    public static let minimumLength = 12

    public var vendor: UInt32
    public var payload: ByteBuffer

    public init(vendor: UInt32, payload: ByteBuffer = ByteBuffer()) {
        self.vendor = vendor
        self.payload = payload
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        vendor = try Self.readVendorID(&reader)
        payload = reader.readRest()
    }

    private static func readVendorID(_ reader: inout WireReader) throws(WireError) -> UInt32 {
        try reader.readInteger(field: "ofp_vendor_header.vendor")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(vendor)
        buffer.writeImmutableBuffer(payload)
    }
}

extension VendorMessage {
    /// The vendor id and a reader over the payload of the vendor message that `frame` holds
    /// (exactly one message, as a frame decoder cuts it), read with the checks and errors of
    /// `OpenFlowMessage(parsing:)`; nil when the frame is of another type. The payload is not
    /// copied out into a message value: a unit channel reads its events and returns from it.
    public static func payload(inFrame frame: ByteBuffer) throws(WireError) -> FramePayload? {
        var (header, reader) = try OpenFlowMessage.split(frame, maximumLength: OpenFlowHeader.maximumLength)
        guard header.type == .vendor else { return nil }
        try OpenFlowMessage.checkHeader(header, of: VendorMessage.self)
        return FramePayload(vendor: try readVendorID(&reader), payload: reader)
    }

    /// What `payload(inFrame:)` finds. A struct, not a tuple: an optional tuple holding a
    /// reader was copied and tested through the runtime's generic tuple witnesses, once per
    /// event and return.
    public struct FramePayload: Sendable {
        public var vendor: UInt32
        public var payload: WireReader
    }
}
